#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>
#include <simdjson.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <unordered_set>

#include "correlate/correlate.h"
#include "correlate/engine.h"
#include "correlate/skew.h"
#include "rstscope/text.h"
#include "rstscope/timeutil.h"

namespace rstscope::correlate {
namespace {

std::string col_text(SQLite::Column c) { return c.isNull() ? std::string() : c.getString(); }
int64_t col_int(SQLite::Column c, int64_t def = kNull) { return c.isNull() ? def : c.getInt64(); }

std::string first_bytes(std::string_view s, size_t n) { return std::string(s.substr(0, n)); }

// Resolves a --skew SOURCE to one source: its exact path, else the only path ending in "/SOURCE".
// No match or several: an OptionError that lists the candidates.
int64_t skew_source(const std::string& pat, const std::vector<SourceRec>& sources) {
  for (const auto& s : sources)
    if (s.path == pat) return s.id;
  std::vector<const SourceRec*> hits;
  for (const auto& s : sources)
    if (ends_with(s.path, "/" + pat)) hits.push_back(&s);
  if (hits.size() == 1) return hits.front()->id;
  std::vector<const SourceRec*> shown = hits;
  if (shown.empty())
    for (const auto& s : sources)
      if (s.path.find(pat) != std::string::npos || shown.size() < 12) shown.push_back(&s);
  std::string list;
  for (size_t i = 0; i < shown.size() && i < 12; ++i) list += (i ? ", " : "") + shown[i]->path;
  if (shown.size() > 12) list += fmt::format(" and {} more", shown.size() - 12);
  if (hits.empty())
    throw OptionError(fmt::format("--skew {}: no source has this path or ends in /{}; sources: {}", pat, pat,
                                  list.empty() ? "none" : list));
  throw OptionError(fmt::format("--skew {}: {} sources end in /{}: {}; give more of the path", pat, hits.size(), pat, list));
}

bool has(const std::vector<int32_t>& v, int32_t p) { return std::find(v.begin(), v.end(), p) != v.end(); }

// Columns of the current row straight from sqlite3 (no Column object, no shared_ptr copy, per value).
struct RowView {
  sqlite3_stmt* st;
  bool null(int i) const { return sqlite3_column_type(st, i) == SQLITE_NULL; }
  int64_t i64(int i) const { return sqlite3_column_int64(st, i); }
  int64_t int_or(int i, int64_t def) const { return null(i) ? def : i64(i); }
  std::string_view view(int i) const {  // valid until the statement steps
    const char* p = reinterpret_cast<const char*>(sqlite3_column_text(st, i));
    return p ? std::string_view(p, size_t(sqlite3_column_bytes(st, i))) : std::string_view();
  }
  std::string str(int i) const { return std::string(view(i)); }
};

// The four `fields` keys the engine reads, as json_extract(fields, '$.KEY') gives them. Most lines
// carry none of them: a substring test, then simdjson on the few that do; a value that is not a
// string (or JSON simdjson rejects) is left to SQLite's json_extract, so results are the same.
class FieldPicker {
 public:
  enum Key { tls_reason, action, frontend, service, kKeys };
  explicit FieldPicker(SQLite::Database& db)
      : fallback_(db, "SELECT json_extract(?1, '$.tls_reason'), json_extract(?1, '$.action'), "
                      "json_extract(?1, '$.frontend'), json_extract(?1, '$.service')") {}
  void read(std::string_view json) {
    for (int k = 0; k < kKeys; ++k) present_[k] = false;
    bool any = false;
    for (int k = 0; k < kKeys && !any; ++k)  // memmem: string_view::find is memchr + memcmp per quote
      any = !json.empty() && memmem(json.data(), json.size(), kQuoted[k].data(), kQuoted[k].size()) != nullptr;
    if (!any) return;
    if (!read_simd(json)) read_sql(json);
  }
  bool present(Key k) const { return present_[k]; }
  std::string_view value(Key k) const { return present_[k] ? std::string_view(values_[k]) : std::string_view(); }

 private:
  static constexpr std::string_view kQuoted[kKeys] = {"\"tls_reason\"", "\"action\"", "\"frontend\"", "\"service\""};
  bool read_simd(std::string_view json) {
    buf_.assign(json);
    buf_.reserve(json.size() + simdjson::SIMDJSON_PADDING);
    bool seen[kKeys] = {};
    simdjson::ondemand::document doc;
    simdjson::ondemand::object obj;
    if (parser_.iterate(buf_.data(), buf_.size(), buf_.capacity()).get(doc) || doc.get_object().get(obj)) return false;
    for (auto field : obj) {
      std::string_view key;
      if (field.unescaped_key().get(key)) return false;
      int k = 0;
      while (k < kKeys && kQuoted[k].substr(1, kQuoted[k].size() - 2) != key) ++k;
      if (k == kKeys || seen[k]) continue;  // json_extract takes the first of duplicate keys
      seen[k] = true;
      simdjson::ondemand::json_type type;
      if (field.value().type().get(type)) return false;
      if (type == simdjson::ondemand::json_type::null) continue;
      if (type != simdjson::ondemand::json_type::string) return false;
      std::string_view v;
      if (field.value().get_string().get(v)) return false;
      values_[k].assign(v);
      present_[k] = true;
    }
    return true;
  }
  void read_sql(std::string_view json) {
    fallback_.reset();
    fallback_.bind(1, std::string(json));
    if (!fallback_.executeStep()) return;
    for (int k = 0; k < kKeys; ++k) {
      present_[k] = !fallback_.getColumn(k).isNull();
      values_[k] = present_[k] ? fallback_.getColumn(k).getString() : std::string();
    }
  }
  SQLite::Statement fallback_;
  simdjson::ondemand::parser parser_;
  std::string buf_;
  std::string values_[kKeys];
  bool present_[kKeys] = {};
};

// -v: wall and CPU seconds of each phase on stderr.
class Phases {
 public:
  explicit Phases(bool on) : on_(on) { reset(); }
  void mark(const char* what) {
    if (!on_) return;
    auto now = std::chrono::steady_clock::now();
    std::clock_t cpu = std::clock();
    std::fprintf(stderr, "correlate: %-34s %7.2f s wall %7.2f s CPU\n", what,
                 std::chrono::duration<double>(now - wall_).count(), double(cpu - cpu_) / CLOCKS_PER_SEC);
    reset();
  }

 private:
  void reset() {
    wall_ = std::chrono::steady_clock::now();
    cpu_ = std::clock();
  }
  bool on_;
  std::chrono::steady_clock::time_point wall_;
  std::clock_t cpu_;
};

// A client event with a local port, or a firewall line with both ports, for the clock-skew pairs.
struct SkewPoint {
  int64_t source_id, ts;
  int32_t client_port, server_port;  // server_port as the log wrote it, -1 when it does not say
  uint32_t client_ip = 0;            // firewall lines: interned client address (0: any; client events)
};

void add_alias(Model& m, const std::string& a, const std::string& b) {
  if (a.empty() || b.empty() || a == b) return;
  auto add = [](std::vector<std::string>& v, const std::string& x) {
    if (std::find(v.begin(), v.end(), x) == v.end()) v.push_back(x);
  };
  add(m.aliases[a], b);
  add(m.aliases[b], a);
}

// A proxy/server/TLS log without a config beside it and whose lines do not say their port (nginx
// `combined`, stunnel, HAProxy without its frontends' binds) serves at least the ports of the
// client's requests it logged too (same path, status when both say, within 2 s) and of the
// client's connections it saw (same client port within a minute). At most 5000 client lines
// (evenly spread) are looked at, each against the events of its time window or its client port.
// A line's HAProxy frontend / stunnel service seen on only one port is given that port, as its
// config would. Needs m sorted; adds (port, source) of what it finds to ports_seen.
void infer_source_ports(Model& m, std::set<std::pair<int32_t, int64_t>>& ports_seen) {
  std::unordered_set<int64_t> open;
  for (const SourceRec& s : m.sources)
    if (s.role != Role::client && s.role != Role::config && s.role != Role::firewall && s.events > 0 &&
        !m.source_ports.count(s.id))
      open.insert(s.id);
  if (open.empty()) return;
  auto open_line = [&](const Ev& e) { return e.server_port < 0 && e.ts != kNull && open.count(e.source_id); };
  std::unordered_map<uint32_t, std::vector<int32_t>> scope_votes;
  auto vote = [&](const Ev& e, int32_t port) {
    auto& v = m.inferred_ports[e.source_id];
    if (!has(v, port)) v.push_back(port);
    if (e.scope && !has(scope_votes[e.scope], port)) scope_votes[e.scope].push_back(port);
  };
  struct ClientLine {
    int64_t ts;
    int32_t port, local_port, status;
    uint32_t path;
  };
  std::vector<ClientLine> lines;
  for (const Ev& c : m.client_requests)
    if (c.ts != kNull && c.server_port >= 0) lines.push_back({c.ts, c.server_port, c.client_port, c.status, c.path_hash});
  for (const Failure& f : m.failures)
    if (f.ts != kNull && f.port >= 0) lines.push_back({f.ts, f.port, f.local_port, f.status, f.path_hash});
  size_t step = lines.size() / 5000 + 1;
  std::unordered_map<int32_t, std::vector<uint32_t>> by_client_port;
  for (uint32_t i = 0; i < m.events.size(); ++i)
    if (m.events[i].client_port >= 0 && open_line(m.events[i])) by_client_port[m.events[i].client_port].push_back(i);
  auto key = [](int64_t ts) { return ts == kNull ? INT64_MAX : ts; };
  for (size_t n = 0; n < lines.size(); n += step) {
    const ClientLine& c = lines[n];
    if (c.path) {
      auto it = std::lower_bound(m.events.begin(), m.events.end(), c.ts - 2'000'000,
                                 [&](const Ev& e, int64_t t) { return key(e.ts) < t; });
      for (size_t k = 0; it != m.events.end() && it->ts != kNull && it->ts <= c.ts + 2'000'000 && k < 50000; ++it, ++k)
        if (it->path_hash == c.path && open_line(*it) && (c.status < 0 || it->status < 0 || c.status == it->status))
          vote(*it, c.port);
    }
    if (c.local_port >= 0)
      if (auto it = by_client_port.find(c.local_port); it != by_client_port.end())
        for (uint32_t i : it->second)
          if (std::llabs(m.events[i].ts - c.ts) <= 60'000'000) vote(m.events[i], c.port);
  }
  std::unordered_map<uint32_t, int32_t> scope_port;
  for (const auto& [scope, ports] : scope_votes)
    if (ports.size() == 1) scope_port[scope] = ports.front();
  if (scope_port.empty()) return;
  for (Ev& e : m.events) {
    if (e.server_port >= 0 || !e.scope) continue;
    auto it = scope_port.find(e.scope);
    if (it == scope_port.end()) continue;
    e.server_port = it->second;
    ports_seen.emplace(e.server_port, e.source_id);
  }
}

}  // namespace

bool parse_signed_duration_us(std::string_view s, int64_t& us) {
  s = trim(s);
  int sign = 1;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    sign = s[0] == '-' ? -1 : 1;
    s.remove_prefix(1);
  }
  int64_t ms;
  if (!parse_duration_ms(s, ms)) return false;
  us = sign * ms * 1000;
  return true;
}

CorrelateSummary correlate_db(const std::string& db_path, const CorrelateOptions& opt) {
  auto t0 = std::chrono::steady_clock::now();
  CorrelateSummary sum;
  Phases phase(opt.verbose > 0);
  std::vector<Rule> loaded;
  if (!opt.rules) loaded = load_rules(opt.rule_dirs);
  const std::vector<Rule>& rules = opt.rules ? *opt.rules : loaded;
  // One thread uses this connection: no mutex around every sqlite3 call (~5% of the load).
  SQLite::Database db(db_path, SQLite::OPEN_READWRITE | SQLite::OPEN_NOMUTEX);
  {
    SQLite::Statement st(db, "SELECT value FROM meta WHERE key = 'state'");
    if (!st.executeStep() || st.getColumn(0).getString() != "complete")
      throw std::runtime_error(db_path + " is incomplete (an ingest was interrupted): ingest again");
  }
  db.exec("PRAGMA cache_size=-65536; PRAGMA temp_store=FILE;");
  SQLite::Transaction tx(db);
  // Only sources an earlier run shifted have ts_corrected != ts (ingest writes ts_corrected = ts, and
  // every shift is recorded in `skew` in the same transaction): no full scan of the events otherwise.
  {
    std::string shifted;
    SQLite::Statement q(db, "SELECT source_id FROM skew WHERE offset_us <> 0");
    while (q.executeStep()) shifted += (shifted.empty() ? "" : ", ") + std::to_string(q.getColumn(0).getInt64());
    if (!shifted.empty())
      db.exec("UPDATE events SET ts_corrected = ts WHERE source_id IN (" + shifted + ") AND ts_corrected IS NOT ts");
  }
  db.exec("DELETE FROM evidence; DELETE FROM alternatives; DELETE FROM incidents; DELETE FROM findings; DELETE FROM skew;");
  phase.mark("reset earlier results");
  Model m;
  {
    // A source's role is its first event's role, taken in the one pass over the events below.
    SQLite::Statement q(db, "SELECT id, path, parser, first_ts, last_ts, events FROM sources s");
    while (q.executeStep()) {
      SourceRec s;
      s.id = q.getColumn(0).getInt64();
      if (s.id < 0 || s.id > INT32_MAX)  // Ev::source_id is 32 bits
        throw std::runtime_error(fmt::format("correlate: source id {} out of range", s.id));
      s.path = col_text(q.getColumn(1));
      s.parser = col_text(q.getColumn(2));
      s.first_ts = col_int(q.getColumn(3));
      s.last_ts = col_int(q.getColumn(4));
      s.events = col_int(q.getColumn(5), 0);
      m.sources.push_back(s);
    }
  }
  for (const auto& [name, addr] : opt.aliases) add_alias(m, host_key(name), host_key(addr));
  // Hosts files (parser hosts-file: role config, category host-alias) are read in the one pass over
  // the events below, not by a query that scans every event.

  // --- Clock skew set by hand (--skew); the estimate follows the model load. ---
  std::map<int64_t, int64_t> offset;  // source -> us to add
  for (const auto& [pat, us] : opt.skew) {
    int64_t sid = skew_source(pat, m.sources);
    offset[sid] = us;
    db.exec(fmt::format("INSERT OR REPLACE INTO skew(source_id, offset_us, spread_us, pairs, method) VALUES({}, {}, 0, 0, 'user')",
                        sid, us));
    sum.skew_notes.push_back(fmt::format("{}: clock offset {:+.3f} s (set by --skew)", m.source(sid)->path, double(us) / 1e6));
  }
  {
    SQLite::Statement q(db, "SELECT id, source_id, component, scope, listener, key, raw, value, text, status, note FROM settings");
    while (q.executeStep()) {
      SettingRec s;
      s.id = q.getColumn(0).getInt64();
      s.source_id = col_int(q.getColumn(1), 0);
      s.component = col_text(q.getColumn(2));
      s.scope = col_text(q.getColumn(3));
      s.listener = col_text(q.getColumn(4));
      s.key = col_text(q.getColumn(5));
      s.raw = col_text(q.getColumn(6));
      s.value = col_int(q.getColumn(7));
      s.text = col_text(q.getColumn(8));
      s.assumed = col_text(q.getColumn(9)) == "assumed";
      s.note = col_text(q.getColumn(10));
      if (!s.listener.empty()) {
        std::string_view h;
        int64_t p;
        split_host_port(s.listener, h, p);
        s.port = int32_t(p);
      }
      m.settings.push_back(std::move(s));
    }
  }
  // Listener ports per config scope ("frontend fe_api", "service https") and per folder.
  std::map<std::string, std::vector<int32_t>> scope_ports;
  std::map<std::string, std::vector<int32_t>> dir_ports;
  auto dir_of = [](const std::string& path) {
    size_t slash = path.rfind('/');
    return slash == std::string::npos ? std::string() : path.substr(0, slash);
  };
  for (const SettingRec& st : m.settings) {
    if (st.port < 0 || st.assumed) continue;
    auto add = [&](std::vector<int32_t>& v) {
      if (std::find(v.begin(), v.end(), st.port) == v.end()) v.push_back(st.port);
    };
    add(scope_ports[st.component + " " + st.scope]);
    if (const SourceRec* src = m.source(st.source_id)) add(dir_ports[dir_of(src->path)]);
  }
  // TLS or plain listeners: `listen ... ssl`, `bind ... ssl`, a TLS floor read for it, stunnel accept.
  for (const SettingRec& st : m.settings) {
    if (st.port < 0 || st.assumed) continue;
    bool tls = ((st.key == "listen" || st.key == "bind") && (st.raw.find(" ssl") != std::string::npos)) ||
               st.key == "ssl_protocols" || st.key == "ssl-min-ver" || (st.component == "stunnel" && st.key == "accept");
    bool listener = st.key == "listen" || st.key == "bind" || st.key == "accept" || st.key == "Listen";
    if (tls) {
      if (!has(m.tls_ports, st.port)) m.tls_ports.push_back(st.port);
    } else if (listener && !has(m.plain_ports, st.port)) {
      m.plain_ports.push_back(st.port);
    }
  }
  // Listener addresses per port, and nginx server names: `server_name api.example.com` on
  // `listen 10.0.0.9:443` makes api.example.com an alias of 10.0.0.9 served on port 443.
  for (const SettingRec& st : m.settings) {
    if (st.port < 0 || st.assumed || (st.key != "listen" && st.key != "bind" && st.key != "accept" && st.key != "Listen"))
      continue;
    std::string_view h;
    int64_t p;
    split_host_port(st.listener, h, p);
    std::string addr = h.empty() || h == "*" || h == "0.0.0.0" || h == "::" || h == "[::]" ? "*" : host_key(h);
    auto& addrs = m.port_addrs[st.port];
    if (std::find(addrs.begin(), addrs.end(), addr) == addrs.end()) addrs.push_back(addr);
    if (st.component != "nginx" || !starts_with(st.scope, "server ")) continue;
    std::string name = host_key(st.scope.substr(7));
    if (name.empty() || name == "_" || name.find('*') != std::string::npos || is_address(name)) continue;
    auto& ports = m.name_ports[name];
    if (!has(ports, st.port)) ports.push_back(st.port);
    if (addr != "*") add_alias(m, name, addr);
  }
  phase.mark("sources, settings, listeners");
  // --- Load the model. ---
  // Clock-skew pairs need the server port as written (before a frontend's port is filled in from
  // the config) and every client event with a local port, not only failures and requests.
  std::vector<SkewPoint> client_points;
  std::vector<uint8_t> port_from_config;  // per m.events index
  std::vector<uint32_t> client_ips;        // per m.events index: interned client address (firewall skew pairs)
  std::map<int64_t, std::vector<int32_t>> start_ports;  // "listening on" lines per source
  // Host headers / SNI per source (interned host, source): a source whose lines name a host serves it.
  std::set<std::pair<uint32_t, int64_t>> hosts_seen;
  std::set<std::pair<uint32_t, uint32_t>> client_names;  // (host, address) a client line named
  // Ports a source's own lines say it serves (port, source).
  std::set<std::pair<int32_t, int64_t>> ports_seen;
  {
    int64_t total = 0;
    for (const SourceRec& src : m.sources) total += src.events;
    m.events.reserve(size_t(total));
    std::map<int64_t, size_t> source_index;
    for (size_t i = 0; i < m.sources.size(); ++i) source_index[m.sources[i].id] = i;
    std::vector<bool> role_seen(m.sources.size());
    const char* sql =
                        "SELECT id, ts_corrected, source_id, role, category, host, server_ip, client_ip, client_port, "
                        "server_port, status, method, fields, kind, line, message, raw, protocol, path FROM events";
    FieldPicker picker(db);
    // Raw sqlite3 for the one loop that sees every event (SQLite::Column costs a shared_ptr copy per value).
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db.getHandle(), sql, -1, &raw, nullptr) != SQLITE_OK)
      throw std::runtime_error(std::string("correlate: ") + sqlite3_errmsg(db.getHandle()));
    std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt(raw, &sqlite3_finalize);
    const RowView r{raw};
    // Consecutive lines of a log mostly repeat their category, host, addresses and detail: the
    // last string of each column and its id spare a hash lookup per value.
    struct Recent {
      std::string text;
      uint32_t id = 0;
    };
    Recent recent_category, recent_host, recent_server_ip, recent_client_ip, recent_detail, recent_action;
    auto intern = [&](Recent& c, std::string_view v) {
      if (v.empty()) return uint32_t(0);
      if (c.id && c.text == v) return c.id;
      c.text.assign(v);
      return c.id = m.strings.id(v);
    };
    // The last (host, source) and (port, source) put in hosts_seen / ports_seen (set lookups spared).
    std::pair<uint32_t, int64_t> last_host_seen{0, 0};
    std::pair<int32_t, int64_t> last_port_seen{-1, 0};
    int rc;
    while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {
      std::string_view role = r.view(3);
      if (auto si = source_index.find(r.i64(2)); si != source_index.end() && !role_seen[si->second]) {
        role_seen[si->second] = true;
        m.sources[si->second].role = role_from_string(role);
      }
      if (r.null(3)) continue;
      std::string_view cat = r.view(4);
      if (role == "config") {
        // Hosts files: one host-alias event per ADDRESS NAME pair (host = the name, server_ip = the address).
        if (cat == "host-alias" && !r.null(5) && !r.null(6)) add_alias(m, host_key(r.view(5)), host_key(r.view(6)));
        continue;
      }
      int32_t client_port = int32_t(r.int_or(8, -1)), server_port = int32_t(r.int_or(9, -1));
      int64_t ts = r.int_or(1, kNull);
      if (role == "client" && client_port >= 0 && ts != kNull)
        client_points.push_back({r.i64(2), ts, client_port, server_port});
      if (role == "client" && cat == "client-failure") {
        Failure f;
        f.id = r.i64(0);
        f.ts = r.int_or(1, kNull);
        f.source_id = r.i64(2);
        f.kind = r.str(13);
        if (f.kind.empty()) f.kind = "other";
        f.host = r.str(5);
        std::string sip = r.str(6);
        if (f.host.empty()) f.host = sip;
        else if (is_address(sip) && !is_address(f.host)) add_alias(m, host_key(f.host), host_key(sip));
        f.port = int32_t(r.int_or(9, -1));
        f.local_port = int32_t(r.int_or(8, -1));
        f.local_ip = r.str(7);
        f.status = int32_t(r.int_or(10, -1));
        f.line = r.i64(14);
        f.text = first_bytes(r.str(15) + "\n" + r.str(16), 8192);
        std::string proto = r.str(17);
        to_lower_inplace(proto);
        if (proto == "http" || proto == "https") f.scheme = proto;
        if (!r.null(18)) f.path_hash = path_hash(r.view(18));
        m.failures.push_back(std::move(f));
        continue;
      }
      Ev e;
      e.id = r.i64(0);
      e.ts = r.int_or(1, kNull);
      e.source_id = r.i64(2);
      e.role = role_from_string(role);
      e.category = intern(recent_category, cat);
      std::string_view host = r.view(5);
      e.host = intern(recent_host, host);
      if (!host.empty() && role != "client") {
        std::string_view hh;
        int64_t hp;
        split_host_port(host, hh, hp);
        if (hp > 0 && hp < 65536) e.host_port = uint16_t(hp);
      }
      e.server_ip = intern(recent_server_ip, r.view(6));
      e.client_port = int32_t(r.int_or(8, -1));
      e.server_port = int32_t(r.int_or(9, -1));
      e.status = int32_t(r.int_or(10, -1));
      picker.read(r.view(12));
      std::string_view detail = picker.value(FieldPicker::tls_reason);
      if (detail.empty()) detail = r.view(11).substr(0, 12);
      e.detail = intern(recent_detail, detail);
      e.action = intern(recent_action, picker.value(FieldPicker::action));
      if (!r.null(18)) e.path_hash = path_hash(r.view(18));
      bool from_config = false;
      if (e.server_port < 0) {
        // HAProxy names its frontend, stunnel its service: the config says their port.
        std::string scope;
        if (picker.present(FieldPicker::frontend)) scope = "haproxy frontend " + std::string(picker.value(FieldPicker::frontend));
        else if (picker.present(FieldPicker::service)) scope = "stunnel service " + std::string(picker.value(FieldPicker::service));
        auto it = scope.empty() ? scope_ports.end() : scope_ports.find(scope);
        if (it != scope_ports.end() && it->second.size() == 1) {
          e.server_port = it->second.front();
          from_config = true;
        } else if (!scope.empty()) {
          e.scope = m.strings.id(scope);
        }
      }
      if (e.host) {
        if (e.role == Role::client) {
          // The client names both its target host and the address it connected to.
          const std::string& sip = m.strings.str(e.server_ip);
          const std::string& name = m.strings.str(e.host);
          if (is_address(sip) && !is_address(name) && client_names.emplace(e.host, e.server_ip).second)
            add_alias(m, host_key(name), host_key(sip));
        } else if (std::pair<uint32_t, int64_t> hs{e.host, e.source_id}; hs != last_host_seen) {
          hosts_seen.insert(hs);
          last_host_seen = hs;
        }
      }
      if (e.role == Role::client) {
        if (cat == "client-request") m.client_requests.push_back(e);
      } else {
        // A server's own "listening on ADDR:PORT" tells which listener its log is about.
        if (e.role == Role::server && cat == "server-start" && e.server_port >= 0 && !has(start_ports[e.source_id], e.server_port))
          start_ports[e.source_id].push_back(e.server_port);
        if (e.host_port && e.server_port < 0 && !has(m.host_ports[e.source_id], e.host_port))
          m.host_ports[e.source_id].push_back(e.host_port);
        if (e.server_port >= 0 && e.role != Role::firewall)
          if (std::pair<int32_t, int64_t> ps{e.server_port, e.source_id}; ps != last_port_seen) {
            ports_seen.insert(ps);
            last_port_seen = ps;
          }
        m.events.push_back(e);
        port_from_config.push_back(from_config);
        client_ips.push_back(intern(recent_client_ip, r.view(7)));
      }
    }
    if (rc != SQLITE_DONE) throw std::runtime_error(std::string("correlate: ") + sqlite3_errmsg(db.getHandle()));
  }
  // Listener ports per source: its folder's config, then what its own start lines say.
  for (const SourceRec& src : m.sources) {
    if (src.role == Role::client || src.role == Role::config) continue;
    auto it = dir_ports.find(dir_of(src.path));
    if (it != dir_ports.end()) m.source_ports[src.id] = it->second;
  }
  for (const auto& [sid, ports] : start_ports)
    for (int32_t p : ports)
      if (!has(m.source_ports[sid], p)) m.source_ports[sid].push_back(p);
  phase.mark("load events");
  // --- Clock skew: pairs of a client event, or a firewall line, and a proxy/server/TLS event of the
  // same client port (src/correlate/skew.h): counted per client port over time-sorted runs, not
  // joined row by row. A firewall line pairs with the proxy/server/TLS lines of its connection
  // (client port, server port, client address when both say), so firewall and proxy lines of one
  // flow line up. ---
  {
    std::vector<SkewEvent> server_side;
    for (size_t i = 0; i < m.events.size(); ++i) {
      const Ev& e = m.events[i];
      if (e.client_port < 0 || e.ts == kNull) continue;
      int32_t written_port = port_from_config[i] ? -1 : e.server_port;
      if (e.role == Role::proxy || e.role == Role::server || e.role == Role::tls)
        server_side.push_back({e.client_port, written_port, e.ts, client_ips[i]});
      else if (e.role == Role::firewall && written_port >= 0)
        client_points.push_back({e.source_id, e.ts, e.client_port, written_port, client_ips[i]});
    }
    SkewPairs skew_pairs(std::move(server_side));
    std::stable_sort(client_points.begin(), client_points.end(),
                     [](const SkewPoint& a, const SkewPoint& b) { return a.source_id < b.source_id; });
    std::vector<SkewEvent> points;
    for (size_t i = 0, j = 0; i < client_points.size(); i = j) {
      int64_t sid = client_points[i].source_id;
      for (j = i; j < client_points.size() && client_points[j].source_id == sid;) ++j;
      if (offset.count(sid)) continue;  // set by --skew
      points.clear();
      for (size_t k = i; k < j; ++k) {
        const SkewPoint& c = client_points[k];
        points.push_back({c.client_port, c.server_port, c.ts, c.client_ip});
      }
      SkewEstimate est = skew_pairs.estimate(points);
      if (est.pairs < 3) continue;
      int64_t med = est.median, mad = est.mad;
      // Apply only a clear offset: larger than the logs' one-second resolution and than the spread.
      bool apply = std::llabs(med) > 1'500'000 && std::llabs(med) > 2 * mad;
      db.exec(fmt::format("INSERT OR REPLACE INTO skew(source_id, offset_us, spread_us, pairs, method) "
                          "VALUES({}, {}, {}, {}, '{}')",
                          sid, apply ? med : 0, mad, est.pairs, apply ? "estimated" : "estimated-below-threshold"));
      if (apply) {
        offset[sid] = med;
        const SourceRec* s = m.source(sid);
        sum.skew_notes.push_back(fmt::format("{}: clock offset {:+.3f} s (spread {:.3f} s, {} pairs)", s ? s->path : "?",
                                             double(med) / 1e6, double(mad) / 1e6, est.pairs));
      }
    }
    phase.mark("clock skew (runs per client port)");
    // The same correction in memory as in the DB's ts_corrected.
    if (!offset.empty()) {
      auto shift = [&](auto& list) {
        for (auto& x : list)
          if (x.ts != kNull)
            if (auto o = offset.find(x.source_id); o != offset.end()) x.ts += o->second;
      };
      shift(m.events);
      shift(m.client_requests);
      shift(m.failures);
    }
    for (const auto& [sid, us] : offset)
      db.exec(fmt::format("UPDATE events SET ts_corrected = ts + {} WHERE source_id = {} AND ts IS NOT NULL", us, sid));
    phase.mark("write corrected times");
  }
  std::vector<uint8_t>().swap(port_from_config);
  std::vector<uint32_t>().swap(client_ips);
  m.sort();
  phase.mark("sort by corrected time");
  infer_source_ports(m, ports_seen);
  for (const auto& index : {&m.source_ports, &m.inferred_ports, &m.host_ports})
    for (const auto& [sid, ports] : *index)
      for (int32_t p : ports) ports_seen.emplace(p, sid);
  for (const auto& [port, sid] : ports_seen) m.port_sources[port].push_back(sid);
  for (const auto& [host, sid] : hosts_seen) {
    std::string name = host_key(m.strings.str(host));
    if (name.empty() || is_address(name) || name == "-" || name == "_") continue;
    auto& v = m.name_sources[name];
    if (std::find(v.begin(), v.end(), sid) == v.end()) v.push_back(sid);
  }
  phase.mark("ports of config-less sources, names served");

  // --- Explain every failure. ---
  Engine engine(m, rules);
  phase.mark("index events per category and port");
  SQLite::Statement ins_inc(db,
                            "INSERT INTO incidents(id, event_id, ts, kind, target, local_port, cause_class, rule, confidence, "
                            "explanation, searched) VALUES(?,?,?,?,?,?,?,?,?,?,?)");
  SQLite::Statement ins_ev(db, "INSERT INTO evidence(incident_id, event_id, setting_id, role, why) VALUES(?,?,?,?,?)");
  SQLite::Statement ins_alt(db, "INSERT INTO alternatives(incident_id, cause_class, rule, confidence) VALUES(?,?,?,?)");
  struct Row {
    int64_t incident;
    const Failure* f;
    std::string cls, rule, target, explanation, recommendation, listener;
    double conf;
  };
  std::vector<Row> rows;
  std::map<std::string, int64_t> by_class;
  int64_t next_id = 1;
  for (const Failure& f : m.failures) {
    Verdict v = engine.explain(f);
    int64_t id = next_id++;
    std::string target = f.host.empty() && f.port < 0 ? std::string()
                                                       : f.host + (f.port >= 0 ? ":" + std::to_string(f.port) : "");
    ins_inc.bind(1, id);
    ins_inc.bind(2, f.id);
    if (f.ts == kNull) ins_inc.bind(3);
    else ins_inc.bind(3, f.ts);
    ins_inc.bind(4, f.kind);
    if (target.empty()) ins_inc.bind(5);
    else ins_inc.bind(5, target);
    if (f.local_port < 0) ins_inc.bind(6);
    else ins_inc.bind(6, f.local_port);
    ins_inc.bind(7, v.cause_class);
    ins_inc.bind(8, v.rule);
    ins_inc.bind(9, v.confidence);
    ins_inc.bind(10, v.explanation);
    if (v.searched.empty()) ins_inc.bind(11);
    else ins_inc.bind(11, v.searched);
    ins_inc.exec();
    ins_inc.reset();
    for (const EvidenceRef& e : v.evidence) {
      ins_ev.bind(1, id);
      if (e.event_id) ins_ev.bind(2, e.event_id);
      else ins_ev.bind(2);
      if (e.setting_id) ins_ev.bind(3, e.setting_id);
      else ins_ev.bind(3);
      ins_ev.bind(4, e.role);
      ins_ev.bind(5, e.why);
      ins_ev.exec();
      ins_ev.reset();
    }
    for (const Candidate& c : v.alternatives) {
      ins_alt.bind(1, id);
      ins_alt.bind(2, c.rule->cause_class);
      ins_alt.bind(3, c.rule->id);
      ins_alt.bind(4, c.confidence);
      ins_alt.exec();
      ins_alt.reset();
    }
    by_class[v.cause_class]++;
    if (v.cause_class == "unexplained") ++sum.unexplained;
    else ++sum.explained;
    std::string listener;
    for (const EvidenceRef& e : v.evidence)
      if (e.setting_id)
        for (const SettingRec& s : m.settings)
          if (s.id == e.setting_id) listener = s.listener;
    rows.push_back({id, &f, v.cause_class, v.rule, target, v.explanation, v.recommendation, listener, v.confidence});
  }
  sum.failures = int64_t(m.failures.size());
  phase.mark("explain failures, write incidents");

  // --- Findings: same cause, same rule, same target, close in time. ---
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    if (a.cls != b.cls) return a.cls < b.cls;
    if (a.rule != b.rule) return a.rule < b.rule;
    if (a.target != b.target) return a.target < b.target;
    return (a.f->ts == kNull ? INT64_MAX : a.f->ts) < (b.f->ts == kNull ? INT64_MAX : b.f->ts);
  });
  std::map<std::string, std::string> titles;
  for (const Rule& r : rules) titles[r.id] = r.title;
  SQLite::Statement ins_find(db,
                             "INSERT INTO findings(id, cause_class, rule, endpoint, count, first_ts, last_ts, confidence, "
                             "title, explanation, recommendation) VALUES(?,?,?,?,?,?,?,?,?,?,?)");
  SQLite::Statement upd_inc(db, "UPDATE incidents SET finding_id = ? WHERE id = ?");
  int64_t fid = 0;
  for (size_t i = 0; i < rows.size();) {
    size_t j = i + 1;
    while (j < rows.size() && rows[j].cls == rows[i].cls && rows[j].rule == rows[i].rule && rows[j].target == rows[i].target &&
           (rows[j].f->ts == kNull || rows[j - 1].f->ts == kNull || rows[j].f->ts - rows[j - 1].f->ts <= 600'000'000))
      ++j;
    ++fid;
    int64_t first = INT64_MAX, last = INT64_MIN;
    double conf = 0;
    for (size_t k = i; k < j; ++k) {
      if (rows[k].f->ts != kNull) {
        first = std::min(first, rows[k].f->ts);
        last = std::max(last, rows[k].f->ts);
      }
      conf += rows[k].conf;
    }
    conf /= double(j - i);
    std::string title = rows[i].cls == "unexplained" ? "No server-side evidence" : titles[rows[i].rule];
    std::string rec = render(rows[i].recommendation, {{"target", rows[i].target.empty() ? "the target" : rows[i].target},
                                                      {"listener", rows[i].listener},
                                                      {"count", std::to_string(j - i)}});
    ins_find.bind(1, fid);
    ins_find.bind(2, rows[i].cls);
    ins_find.bind(3, rows[i].rule);
    if (rows[i].target.empty()) ins_find.bind(4);
    else ins_find.bind(4, rows[i].target);
    ins_find.bind(5, int64_t(j - i));
    if (first == INT64_MAX) {
      ins_find.bind(6);
      ins_find.bind(7);
    } else {
      ins_find.bind(6, first);
      ins_find.bind(7, last);
    }
    ins_find.bind(8, conf);
    ins_find.bind(9, title);
    ins_find.bind(10, rows[i].explanation);
    ins_find.bind(11, rec);
    ins_find.exec();
    ins_find.reset();
    for (size_t k = i; k < j; ++k) {
      upd_inc.bind(1, fid);
      upd_inc.bind(2, rows[k].incident);
      upd_inc.exec();
      upd_inc.reset();
    }
    i = j;
  }
  sum.findings = fid;
  for (auto& [c, n] : by_class) sum.by_class.emplace_back(c, n);
  db.exec("INSERT OR REPLACE INTO meta(key, value) VALUES('correlated', 'yes')");
  phase.mark("findings");
  tx.commit();
  phase.mark("commit");
  sum.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return sum;
}

}  // namespace rstscope::correlate
