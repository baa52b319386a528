// JSON report: the incident JSON of shared/spec/incidents.md (tool, incidents[] with client_event,
// cause, evidence, alternatives), plus "window", "findings", "sources" and "assumed".
#include <cmath>
#include <cstdio>

#include "report/format.h"
#include "report/renderers.h"
#include "rstscope/text.h"

namespace rstscope::report {
namespace {

// A small pretty-printing JSON writer (2-space indent).
class Json {
 public:
  std::string out;

  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }
  void key(std::string_view k) {
    element();
    out.push_back('"');
    json_escape_append(out, k);
    out += "\": ";
    after_key_ = true;
  }
  void str(std::string_view v) {
    element();
    out.push_back('"');
    json_escape_append(out, v);
    out.push_back('"');
  }
  void str_or_null(std::string_view v) { v.empty() ? null() : str(v); }
  void null() {
    element();
    out += "null";
  }
  void boolean(bool b) {
    element();
    out += b ? "true" : "false";
  }
  void integer(int64_t v) {
    if (v == kNull) return null();
    element();
    out += std::to_string(v);
  }
  void number(double v) {
    if (v < 0 || std::isnan(v) || std::isinf(v)) return null();
    element();
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", v);
    std::string s = buf;
    while (s.size() > 1 && s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
    out += s;
  }
  void ts(int64_t us) { us == kNull ? null() : str(iso_ms(us)); }

  // Shorthands for "key": value.
  void kv(std::string_view k, std::string_view v) { key(k), str(v); }
  void kv_or_null(std::string_view k, std::string_view v) { key(k), str_or_null(v); }
  void kv_int(std::string_view k, int64_t v) { key(k), integer(v); }
  void kv_ts(std::string_view k, int64_t v) { key(k), ts(v); }
  void kv_num(std::string_view k, double v) { key(k), number(v); }

 private:
  struct Level {
    bool first = true;
  };
  std::vector<Level> stack_;
  bool after_key_ = false;

  void newline() {
    out.push_back('\n');
    out.append(stack_.size() * 2, ' ');
  }
  void element() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (!stack_.empty()) {
      if (!stack_.back().first) out.push_back(',');
      stack_.back().first = false;
      newline();
    }
  }
  void open(char c) {
    element();
    out.push_back(c);
    stack_.push_back({});
  }
  void close(char c) {
    bool empty = stack_.back().first;
    stack_.pop_back();
    if (!empty) newline();
    out.push_back(c);
  }
};

void evidence_json(Json& j, const EvidenceRow& ev) {
  j.begin_object();
  if (ev.is_setting) {
    const SettingRow& s = ev.setting;
    j.kv_or_null("source", s.source);
    j.kv_int("line", s.source.empty() ? kNull : s.line);
    j.kv("role", ev.role);
    j.key("setting");
    j.begin_object();
    j.kv("component", s.component);
    j.kv("key", s.key);
    j.kv_or_null("scope", s.scope);
    j.kv_or_null("listener", s.listener);
    j.kv_or_null("raw", s.raw);
    j.kv_int("value", s.value);
    j.kv_or_null("unit", s.unit);
    j.kv("status", s.status);
    j.end_object();
  } else {
    const EventRow& e = ev.event;
    j.kv_or_null("source", e.source);
    j.kv_int("line", e.line);
    j.kv_ts("ts", e.ts);
    j.kv("role", ev.role);
    j.kv_or_null("category", e.category);
  }
  j.kv_or_null("why", ev.why);
  j.end_object();
}

}  // namespace

std::string render_json(const Model& m, const ReportOptions& o) {
  Json j;
  j.begin_object();
  j.key("tool");
  j.begin_object();
  j.kv("name", "rstscope");
  j.kv("version", o.version.empty() ? RSTSCOPE_VERSION : o.version);
  j.end_object();

  j.key("window");
  j.begin_object();
  j.kv_ts("first", m.window_first);
  j.kv_ts("last", m.window_last);
  j.kv_int("failures", m.failures);
  j.kv_int("correlated", m.correlated);
  j.kv_int("unexplained", m.unexplained_count);
  j.end_object();

  j.key("incidents");
  j.begin_array();
  for (const Incident& in : m.incidents) {
    j.begin_object();
    j.kv_int("id", in.id);
    j.key("client_event");
    j.begin_object();
    j.kv_or_null("source", in.client.source);
    j.kv_int("line", in.client.line);
    j.kv_ts("ts", in.ts);
    j.kv_or_null("kind", in.kind);
    j.kv_or_null("target", in.target);
    j.kv_int("local_port", in.local_port != kNull ? in.local_port : in.client.client_port);
    j.end_object();
    j.key("cause");
    j.begin_object();
    j.kv("class", in.cause_class);
    j.kv_or_null("rule", in.rule);
    j.kv_num("confidence", in.confidence);
    j.kv_or_null("explanation", in.explanation);
    if (!in.searched.empty()) j.kv("searched", in.searched);
    j.end_object();
    j.kv_int("finding", in.finding_id);
    j.key("evidence");
    j.begin_array();
    for (const auto& ev : in.evidence) evidence_json(j, ev);
    j.end_array();
    j.key("alternatives");
    j.begin_array();
    for (const auto& a : in.alternatives) {
      j.begin_object();
      j.kv("class", a.cause_class);
      j.kv_or_null("rule", a.rule);
      j.kv_num("confidence", a.confidence);
      j.end_object();
    }
    j.end_array();
    j.end_object();
  }
  j.end_array();

  j.key("findings");
  j.begin_array();
  for (size_t r = 0; r < m.findings.size(); ++r) {
    const Finding& f = m.findings[r];
    j.begin_object();
    j.kv_int("rank", int64_t(r + 1));
    j.kv_int("id", f.id > 0 ? f.id : kNull);
    j.kv("class", f.cause_class);
    j.kv_or_null("rule", f.rule);
    j.kv_or_null("endpoint", f.endpoint);
    j.kv_int("count", f.count);
    j.kv_ts("first_seen", f.first_ts);
    j.kv_ts("last_seen", f.last_ts);
    j.kv_num("confidence", f.confidence);
    j.kv_or_null("title", f.title);
    j.kv_or_null("explanation", f.explanation);
    j.kv_or_null("recommendation", f.advice());
    j.key("recommendation_derived");
    j.boolean(f.advice_derived());
    j.key("evidence");
    j.begin_array();
    for (const auto& ev : f.quoted) evidence_json(j, ev);
    j.end_array();
    j.key("incidents");
    j.begin_array();
    for (size_t idx : f.incidents) j.integer(m.incidents[idx].id);
    j.end_array();
    j.end_object();
  }
  j.end_array();

  j.key("sources");
  j.begin_array();
  auto source = [&](const SourceRow& s) {
    j.begin_object();
    j.kv("path", s.path);
    j.kv_or_null("parser", s.parser);
    j.kv("status", s.status);
    j.kv_int("lines", s.lines);
    j.kv_int("events", s.events);
    j.kv_int("unparsed", s.unparsed);
    j.kv_ts("first_ts", s.first_ts);
    j.kv_ts("last_ts", s.last_ts);
    j.kv_or_null("zone", s.zone);
    j.key("skew");
    if (s.skew_offset_us == kNull) {
      j.null();
    } else {
      j.begin_object();
      j.kv_int("offset_ms", s.skew_offset_us / 1000);
      j.kv_int("spread_ms", s.skew_spread_us == kNull ? kNull : s.skew_spread_us / 1000);
      j.kv_int("pairs", s.skew_pairs);
      j.kv_or_null("method", s.skew_method);
      j.end_object();
    }
    j.kv_or_null("errors", s.errors);
    j.end_object();
  };
  for (const auto& s : m.sources_read) source(s);
  for (const auto& s : m.sources_other) source(s);
  j.end_array();

  j.key("assumed");
  j.begin_array();
  for (const auto& g : m.assumed) {
    const SettingRow& s = g.setting;
    j.begin_object();
    j.kv("component", s.component);
    j.kv("key", s.key);
    j.kv_or_null("raw", s.raw);
    j.kv_int("value", s.value);
    j.kv_or_null("unit", s.unit);
    j.kv_or_null("note", s.note);
    j.key("listeners");
    j.begin_array();
    for (const auto& l : g.listeners) j.str(l);
    j.end_array();
    j.end_object();
  }
  j.end_array();
  j.end_object();
  j.out.push_back('\n');
  return std::move(j.out);
}

}  // namespace rstscope::report
