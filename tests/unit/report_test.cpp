// Report tests: a timeline built here from src/timeline/schema.h with realistic rows (four findings,
// evidence lines and settings, an unexplained incident, clock skew, unrecognised and unreadable
// sources, an assumed default), rendered as text, Markdown and JSON and compared with golden files
// in tests/fixtures/report/ (RSTSCOPE_UPDATE_GOLDEN=1 rewrites them); plus properties that must
// hold for any report (width, colour, JSON shape) and hostile log text (XSS, terminal escapes,
// Markdown injection).
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "correlate/engine.h"
#include "report/format.h"
#include "report/model.h"
#include "report/renderers.h"
#include "report/report.h"
#include "rstscope/event.h"
#include "rstscope/timeutil.h"
#include "timeline/schema.h"

namespace rstscope::report::testdata {

namespace {

// UTC microseconds for 2026-03-02 hh:mm:ss.ms.
int64_t at(int h, int m, int s, int ms = 0) {
  CivilTime c;
  c.year = 2026, c.month = 3, c.day = 2, c.hour = h, c.minute = m, c.second = s, c.micros = int64_t(ms) * 1000;
  return civil_to_us(c);
}

void bind_i(SQLite::Statement& q, int i, int64_t v) {
  if (v == kNull)
    q.bind(i);
  else
    q.bind(i, static_cast<int64_t>(v));
}
void bind_s(SQLite::Statement& q, int i, const std::string& v) {
  if (v.empty())
    q.bind(i);
  else
    q.bind(i, v);
}

class Builder {
 public:
  explicit Builder(SQLite::Database& db) : db_(db) {
    db_.exec(std::string(timeline::kCreateTables));
    db_.exec("INSERT OR REPLACE INTO meta(key, value) VALUES('state', 'complete')");
  }

  int64_t source(const std::string& path, const std::string& parser, const std::string& status, int64_t lines,
                 int64_t events, int64_t first, int64_t last, const std::string& errors = "") {
    SQLite::Statement q(db_,
                        "INSERT INTO sources(path, parser, status, lines, events, unparsed, first_ts, last_ts, "
                        "zone, errors) VALUES(?, ?, ?, ?, ?, 0, ?, ?, 'explicit', ?)");
    bind_s(q, 1, path), bind_s(q, 2, parser), q.bind(3, status), bind_i(q, 4, lines), bind_i(q, 5, events);
    bind_i(q, 6, first), bind_i(q, 7, last), bind_s(q, 8, errors);
    q.exec();
    return db_.getLastInsertRowid();
  }

  struct Ev {
    int64_t source = 0, line = 0, ts = kNull, skew = 0;
    std::string role, category, kind, raw, message, client_ip, server_ip, host;
    int64_t client_port = kNull, server_port = kNull;
  };
  int64_t event(const Ev& e) {
    SQLite::Statement q(db_,
                        "INSERT INTO events(source_id, line, ts, ts_corrected, role, category, kind, raw, message, "
                        "client_ip, client_port, server_ip, server_port, host) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    q.bind(1, static_cast<int64_t>(e.source)), q.bind(2, static_cast<int64_t>(e.line));
    bind_i(q, 3, e.ts), bind_i(q, 4, e.ts == kNull ? kNull : e.ts + e.skew);
    bind_s(q, 5, e.role), bind_s(q, 6, e.category), bind_s(q, 7, e.kind), bind_s(q, 8, e.raw);
    bind_s(q, 9, e.message), bind_s(q, 10, e.client_ip), bind_i(q, 11, e.client_port);
    bind_s(q, 12, e.server_ip), bind_i(q, 13, e.server_port), bind_s(q, 14, e.host);
    q.exec();
    return db_.getLastInsertRowid();
  }

  int64_t setting(int64_t source, const std::string& component, const std::string& scope, const std::string& listener,
                  const std::string& key, const std::string& raw, int64_t value, const std::string& unit,
                  const std::string& text, int64_t line, const std::string& status, const std::string& note = "") {
    SQLite::Statement q(db_,
                        "INSERT INTO settings(source_id, component, scope, listener, key, raw, value, unit, text, "
                        "line, status, note) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)");
    bind_i(q, 1, source == 0 ? kNull : source), q.bind(2, component), bind_s(q, 3, scope), bind_s(q, 4, listener);
    q.bind(5, key), bind_s(q, 6, raw), bind_i(q, 7, value), bind_s(q, 8, unit), bind_s(q, 9, text);
    bind_i(q, 10, line), q.bind(11, status), bind_s(q, 12, note);
    q.exec();
    return db_.getLastInsertRowid();
  }

  int64_t finding(const std::string& cls, const std::string& rule, const std::string& endpoint, int64_t count,
                  int64_t first, int64_t last, double conf, const std::string& title, const std::string& expl,
                  const std::string& rec) {
    SQLite::Statement q(db_,
                        "INSERT INTO findings(cause_class, rule, endpoint, count, first_ts, last_ts, confidence, "
                        "title, explanation, recommendation) VALUES(?,?,?,?,?,?,?,?,?,?)");
    q.bind(1, cls), bind_s(q, 2, rule), bind_s(q, 3, endpoint), q.bind(4, static_cast<int64_t>(count));
    bind_i(q, 5, first), bind_i(q, 6, last), q.bind(7, conf), bind_s(q, 8, title), bind_s(q, 9, expl);
    bind_s(q, 10, rec);
    q.exec();
    return db_.getLastInsertRowid();
  }

  int64_t incident(int64_t event, int64_t finding, int64_t ts, const std::string& kind, const std::string& target,
                   int64_t port, const std::string& cls, const std::string& rule, double conf,
                   const std::string& expl, const std::string& searched = "") {
    SQLite::Statement q(db_,
                        "INSERT INTO incidents(event_id, finding_id, ts, kind, target, local_port, cause_class, rule, "
                        "confidence, explanation, searched) VALUES(?,?,?,?,?,?,?,?,?,?,?)");
    q.bind(1, static_cast<int64_t>(event)), bind_i(q, 2, finding == 0 ? kNull : finding), bind_i(q, 3, ts);
    bind_s(q, 4, kind), bind_s(q, 5, target), bind_i(q, 6, port), q.bind(7, cls), bind_s(q, 8, rule);
    q.bind(9, conf), bind_s(q, 10, expl), bind_s(q, 11, searched);
    q.exec();
    return db_.getLastInsertRowid();
  }

  void evidence(int64_t incident, int64_t event, int64_t setting, const std::string& role, const std::string& why) {
    SQLite::Statement q(db_, "INSERT INTO evidence(incident_id, event_id, setting_id, role, why) VALUES(?,?,?,?,?)");
    q.bind(1, static_cast<int64_t>(incident)), bind_i(q, 2, event == 0 ? kNull : event);
    bind_i(q, 3, setting == 0 ? kNull : setting), bind_s(q, 4, role), bind_s(q, 5, why);
    q.exec();
  }

  void alternative(int64_t incident, const std::string& cls, const std::string& rule, double conf) {
    SQLite::Statement q(db_, "INSERT INTO alternatives(incident_id, cause_class, rule, confidence) VALUES(?,?,?,?)");
    q.bind(1, static_cast<int64_t>(incident)), q.bind(2, cls), bind_s(q, 3, rule), q.bind(4, conf);
    q.exec();
  }

  void skew(int64_t source, int64_t offset, int64_t spread, int64_t pairs, const std::string& method) {
    SQLite::Statement q(db_, "INSERT INTO skew(source_id, offset_us, spread_us, pairs, method) VALUES(?,?,?,?,?)");
    q.bind(1, static_cast<int64_t>(source)), q.bind(2, static_cast<int64_t>(offset)), bind_i(q, 3, spread);
    bind_i(q, 4, pairs), q.bind(5, method);
    q.exec();
  }

 private:
  SQLite::Database& db_;
};

std::string dotnet_reset(int64_t ts_us) {
  std::string t = format_iso_ms(ts_us);
  t[10] = ' ';
  t.pop_back();
  return t +
         " ERROR OrderSync.Client: System.Net.Http.HttpRequestException: An error occurred while sending the "
         "request. ---> System.IO.IOException: Unable to read data from the transport connection: An existing "
         "connection was forcibly closed by the remote host.. ---> System.Net.Sockets.SocketException (10054): An "
         "existing connection was forcibly closed by the remote host.";
}

std::string access_line(const std::string& clf_time, int port, const std::string& req, int status, int bytes,
                        const std::string& ua) {
  return "10.0.0.5 - - [" + clf_time + " +0000] \"" + req + "\" " + std::to_string(status) + " " +
         std::to_string(bytes) + " \"-\" \"" + ua + "\" rt=0.012 cp=" + std::to_string(port);
}

}  // namespace

// The sample incident: an order-sync client behind NAT calling three nginx endpoints.
void build_sample_db(SQLite::Database& db, const std::string& ua = "OrderSync/2.3 (.NET 8.0; Windows)") {
  Builder b(db);
  const int64_t skew_client = 2500000;  // client clock 2.5 s behind
  int64_t s_client = b.source("client/ordersync.log", "client-dotnet", "ok", 1412, 37, at(10, 0, 0, 0), at(10, 19, 58, 118));
  int64_t s_access = b.source("nginx/access.log", "nginx-access", "ok", 88502, 88502, at(10, 0, 0, 12), at(10, 20, 0, 0));
  int64_t s_error = b.source("nginx/error.log", "nginx-error", "ok", 214, 214, at(10, 0, 3, 0), at(10, 19, 40, 0));
  int64_t s_conf = b.source("config/nginx.conf", "config-nginx", "ok", 96, 0, kNull, kNull);
  int64_t s_fw = b.source("firewall/kern.log", "iptables-log", "partial", 5120, 5101, at(10, 0, 1, 0), at(10, 19, 59, 0),
                          "firewall/kern.log:311: unparsed: truncated line");
  b.source("misc/notes.txt", "", "unrecognised", 12, 0, kNull, kNull);
  b.source("misc/core.1234.gz", "", "unreadable", kNull, kNull, kNull, kNull,
           "misc/core.1234.gz:0: gzip: unexpected end of file");
  b.skew(s_client, skew_client, 12000, 40, "estimated");
  b.skew(s_fw, -800000, kNull, kNull, "user");

  int64_t k_keepalive = b.setting(s_conf, "nginx", "server 10.0.0.9:443", "10.0.0.9:443", "keepalive_timeout", "75s",
                                  75000, "ms", "", 31, "read");
  int64_t k_body = b.setting(s_conf, "nginx", "server 10.0.0.9:443", "10.0.0.9:443", "client_max_body_size", "1m",
                             1048576, "bytes", "", 18, "read");
  int64_t k_proto = b.setting(s_conf, "nginx", "server 10.0.0.12:443", "10.0.0.12:443", "ssl_protocols",
                              "TLSv1.2 TLSv1.3", kNull, "protocols", "TLSv1.2-TLSv1.3", 35, "read");
  b.setting(0, "aws-elb", "load balancer", "*:443", "idle_timeout", "60s", 60000, "ms", "", 0, "assumed",
            "AWS ALB default idle timeout (no load balancer settings in the bundle)");


  // Finding 1: idle-timeout, three failures, no recommendation from the correlator.
  int64_t f1 = b.finding("idle-timeout", "idle-timeout.keepalive-reuse", "api.example.com:443", 3, at(10, 14, 3, 118),
                         at(10, 17, 40, 2), 0.9, "Keep-alive connection reused after nginx closed it",
                         "the client reused pooled connections idle longer than nginx keepalive_timeout 75 s", "");
  struct Idle {
    int64_t fail, prev;
    int port;
    const char* clf;
    int line, access_line;
  } idles[] = {{at(10, 14, 3, 118), at(10, 12, 47, 20), 51234, "02/Mar/2026:10:12:47", 207, 41102},
               {at(10, 15, 30, 500), at(10, 14, 9, 0), 51240, "02/Mar/2026:10:14:09", 311, 51877},
               {at(10, 17, 40, 2), at(10, 16, 20, 900), 51302, "02/Mar/2026:10:16:20", 519, 70213}};
  for (const auto& x : idles) {
    int64_t ce = b.event({s_client, x.line, x.fail - skew_client, skew_client, "client", "client-failure", "reset",
                          dotnet_reset(x.fail - skew_client), "An existing connection was forcibly closed by the remote host",
                          "", "", "api.example.com", kNull, 443});
    int64_t pe = b.event({s_access, x.access_line, x.prev, 0, "proxy", "request", "",
                          access_line(x.clf, x.port, "GET /v1/orders?since=10:12 HTTP/1.1", 200, 5120, ua), "",
                          "203.0.113.7", "10.0.0.9", "api.example.com", x.port, 443});
    char expl[200];
    std::snprintf(expl, sizeof expl,
                  "connection :%d sat idle %.1f s after its last request; nginx keepalive_timeout is 75 s", x.port,
                  double(x.fail - x.prev) / 1e6);
    int64_t in = b.incident(ce, f1, x.fail, "reset", "api.example.com:443", x.port, "idle-timeout",
                            "idle-timeout.keepalive-reuse", 0.9, expl);
    b.evidence(in, pe, 0, "proxy", "last request on the same connection (client port and endpoint)");
    b.evidence(in, 0, k_keepalive, "config", "listener 10.0.0.9:443 keep-alive timeout");
    b.alternative(in, "firewall", "firewall.idle-expiry", 0.05);
  }

  // Finding 2: upstream-failure, two failures, recommendation written by the correlator.
  int64_t f2 = b.finding("upstream-failure", "upstream-failure.premature-close", "api.example.com:443", 2,
                         at(10, 16, 2, 250), at(10, 16, 2, 900), 0.85, "",
                         "the backend 10.0.1.20:8080 closed the connection before sending a response header",
                         "restart loop of orders-api 10.0.1.20:8080 (exit 137 at 10:16:01): raise its memory limit; "
                         "add proxy_next_upstream error for GET");
  for (int k = 0; k < 2; ++k) {
    int64_t t = at(10, 16, 2, k ? 900 : 250);
    int64_t ce = b.event({s_client, 402 + k * 9, t - skew_client, skew_client, "client", "client-failure", "eof",
                          dotnet_reset(t - skew_client), "The response ended prematurely", "", "", "api.example.com",
                          kNull, 443});
    int64_t ee = b.event({s_error, 150 + k, t - 3000, 0, "proxy", "upstream-closed", "",
                          "2026/03/02 10:16:02 [error] 811#811: *" + std::to_string(90211 + k) +
                              " upstream prematurely closed connection while reading response header from upstream, "
                              "client: 203.0.113.7, server: api.example.com, request: \"POST /v1/orders HTTP/1.1\", "
                              "upstream: \"http://10.0.1.20:8080/v1/orders\", host: \"api.example.com\"",
                          "upstream prematurely closed connection", "203.0.113.7", "10.0.1.20", "api.example.com",
                          kNull, 8080});
    int64_t in = b.incident(ce, f2, t, "eof", "api.example.com:443", 51400 + k, "upstream-failure",
                            "upstream-failure.premature-close", 0.85,
                            "nginx logged 'upstream prematurely closed connection' 3 ms before the failure");
    b.evidence(in, ee, 0, "proxy", "same endpoint, 3 ms before the failure");
  }

  // Finding 3: request-rejected (413), derived recommendation from client_max_body_size.
  int64_t f3 = b.finding("request-rejected", "request-rejected.body-too-large", "upload.example.com:443", 1,
                         at(10, 18, 11, 0), at(10, 18, 11, 0), 0.8, "",
                         "nginx refused a 4.2 MB body: client_max_body_size is 1 MiB", "");
  {
    int64_t t = at(10, 18, 11, 0);
    int64_t ce = b.event({s_client, 610, t - skew_client, skew_client, "client", "client-failure", "broken-pipe",
                          "2026-03-02 10:18:08.500 ERROR Upload: System.IO.IOException: Broken pipe", "Broken pipe", "",
                          "", "upload.example.com", kNull, 443});
    int64_t ee = b.event({s_error, 188, t - 40000, 0, "proxy", "body-too-large", "",
                          "2026/03/02 10:18:10 [error] 811#811: *93002 client intended to send too large body: "
                          "4404019 bytes, client: 203.0.113.7, server: upload.example.com, request: \"PUT /v1/files "
                          "HTTP/1.1\", host: \"upload.example.com\"",
                          "client intended to send too large body", "203.0.113.7", "10.0.0.9", "upload.example.com",
                          kNull, 443});
    int64_t in = b.incident(ce, f3, t, "broken-pipe", "upload.example.com:443", 51502, "request-rejected",
                            "request-rejected.body-too-large", 0.8, "nginx refused a 4.2 MB body (limit 1 MiB)");
    b.evidence(in, ee, 0, "proxy", "413 on the same endpoint 40 ms before");
    b.evidence(in, 0, k_body, "config", "limit for this server block");
  }

  // Finding 4: tls-mismatch with an alternative.
  int64_t f4 = b.finding("tls-mismatch", "tls-mismatch.protocol", "legacy.example.com:443", 1, at(10, 19, 0, 0),
                         at(10, 19, 0, 0), 0.7, "", "the client offered TLSv1.0 only; nginx allows TLSv1.2 TLSv1.3", "");
  {
    int64_t t = at(10, 19, 0, 0);
    int64_t ce = b.event({s_client, 702, t - skew_client, skew_client, "client", "client-failure", "tls",
                          "2026-03-02 10:18:57.500 ERROR Legacy: System.Security.Authentication.AuthenticationException: "
                          "Authentication failed because the remote party has closed the transport stream.",
                          "Authentication failed", "", "", "legacy.example.com", kNull, 443});
    int64_t ee = b.event({s_error, 201, t - 2000, 0, "tls", "tls-handshake-failed", "",
                          "2026/03/02 10:19:00 [info] 811#811: *94001 SSL_do_handshake() failed (SSL: "
                          "error:0A000102:SSL routines::unsupported protocol) while SSL handshaking, client: "
                          "203.0.113.7, server: 0.0.0.0:443",
                          "SSL_do_handshake() failed: unsupported protocol", "203.0.113.7", "10.0.0.12", "", kNull,
                          443});
    int64_t in = b.incident(ce, f4, t, "tls", "legacy.example.com:443", 51600, "tls-mismatch", "tls-mismatch.protocol",
                            0.7, "handshake failed with 'unsupported protocol' 2 ms before");
    b.evidence(in, ee, 0, "tls", "handshake failure on the same listener");
    b.evidence(in, 0, k_proto, "config", "protocols the listener accepts");
    b.alternative(in, "protocol-mismatch", "protocol-mismatch.tls-to-plain", 0.2);
  }

  // Unexplained: one reset nothing in the bundle saw.
  {
    int64_t t = at(10, 19, 30, 0);
    int64_t ce = b.event({s_client, 733, t - skew_client, skew_client, "client", "client-failure", "reset",
                          dotnet_reset(t - skew_client), "An existing connection was forcibly closed by the remote host",
                          "", "", "api.example.com", kNull, 443});
    b.incident(ce, 0, t, "reset", "api.example.com:443", 51710, "unexplained", "", 0.1,
               "no source logged connection :51710 near the failure",
               "nginx/access.log, nginx/error.log, firewall/kern.log: nothing within 2 s on api.example.com:443");
  }

  // A firewall line that is not evidence, for the chart's server-side rows.
  b.event({s_fw, 77, at(10, 15, 0, 0), -800000, "firewall", "firewall-drop", "",
           "Mar  2 10:15:00 fw1 kernel: [811.2] DROP IN=eth0 OUT= SRC=198.51.100.9 DST=10.0.0.9 PROTO=TCP SPT=4444 DPT=22",
           "DROP", "198.51.100.9", "10.0.0.9", "", 4444, 22});
}

// Hostile variant: the same incident with attacker-controlled text in every log-derived field.
const char* const kHostile = "<script>document.title='pwned'</script>\"><img src=x onerror=alert(1)>";

void build_hostile_db(SQLite::Database& db) {
  build_sample_db(db, std::string("Mozilla/5.0 ") + kHostile + " \x1b]0;owned\x07\x1b[2J ```` [x](javascript:alert(1)) | </pre>");
  SQLite::Statement q(db, "UPDATE findings SET explanation = explanation || ?, endpoint = ? WHERE id = 1");
  q.bind(1, std::string(" ") + kHostile);
  q.bind(2, std::string("api.example.com:443") + kHostile);
  q.exec();
  SQLite::Statement q2(db, "UPDATE sources SET path = ? WHERE path = 'misc/notes.txt'");
  q2.bind(1, std::string("misc/<b>notes</b>\x1b[31m.txt"));
  q2.exec();
  SQLite::Statement q3(db, "UPDATE incidents SET searched = ? WHERE cause_class = 'unexplained'");
  q3.bind(1, std::string("nginx/access.log ") + kHostile);
  q3.exec();
}

}  // namespace rstscope::report::testdata

namespace rstscope::report {
namespace {

using testdata::build_sample_db;

std::string golden_dir() { return std::string(RSTSCOPE_SOURCE_DIR) + "/tests/fixtures/report"; }

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

ReportOptions golden_options() {
  ReportOptions o;
  o.db_path = "incident.db";
  o.written = {"incident.md", "incident.html"};
  o.version = "test";
  o.width = 100;
  return o;
}

void check_golden(const std::string& name, const std::string& actual) {
  std::string path = golden_dir() + "/" + name;
  const char* upd = std::getenv("RSTSCOPE_UPDATE_GOLDEN");
  if (upd && std::string(upd) == "1") {
    std::filesystem::create_directories(golden_dir());
    std::ofstream(path, std::ios::binary) << actual;
    std::cerr << "updated " << path << "\n";
  }
  ASSERT_TRUE(std::filesystem::exists(path)) << path << " missing: run with RSTSCOPE_UPDATE_GOLDEN=1";
  std::string expected = slurp(path);
  EXPECT_EQ(expected, actual) << "report differs from " << path
                              << " (if the change is intended: RSTSCOPE_UPDATE_GOLDEN=1 ./test_report)";
}

class ReportSample : public ::testing::Test {
 protected:
  SQLite::Database db{":memory:", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE};
  void SetUp() override { build_sample_db(db); }
};

TEST_F(ReportSample, GoldenText) { check_golden("sample.txt", render_report(db, ReportFormat::text, golden_options())); }
TEST_F(ReportSample, GoldenMarkdown) { check_golden("sample.md", render_report(db, ReportFormat::md, golden_options())); }
TEST_F(ReportSample, GoldenJson) { check_golden("sample.json", render_report(db, ReportFormat::json, golden_options())); }

TEST_F(ReportSample, ModelRanksFindingsAndGroupsUnexplained) {
  Model m = load_model(db, 3);
  ASSERT_EQ(m.findings.size(), 4u);
  EXPECT_EQ(m.findings[0].cause_class, "idle-timeout");
  EXPECT_EQ(m.findings[0].count, 3);
  EXPECT_EQ(m.findings[1].cause_class, "upstream-failure");
  // Ties (count 1) are ordered by first time.
  EXPECT_EQ(m.findings[2].cause_class, "request-rejected");
  EXPECT_EQ(m.findings[3].cause_class, "tls-mismatch");
  EXPECT_EQ(m.failures, 8);
  EXPECT_EQ(m.unexplained_count, 1);
  ASSERT_EQ(m.unexplained.size(), 1u);
  EXPECT_NE(m.unexplained[0].searched.find("firewall/kern.log"), std::string::npos);
  EXPECT_EQ(m.sources_other.size(), 2u);
  EXPECT_EQ(m.skewed.size(), 2u);
  ASSERT_EQ(m.by_kind.size(), 4u);
  EXPECT_EQ(m.by_kind[0].key, "reset");
  EXPECT_EQ(m.by_kind[0].n, 4);
  // Evidence quoted for the idle-timeout finding: log lines first, the config line last.
  const Finding& f = m.findings[0];
  ASSERT_EQ(f.quoted.size(), 3u);
  EXPECT_FALSE(f.quoted[0].is_setting);
  EXPECT_EQ(f.quoted[0].event.source, "nginx/access.log");
  EXPECT_EQ(f.quoted[0].event.line, 41102);
  EXPECT_TRUE(f.quoted[2].is_setting);
  EXPECT_EQ(f.quoted[2].setting.key, "keepalive_timeout");
}

TEST_F(ReportSample, DerivedRecommendationsNameTheSetting) {
  Model m = load_model(db, 3);
  EXPECT_EQ(m.findings[0].advice(),
            "client connections sat idle up to 81.5 s before reuse, past nginx keepalive_timeout 75 s "
            "(config/nginx.conf:31) on 10.0.0.9:443: set the client's pool idle timeout below 75 s or raise "
            "keepalive_timeout; retry idempotent requests once when a reused connection fails");
  EXPECT_TRUE(m.findings[0].advice_derived());
  // Nothing concrete derived for finding 2 (no upstream address, no setting): the correlator's own
  // recommendation is kept.
  EXPECT_FALSE(m.findings[1].derived_concrete) << m.findings[1].derived_recommendation;
  EXPECT_EQ(m.findings[1].advice().rfind("restart loop of orders-api", 0), 0u);
  EXPECT_FALSE(m.findings[1].advice_derived());
  EXPECT_NE(m.findings[2].advice().find("client_max_body_size 1 MiB (config/nginx.conf:18)"), std::string::npos)
      << m.findings[2].advice();
  EXPECT_NE(m.findings[3].advice().find("ssl_protocols TLSv1.2-TLSv1.3"), std::string::npos) << m.findings[3].advice();
  EXPECT_NE(m.findings[3].advice().find("unsupported protocol"), std::string::npos) << m.findings[3].advice();
}

// A concrete derived recommendation beats the rule's template; the template is the fallback.
TEST_F(ReportSample, ConcreteDerivedBeatsTheRuleTemplate) {
  db.exec("UPDATE findings SET recommendation = 'generic template advice' WHERE cause_class IN "
          "('idle-timeout', 'request-rejected')");
  Model m = load_model(db, 3);
  EXPECT_NE(m.findings[0].advice().find("keepalive_timeout 75 s"), std::string::npos) << m.findings[0].advice();
  EXPECT_NE(m.findings[2].advice().find("client_max_body_size"), std::string::npos) << m.findings[2].advice();
  std::string json = render_report(db, ReportFormat::json, ReportOptions{});
  EXPECT_EQ(json.find("generic template advice"), std::string::npos);
  // Without evidence nothing concrete is known: the template is shown.
  db.exec("DELETE FROM evidence");
  db.exec("DELETE FROM settings");
  m = load_model(db, 3);
  EXPECT_FALSE(m.findings[0].derived_concrete);
  EXPECT_EQ(m.findings[0].advice(), "generic template advice");
}

namespace {

EvidenceRow log_line(int64_t id, const std::string& source, int64_t line, const std::string& role,
                     const std::string& category, int64_t ts = kNull) {
  EvidenceRow r;
  r.event.id = id;
  r.event.source = source;
  r.event.line = line;
  r.event.role = role;
  r.event.category = category;
  r.event.ts = ts;
  return r;
}

SettingRow setting(int64_t id, const std::string& component, const std::string& scope, const std::string& listener,
                   const std::string& key, const std::string& raw, int64_t value, const std::string& unit,
                   const std::string& source, int64_t line, const std::string& status = "read") {
  SettingRow s;
  s.id = id, s.component = component, s.scope = scope, s.listener = listener, s.key = key, s.raw = raw;
  s.value = value, s.unit = unit, s.source = source, s.line = line, s.status = status;
  return s;
}

Finding finding_of(const std::string& cls, const std::string& endpoint) {
  Finding f;
  f.cause_class = cls;
  f.endpoint = endpoint;
  f.incidents = {0};
  return f;
}

}  // namespace

// Per cause class: the derived text names what the evidence and the listener's settings say; with
// nothing known it is generic and not concrete.
TEST(ReportRecommend, EachClassNamesItsEvidence) {
  std::vector<SettingRow> conf = {
      setting(1, "nginx", "server api", "*:443", "ssl_protocols", "TLSv1.3", kNull, "protocols", "conf/nginx.conf", 12),
      setting(2, "nginx", "server api", "*:443", "ssl_ciphers", "ECDHE-RSA-AES256-GCM-SHA384", kNull, "",
              "conf/nginx.conf", 13),
      setting(3, "nginx", "server api", "*:443", "proxy_read_timeout", "60s", 60000, "ms", "", kNull, "assumed"),
      setting(4, "nginx", "server api location /reports/", "*:443", "proxy_read_timeout", "5s", 5000, "ms",
              "conf/nginx.conf", 30),
      setting(5, "nginx", "server api location /upload", "*:443", "client_max_body_size", "10m", 10485760, "bytes",
              "conf/nginx.conf", 40),
      setting(6, "nginx", "server api", "*:443", "listen", "443 ssl", kNull, "", "conf/nginx.conf", 10),
      setting(7, "nginx", "server api", "*:80", "listen", "80", kNull, "", "conf/nginx.conf", 50),
      setting(8, "iptables", "table filter chain INPUT", "*:443", "REJECT",
              "-A INPUT -s 198.51.100.0/24 -p tcp --dport 443 -j REJECT --reject-with tcp-reset", kNull, "",
              "fw/iptables.rules", 7),
      setting(9, "nginx", "server other", "10.9.9.9:443", "ssl_protocols", "TLSv1", kNull, "protocols",
              "conf/other.conf", 3),
  };
  Incident in;
  in.ts = 100'000'000;
  std::vector<Incident> incs{in};

  // tls-mismatch: the reason from the server line, the listener's floor (the wildcard listener serves
  // a host name; the 10.9.9.9 listener does not).
  Finding f = finding_of("tls-mismatch", "api.example.com:443");
  incs[0].evidence = {log_line(1, "nginx/error.log", 77, "proxy", "tls-handshake-failed")};
  incs[0].evidence[0].event.tls_reason = "unsupported protocol";
  Derived d = derive_recommendation(f, incs, conf);
  EXPECT_TRUE(d.concrete);
  EXPECT_NE(d.text.find("(unsupported protocol, nginx/error.log:77)"), std::string::npos) << d.text;
  EXPECT_NE(d.text.find("nginx ssl_protocols TLSv1.3 (conf/nginx.conf:12)"), std::string::npos) << d.text;
  EXPECT_EQ(d.text.find("ssl_ciphers"), std::string::npos) << "a version refusal names the versions: " << d.text;
  EXPECT_EQ(d.text.find("TLSv1 ("), std::string::npos) << d.text;
  incs[0].evidence[0].event.tls_reason = "no shared cipher";
  d = derive_recommendation(f, incs, conf);
  EXPECT_NE(d.text.find("ssl_ciphers ECDHE-RSA-AES256-GCM-SHA384 (conf/nginx.conf:13)"), std::string::npos) << d.text;

  // server-timeout: the location that matches the request's path beats the server's default.
  f = finding_of("server-timeout", "api.example.com:443");
  incs[0].evidence = {log_line(2, "nginx/access.log", 9, "proxy", "upstream-timeout")};
  incs[0].evidence[0].event.path = "/reports/daily?x=1";
  incs[0].evidence[0].event.method = "GET";
  incs[0].evidence[0].event.status = 504;
  d = derive_recommendation(f, incs, conf);
  EXPECT_TRUE(d.concrete);
  EXPECT_NE(d.text.find("nginx proxy_read_timeout 5 s (conf/nginx.conf:30, location /reports/) fired for GET "
                        "/reports/daily (nginx/access.log:9, status 504)"),
            std::string::npos)
      << d.text;
  incs[0].evidence[0].event.path = "/orders";
  d = derive_recommendation(f, incs, conf);
  EXPECT_NE(d.text.find("proxy_read_timeout 60 s (assumed default)"), std::string::npos) << d.text;

  // request-rejected: the body size from the log and the location's limit.
  f = finding_of("request-rejected", "api.example.com:443");
  incs[0].evidence = {log_line(3, "nginx/error.log", 5, "proxy", "body-too-large")};
  incs[0].evidence[0].event.message = "client intended to send too large body: 20971520 bytes";
  incs[0].evidence[0].event.path = "/upload/x";
  incs[0].evidence[0].event.method = "PUT";
  d = derive_recommendation(f, incs, conf);
  EXPECT_NE(d.text.find("PUT /upload/x sent a 20971520-byte body to api.example.com:443, over nginx "
                        "client_max_body_size 10 MiB (conf/nginx.conf:40, location /upload)"),
            std::string::npos)
      << d.text;

  // upstream-failure: the backend address from nginx's upstream field.
  f = finding_of("upstream-failure", "api.example.com:443");
  incs[0].evidence = {log_line(4, "nginx/error.log", 8, "proxy", "upstream-refused")};
  incs[0].evidence[0].event.upstream = "http://10.0.1.20:8080/v1/orders";
  incs[0].evidence[0].event.message = "connect() failed (111: Connection refused)";
  d = derive_recommendation(f, incs, conf);
  EXPECT_TRUE(d.concrete);
  EXPECT_NE(d.text.find("backend 10.0.1.20:8080 refused the connection"), std::string::npos) << d.text;

  // protocol-mismatch: the TLS listener's line and the plain one of the same file.
  f = finding_of("protocol-mismatch", "api.example.com:443");
  f.rule = "protocol-mismatch.plain-http-to-tls";
  incs[0].evidence = {log_line(5, "nginx/error.log", 3, "proxy", "plain-http-to-https")};
  incs[0].evidence[0].event.message = "client sent plain HTTP request to HTTPS port";
  d = derive_recommendation(f, incs, conf);
  EXPECT_NE(d.text.find("a TLS listener (nginx listen 443 ssl, conf/nginx.conf:10"), std::string::npos) << d.text;
  EXPECT_NE(d.text.find("or the plain-HTTP listener *:80 (conf/nginx.conf:50)"), std::string::npos) << d.text;

  // firewall: the rule line on the port.
  f = finding_of("firewall", "api.example.com:443");
  incs[0].evidence = {log_line(6, "fw/kern.log", 4, "firewall", "fw-log")};
  incs[0].evidence[0].event.prefix = "BLOCK-PARTNER:";
  d = derive_recommendation(f, incs, conf);
  EXPECT_NE(d.text.find("the firewall reset flows to api.example.com:443 (fw/kern.log:4, log prefix BLOCK-PARTNER:) "
                        "by the rule `-A INPUT -s 198.51.100.0/24"),
            std::string::npos)
      << d.text;
  EXPECT_NE(d.text.find("(fw/iptables.rules:7)"), std::string::npos) << d.text;

  // server-unavailable: the server's stop line.
  f = finding_of("server-unavailable", "127.0.0.1:9000");
  incs[0].evidence = {log_line(7, "app/server.log", 41, "server", "server-stop", 99'000'000)};
  incs[0].evidence[0].event.message = "received SIGTERM, shutting down";
  d = derive_recommendation(f, incs, conf);
  EXPECT_NE(d.text.find("(app/server.log:41"), std::string::npos) << d.text;
  EXPECT_NE(d.text.find("received SIGTERM, shutting down"), std::string::npos) << d.text;

  // Nothing known: generic advice, not concrete (the rule's template is shown instead).
  incs[0].evidence.clear();
  for (const char* cls : {"idle-timeout", "tls-mismatch", "protocol-mismatch", "upstream-failure", "server-timeout",
                          "request-rejected", "firewall", "server-unavailable"}) {
    d = derive_recommendation(finding_of(cls, "127.0.0.1:7"), incs, {});
    EXPECT_FALSE(d.concrete) << cls << ": " << d.text;
    EXPECT_FALSE(d.text.empty()) << cls;
  }
}

// The explanation of a finding whose log gave no detail (HAProxy's "SSL handshake failure") has no
// empty "(category: )": the empty value takes its separator with it.
TEST(ReportRecommend, EmptyTemplateDetailLeavesNoEmptyParens) {
  const std::string t = "{source} logged a failed TLS handshake ({category}: {detail}) {delta}";
  EXPECT_EQ(correlate::render(t, {{"source", "haproxy/haproxy.log"}, {"category", "tls-handshake-failed"},
                                  {"detail", ""}, {"delta", "now"}}),
            "haproxy/haproxy.log logged a failed TLS handshake (tls-handshake-failed) now");
  EXPECT_EQ(correlate::render(t, {{"source", "nginx/error.log"}, {"category", "tls-handshake-failed"},
                                  {"detail", "unsupported protocol"}, {"delta", "now"}}),
            "nginx/error.log logged a failed TLS handshake (tls-handshake-failed: unsupported protocol) now");
  EXPECT_EQ(correlate::render("({category} {detail})", {{"category", "bad-request"}, {"detail", ""}}), "(bad-request)");
  EXPECT_EQ(correlate::render("keep {detail} here", {{"detail", ""}}), "keep  here");
}

TEST(ReportRecommend, ClientSettingAndAssumedDefault) {
  Finding f;
  f.cause_class = "idle-timeout";
  f.endpoint = "api.example.com:443";
  f.incidents = {0};
  Incident in;
  EvidenceRow server;
  server.is_setting = true;
  server.setting.id = 7;
  server.setting.component = "haproxy";
  server.setting.key = "timeout http-keep-alive";
  server.setting.value = 1000;
  server.setting.unit = "ms";
  server.setting.status = "assumed";
  server.setting.listener = "10.0.0.9:443";
  EvidenceRow client;
  client.is_setting = true;
  client.setting.id = 8;
  client.setting.component = "client";
  client.setting.key = "pool idle timeout";
  client.setting.value = 100000;
  client.setting.unit = "ms";
  client.setting.status = "read";
  client.setting.source = "client/appsettings.json";
  client.setting.line = 12;
  in.evidence = {server, client};
  std::vector<Incident> incs{in};
  EXPECT_EQ(derive_recommendation(f, incs).text,
            "client pool idle timeout 100 s (client/appsettings.json:12) exceeds haproxy timeout http-keep-alive 1 s "
            "(assumed default) on 10.0.0.9:443: set it below 1 s or raise timeout http-keep-alive");
  incs[0].evidence = {server};
  std::string r = derive_recommendation(f, incs).text;
  EXPECT_NE(r.find("documented default"), std::string::npos) << r;
  incs[0].evidence.clear();
  r = derive_recommendation(f, incs).text;
  EXPECT_NE(r.find("api.example.com:443"), std::string::npos) << r;
}

// Runs the "Dig deeper" lines of a terminal report in /bin/sh with `rstscope` defined as a function
// that prints its arguments, one per "[...]" block: what a user gets by pasting them.
std::vector<std::string> paste_into_shell(const std::vector<std::string>& lines) {
  std::string script = "rstscope() { for a in \"$@\"; do printf '[%s]' \"$a\"; done; printf '\\n'; }\n";
  for (const auto& l : lines) script += l + "\n";
  char path[] = "/tmp/rstscope-paste-XXXXXX";
  int fd = ::mkstemp(path);
  if (fd < 0) return {};
  std::ofstream(path) << script;
  ::close(fd);
  std::vector<std::string> out;
  if (std::FILE* p = ::popen((std::string("/bin/sh ") + path).c_str(), "r")) {
    char buf[4096];
    std::string all;
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) all.append(buf, n);
    ::pclose(p);
    // A quoted argument may hold newlines: split on "]\n" ends of invocations only.
    size_t at = 0;
    while (at < all.size()) {
      size_t end = all.find("]\n", at);
      if (end == std::string::npos) break;
      out.push_back(all.substr(at, end + 1 - at));
      at = end + 2;
    }
  }
  ::unlink(path);
  return out;
}

TEST_F(ReportSample, TextFitsWidthAndEndsWithQueries) {
  Model m = load_model(db, 3);
  std::vector<std::string> sql = query_example_sql(m);
  ASSERT_EQ(sql.size(), 2u);
  const std::string long_dir = "/var/tmp/incident-2026-11-24/investigation-of-the-forcibly-closed-resets";
  for (const std::string& db_path : {std::string("incident.db"), std::string("/tmp/audit2/m.db"),
                                    long_dir + "/m.db", long_dir + "/second-attempt/timeline.db"}) {
    for (int width : {100, 80, 60}) {
      ReportOptions o = golden_options();
      o.db_path = db_path;
      o.width = width;
      std::string t = render_report(db, ReportFormat::text, o);
      std::istringstream in(t);
      std::string line;
      std::vector<std::string> lines, dig;
      bool in_dig = false;
      while (std::getline(in, line)) {
        lines.push_back(line);
        if (in_dig) dig.push_back(line);
        if (line == "Dig deeper") in_dig = true;
        // A path cannot be cut: only a "db=PATH" line whose path is wider than the terminal may exceed it.
        bool unbreakable = line.rfind("  db=", 0) == 0 && db_path.size() + 5 > size_t(width);
        if (!unbreakable && line.rfind("  database  ", 0) != 0) {
          EXPECT_LE(columns(line), size_t(width)) << "width " << width << ", " << db_path << ": " << line;
        }
      }
      ASSERT_GE(dig.size(), 2u) << t;
      // Pasted into a shell, the lines run exactly the two commands.
      std::vector<std::string> ran = paste_into_shell(dig);
      ASSERT_EQ(ran.size(), 2u) << t;
      for (size_t i = 0; i < 2; ++i) {
        std::string got = std::regex_replace(ran[i], std::regex("\n +"), " ");
        EXPECT_EQ(got, "[query][" + db_path + "][" + sql[i] + "]") << "width " << width << ":\n" << t;
      }
      if (db_path == "incident.db" && width == 100) {
        // Each command: "rstscope query DB \" and its SQL on the next line.
        EXPECT_EQ(dig.size(), 4u) << t;
        EXPECT_EQ(dig[0], "  rstscope query incident.db \\");
        EXPECT_EQ(dig[1].rfind("    \"SELECT", 0), 0u) << dig[1];
      }
      EXPECT_NE(t.find("report    incident.html"), std::string::npos);
      EXPECT_EQ(t.find('\x1b'), std::string::npos);
    }
  }
}

TEST_F(ReportSample, ColourOnlyWhenAskedAndNoColorRespected) {
  ReportOptions o = golden_options();
  o.color = true;
  std::string t = render_report(db, ReportFormat::text, o);
  EXPECT_NE(t.find("\x1b[1m"), std::string::npos);
  EXPECT_NE(t.find("\x1b[33midle-timeout\x1b[0m"), std::string::npos);
  // Colour never changes the visible text.
  std::string stripped = std::regex_replace(t, std::regex("\x1b\\[[0-9;]*m"), "");
  EXPECT_EQ(stripped, render_report(db, ReportFormat::text, golden_options()));

  ::setenv("NO_COLOR", "1", 1);
  EXPECT_FALSE(want_color(stdout));
  ::unsetenv("NO_COLOR");
  // A pipe or a file is never a terminal.
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  EXPECT_FALSE(want_color(f));
  std::fclose(f);
}

TEST_F(ReportSample, JsonHasTheSpecShape) {
  std::string s = render_report(db, ReportFormat::json, golden_options());
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  ASSERT_EQ(p.parse(s).get(doc), simdjson::SUCCESS) << s;
  EXPECT_EQ(std::string_view(doc["tool"]["name"]), "rstscope");
  simdjson::dom::array incs = doc["incidents"];
  ASSERT_EQ(incs.size(), 8u);
  std::regex iso(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)");
  for (auto in : incs) {
    auto ce = in["client_event"];
    for (const char* k : {"source", "line", "ts", "kind", "target", "local_port"})
      EXPECT_EQ(ce[k].error(), simdjson::SUCCESS) << "client_event." << k;
    EXPECT_TRUE(std::regex_match(std::string(std::string_view(ce["ts"])), iso));
    for (const char* k : {"class", "rule", "confidence", "explanation"})
      EXPECT_EQ(in["cause"][k].error(), simdjson::SUCCESS) << "cause." << k;
    EXPECT_TRUE(in["evidence"].is_array());
    EXPECT_TRUE(in["alternatives"].is_array());
    double c = in["cause"]["confidence"];
    EXPECT_GE(c, 0.0);
    EXPECT_LE(c, 1.0);
  }
  // First incident: the idle-timeout reset at 10:14:03.118 with its proxy and config evidence.
  auto first = incs.at(0);
  EXPECT_EQ(std::string_view(first["client_event"]["source"]), "client/ordersync.log");
  EXPECT_EQ(int64_t(first["client_event"]["line"]), 207);
  EXPECT_EQ(std::string_view(first["client_event"]["ts"]), "2026-03-02T10:14:03.118Z");
  EXPECT_EQ(int64_t(first["client_event"]["local_port"]), 51234);
  EXPECT_EQ(std::string_view(first["cause"]["class"]), "idle-timeout");
  simdjson::dom::array ev = first["evidence"];
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(std::string_view(ev.at(0)["source"]), "nginx/access.log");
  EXPECT_EQ(std::string_view(ev.at(0)["ts"]), "2026-03-02T10:12:47.020Z");
  EXPECT_EQ(std::string_view(ev.at(0)["role"]), "proxy");
  EXPECT_EQ(std::string_view(ev.at(1)["source"]), "config/nginx.conf");
  EXPECT_EQ(int64_t(ev.at(1)["line"]), 31);
  EXPECT_EQ(std::string_view(ev.at(1)["role"]), "config");
  EXPECT_EQ(std::string_view(first["alternatives"].at(0)["class"]), "firewall");
  // The unexplained incident: null rule, what was searched.
  auto last = incs.at(7);
  EXPECT_EQ(std::string_view(last["cause"]["class"]), "unexplained");
  EXPECT_TRUE(last["cause"]["rule"].is_null());
  EXPECT_NE(std::string_view(last["cause"]["searched"]).find("firewall/kern.log"), std::string_view::npos);
  // Findings and sources.
  simdjson::dom::array fs = doc["findings"];
  ASSERT_EQ(fs.size(), 4u);
  EXPECT_EQ(std::string_view(fs.at(0)["class"]), "idle-timeout");
  EXPECT_EQ(int64_t(fs.at(0)["count"]), 3);
  EXPECT_TRUE(bool(fs.at(0)["recommendation_derived"]));
  simdjson::dom::array src = doc["sources"];
  ASSERT_EQ(src.size(), 7u);
  bool saw_unrecognised = false, saw_skew = false;
  for (auto so : src) {
    if (std::string_view(so["status"]) == "unrecognised") saw_unrecognised = true;
    if (!so["skew"].is_null() && int64_t(so["skew"]["offset_ms"]) == 2500) saw_skew = true;
  }
  EXPECT_TRUE(saw_unrecognised);
  EXPECT_TRUE(saw_skew);
}

TEST(ReportEmpty, EmptyTimelineRendersEveryFormat) {
  SQLite::Database db(":memory:", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  db.exec(std::string(timeline::kCreateTables));
  for (auto f : {ReportFormat::text, ReportFormat::md, ReportFormat::json, ReportFormat::html}) {
    std::string s = render_report(db, f, golden_options());
    EXPECT_FALSE(s.empty());
  }
  std::string t = render_report(db, ReportFormat::text, golden_options());
  EXPECT_NE(t.find("no client failures"), std::string::npos) << t;
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  ASSERT_EQ(p.parse(render_report(db, ReportFormat::json, golden_options())).get(doc), simdjson::SUCCESS);
  EXPECT_EQ(simdjson::dom::array(doc["incidents"]).size(), 0u);
}

TEST(ReportEmpty, UncorrelatedFailuresAreCountedNotDropped) {
  SQLite::Database db(":memory:", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  db.exec(std::string(timeline::kCreateTables));
  db.exec("INSERT INTO sources(id, path, parser, status) VALUES(1, 'client/app.log', 'client-python', 'ok')");
  db.exec("INSERT INTO events(source_id, line, ts, role, category, kind, host, server_port, raw) VALUES"
          "(1, 10, 1772446504118000, 'client', 'client-failure', 'eof', 'api.example.com', 443, 'RemoteDisconnected'),"
          "(1, 11, 1772446505118000, 'client', 'client-failure', 'reset', NULL, NULL, 'ECONNRESET')");
  Model m = load_model(db, 3);
  EXPECT_EQ(m.failures, 2);
  EXPECT_EQ(m.correlated, 0);
  ASSERT_EQ(m.by_target.size(), 2u);
  std::string t = render_report(db, ReportFormat::text, golden_options());
  EXPECT_NE(t.find("2 not correlated"), std::string::npos) << t;
}

// --- hostile input -------------------------------------------------------------------------

class ReportHostile : public ::testing::Test {
 protected:
  SQLite::Database db{":memory:", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE};
  void SetUp() override { testdata::build_hostile_db(db); }
};

std::string lower(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

TEST_F(ReportHostile, HtmlEscapesEveryLogString) {
  std::string html = render_report(db, ReportFormat::html, golden_options());
  std::string l = lower(html);
  EXPECT_EQ(l.find("<script"), std::string::npos);
  EXPECT_EQ(l.find("<img"), std::string::npos);
  EXPECT_EQ(l.find("<b>notes"), std::string::npos);
  EXPECT_NE(html.find("&lt;/pre&gt;"), std::string::npos);
  EXPECT_EQ(html.find('\x1b'), std::string::npos);
  EXPECT_EQ(html.find('\x07'), std::string::npos);
  // The hostile text is there, as text.
  EXPECT_NE(html.find("&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"), std::string::npos);
  // No external resource of any kind, and a CSP that forbids them.
  for (const char* bad : {"http://", "https://", "src=\"", "href=\"//", "@import", "url("}) {
    if (std::string(bad) == "http://") {
      // the only http:// allowed is the SVG namespace and the escaped upstream URL from the log
      std::string copy = html;
      size_t pos;
      while ((pos = copy.find("http://www.w3.org/2000/svg")) != std::string::npos) copy.erase(pos, 26);
      while ((pos = copy.find("http://10.0.1.20:8080")) != std::string::npos) copy.erase(pos, 21);
      EXPECT_EQ(copy.find(bad), std::string::npos) << bad;
    } else {
      EXPECT_EQ(html.find(bad), std::string::npos) << bad;
    }
  }
  EXPECT_NE(html.find("Content-Security-Policy\" content=\"default-src 'none'"), std::string::npos);
}

TEST_F(ReportHostile, TextCannotReachTheTerminal) {
  for (bool color : {false, true}) {
    ReportOptions o = golden_options();
    o.color = color;
    std::string t = render_report(db, ReportFormat::text, o);
    EXPECT_EQ(t.find('\x07'), std::string::npos);
    // Every ESC is one of ours: ESC [ digits m.
    for (size_t i = t.find('\x1b'); i != std::string::npos; i = t.find('\x1b', i + 1)) {
      ASSERT_TRUE(color) << "escape in uncoloured text at " << i;
      std::string tail = t.substr(i, 6);
      EXPECT_TRUE(std::regex_search(tail, std::regex("^\x1b\\[[0-9;]+m"))) << "stray escape: " << clean_text(tail);
    }
    if (!color) {
      EXPECT_NE(t.find("misc/<b>notes</b>\\x1b[31m.txt"), std::string::npos);
    }
  }
}

TEST_F(ReportHostile, MarkdownKeepsLogTextInert) {
  std::string md = render_report(db, ReportFormat::md, golden_options());
  EXPECT_EQ(md.find('\x1b'), std::string::npos);
  // Outside code blocks no raw '<' or '[' from logs survives unescaped.
  std::istringstream in(md);
  std::string line, fence;
  while (std::getline(in, line)) {
    if (fence.empty() && line.rfind("```", 0) == 0) {
      fence = line.substr(0, line.find_first_not_of('`'));
      continue;
    }
    if (!fence.empty()) {
      // The code block must not be closed early by a backtick run from the log.
      if (line == fence)
        fence.clear();
      else
        EXPECT_NE(line.rfind(fence, 0), 0u) << line;
      continue;
    }
    for (size_t i = line.find('<'); i != std::string::npos; i = line.find('<', i + 1))
      EXPECT_TRUE(i > 0 && line[i - 1] == '\\') << "raw < in: " << line;
    EXPECT_EQ(line.find("](javascript"), std::string::npos) << line;
  }
  EXPECT_TRUE(fence.empty()) << "unterminated code block";
  EXPECT_NE(md.find("\\<script\\>"), std::string::npos);
}

TEST_F(ReportHostile, JsonRoundTripsHostileText) {
  std::string s = render_report(db, ReportFormat::json, golden_options());
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  ASSERT_EQ(p.parse(s).get(doc), simdjson::SUCCESS);
  std::string_view expl = doc["findings"].at(0)["explanation"];
  EXPECT_NE(expl.find(testdata::kHostile), std::string_view::npos);
}

TEST(ReportFormat, EscapersAndWidth) {
  EXPECT_EQ(html_escape("<a href='x'>&\"</a>"), "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;");
  EXPECT_EQ(clean_text("a\x1b[31mb\tc\xff"), "a\\x1b[31mb c\xef\xbf\xbd");
  EXPECT_EQ(clean_text("\xc2\x9b" "31m"), "\\u009b31m");        // C1 CSI
  EXPECT_EQ(clean_text("x\xe2\x80\xaey"), "x\\u202ey");          // right-to-left override
  EXPECT_EQ(md_escape("a|b*c_[d](e)<f>"), "a\\|b\\*c\\_\\[d\\](e)\\<f\\>");
  EXPECT_EQ(md_code_block({"x ``` y"}), "````text\nx ``` y\n````\n");
  EXPECT_EQ(truncate_cols("héllo wörld", 8), "héllo...");
  EXPECT_EQ(columns("héllo"), 5u);
  EXPECT_EQ(wrap("aaa bbb ccc", 7), (std::vector<std::string>{"aaa bbb", "ccc"}));
  EXPECT_EQ(human_duration_us(76000000), "76 s");
  EXPECT_EQ(human_duration_us(130000000), "2 min 10 s");
  EXPECT_EQ(human_duration_us(75000000), "75 s");
  EXPECT_EQ(human_duration_us(1500000), "1.5 s");
  EXPECT_EQ(human_duration_us(3600000000LL), "1 h");
  EXPECT_EQ(signed_duration_us(-800000), "-800.0 ms");
  EXPECT_EQ(shell_quote("my db.sqlite"), "'my db.sqlite'");
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
  EXPECT_EQ(shell_quote("incident.db"), "incident.db");
  ReportFormat f;
  EXPECT_TRUE(parse_format("markdown", f));
  EXPECT_EQ(f, ReportFormat::md);
  EXPECT_FALSE(parse_format("pdf", f));
}

}  // namespace
}  // namespace rstscope::report
