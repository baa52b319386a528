// Reads the timeline into a report Model (see model.h for the contract).
#include "report/model.h"

#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "report/format.h"

namespace rstscope::report {
namespace {

int64_t i64(const SQLite::Column& c) { return c.isNull() ? kNull : c.getInt64(); }
std::string str(const SQLite::Column& c) { return c.isNull() ? std::string() : c.getString(); }
double dbl(const SQLite::Column& c, double dflt) { return c.isNull() ? dflt : c.getDouble(); }

// Columns of an event row, in this order, starting at `at`:
// id, path, line, ts, role, category, kind, raw, message, client_ip, client_port, server_ip,
// server_port, host, status, method, path, then fields: tls_reason, upstream, backend, server,
// termination_state, prefix, frontend, action (kEventColCount columns)
constexpr const char* kEventCols =
    "e.id, es.path, e.line, COALESCE(e.ts_corrected, e.ts), e.role, e.category, e.kind, e.raw, "
    "e.message, e.client_ip, e.client_port, e.server_ip, e.server_port, e.host, e.status, e.method, "
    "e.path, json_extract(e.fields, '$.tls_reason'), json_extract(e.fields, '$.upstream'), "
    "json_extract(e.fields, '$.backend'), json_extract(e.fields, '$.server'), "
    "json_extract(e.fields, '$.termination_state'), json_extract(e.fields, '$.prefix'), "
    "json_extract(e.fields, '$.frontend'), json_extract(e.fields, '$.action')";
constexpr int kEventColCount = 25;
EventRow read_event(SQLite::Statement& q, int at) {
  EventRow e;
  e.id = q.getColumn(at).isNull() ? 0 : q.getColumn(at).getInt64();
  e.source = str(q.getColumn(at + 1));
  e.line = i64(q.getColumn(at + 2));
  e.ts = i64(q.getColumn(at + 3));
  e.role = str(q.getColumn(at + 4));
  e.category = str(q.getColumn(at + 5));
  e.kind = str(q.getColumn(at + 6));
  e.raw = str(q.getColumn(at + 7));
  e.message = str(q.getColumn(at + 8));
  e.client_ip = str(q.getColumn(at + 9));
  e.client_port = i64(q.getColumn(at + 10));
  e.server_ip = str(q.getColumn(at + 11));
  e.server_port = i64(q.getColumn(at + 12));
  e.host = str(q.getColumn(at + 13));
  e.status = i64(q.getColumn(at + 14));
  e.method = str(q.getColumn(at + 15));
  e.path = str(q.getColumn(at + 16));
  e.tls_reason = str(q.getColumn(at + 17));
  e.upstream = str(q.getColumn(at + 18));
  e.backend = str(q.getColumn(at + 19));
  e.server = str(q.getColumn(at + 20));
  e.termination = str(q.getColumn(at + 21));
  e.prefix = str(q.getColumn(at + 22));
  e.frontend = str(q.getColumn(at + 23));
  e.action = str(q.getColumn(at + 24));
  return e;
}

// id, path, component, scope, listener, key, raw, value, unit, text, line, status, note
constexpr const char* kSettingCols =
    "st.id, ss.path, st.component, st.scope, st.listener, st.key, st.raw, st.value, st.unit, "
    "st.text, st.line, st.status, st.note";
SettingRow read_setting(SQLite::Statement& q, int at) {
  SettingRow s;
  s.id = q.getColumn(at).isNull() ? 0 : q.getColumn(at).getInt64();
  s.source = str(q.getColumn(at + 1));
  s.component = str(q.getColumn(at + 2));
  s.scope = str(q.getColumn(at + 3));
  s.listener = str(q.getColumn(at + 4));
  s.key = str(q.getColumn(at + 5));
  s.raw = str(q.getColumn(at + 6));
  s.value = i64(q.getColumn(at + 7));
  s.unit = str(q.getColumn(at + 8));
  s.text = str(q.getColumn(at + 9));
  s.line = i64(q.getColumn(at + 10));
  s.status = str(q.getColumn(at + 11));
  s.note = str(q.getColumn(at + 12));
  return s;
}

std::string target_of(const EventRow& e) {
  std::string host = !e.host.empty() ? e.host : e.server_ip;
  if (host.empty()) return {};
  if (e.server_port != kNull) {
    if (host.find(':') != std::string::npos && host.front() != '[') host = "[" + host + "]";
    return host + ":" + std::to_string(e.server_port);
  }
  return host;
}

std::vector<Count> sorted_counts(const std::map<std::string, int64_t>& m) {
  std::vector<Count> v;
  v.reserve(m.size());
  for (auto& [k, n] : m) v.push_back({k, n});
  std::stable_sort(v.begin(), v.end(), [](const Count& a, const Count& b) { return a.n > b.n; });
  return v;
}

void widen(int64_t& first, int64_t& last, int64_t ts) {
  if (ts == kNull) return;
  if (first == kNull || ts < first) first = ts;
  if (last == kNull || ts > last) last = ts;
}

// Picks up to n distinct evidence rows from the finding's incidents: log lines first (those of
// the earliest incident first), then settings; at least one setting when there is one and n >= 2.
std::vector<EvidenceRow> quote_evidence(const Finding& f, const std::vector<Incident>& inc, int n) {
  std::vector<EvidenceRow> events, settings;
  std::set<int64_t> seen_e, seen_s;
  size_t looked = 0;
  for (size_t idx : f.incidents) {
    if (++looked > 20) break;
    for (const auto& ev : inc[idx].evidence) {
      if (ev.is_setting) {
        if (seen_s.insert(ev.setting.id).second) settings.push_back(ev);
      } else if (seen_e.insert(ev.event.id).second) {
        events.push_back(ev);
      }
    }
  }
  std::vector<EvidenceRow> out;
  if (n <= 0) return out;
  size_t want = size_t(n);
  size_t ev_take = std::min(events.size(), settings.empty() || want < 2 ? want : want - 1);
  for (size_t i = 0; i < ev_take; ++i) out.push_back(events[i]);
  for (size_t i = 0; i < settings.size() && out.size() < want; ++i) out.push_back(settings[i]);
  return out;
}

}  // namespace

Model load_model(SQLite::Database& db, int evidence_per_finding) {
  Model m;

  // Sources and skew.
  {
    SQLite::Statement q(db,
                        "SELECT s.id, s.path, s.parser, s.status, s.zone, s.errors, s.lines, s.events, "
                        "s.unparsed, s.first_ts, s.last_ts, k.offset_us, k.spread_us, k.pairs, k.method "
                        "FROM sources s LEFT JOIN skew k ON k.source_id = s.id ORDER BY s.path, s.id");
    while (q.executeStep()) {
      SourceRow s;
      s.id = q.getColumn(0).getInt64();
      s.path = str(q.getColumn(1));
      s.parser = str(q.getColumn(2));
      s.status = str(q.getColumn(3));
      s.zone = str(q.getColumn(4));
      s.errors = str(q.getColumn(5));
      s.lines = i64(q.getColumn(6));
      s.events = i64(q.getColumn(7));
      s.unparsed = i64(q.getColumn(8));
      s.first_ts = i64(q.getColumn(9));
      s.last_ts = i64(q.getColumn(10));
      s.skew_offset_us = i64(q.getColumn(11));
      s.skew_spread_us = i64(q.getColumn(12));
      s.skew_pairs = i64(q.getColumn(13));
      s.skew_method = str(q.getColumn(14));
      if (s.skew_offset_us != kNull) m.skewed.push_back(s);
      if (s.status == "ok" || s.status == "partial" || s.status == "included")  // included: read by its parent
        m.sources_read.push_back(std::move(s));
      else
        m.sources_other.push_back(std::move(s));
    }
  }

  // Incidents with their client event.
  std::unordered_map<int64_t, size_t> incident_at;
  std::unordered_set<int64_t> incident_events;
  {
    SQLite::Statement q(
        db, std::string("SELECT i.id, i.finding_id, i.ts, i.kind, i.target, i.local_port, i.cause_class, "
                        "i.rule, i.confidence, i.explanation, i.searched, ") +
                kEventCols +
                " FROM incidents i LEFT JOIN events e ON e.id = i.event_id "
                "LEFT JOIN sources es ON es.id = e.source_id "
                "ORDER BY COALESCE(i.ts, e.ts_corrected, e.ts), i.id");
    while (q.executeStep()) {
      Incident in;
      in.id = q.getColumn(0).getInt64();
      in.finding_id = i64(q.getColumn(1));
      in.client = read_event(q, 11);
      in.ts = i64(q.getColumn(2));
      if (in.ts == kNull) in.ts = in.client.ts;
      in.kind = str(q.getColumn(3));
      if (in.kind.empty()) in.kind = in.client.kind;
      in.target = str(q.getColumn(4));
      in.local_port = i64(q.getColumn(5));
      in.cause_class = str(q.getColumn(6));
      if (in.cause_class.empty()) in.cause_class = "unexplained";
      in.rule = str(q.getColumn(7));
      in.confidence = dbl(q.getColumn(8), 0);
      in.explanation = str(q.getColumn(9));
      in.searched = str(q.getColumn(10));
      incident_at[in.id] = m.incidents.size();
      if (in.client.id) incident_events.insert(in.client.id);
      m.incidents.push_back(std::move(in));
    }
  }

  // Evidence, joined to its event or setting.
  {
    SQLite::Statement q(db, std::string("SELECT v.incident_id, v.role, v.why, v.event_id, v.setting_id, ") +
                                kEventCols + ", " + kSettingCols +
                                " FROM evidence v LEFT JOIN events e ON e.id = v.event_id "
                                "LEFT JOIN sources es ON es.id = e.source_id "
                                "LEFT JOIN settings st ON st.id = v.setting_id "
                                "LEFT JOIN sources ss ON ss.id = st.source_id "
                                "ORDER BY v.incident_id, v.rowid");
    while (q.executeStep()) {
      auto it = incident_at.find(q.getColumn(0).getInt64());
      if (it == incident_at.end()) continue;
      EvidenceRow r;
      r.role = str(q.getColumn(1));
      r.why = str(q.getColumn(2));
      bool has_event = !q.getColumn(3).isNull() && !q.getColumn(5).isNull();
      bool has_setting = !q.getColumn(4).isNull() && !q.getColumn(5 + kEventColCount).isNull();
      if (has_event) {
        r.event = read_event(q, 5);
        if (r.role.empty()) r.role = r.event.role;
      } else if (has_setting) {
        r.is_setting = true;
        r.setting = read_setting(q, 5 + kEventColCount);
        if (r.role.empty()) r.role = "config";
      } else {
        continue;  // dangling reference: nothing to quote
      }
      m.incidents[it->second].evidence.push_back(std::move(r));
    }
  }

  // Alternatives.
  {
    SQLite::Statement q(db,
                        "SELECT incident_id, cause_class, rule, confidence FROM alternatives "
                        "ORDER BY incident_id, confidence DESC, rowid");
    while (q.executeStep()) {
      auto it = incident_at.find(q.getColumn(0).getInt64());
      if (it == incident_at.end()) continue;
      m.incidents[it->second].alternatives.push_back(
          {str(q.getColumn(1)), str(q.getColumn(2)), dbl(q.getColumn(3), -1)});
    }
  }

  // Findings from the correlator.
  std::unordered_map<int64_t, size_t> finding_at;
  std::vector<Finding> unexplained_findings;
  {
    SQLite::Statement q(db,
                        "SELECT id, cause_class, rule, endpoint, count, first_ts, last_ts, confidence, "
                        "title, explanation, recommendation FROM findings ORDER BY id");
    while (q.executeStep()) {
      Finding f;
      f.id = q.getColumn(0).getInt64();
      f.cause_class = str(q.getColumn(1));
      f.rule = str(q.getColumn(2));
      f.endpoint = str(q.getColumn(3));
      f.count = q.getColumn(4).isNull() ? 0 : q.getColumn(4).getInt64();
      f.first_ts = i64(q.getColumn(5));
      f.last_ts = i64(q.getColumn(6));
      f.confidence = dbl(q.getColumn(7), -1);
      f.title = str(q.getColumn(8));
      f.explanation = str(q.getColumn(9));
      f.recommendation = str(q.getColumn(10));
      finding_at[f.id] = m.findings.size();
      m.findings.push_back(std::move(f));
    }
  }

  // Attach incidents to findings; group the rest.
  std::map<std::string, size_t> synthetic;  // class|rule|target -> index in m.findings
  std::map<std::string, size_t> unexplained_at;
  for (size_t i = 0; i < m.incidents.size(); ++i) {
    Incident& in = m.incidents[i];
    if (in.target.empty()) in.target = target_of(in.client);
    auto fit = in.finding_id != kNull ? finding_at.find(in.finding_id) : finding_at.end();
    bool unexplained = in.cause_class == "unexplained" ||
                       (fit != finding_at.end() && m.findings[fit->second].cause_class == "unexplained");
    if (unexplained) {
      ++m.unexplained_count;
      std::string key = in.target + "\x1f" + in.searched;
      auto [uit, fresh] = unexplained_at.emplace(key, m.unexplained.size());
      if (fresh) m.unexplained.push_back({in.target, in.searched, {}, kNull, kNull, {}});
      UnexplainedGroup& g = m.unexplained[uit->second];
      g.incidents.push_back(i);
      widen(g.first_ts, g.last_ts, in.ts);
      ++g.kinds[in.kind.empty() ? "other" : in.kind];
      continue;
    }
    if (fit == finding_at.end()) {
      std::string key = in.cause_class + "\x1f" + in.rule + "\x1f" + in.target;
      auto [sit, fresh] = synthetic.emplace(key, m.findings.size());
      if (fresh) {
        Finding f;
        f.id = -int64_t(synthetic.size());
        f.cause_class = in.cause_class;
        f.rule = in.rule;
        f.endpoint = in.target;
        m.findings.push_back(std::move(f));
      }
      m.findings[sit->second].incidents.push_back(i);
    } else {
      m.findings[fit->second].incidents.push_back(i);
    }
  }
  std::stable_sort(m.unexplained.begin(), m.unexplained.end(),
                   [](const UnexplainedGroup& a, const UnexplainedGroup& b) {
                     return a.incidents.size() > b.incidents.size();
                   });

  // Every setting, for the recommendations (they name the listener's timeouts, TLS floor, limits,
  // firewall rules). Configs yield hundreds of rows, not millions; capped all the same.
  {
    SQLite::Statement q(db, std::string("SELECT ") + kSettingCols +
                                " FROM settings st LEFT JOIN sources ss ON ss.id = st.source_id "
                                "ORDER BY st.id LIMIT 200000");
    while (q.executeStep()) m.settings.push_back(read_setting(q, 0));
  }

  // Complete findings from their incidents; drop unexplained and empty synthetic ones.
  std::vector<Finding> kept;
  for (auto& f : m.findings) {
    if (f.cause_class == "unexplained") continue;
    if (f.count < int64_t(f.incidents.size())) f.count = int64_t(f.incidents.size());
    if (f.count == 0) continue;
    int64_t first = kNull, last = kNull;
    double conf_sum = 0;
    std::map<std::string, int64_t> targets;
    for (size_t idx : f.incidents) {
      const Incident& in = m.incidents[idx];
      widen(first, last, in.ts);
      conf_sum += in.confidence;
      if (!in.target.empty()) ++targets[in.target];
    }
    if (f.first_ts == kNull) f.first_ts = first;
    if (f.last_ts == kNull) f.last_ts = last;
    if (f.confidence < 0 && !f.incidents.empty()) f.confidence = conf_sum / double(f.incidents.size());
    if (f.endpoint.empty() && !targets.empty()) f.endpoint = sorted_counts(targets).front().key;
    if (f.explanation.empty() && !f.incidents.empty())
      f.explanation = m.incidents[f.incidents.front()].explanation;
    if (f.rule.empty() && !f.incidents.empty()) f.rule = m.incidents[f.incidents.front()].rule;
    f.quoted = quote_evidence(f, m.incidents, evidence_per_finding);
    Derived d = derive_recommendation(f, m.incidents, m.settings);
    f.derived_recommendation = std::move(d.text);
    f.derived_concrete = d.concrete;
    kept.push_back(std::move(f));
  }
  std::stable_sort(kept.begin(), kept.end(), [](const Finding& a, const Finding& b) {
    if (a.count != b.count) return a.count > b.count;
    if (a.first_ts != b.first_ts) return a.first_ts < b.first_ts;  // kNull (unknown) first
    return (a.id < 0 ? INT64_MAX + a.id : a.id) < (b.id < 0 ? INT64_MAX + b.id : b.id);
  });
  m.findings = std::move(kept);

  // Every client failure: those with an incident, plus client-failure events left uncorrelated.
  std::map<std::string, int64_t> by_kind, by_client, by_target;
  for (const Incident& in : m.incidents) {
    ++m.failures;
    ++m.correlated;
    ++by_kind[in.kind.empty() ? "(unknown)" : in.kind];
    ++by_client[!in.client.client_ip.empty() ? in.client.client_ip
                                             : (in.client.source.empty() ? "(unknown)" : in.client.source)];
    ++by_target[in.target.empty() ? "(unknown)" : in.target];
    widen(m.window_first, m.window_last, in.ts);
    m.points.push_back({in.ts, in.cause_class, in.target});
  }
  {
    SQLite::Statement q(db, std::string("SELECT ") + kEventCols +
                                " FROM events e LEFT JOIN sources es ON es.id = e.source_id "
                                "WHERE e.category = 'client-failure' ORDER BY COALESCE(e.ts_corrected, e.ts), e.id");
    while (q.executeStep()) {
      EventRow e = read_event(q, 0);
      if (incident_events.count(e.id)) continue;
      ++m.failures;
      std::string target = target_of(e);
      ++by_kind[e.kind.empty() ? "(unknown)" : e.kind];
      ++by_client[!e.client_ip.empty() ? e.client_ip : (e.source.empty() ? "(unknown)" : e.source)];
      ++by_target[target.empty() ? "(unknown)" : target];
      widen(m.window_first, m.window_last, e.ts);
      m.points.push_back({e.ts, "", target});
    }
  }
  std::stable_sort(m.points.begin(), m.points.end(),
                   [](const FailurePoint& a, const FailurePoint& b) { return a.ts < b.ts; });
  m.by_kind = sorted_counts(by_kind);
  m.by_client = sorted_counts(by_client);
  m.by_target = sorted_counts(by_target);

  // Assumed settings (what the correlator took as documented defaults).
  {
    SQLite::Statement q(db, std::string("SELECT ") + kSettingCols +
                                " FROM settings st LEFT JOIN sources ss ON ss.id = st.source_id "
                                "WHERE st.status = 'assumed' ORDER BY st.component, st.key, st.listener, st.id");
    std::map<std::string, size_t> at;
    while (q.executeStep()) {
      SettingRow s = read_setting(q, 0);
      std::string key = s.component + "\x1f" + s.key + "\x1f" + s.raw + "\x1f" + std::to_string(s.value) + "\x1f" +
                        s.unit + "\x1f" + s.text + "\x1f" + s.note;
      auto [it, fresh] = at.emplace(key, m.assumed.size());
      if (fresh) m.assumed.push_back({s, {}});
      auto& ls = m.assumed[it->second].listeners;
      if (!s.listener.empty() && std::find(ls.begin(), ls.end(), s.listener) == ls.end()) ls.push_back(s.listener);
    }
  }

  m.ref_ts = m.window_first;
  if (m.ref_ts == kNull)
    for (const auto& s : m.sources_read)
      if (s.first_ts != kNull && (m.ref_ts == kNull || s.first_ts < m.ref_ts)) m.ref_ts = s.first_ts;

  // Server-side events under the failure timeline: non-routine categories, bucketed.
  if (m.window_first != kNull) {
    int64_t t0 = m.window_first, t1 = m.window_last;
    if (t1 - t0 < 1000000) {
      t0 -= 30000000;
      t1 += 30000000;
    }
    m.chart_first = t0;
    m.chart_last = t1;
    SQLite::Statement q(
        db,
        "SELECT role, (COALESCE(ts_corrected, ts) - ?1) * ?3 / (?2 - ?1) AS b, COUNT(*) FROM events "
        "WHERE role IN ('proxy', 'tls', 'firewall', 'server') "
        "AND COALESCE(ts_corrected, ts) BETWEEN ?1 AND ?2 "
        "AND COALESCE(category, '') NOT IN ('request', 'conn-accepted', 'conn-closed', 'client-request', "
        "'client-keepalive-close', 'info', 'notice', 'debug', 'file-not-found') "
        "GROUP BY role, b ORDER BY role, b");
    q.bind(1, static_cast<int64_t>(t0));
    q.bind(2, static_cast<int64_t>(t1));
    q.bind(3, Model::kBuckets);
    while (q.executeStep()) {
      int b = int(std::clamp<int64_t>(q.getColumn(1).getInt64(), 0, Model::kBuckets - 1));
      m.server_buckets.push_back({str(q.getColumn(0)), b, q.getColumn(2).getInt64()});
    }
  }
  return m;
}

std::string AssumedGroup::what() const {
  return clean_text(setting.component + " " + setting.key + " = " + setting_value(setting));
}

}  // namespace rstscope::report
