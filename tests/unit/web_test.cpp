// Web servers and load balancers (issue 4, item 3 minus Envoy): every corpus file of apache_access,
// apache_error, traefik, iis_w3c, iis_httperr, aws_alb and aws_elb is recognised by sniff and
// parses with no unparsed lines except the known garbage; where the corpus carries an expected
// parse (beats -expected.json, crowdsec -expected.json, traefik test vectors, loghub structured
// CSV) the fields agree on at least 99% of the compared values. Agreement is printed per file.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "rstscope/text.h"
#include "rstscope/timeutil.h"
#include "test_support.h"

using namespace rstscope;
using namespace rstscope::testing;
namespace fs = std::filesystem;

namespace {

struct Family {
  std::string dir;
  std::set<std::string> parsers;  // acceptable sniff winners
};

const std::vector<Family>& families() {
  static const std::vector<Family> f = {
      {"apache_access", {"apache-access"}}, {"apache_error", {"apache-error"}},
      {"traefik", {"traefik-access"}},      {"iis_w3c", {"iis-w3c"}},
      {"iis_httperr", {"iis-httperr"}},     {"aws_alb", {"aws-alb"}},
      {"aws_elb", {"aws-elb", "aws-alb"}},  // beats_aws_elb_example-nlb-tcp.log is an NLB line
  };
  return f;
}

// Lines that are not log records of the format (documented garbage in the corpus).
const std::map<std::string, int>& known_garbage() {
  static const std::map<std::string, int> g = {
      {"traefik/crowdsec_traefik_json.log", 1},  // "DEBUG: CrowdsecBouncerTraefikPlugin: ..." plugin chatter
  };
  return g;
}

bool is_data_file(const fs::path& p) {
  std::string n = p.filename().string();
  return !ends_with(n, ".json") && !ends_with(n, ".csv") && n.find("-expected") == std::string::npos;
}

struct Winner {
  const Parser* parser = nullptr;
  int score = 0;
};

Winner sniff_best(const std::string& display_path, const std::string& text) {
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
  std::string name = fs::path(display_path).filename().string();
  SniffInput in{display_path, name, lines};
  Winner w;
  for (const Parser* p : all_parsers()) {
    Score s = p->sniff(in);
    if (s.score > w.score) w = {p, s.score};
  }
  return w;
}

std::vector<std::pair<std::string, fs::path>> corpus_files() {
  std::vector<std::pair<std::string, fs::path>> out;
  for (const Family& f : families()) {
    fs::path dir = corpus(f.dir);
    if (!fs::exists(dir)) continue;
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir))
      if (e.is_regular_file() && is_data_file(e.path())) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (auto& p : files) out.emplace_back(f.dir, p);
  }
  return out;
}

// Agreement bookkeeping for one file.
struct Agreement {
  int compared = 0, agreed = 0;
  std::vector<std::string> misses;
  void check(const std::string& what, const std::string& expected, const std::string& got) {
    ++compared;
    if (expected == got) {
      ++agreed;
    } else if (misses.size() < 8) {
      misses.push_back(what + ": expected '" + expected + "' got '" + got + "'");
    }
  }
  void report(const std::string& file) const {
    double pct = compared ? 100.0 * agreed / compared : 100.0;
    std::printf("[agreement] %-70s %5d/%-5d fields %6.2f%%\n", file.c_str(), agreed, compared, pct);
    for (const auto& m : misses) std::printf("    miss %s\n", m.c_str());
    EXPECT_GT(compared, 0) << file << ": nothing compared";
    EXPECT_GE(pct, 99.0) << file;
  }
};

std::string iso_ms(int64_t us) { return us == kNull ? std::string("null") : format_iso_ms(us); }

// "2016-12-26T16:22:08.000-02:00" / "2018-01-01T08:09:10.000Z" -> "....Z" (UTC, ms)
std::string beats_ts_to_utc(std::string_view s) {
  CivilTime c;
  if (!parse_iso8601(s, c)) return "unparseable " + std::string(s);
  int64_t us = civil_to_us(c) - int64_t(c.offset_seconds) * 1000000;
  return format_iso_ms(us);
}

std::string clf_ts_to_utc(std::string_view s) {
  CivilTime c;
  if (!parse_clf_time(s, c)) return "unparseable " + std::string(s);
  return format_iso_ms(civil_to_us(c) - int64_t(c.offset_seconds) * 1000000);
}

std::string str_of(simdjson::dom::element e) {
  std::string_view sv;
  if (!e.get_string().get(sv)) return std::string(sv);
  int64_t i;
  if (!e.get_int64().get(i)) return std::to_string(i);
  double d;
  if (!e.get_double().get(d)) {
    char b[64];
    std::snprintf(b, sizeof b, "%g", d);
    return b;
  }
  return simdjson::to_string(e);
}

const Event* event_at_offset(const ParsedText& r, int64_t off) {
  for (const Event& ev : r.events)
    if (ev.offset == off) return &ev;
  return nullptr;
}
const Event* event_at_line(const ParsedText& r, int64_t line) {
  for (const Event& ev : r.events)
    if (ev.line == line) return &ev;
  return nullptr;
}

ParsedText parse_file(const std::string& parser, const std::string& rel, std::string_view tz = "") {
  std::string text = read_file(corpus(rel));
  return parse_text(parser_named(parser), text, tz, nullptr, rel);
}

// Crowdsec derived expectations: s01-parse entries by idx (0-based line).
std::map<int64_t, simdjson::dom::object> crowdsec_parsed(simdjson::dom::parser& jp, const std::string& rel,
                                                         std::string_view stage_parser) {
  std::map<int64_t, simdjson::dom::object> out;
  simdjson::dom::element doc = jp.load(corpus(rel));
  simdjson::dom::object stage = doc["s01-parse"];
  simdjson::dom::array items = stage[stage_parser];
  for (simdjson::dom::element it : items) {
    bool ok = false;
    if (it["Success"].get_bool().get(ok) || !ok) continue;
    int64_t idx = it["idx"];
    out[idx] = it["Parsed"];
  }
  return out;
}

std::string get(simdjson::dom::object o, std::string_view key) {
  simdjson::dom::element e;
  if (o[key].get(e)) return "<absent>";
  return str_of(e);
}
bool present(simdjson::dom::object o, std::string_view key) {
  simdjson::dom::element e;
  return !o[key].get(e);
}

}  // namespace

TEST(WebCorpus, EveryFileIsSniffedAsItsFamilyAndParsesCleanly) {
  auto files = corpus_files();
  ASSERT_GT(files.size(), 50u) << "corpus missing?";
  for (const auto& [family, path] : files) {
    std::string rel = family + "/" + path.filename().string();
    SCOPED_TRACE(rel);
    std::string text = read_file(path.string());
    Winner w = sniff_best(rel, text);
    const Family* fam = nullptr;
    for (const Family& f : families())
      if (f.dir == family) fam = &f;
    ASSERT_NE(w.parser, nullptr) << rel << ": no parser recognised it";
    EXPECT_TRUE(fam->parsers.count(std::string(w.parser->name())))
        << rel << ": sniff picked " << w.parser->name() << " (" << w.score << ")";
    ParsedText r = parse_text(*w.parser, text, "", nullptr, rel);
    int allowed = known_garbage().count(rel) ? known_garbage().at(rel) : 0;
    EXPECT_EQ(int(r.unparsed.size()), allowed) << rel << ": first unparsed line "
                                               << (r.unparsed.empty() ? 0 : r.unparsed[0].first) << ": "
                                               << (r.unparsed.empty() ? "" : r.unparsed[0].second);
    EXPECT_FALSE(r.events.empty()) << rel;
    for (const Event& ev : r.events) {
      EXPECT_NE(ev.ts, kNull) << rel << ":" << ev.line << " has no time";
      EXPECT_FALSE(ev.category.empty()) << rel << ":" << ev.line;
      EXPECT_TRUE(ev.role == Role::server || ev.role == Role::proxy) << rel << ":" << ev.line;
    }
    std::printf("[sniff] %-70s -> %s (%d), %zu events, %zu unparsed\n", rel.c_str(),
                std::string(w.parser->name()).c_str(), w.score, r.events.size(), r.unparsed.size());
  }
}

TEST(WebCorpus, PlainCombinedWithoutApacheInThePathScoresLow) {
  // Byte-identical to nginx combined: apache-access must leave it to nginx-access.
  std::string text = read_file(corpus("apache_access/elastic_examples_apache_logs.log"));
  std::vector<std::string_view> lines;
  std::string_view t = text, l;
  while (lines.size() < kSniffLines && next_field(t, '\n', l)) lines.push_back(l);
  SniffInput in{"logs/access.log", "access.log", lines};
  Score s = parser_named("apache-access").sniff(in);
  EXPECT_GT(s.score, 0);
  EXPECT_LE(s.score, 30) << s.why;
  SniffInput named{"var/log/httpd/access_log", "access_log", lines};
  EXPECT_GE(parser_named("apache-access").sniff(named).score, 95);
}

TEST(WebAgreement, BeatsApacheAccess) {
  std::string rel = "apache_access/beats_apache_access_darwin-2.4.23.rev-bd1e4b4.log";
  ParsedText r = parse_file("apache-access", rel);
  simdjson::dom::parser jp;
  Agreement a;
  for (simdjson::dom::object o : jp.load(corpus(rel + "-expected.json")).get_array()) {
    const Event* ev = event_at_offset(r, int64_t(o["log.offset"]));
    ASSERT_NE(ev, nullptr);
    a.check("ts", beats_ts_to_utc(get(o, "@timestamp")), iso_ms(ev->ts));
    a.check("client", get(o, "source.address"), ev->client_ip);
    a.check("status", get(o, "http.response.status_code"), event_field(*ev, "status"));
    if (present(o, "http.response.body.bytes")) a.check("bytes", get(o, "http.response.body.bytes"), event_field(*ev, "bytes"));
    if (present(o, "http.request.method")) a.check("method", get(o, "http.request.method"), ev->method);
    if (present(o, "url.original")) a.check("path", get(o, "url.original"), ev->path);
    if (present(o, "http.version")) a.check("protocol", "HTTP/" + get(o, "http.version"), ev->protocol);
  }
  a.report(rel);
}

TEST(WebAgreement, BeatsApacheError) {
  std::string rel = "apache_error/beats_apache_error_test.log";
  ParsedText r = parse_file("apache-error", rel, "-02:00");  // the beats test runs in -02:00
  simdjson::dom::parser jp;
  Agreement a;
  for (simdjson::dom::object o : jp.load(corpus(rel + "-expected.json")).get_array()) {
    const Event* ev = event_at_offset(r, int64_t(o["log.offset"]));
    ASSERT_NE(ev, nullptr);
    a.check("ts", beats_ts_to_utc(get(o, "@timestamp")), iso_ms(ev->ts));
    a.check("severity", get(o, "log.level"), ev->severity);
    a.check("message", get(o, "message"), ev->message);
    if (present(o, "source.address")) a.check("client", get(o, "source.address"), ev->client_ip);
    if (present(o, "source.port")) a.check("client_port", get(o, "source.port"), event_field(*ev, "client_port"));
    if (present(o, "process.pid")) a.check("pid", get(o, "process.pid"), ev->fields.lookup("pid"));
    if (present(o, "apache.error.module")) a.check("module", get(o, "apache.error.module"), ev->fields.lookup("module"));
  }
  a.report(rel);
}

TEST(WebAgreement, LoghubApacheError) {
  std::string rel = "apache_error/loghub_Apache_2k.log";
  ParsedText r = parse_file("apache-error", rel);
  std::string csv = read_file(corpus(rel + "-expected_structured.csv"));
  std::istringstream in(csv);
  std::string row;
  std::getline(in, row);  // header
  Agreement a;
  while (std::getline(in, row)) {
    // LineId,Time,Level,Content,EventId,EventTemplate (Content may hold commas; no quotes in this file)
    std::vector<std::string> c;
    std::string_view s = row, f;
    for (int k = 0; k < 3 && next_field(s, ',', f); ++k) c.emplace_back(f);
    size_t last = s.rfind(','), prev = last == std::string_view::npos ? last : s.rfind(',', last - 1);
    std::string content(s.substr(0, prev));
    const Event* ev = event_at_line(r, std::stoll(c[0]));
    ASSERT_NE(ev, nullptr) << row;
    a.check("ts_raw", c[1], ev->ts_raw);
    a.check("level", c[2], ev->severity);
    std::string expect_msg = content;
    if (starts_with(content, "[client ")) {
      size_t e = content.find("] ");
      a.check("client", content.substr(8, e - 8), ev->client_ip);
      expect_msg = content.substr(e + 2);
    }
    a.check("message", expect_msg, ev->message);
  }
  a.report(rel);
}

TEST(WebAgreement, CrowdsecApache) {
  simdjson::dom::parser jp;
  for (std::string rel : {"apache_access/crowdsec_apache2-logs.log", "apache_access/crowdsec_apache2-malformed.log"}) {
    ParsedText r = parse_file("apache-access", rel);
    Agreement a;
    for (auto& [idx, o] : crowdsec_parsed(jp, rel + "-expected.json", "crowdsecurity/apache2-logs")) {
      const Event* ev = event_at_line(r, idx + 1);
      ASSERT_NE(ev, nullptr) << rel << " idx " << idx;
      if (present(o, "clientip")) {  // access line
        a.check("client", get(o, "clientip"), ev->client_ip);
        a.check("ts", clf_ts_to_utc(get(o, "timestamp")), iso_ms(ev->ts));
        a.check("status", get(o, "response"), event_field(*ev, "status"));
        a.check("bytes", get(o, "bytes"), event_field(*ev, "bytes"));
        if (present(o, "verb")) a.check("method", get(o, "verb"), ev->method);
        if (present(o, "request")) a.check("path", get(o, "request"), ev->path);
        if (present(o, "httpversion")) a.check("protocol", "HTTP/" + get(o, "httpversion"), ev->protocol);
        if (present(o, "target_fqdn")) a.check("host", get(o, "target_fqdn"), ev->host);
        if (present(o, "port")) a.check("server_port", get(o, "port"), event_field(*ev, "server_port"));
        if (present(o, "rawrequest")) a.check("request", get(o, "rawrequest"), ev->fields.lookup("request"));
      } else {  // error line
        a.check("client", get(o, "client"), ev->client_ip);
        a.check("client_port", get(o, "clientport"), event_field(*ev, "client_port"));
        a.check("ts_raw", get(o, "timestamp"), ev->ts_raw);
        a.check("severity", get(o, "loglevel"), ev->severity);
        a.check("module", get(o, "module"), ev->fields.lookup("module"));
        a.check("pid", get(o, "pid"), ev->fields.lookup("pid"));
        a.check("tid", get(o, "tid"), ev->fields.lookup("tid"));
        a.check("ah", get(o, "errorcode"), ev->fields.lookup("ah"));
        if (present(o, "proxy_errorcode")) a.check("errno", get(o, "proxy_errorcode"), ev->fields.lookup("errno"));
      }
    }
    a.report(rel);
  }
}

TEST(WebAgreement, BeatsIisHttpErr) {
  std::string rel = "iis_httperr/beats_iis_error_test.log";
  ParsedText r = parse_file("iis-httperr", rel);
  simdjson::dom::parser jp;
  Agreement a;
  for (simdjson::dom::object o : jp.load(corpus(rel + "-expected.json")).get_array()) {
    const Event* ev = event_at_offset(r, int64_t(o["log.offset"]));
    ASSERT_NE(ev, nullptr);
    a.check("ts", beats_ts_to_utc(get(o, "@timestamp")), iso_ms(ev->ts));
    a.check("client", get(o, "source.address"), ev->client_ip);
    a.check("client_port", get(o, "source.port"), event_field(*ev, "client_port"));
    a.check("server", get(o, "destination.address"), ev->server_ip);
    a.check("server_port", get(o, "destination.port"), event_field(*ev, "server_port"));
    a.check("reason", get(o, "iis.error.reason_phrase"), ev->fields.lookup("reason"));
    if (present(o, "http.response.status_code"))
      a.check("status", get(o, "http.response.status_code"), event_field(*ev, "status"));
    if (present(o, "http.request.method")) a.check("method", get(o, "http.request.method"), ev->method);
    if (present(o, "url.original")) a.check("path", get(o, "url.original"), ev->path);
    if (present(o, "http.version")) a.check("protocol", "HTTP/" + get(o, "http.version"), ev->protocol);
  }
  a.report(rel);
}

TEST(WebAgreement, CrowdsecAlb) {
  std::string rel = "aws_alb/crowdsec_aws-alb-logs.log";
  ParsedText r = parse_file("aws-alb", rel);
  simdjson::dom::parser jp;
  Agreement a;
  for (auto& [idx, o] : crowdsec_parsed(jp, rel + "-expected.json", "crowdsecurity/aws-alb")) {
    const Event* ev = event_at_line(r, idx + 1);
    ASSERT_NE(ev, nullptr) << idx;
    a.check("ts", beats_ts_to_utc(get(o, "time")), iso_ms(ev->ts));
    a.check("client", get(o, "remote_addr"), ev->client_ip);
    a.check("client_port", get(o, "remote_port"), event_field(*ev, "client_port"));
    a.check("status", get(o, "elb_status_code"), event_field(*ev, "status"));
    a.check("bytes", get(o, "sent_bytes"), event_field(*ev, "bytes"));
    a.check("received", get(o, "received_bytes"), ev->fields.lookup("received_bytes"));
    a.check("method", get(o, "http_method"), ev->method);
    a.check("path", get(o, "request"), ev->path);
    a.check("host", get(o, "host"), ev->host);
    a.check("server_port", get(o, "port"), event_field(*ev, "server_port"));
    a.check("protocol", "HTTP/" + get(o, "http_version"), ev->protocol);
    a.check("request_id", get(o, "trace_id"), ev->request_id);
    a.check("target", present(o, "target_addr") ? get(o, "target_addr") + ":" + get(o, "target_port") : "",
            ev->fields.lookup("target"));
    auto dash = [](std::string v) { return v == "-" ? std::string() : v; };
    a.check("tls_cipher", dash(get(o, "ssl_cipher")), ev->fields.lookup("tls_cipher"));
    a.check("tls_protocol", dash(get(o, "ssl_protocol")), ev->fields.lookup("tls_protocol"));
    a.check("error_reason", dash(get(o, "error_reason")), ev->fields.lookup("error_reason"));
    a.check("times", get(o, "request_processing_time") + " " + get(o, "target_processing_time") + " " +
                         get(o, "response_processing_time"),
            ev->fields.lookup("times"));
    if (present(o, "conn_trace_id")) a.check("conn_trace_id", get(o, "conn_trace_id"), ev->conn_id);
  }
  a.report(rel);
}

TEST(WebAgreement, CrowdsecTraefik) {
  simdjson::dom::parser jp;
  {
    std::string rel = "traefik/crowdsec_traefik_clf.log";
    ParsedText r = parse_file("traefik-access", rel);
    Agreement a;
    for (auto& [idx, o] : crowdsec_parsed(jp, rel + "-expected.json", "crowdsecurity/traefik-logs")) {
      const Event* ev = event_at_line(r, idx + 1);
      ASSERT_NE(ev, nullptr) << idx;
      auto dash = [](std::string v) { return v == "-" ? std::string() : v; };
      a.check("ts", clf_ts_to_utc(get(o, "time_local")), iso_ms(ev->ts));
      a.check("client", get(o, "remote_addr"), ev->client_ip);
      a.check("method", get(o, "verb"), ev->method);
      a.check("path", get(o, "request"), ev->path);
      a.check("protocol", "HTTP/" + get(o, "http_version"), ev->protocol);
      a.check("status", dash(get(o, "status")), event_field(*ev, "status"));
      a.check("bytes", dash(get(o, "body_bytes_sent")), event_field(*ev, "bytes"));
      a.check("duration_ms", get(o, "request_duration_in_ms"), event_field(*ev, "duration_ms"));
      a.check("router", dash(get(o, "traefik_router_name")), ev->fields.lookup("router"));
      a.check("count", get(o, "number_of_requests_received_since_traefik_started"), ev->fields.lookup("request_count"));
    }
    a.report(rel);
  }
  {
    std::string rel = "traefik/crowdsec_traefik_json.log";
    ParsedText r = parse_file("traefik-access", rel);
    Agreement a;
    for (auto& [idx, o] : crowdsec_parsed(jp, rel + "-expected.json", "crowdsecurity/traefik-logs")) {
      const Event* ev = event_at_line(r, idx + 1);
      ASSERT_NE(ev, nullptr) << idx;
      // crowdsec keeps the record's "time" (whole seconds); we keep StartUTC (ns): compare seconds.
      a.check("ts_s", beats_ts_to_utc(get(o, "time_local")).substr(0, 19), iso_ms(ev->ts).substr(0, 19));
      // crowdsec takes the last address of a forwarded ClientHost list; we keep the TCP peer
      // (ClientAddr) as client_ip and the list in fields.client_host.
      std::string fwd = ev->fields.lookup("client_host");
      a.check("client", get(o, "remote_addr"), fwd.empty() ? ev->client_ip : fwd.substr(fwd.rfind(',') + 1));
      a.check("method", get(o, "verb"), ev->method);
      a.check("path", get(o, "request"), ev->path);
      a.check("protocol", "HTTP/" + get(o, "http_version"), ev->protocol);
      a.check("status", get(o, "status"), event_field(*ev, "status"));
      a.check("bytes", get(o, "body_bytes_sent"), event_field(*ev, "bytes"));
      a.check("host", get(o, "request_addr"), ev->host);
      // crowdsec's "request_duration_in_ms" holds Traefik's Duration in ns.
      a.check("duration_us", std::to_string(std::stoll(get(o, "request_duration_in_ms")) / 1000),
              event_field(*ev, "duration_us"));
      if (present(o, "traefik_router_name")) a.check("router", get(o, "traefik_router_name"), ev->fields.lookup("router"));
      std::string target = ev->fields.lookup("target");
      if (present(o, "service_addr"))
        a.check("service_addr", get(o, "service_addr"), target.substr(0, target.rfind(':')));
    }
    a.report(rel);
  }
}

TEST(WebAgreement, TraefikParserTestVectors) {
  std::string rel = "traefik/traefik_parser_test_vectors.log";
  ParsedText r = parse_file("traefik-access", rel);
  simdjson::dom::parser jp;
  Agreement a;
  int64_t line = 0;
  auto unq = [](std::string v) { return v.size() >= 2 && v.front() == '"' ? v.substr(1, v.size() - 2) : v; };
  auto dash = [](std::string v) { return v == "-" ? std::string() : v; };
  for (simdjson::dom::object item : jp.load(corpus(rel + "-expected.json")).get_array()) {
    const Event* ev = event_at_line(r, ++line);
    ASSERT_NE(ev, nullptr);
    simdjson::dom::object o = item["expected"];
    a.check("client", get(o, "ClientHost"), ev->client_ip);
    a.check("user", dash(get(o, "ClientUsername")), ev->fields.lookup("user"));
    a.check("ts", clf_ts_to_utc(get(o, "StartUTC")), iso_ms(ev->ts));
    a.check("method", get(o, "RequestMethod"), ev->method);
    a.check("path", get(o, "RequestPath"), ev->path);
    a.check("protocol", get(o, "RequestProtocol"), ev->protocol);
    a.check("status", get(o, "OriginStatus"), event_field(*ev, "status"));
    a.check("bytes", get(o, "OriginContentSize"), event_field(*ev, "bytes"));
    a.check("referrer", dash(unq(get(o, "request_Referer"))), ev->fields.lookup("referrer"));
    a.check("ua", unq(get(o, "request_User-Agent")), ev->fields.lookup("user_agent"));
    a.check("count", get(o, "RequestCount"), ev->fields.lookup("request_count"));
    a.check("router", unq(get(o, "RouterName")), ev->fields.lookup("router"));
    a.check("service_url", dash(unq(get(o, "ServiceURL"))), ev->fields.lookup("service_url"));
    a.check("duration", get(o, "Duration"), event_field(*ev, "duration_ms") + "ms");
  }
  a.report(rel);
}

// Categories the correlation engine relies on, from real corpus lines.
TEST(WebCategories, CorpusLinesCarryTheirMeaning) {
  ParsedText alb = parse_file("aws-alb", "aws_alb/beats_aws_elb_application-lb-http.log");
  ASSERT_GE(alb.events.size(), 8u);
  EXPECT_EQ(alb.events[0].category, "client-closed");     // 460
  EXPECT_EQ(alb.events[1].category, "upstream-timeout");  // 504, -1 timings
  EXPECT_EQ(alb.events[1].duration_us, 10001440);         // time - request_creation_time
  EXPECT_EQ(alb.events[7].category, "request");
  ParsedText err = parse_file("iis-httperr", "iis_httperr/beats_iis_error_ipv6_zone_id.log");
  ASSERT_EQ(err.events.size(), 1u);
  EXPECT_EQ(err.events[0].category, "idle-close");
  ParsedText minb = parse_file("iis-httperr", "iis_httperr/beats_iis_error_error.log");
  ASSERT_EQ(minb.events.size(), 4u);
  EXPECT_EQ(minb.events[3].category, "client-timeout");  // Timer_MinBytesPerSecond
  EXPECT_EQ(minb.events[0].category, "conn-limited");    // ConnLimit
  ParsedText mal = parse_file("apache-access", "apache_access/crowdsec_apache2-malformed.log");
  ASSERT_GE(mal.events.size(), 11u);
  EXPECT_EQ(mal.events[0].category, "tls-to-plain-port");
  ParsedText iis = parse_file("iis-w3c", "iis_w3c/beats_iis_access_test.log");
  ASSERT_EQ(iis.events.size(), 5u);  // three #Fields: layouts and two headerless-layout lines
  EXPECT_EQ(iis.events[1].fields.lookup("site"), "W3SVC1");
  EXPECT_EQ(iis.events[2].fields.lookup("computer"), "MACHINE-NAME");
  EXPECT_EQ(iis.events[3].status, 401);
  EXPECT_EQ(iis.events[4].client_ip, "10.50.6.188");
}

TEST(WebRobustness, GarbageNeverCrashesAndIsCounted) {
  const char* names[] = {"apache-access", "apache-error", "aws-alb", "aws-elb", "iis-w3c",
                         "iis-httperr",   "traefik-access", "caddy"};
  std::string junk = "\x16\x03\x01\x02\x00\n[\n\"\n{\n{\"a\":\n#Fields:\n#Fields: date time\n2020-01-01 99:99:99 x\n"
                     "[Mon Dec 26 16:22:00 2016]\n[Mon Dec 26 16:22:00 2016] [\nhttp 2020 app/x\ntls 1.0 x\n"
                     "1.2.3.4 - - [\n1.2.3.4 - - [01/Jan/2020:00:00:00 +0000] \"\n";
  junk.push_back('\0');
  junk += "\xff\xfe\n";
  for (const char* n : names) {
    ParsedText r = parse_with(n, junk);
    EXPECT_GT(r.unparsed.size() + r.events.size(), 0u) << n;
  }
}

TEST(WebRobustness, TruncatedCorpusLinesNeverCrash) {
  // Every corpus line of every family cut at many points, parsed by its family's parser (bounded:
  // the first 40 lines of each file). Run under ASan+UBSan this checks the hand-split code's bounds.
  std::map<std::string, std::string> parser_of = {
      {"apache_access", "apache-access"}, {"apache_error", "apache-error"}, {"traefik", "traefik-access"},
      {"iis_w3c", "iis-w3c"},             {"iis_httperr", "iis-httperr"},   {"aws_alb", "aws-alb"},
      {"aws_elb", "aws-elb"}};
  size_t cuts = 0;
  for (const auto& [family, path] : corpus_files()) {
    std::string text = read_file(path.string());
    std::string_view t = text, line;
    const Parser& p = parser_named(parser_of.at(family));
    std::string header;  // keep W3C directives so that cut data lines go through the layout code
    for (int n = 0; n < 40 && next_field(t, '\n', line); ++n) {
      if (!line.empty() && line[0] == '#') {
        header.append(line).push_back('\n');
        continue;
      }
      for (size_t cut = 0; cut <= line.size(); cut += 1 + line.size() / 23) {
        std::string doc = header + std::string(line.substr(0, cut)) + "\n";
        ParsedText r = parse_text(p, doc);
        EXPECT_LE(r.events.size(), 1u);
        ++cuts;
      }
    }
  }
  EXPECT_GT(cuts, 1000u);
}
