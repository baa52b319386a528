// Corpus conformance for the proxy parsers (HAProxy, Envoy, nginx error/JSON/ingress): every file
// of the families is recognised by sniff, parses with no unparsed line, and where an expected
// output exists beside it (elastic/beats golden JSON, crowdsec hub assertions, the Envoy doc
// mapping, the local loopback ground truth) the fields agree. Prints the agreement per file and
// fails below 99% of the compared fields.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "rstscope/text.h"
#include "rstscope/timeutil.h"
#include "test_support.h"

using namespace rstscope;
namespace fs = std::filesystem;

namespace {

// Values in expected files that are wrong against the format's own grammar; skipped (and printed).
struct KnownBad {
  const char* file;
  const char* key;
  const char* why;
  int64_t offset = -1;  // -1: every record of the file
};
constexpr KnownBad kKnownBad[] = {
    {"beats_haproxy_tcplog.log", "haproxy.tcp.processing_time_ms",
     "expects Tt=0 for the timers '-1/-1/1' (Tw/Tc/Tt, HAProxy doc 8.2.2): the old beats pipeline is off by one field"},
    // Policy difference, documented in docs/formats/proxy.md: beats picks the first *public*
    // address of the list (for geo enrichment); rstscope keeps the first address, the
    // originating client as the proxies reported it, and the whole list in fields.forwarded_for.
    {"beats_nginx_access_test.log", "source.ip",
     "beats takes the first non-private address of the X-Forwarded-For list; rstscope the first one", 341},
    {"beats_nginx_access_test.log", "source.ip",
     "beats takes the first non-private address of the X-Forwarded-For list; rstscope the first one", 732},
};

bool known_bad(const std::string& file, std::string_view key, int64_t offset = -1) {
  for (const KnownBad& k : kKnownBad)
    if (file.find(k.file) != std::string::npos && key == k.key && (k.offset < 0 || k.offset == offset)) {
      std::printf("          skipped %s %s (offset %lld): %s\n", k.file, k.key, static_cast<long long>(offset), k.why);
      return true;
    }
  return false;
}

// Lines of corpus files that are not what the program writes (hand-made test inputs); they stay
// unparsed and their expectations are skipped (printed).
struct Malformed {
  const char* file;
  int64_t line;
  const char* why;
};
constexpr Malformed kMalformed[] = {
    {"crowdsec_nginx_http-logs.log", 8,
     "'192.168.1.1 - [08/Jun/2020:...]' lacks the $remote_user column that nginx always writes ('-' when empty)"},
};
bool malformed(const std::string& file, int64_t line) {
  for (const Malformed& m : kMalformed)
    if (file.find(m.file) != std::string::npos && m.line == line) return true;
  return false;
}

struct Tally {
  int agree = 0, total = 0;
  std::vector<std::string> misses;
  void check(const std::string& where, const std::string& got, std::string want) {
    if (want == "-") want.clear();  // "unset" in Envoy/HAProxy/nginx columns; parsers leave it empty
    ++total;
    if (got == want) ++agree;
    else if (misses.size() < 12) misses.push_back(where + ": got '" + got + "' want '" + want + "'");
  }
};

// Best parser by sniff over the first non-empty lines, as ingest picks it.
const Parser* sniff_best(const std::string& path, const std::string& text) {
  std::vector<std::string_view> lines;
  size_t pos = 0;
  while (pos < text.size() && lines.size() < kSniffLines) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string_view l(text.data() + pos, nl - pos);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    if (!trim(l).empty()) lines.push_back(l);
    pos = nl + 1;
  }
  std::string name = fs::path(path).filename().string();
  SniffInput in{path, name, lines};
  const Parser* best = nullptr;
  int best_score = 0;
  for (const Parser* p : all_parsers()) {
    int s = p->sniff(in).score;
    if (s > best_score) best = p, best_score = s;
  }
  return best;
}

std::string iso_utc(std::string_view text, std::string_view tz) {
  CivilTime c;
  if (parse_iso8601(text, c) != text.size()) return "<bad " + std::string(text) + ">";
  TimeResolver r(tz);
  return format_iso_ms(r.to_utc_us(c));
}

std::string clf_utc(std::string_view text) {
  CivilTime c;
  if (parse_clf_time(text, c) != text.size()) return "<bad " + std::string(text) + ">";
  TimeResolver r("");
  return format_iso_ms(r.to_utc_us(c));
}

std::string json_text(simdjson::dom::element v) {
  if (v.is_string()) return std::string(std::string_view(v.get_string().value()));
  if (v.is_int64()) return std::to_string(int64_t(v.get_int64().value()));
  if (v.is_uint64()) return std::to_string(uint64_t(v.get_uint64().value()));
  if (v.is_double()) {
    char b[40];
    std::snprintf(b, sizeof b, "%g", double(v.get_double().value()));
    return b;
  }
  return simdjson::to_string(v);
}

const Event* by_offset(const ParsedText& r, int64_t off) {
  for (const Event& e : r.events)
    if (e.offset == off) return &e;
  return nullptr;
}
const Event* by_line(const ParsedText& r, int64_t line) {
  for (const Event& e : r.events)
    if (e.line == line) return &e;
  return nullptr;
}

std::string frontend_of(const Event& e) {
  std::string f = e.fields.lookup("frontend");
  if (e.fields.lookup("frontend_tls") == "true") f += "~";
  return f;
}

// elastic/beats golden files: flat ECS keys, matched by log.offset.
void compare_beats(const std::string& exp_path, const ParsedText& r, Tally& t, std::string_view family) {
  simdjson::dom::parser jp;
  simdjson::dom::element doc = jp.load(exp_path);
  for (simdjson::dom::element rec : doc.get_array()) {
    simdjson::dom::object o = rec.get_object();
    int64_t off = -1;
    for (const char* k : {"log.offset", "offset"})
      if (o[k].is_int64()) off = o[k].get_int64();
    const Event* e = by_offset(r, off);
    std::string where = "offset " + std::to_string(off);
    t.check(where + " event", e ? "found" : "missing", "found");
    if (!e) continue;
    std::string tz = o["event.timezone"].is_string() ? std::string(std::string_view(o["event.timezone"].get_string())) : "";
    for (auto [key, val] : o) {
      std::string k(key), want = json_text(val);
      if (known_bad(exp_path, k, off)) continue;
      auto f = [&](const char* name) { return event_field(*e, name); };
      if (k == "@timestamp") t.check(where + " ts", f("ts"), iso_utc(want, tz));
      else if (k == "source.ip" || k == "haproxy.client.ip") t.check(where + " client_ip", f("client_ip"), want);
      else if (k == "source.port" || k == "haproxy.client.port") t.check(where + " client_port", f("client_port"), want);
      else if (k == "destination.ip") t.check(where + " server_ip", f("server_ip"), want);
      else if (k == "destination.port") t.check(where + " server_port", f("server_port"), want);
      else if (k == "http.response.status_code" || k == "haproxy.http.response.status_code")
        t.check(where + " status", f("status"), want);
      else if (k == "haproxy.bytes_read" || (k == "http.response.bytes" && family == "haproxy"))
        t.check(where + " bytes", f("bytes"), want);
      else if (k == "event.duration")
        t.check(where + " duration", e->duration_us == kNull ? "" : std::to_string(e->duration_us * 1000), want);
      else if (k == "haproxy.termination_state") t.check(where + " termination", f("fields.termination_state"), want);
      else if (k == "haproxy.backend_name") t.check(where + " backend", f("fields.backend"), want);
      else if (k == "haproxy.server_name") t.check(where + " server", f("fields.server"), want);
      else if (k == "haproxy.frontend_name") t.check(where + " frontend", frontend_of(*e), want);
      else if (k == "haproxy.http.request.time_wait_ms") t.check(where + " tq", f("fields.tq"), want);
      else if (k == "haproxy.total_waiting_time_ms") t.check(where + " tw", f("fields.tw"), want);
      else if (k == "haproxy.connection_wait_time_ms") t.check(where + " tc", f("fields.tc"), want);
      else if (k == "haproxy.http.request.time_wait_without_data_ms") t.check(where + " tr", f("fields.tr"), want);
      else if (k == "haproxy.http.request.time_active_ms") t.check(where + " ta", f("fields.ta"), want);
      else if (k == "haproxy.tcp.processing_time_ms") t.check(where + " tt", f("fields.tt"), want);
      else if (k == "http.request.method") t.check(where + " method", f("method"), want);
      else if (k == "log.level" && family == "nginx_error") t.check(where + " severity", f("severity"), want);
      else if (k == "nginx.error.connection_id") t.check(where + " conn_id", f("conn_id"), want);
      else if (k == "envoyproxy.request_id") t.check(where + " request_id", f("request_id"), want);
      else if (k == "envoyproxy.authority") t.check(where + " host", f("host"), want);
      else if (family == "nginx_access" && k == "http.response.body.bytes") t.check(where + " bytes", f("bytes"), want);
      else if (family == "nginx_access" && k == "url.original") t.check(where + " path", f("path"), want);
      else if (family == "nginx_access" && k == "user.name") t.check(where + " user", f("fields.user"), want);
      else if (family == "nginx_access" && k == "http.version")
        t.check(where + " protocol", f("protocol"), want.empty() ? "" : "HTTP/" + want);
      // Not compared: envoy beats swaps BYTES_RECEIVED/BYTES_SENT (http.response.body.bytes is
      // the first column); geo/user-agent enrichment is not ours.
    }
  }
}

bool present(simdjson::dom::object o, std::string_view key) {
  simdjson::dom::element e;
  return !o[key].get(e);
}

// crowdsec hub assertions (derived): {stage: {parser: [{idx, Success, Parsed}]}}; idx = line - 1.
void compare_crowdsec(const std::string& exp_path, const ParsedText& r, Tally& t, bool nginx) {
  simdjson::dom::parser jp;
  simdjson::dom::element doc = jp.load(exp_path);
  simdjson::dom::object stage;
  if (doc["s01-parse"].get_object().get(stage)) return;
  for (auto [pname, list] : stage) {
    for (simdjson::dom::element rec : list.get_array()) {
      if (!rec["Success"].is_bool() || !bool(rec["Success"].get_bool())) continue;
      int64_t idx = rec["idx"].get_int64();
      if (malformed(exp_path, idx + 1)) {
        std::printf("          skipped line %lld: malformed test input\n", static_cast<long long>(idx + 1));
        continue;
      }
      const Event* e = by_line(r, idx + 1);
      std::string where = "line " + std::to_string(idx + 1);
      t.check(where + " event", e ? "found" : "missing", "found");
      if (!e) continue;
      simdjson::dom::object parsed = rec["Parsed"].get_object();
      for (auto [key, val] : parsed) {
        std::string k(key), want = json_text(val);
        auto f = [&](const char* name) { return event_field(*e, name); };
        if (k == "client_ip" || k == "remote_addr") t.check(where + " client_ip", f("client_ip"), want);
        else if (k == "client_port") t.check(where + " client_port", f("client_port"), want);
        else if (k == "http_status_code" || k == "status") t.check(where + " status", f("status"), want);
        else if (k == "bytes_read" || k == "bytes_sent") t.check(where + " bytes", f("bytes"), want);
        else if (k == "time_duration" || k == "duration") t.check(where + " duration_ms", f("duration_ms"), want);
        else if (k == "termination_state") t.check(where + " termination", f("fields.termination_state"), want);
        else if (k == "backend_name") t.check(where + " backend", f("fields.backend"), want);
        else if (k == "server_name" && !e->fields.lookup("bind").empty()) t.check(where + " bind", f("fields.bind"), want);
        else if (k == "server_name") t.check(where + " server", f("fields.server"), want);
        else if (k == "frontend_name") t.check(where + " frontend", frontend_of(*e), want);
        else if (k == "accept_date") t.check(where + " ts", f("ts"), clf_utc(want));
        else if (k == "time") t.check(where + " ts", f("ts"), iso_utc(want, ""));
        else if (k == "verb") t.check(where + " method", f("method"), want);
        else if (k == "upstream_host") t.check(where + " upstream", f("fields.upstream_host"), want);
        else if (k == "time_backend_connect") t.check(where + " tc", f("fields.tc"), want);
        else if (k == "time_queue") t.check(where + " tw", f("fields.tw"), want);
        else if (k == "time_request") t.check(where + " tq", f("fields.tq"), want);
        else if (k == "time_backend_response") t.check(where + " tr", f("fields.tr"), want);
        else if (!nginx) continue;
        // crowdsecurity/nginx-logs and nginx-proxy-manager-logs (access and error lines)
        else if (k == "body_bytes_sent") t.check(where + " bytes", f("bytes"), want);
        else if (k == "time_local") t.check(where + " ts", f("ts"), clf_utc(want));
        else if (k == "target_fqdn") t.check(where + " host", f("host"), want);
        else if (k == "port") t.check(where + " server_port", f("server_port"), want);
        // "request" is the path when crowdsec's grok found a verb, else the whole request text
        // (binary probes, "HELP"): that one is only in our raw line.
        else if (k == "request" && present(parsed, "verb")) t.check(where + " path", f("path"), want);
        else if (k == "request")
          t.check(where + " request in raw", e->raw.find(want) != std::string::npos ? want : e->raw, want);
        else if (k == "http_version") t.check(where + " protocol", f("protocol"), "HTTP/" + want);
        else if (k == "remote_user") t.check(where + " user", f("fields.user"), want);
        else if (k == "upstream_status") t.check(where + " upstream_status", f("fields.upstream_status"), want);
        else if (k == "upstream_cache_status")
          t.check(where + " cache", f("fields.upstream_cache_status"), want);
        else if (k == "target_server") t.check(where + " sent_to", f("fields.server"), want);
        else if (k == "cid") t.check(where + " conn_id", f("conn_id"), want);
        else if (k == "pid") t.check(where + " pid", f("fields.pid"), want);
        else if (k == "loglevel") t.check(where + " severity", f("severity"), want);
        else if (k == "timestamp8601") t.check(where + " syslog_ts", f("fields.syslog_ts"), iso_utc(want, ""));
        else if (k == "message" && !e->severity.empty()) t.check(where + " message", f("message"), want);
      }
    }
    break;  // the first parser of the stage is the format parser
  }
}

// Envoy doc example: the positional mapping of the default format.
void compare_envoy_doc(const std::string& exp_path, const ParsedText& r, Tally& t) {
  simdjson::dom::parser jp;
  simdjson::dom::element doc = jp.load(exp_path);
  for (simdjson::dom::element rec : doc.get_array()) {
    t.check("event", r.events.empty() ? "missing" : "found", "found");
    if (r.events.empty()) return;
    const Event& e = r.events.front();
    for (auto [key, val] : rec["expected"].get_object()) {
      std::string k(key), want = json_text(val);
      if (k == "START_TIME") t.check("ts", event_field(e, "ts"), iso_utc(want, ""));
      else if (k == "METHOD") t.check("method", e.method, want);
      else if (k == "PATH") t.check("path", e.path, want);
      else if (k == "PROTOCOL") t.check("protocol", e.protocol, want);
      else if (k == "RESPONSE_CODE") t.check("status", event_field(e, "status"), want);
      else if (k == "BYTES_RECEIVED") t.check("bytes_received", e.fields.lookup("bytes_received"), want);
      else if (k == "BYTES_SENT") t.check("bytes", event_field(e, "bytes"), want);
      else if (k == "DURATION") t.check("duration", event_field(e, "duration_ms"), want);
      else if (k == "X-FORWARDED-FOR") t.check("client_ip", e.client_ip, want);
      else if (k == "X-REQUEST-ID") t.check("request_id", e.request_id, want);
      else if (k == "AUTHORITY") t.check("host", e.host, want);
      else if (k == "UPSTREAM_HOST") t.check("upstream", e.fields.lookup("upstream_host"), want);
    }
  }
}

// Local loopback runs: every server-side line a scenario produced lies within its client's
// [start - 1 s, end + 1 s] (the file's times are UTC; nginx error times have second precision).
void compare_local(const std::string& family_key, const ParsedText& r, Tally& t) {
  simdjson::dom::parser jp;
  simdjson::dom::element doc = jp.load(rstscope::testing::corpus("other/local_loopback_scenarios.json"));
  for (simdjson::dom::element sc : doc["scenarios"].get_array()) {
    simdjson::dom::array range;
    if (sc["log_byte_ranges"][family_key].get_array().get(range)) continue;
    int64_t begin = range.at(0).get_int64(), end = range.at(1).get_int64();
    std::string name(std::string_view(sc["scenario"].get_string()));
    CivilTime c;
    TimeResolver tr("");
    std::string_view s0 = sc["started_utc"].get_string(), s1 = sc["ended_utc"].get_string();
    parse_iso8601(s0, c);
    int64_t lo = tr.to_utc_us(c) - 1000000;
    parse_iso8601(s1, c);
    int64_t hi = tr.to_utc_us(c) + 1000000;
    int found = 0;
    for (const Event& e : r.events) {
      if (e.offset < begin || e.offset >= end) continue;
      ++found;
      bool inside = e.ts != kNull && e.ts >= lo && e.ts <= hi;
      t.check(name + " line " + std::to_string(e.line) + " ts in run window", inside ? "yes" : format_iso_ms(e.ts),
              "yes");
    }
    t.check(name + " has events", found ? "yes" : "no", "yes");
  }
}

struct FileCase {
  std::string rel;
  std::string parser;
};

std::vector<FileCase> family_files(const std::string& family, const std::string& parser,
                                   const std::function<bool(const std::string&)>& keep = nullptr) {
  std::vector<FileCase> out;
  for (const auto& de : fs::directory_iterator(rstscope::testing::corpus(family))) {
    std::string n = de.path().filename().string();
    if (n.find("-expected") != std::string::npos || n.find("-annotations") != std::string::npos) continue;
    if (keep && !keep(n)) continue;
    out.push_back({family + "/" + n, parser});
  }
  std::sort(out.begin(), out.end(), [](const FileCase& a, const FileCase& b) { return a.rel < b.rel; });
  return out;
}

void run_family(const std::vector<FileCase>& files) {
  ASSERT_FALSE(files.empty());
  for (const FileCase& fc : files) {
    SCOPED_TRACE(fc.rel);
    std::string path = rstscope::testing::corpus(fc.rel);
    std::string text = rstscope::testing::read_file(path);
    const Parser* best = sniff_best(fc.rel, text);
    ASSERT_NE(best, nullptr) << "no parser recognises " << fc.rel;
    EXPECT_EQ(best->name(), fc.parser) << fc.rel << " sniffed as " << best->name();
    std::string family = fc.rel.substr(0, fc.rel.find('/'));
    std::string base = path;
    // beats tests run with tz -02:00 where the expected file says so (zone-less formats only).
    std::string tz;
    std::string exp = base + "-expected.json";
    if (fs::exists(exp)) {
      std::string body = rstscope::testing::read_file(exp);
      if (body.find("\"event.timezone\": \"-02:00\"") != std::string::npos) tz = "-02:00";
    }
    ParsedText r = parse_text(rstscope::testing::parser_named(fc.parser), text, tz, nullptr, fc.rel);
    for (const auto& [line, reason] : r.unparsed)
      if (malformed(fc.rel, line)) std::printf("          unparsed line %lld as expected: %s\n", static_cast<long long>(line), reason.c_str());
      else ADD_FAILURE() << fc.rel << ": line " << line << " unparsed: " << reason;
    for (const Malformed& m : kMalformed)
      if (fc.rel.find(m.file) != std::string::npos) {
        bool kept = false;
        for (const auto& u : r.unparsed) kept |= u.first == m.line;
        EXPECT_TRUE(kept) << fc.rel << ": malformed line " << m.line << " was accepted (" << m.why << ")";
      }
    EXPECT_FALSE(r.events.empty()) << fc.rel;
    Tally t;
    if (fs::exists(exp)) {
      if (fc.rel.find("crowdsec_") != std::string::npos) compare_crowdsec(exp, r, t, fc.parser.starts_with("nginx"));
      else if (fc.rel.find("envoy_docs_") != std::string::npos) compare_envoy_doc(exp, r, t);
      else compare_beats(exp, r, t, family);
    }
    if (fc.rel.find("local_scenarios_") != std::string::npos)
      compare_local(family == "haproxy" ? "haproxy" : family == "nginx_error" ? "nginx_error" : "nginx_access", r, t);
    for (const Event& e : r.events) {  // every event of these families carries a time and a category
      ++t.total;
      if (e.ts != kNull && !e.category.empty()) ++t.agree;
      else if (t.misses.size() < 12) t.misses.push_back("line " + std::to_string(e.line) + " without ts/category");
    }
    double pct = t.total ? 100.0 * t.agree / t.total : 100.0;
    std::printf("[corpus] %-62s %-13s %4zu events %3zu unparsed  fields %4d/%-4d (%.1f%%)\n", fc.rel.c_str(),
                fc.parser.c_str(), r.events.size(), r.unparsed.size(), t.agree, t.total, pct);
    for (const std::string& m : t.misses) std::printf("          mismatch %s\n", m.c_str());
    EXPECT_GE(pct, 99.0) << fc.rel;
  }
}

}  // namespace

TEST(ProxyCorpus, Haproxy) { run_family(family_files("haproxy", "haproxy")); }
TEST(ProxyCorpus, Envoy) { run_family(family_files("envoy", "envoy")); }
TEST(ProxyCorpus, Nginx) {
  std::vector<FileCase> files = family_files("nginx_error", "nginx-error");
  files.push_back({"nginx_access/beats_nginx_ingress_controller_test.log", "nginx-ingress"});
  // nginx error lines that arrived through syslog (RFC 5424, pfSense's web GUI)
  files.push_back({"pfsense/crowdsec_pfsense-rfc5424-nginx.log", "nginx-error"});
  run_family(files);
}
// nginx access logs: beats golden JSON (X-Forwarded-For lists), crowdsec assertions (combined,
// "$host $remote_addr", nginx-proxy-manager formats, error lines in the access file, binary
// request lines), the local loopback ground truth, and the files without expectations.
TEST(ProxyCorpus, NginxAccess) {
  run_family(family_files("nginx_access", "nginx-access",
                          [](const std::string& n) { return n.find("ingress") == std::string::npos; }));
}
