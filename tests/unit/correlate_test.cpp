// Correlation machinery on small timelines built here (src/timeline/schema.h): the alias join,
// clock skew (estimated, firewall pairs, --skew), idempotent re-runs, ranking with alternatives
// and the near-tie rule, findings grouping, ports of config-less sources, and rule-load errors.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "correlate/correlate.h"
#include "correlate/engine.h"
#include "correlate/rules.h"
#include "rstscope/event.h"
#include "timeline/schema.h"

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

namespace rstscope::correlate {
namespace {

constexpr int64_t T0 = 1'780'000'000'000'000;  // a whole second
int64_t sec(double s) { return T0 + int64_t(s * 1e6); }

struct E {
  int64_t source = 0;
  double at = 0;
  std::string role, category, kind;
  int64_t client_port = kNull, server_port = kNull, status = kNull;
  std::string server_ip, client_ip, host, method, path, message, fields;
};

// A timeline file in a temporary folder, removed at the end.
class Timeline {
 public:
  Timeline() {
    path_ = (fs::temp_directory_path() / fmt_name()).string();
    fs::remove(path_);
    db_ = std::make_unique<SQLite::Database>(path_, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db_->exec(std::string(timeline::kCreateTables));
    db_->exec("INSERT OR REPLACE INTO meta(key, value) VALUES('state', 'complete')");
  }
  ~Timeline() {
    db_.reset();
    std::error_code ec;
    fs::remove(path_, ec);
  }
  const std::string& path() const { return path_; }
  SQLite::Database& db() { return *db_; }

  int64_t source(const std::string& path, const std::string& parser) {
    SQLite::Statement q(*db_, "INSERT INTO sources(path, parser, status, lines, events) VALUES(?, ?, 'ok', 1, 1)");
    q.bind(1, path), q.bind(2, parser);
    q.exec();
    return db_->getLastInsertRowid();
  }
  int64_t event(const E& e) {
    SQLite::Statement q(*db_,
                        "INSERT INTO events(source_id, line, ts, ts_corrected, role, category, kind, client_port, "
                        "server_port, status, server_ip, client_ip, host, method, path, message, raw, fields) "
                        "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    int64_t ts = sec(e.at);
    q.bind(1, e.source), q.bind(2, ++line_), q.bind(3, ts), q.bind(4, ts), q.bind(5, e.role), q.bind(6, e.category);
    text(q, 7, e.kind), num(q, 8, e.client_port), num(q, 9, e.server_port), num(q, 10, e.status);
    text(q, 11, e.server_ip), text(q, 12, e.client_ip), text(q, 13, e.host), text(q, 14, e.method), text(q, 15, e.path);
    text(q, 16, e.message), q.bind(17, e.message.empty() ? e.category : e.message);
    text(q, 18, e.fields.empty() ? "{}" : e.fields);
    q.exec();
    return db_->getLastInsertRowid();
  }
  void setting(int64_t source, const std::string& component, const std::string& scope, const std::string& listener,
               const std::string& key, const std::string& raw) {
    SQLite::Statement q(*db_,
                        "INSERT INTO settings(source_id, component, scope, listener, key, raw, line, status) "
                        "VALUES(?,?,?,?,?,?,1,'read')");
    q.bind(1, source), q.bind(2, component), q.bind(3, scope), q.bind(4, listener), q.bind(5, key), q.bind(6, raw);
    q.exec();
  }
  // All rows of a query as one string (for comparing runs).
  std::string dump(const std::string& sql) {
    SQLite::Statement q(*db_, sql);
    std::string out;
    while (q.executeStep()) {
      for (int i = 0; i < q.getColumnCount(); ++i) out += (i ? "|" : "") + q.getColumn(i).getString();
      out += "\n";
    }
    return out;
  }
  std::string one(const std::string& sql) {
    std::string d = dump(sql);
    if (!d.empty() && d.back() == '\n') d.pop_back();
    return d;
  }

 private:
  static std::string fmt_name() {
    static int n = 0;
    return "rstscope-correlate-test-" + std::to_string(::getpid()) + "-" + std::to_string(++n) + ".db";
  }
  static void text(SQLite::Statement& q, int i, const std::string& v) {
    if (v.empty()) q.bind(i);
    else q.bind(i, v);
  }
  static void num(SQLite::Statement& q, int i, int64_t v) {
    if (v == kNull) q.bind(i);
    else q.bind(i, static_cast<int64_t>(v));
  }
  std::string path_;
  std::unique_ptr<SQLite::Database> db_;
  int64_t line_ = 0;
};

CorrelateOptions builtin() {
  CorrelateOptions o;
  o.rule_dirs.push_back(default_rules_dir());
  o.quiet = true;
  return o;
}

E failure(int64_t src, double at, const std::string& host, int64_t port, int64_t local_port, const std::string& kind = "reset") {
  E e;
  e.source = src, e.at = at, e.role = "client", e.category = "client-failure", e.kind = kind;
  e.host = host, e.server_port = port, e.client_port = local_port;
  return e;
}

E reject413(int64_t src, double at, int64_t client_port, int64_t server_port = kNull, const std::string& server_ip = "") {
  E e;
  e.source = src, e.at = at, e.role = "proxy", e.category = "body-too-large", e.status = 413;
  e.client_port = client_port, e.server_port = server_port, e.server_ip = server_ip;
  return e;
}

// ---------- alias join ----------

TEST(CorrelateAlias, UnresolvedNameMatchesByPortAndSaysSo) {
  Timeline t;
  int64_t c = t.source("client/app.log", "client-python");
  int64_t n = t.source("nginx/access.log", "nginx-access");
  t.event(failure(c, 10, "api.example.com", 443, 50001, "broken-pipe"));
  t.event(reject413(n, 10.1, 50001, 443, "10.0.0.9"));
  correlate_db(t.path(), builtin());
  EXPECT_EQ(t.one("SELECT cause_class FROM incidents"), "request-rejected");
  EXPECT_THAT(t.one("SELECT explanation FROM incidents"), HasSubstr("endpoint assumed by port"));
  double unresolved = std::stod(t.one("SELECT confidence FROM incidents"));

  // Told where the name lives, the same line is a known endpoint: no "assumed", more confidence.
  CorrelateOptions o = builtin();
  o.aliases = {{"API.example.com", "10.0.0.9:443"}};  // a port after the address is the listener's, not the host's
  correlate_db(t.path(), o);
  EXPECT_THAT(t.one("SELECT explanation FROM incidents"), Not(HasSubstr("assumed")));
  EXPECT_GT(std::stod(t.one("SELECT confidence FROM incidents")), unresolved);

  // A name that lives elsewhere does not meet a line of another address.
  o.aliases = {{"api.example.com", "10.0.0.7"}};
  correlate_db(t.path(), o);
  EXPECT_EQ(t.one("SELECT cause_class FROM incidents"), "unexplained");
}

TEST(CorrelateAlias, HostsFileInTheBundleResolvesTheName) {
  Timeline t;
  int64_t c = t.source("client/app.log", "client-python");
  int64_t n = t.source("lb/access.log", "nginx-access");
  int64_t h = t.source("etc/hosts", "hosts-file");
  E alias;
  alias.source = h, alias.role = "config", alias.category = "host-alias", alias.host = "api.example.com",
  alias.server_ip = "10.0.0.9";
  t.event(alias);
  t.event(failure(c, 10, "api.example.com", 443, 50001, "broken-pipe"));
  t.event(reject413(n, 10.1, 50001, 443, "10.0.0.5"));  // another host on the same port
  correlate_db(t.path(), builtin());
  EXPECT_EQ(t.one("SELECT cause_class FROM incidents"), "unexplained");
  t.event(reject413(n, 10.2, 50001, 443, "10.0.0.9"));
  correlate_db(t.path(), builtin());
  EXPECT_EQ(t.one("SELECT cause_class FROM incidents"), "request-rejected");
  EXPECT_EQ(t.one("SELECT e.server_ip FROM evidence v JOIN events e ON e.id = v.event_id LIMIT 1"), "10.0.0.9");
}

TEST(CorrelateAlias, HostHeaderAndServerNameAreTheName) {
  Timeline t;
  int64_t c = t.source("client/app.log", "client-python");
  int64_t n = t.source("nginx/access.log", "nginx-access");
  int64_t conf = t.source("nginx/nginx.conf", "config-nginx");
  t.setting(conf, "nginx", "server api.example.com", "10.0.0.9:443", "listen", "10.0.0.9:443 ssl");
  t.event(failure(c, 10, "api.example.com", 443, 50001, "broken-pipe"));
  // The line names another address, but its Host header is the client's target.
  E hdr = reject413(n, 10.1, 50001, 443, "192.168.1.1");
  hdr.host = "api.example.com:443";
  t.event(hdr);
  correlate_db(t.path(), builtin());
  EXPECT_EQ(t.one("SELECT cause_class FROM incidents"), "request-rejected");
  EXPECT_THAT(t.one("SELECT explanation FROM incidents"), Not(HasSubstr("assumed")));

  // server_name on 10.0.0.9 makes the name an alias of that address: a line of 10.0.0.9 without a
  // Host header is the endpoint, a line of another address is not.
  t.db().exec("UPDATE events SET host = NULL, server_ip = '10.0.0.5' WHERE category = 'body-too-large'");
  correlate_db(t.path(), builtin());
  EXPECT_EQ(t.one("SELECT cause_class FROM incidents"), "unexplained");
  t.db().exec("UPDATE events SET server_ip = '10.0.0.9' WHERE category = 'body-too-large'");
  correlate_db(t.path(), builtin());
  EXPECT_EQ(t.one("SELECT cause_class FROM incidents"), "request-rejected");
  EXPECT_THAT(t.one("SELECT explanation FROM incidents"), Not(HasSubstr("assumed")));
}

TEST(CorrelateAlias, NamesChainAndListenAddressesCount) {
  Timeline t;
  int64_t c = t.source("client/app.log", "client-python");
  int64_t lb = t.source("lb/haproxy.log", "haproxy-http");
  int64_t conf = t.source("lb/haproxy.cfg", "config-haproxy");
  t.setting(conf, "haproxy", "frontend fe", "10.0.0.7:443", "bind", "10.0.0.7:443 ssl");
  t.event(failure(c, 10, "api.example.com", 443, 50001, "broken-pipe"));
  t.event(reject413(lb, 10.1, 50001));  // no address, no port: the config says 10.0.0.7:443
  // api.example.com -> lb.internal -> 10.0.0.7: the listener's address.
  CorrelateOptions o = builtin();
  o.aliases = {{"api.example.com", "lb.internal"}, {"lb.internal", "10.0.0.7"}};
  correlate_db(t.path(), o);
  EXPECT_EQ(t.one("SELECT cause_class FROM incidents"), "request-rejected");
  EXPECT_THAT(t.one("SELECT explanation FROM incidents"), Not(HasSubstr("assumed")));
  // Resolved elsewhere, the only listener on 443 is not the target's.
  o.aliases = {{"api.example.com", "10.0.0.9"}};
  correlate_db(t.path(), o);
  EXPECT_EQ(t.one("SELECT cause_class FROM incidents"), "unexplained");
}

TEST(CorrelateAlias, WildcardAndLoopbackListenersMatchAnyAddress) {
  Timeline t;
  int64_t c = t.source("client/app.log", "client-python");
  int64_t n = t.source("nginx/access.log", "nginx-access");
  t.event(failure(c, 10, "api.example.com", 443, 50001, "broken-pipe"));
  t.event(reject413(n, 10.1, 50001, 443, "0.0.0.0"));
  CorrelateOptions o = builtin();
  o.aliases = {{"api.example.com", "10.0.0.9"}};
  correlate_db(t.path(), o);
  EXPECT_EQ(t.one("SELECT cause_class FROM incidents"), "request-rejected");
}

// ---------- clock skew ----------

// Client requests and proxy lines of the same connections; the client's clock is `client_off` s
// behind, a firewall's `fw_off` s.
void skewed_day(Timeline& t, double client_off, double fw_off) {
  int64_t c = t.source("client/app.log", "client-python");
  int64_t n = t.source("nginx/access.log", "nginx-access");
  int64_t f = t.source("firewall/kern.log", "netfilter");
  for (int i = 0; i < 5; ++i) {
    E req;
    req.source = c, req.at = 100 + 10 * i - client_off, req.role = "client", req.category = "client-request";
    req.client_port = 40000 + i, req.server_port = 8080, req.host = "127.0.0.1";
    t.event(req);
    E srv;
    srv.source = n, srv.at = 100 + 10 * i, srv.role = "proxy", srv.category = "request", srv.status = 200;
    srv.client_port = 40000 + i, srv.server_port = 8080, srv.client_ip = "10.1.0.5";
    t.event(srv);
    E fw;
    fw.source = f, fw.at = 100 + 10 * i - fw_off, fw.role = "firewall", fw.category = "fw-log";
    fw.client_port = 40000 + i, fw.server_port = 8080, fw.client_ip = "10.1.0.5", fw.server_ip = "10.2.0.1";
    t.event(fw);
  }
}

TEST(CorrelateSkew, ClientAndFirewallOffsetsAreEstimatedAgainstTheProxy) {
  Timeline t;
  skewed_day(t, 4.0, -3.0);
  auto s = correlate_db(t.path(), builtin());
  EXPECT_EQ(t.one("SELECT k.offset_us, k.pairs, k.method FROM skew k JOIN sources s ON s.id = k.source_id "
                  "WHERE s.path = 'client/app.log'"),
            "4000000|5|estimated");
  EXPECT_EQ(t.one("SELECT k.offset_us, k.method FROM skew k JOIN sources s ON s.id = k.source_id "
                  "WHERE s.path = 'firewall/kern.log'"),
            "-3000000|estimated");
  // Corrected times line up with the proxy's.
  EXPECT_EQ(t.one("SELECT COUNT(DISTINCT ts_corrected) FROM events WHERE client_port = 40002"), "1");
  EXPECT_EQ(s.skew_notes.size(), 2u);
}

TEST(CorrelateSkew, SmallOffsetsAreNotApplied) {
  Timeline t;
  skewed_day(t, 1.0, 0);
  correlate_db(t.path(), builtin());
  EXPECT_EQ(t.one("SELECT k.offset_us, k.method FROM skew k JOIN sources s ON s.id = k.source_id "
                  "WHERE s.path = 'client/app.log'"),
            "0|estimated-below-threshold");
}

TEST(CorrelateSkew, UserOffsetOverridesTheEstimate) {
  Timeline t;
  skewed_day(t, 4.0, 0);
  CorrelateOptions o = builtin();
  o.skew = {{"app.log", -2'000'000}};
  auto s = correlate_db(t.path(), o);
  EXPECT_EQ(t.one("SELECT k.offset_us, k.pairs, k.method FROM skew k JOIN sources s ON s.id = k.source_id "
                  "WHERE s.path = 'client/app.log'"),
            "-2000000|0|user");
  EXPECT_EQ(t.one("SELECT ts_corrected - ts FROM events e JOIN sources s ON s.id = e.source_id "
                  "WHERE s.path = 'client/app.log' LIMIT 1"),
            "-2000000");
  EXPECT_THAT(s.skew_notes, ::testing::Contains(HasSubstr("client/app.log: clock offset -2.000 s (set by --skew)")));
}

TEST(CorrelateSkew, SourceIsMatchedExactlyOrByAUniqueSuffix) {
  Timeline t;
  t.source("client/app.log", "client-python");
  t.source("client/app.log.1", "client-python");
  t.source("old/client/app.log", "client-python");
  t.source("nginx/error.log", "nginx-error");
  CorrelateOptions o = builtin();
  o.skew = {{"client/app.log", 1'000'000}};  // exact path, though old/client/app.log ends with it too
  correlate_db(t.path(), o);
  EXPECT_EQ(t.one("SELECT s.path FROM skew k JOIN sources s ON s.id = k.source_id"), "client/app.log");
  o.skew = {{"error.log", 1'000'000}};  // the only path ending in /error.log
  correlate_db(t.path(), o);
  EXPECT_EQ(t.one("SELECT s.path FROM skew k JOIN sources s ON s.id = k.source_id"), "nginx/error.log");

  o.skew = {{"app.log", 1'000'000}};  // two paths end in /app.log
  try {
    correlate_db(t.path(), o);
    ADD_FAILURE() << "an ambiguous --skew was accepted";
  } catch (const OptionError& e) {
    EXPECT_THAT(e.what(), HasSubstr("2 sources end in /app.log"));
    EXPECT_THAT(e.what(), HasSubstr("old/client/app.log"));
  }
  o.skew = {{"log", 1'000'000}};  // a substring of every path is no match at all
  try {
    correlate_db(t.path(), o);
    ADD_FAILURE() << "--skew log matched by substring";
  } catch (const OptionError& e) {
    EXPECT_THAT(e.what(), HasSubstr("no source has this path"));
    EXPECT_THAT(e.what(), HasSubstr("nginx/error.log"));
  }
}

// ---------- idempotence, findings ----------

TEST(Correlate, RunningTwiceGivesIdenticalTables) {
  Timeline t;
  skewed_day(t, 4.0, -3.0);
  int64_t c = t.source("client/other.log", "client-python");
  int64_t n = t.source("haproxy/haproxy.log", "haproxy-http");
  for (int i = 0; i < 3; ++i) {
    t.event(failure(c, 200 + i, "127.0.0.1", 8080, 51000 + i, "broken-pipe"));
    t.event(reject413(n, 200.1 + i, 51000 + i, 8080));
  }
  t.event(failure(c, 300, "127.0.0.1", 9999, 52000));
  auto dump = [&] {
    std::string out;
    for (const char* table : {"incidents", "evidence", "alternatives", "findings", "skew"})
      out += t.dump(std::string("SELECT * FROM ") + table + " ORDER BY 1, 2");
    out += t.dump("SELECT id, ts_corrected FROM events ORDER BY id");
    return out;
  };
  correlate_db(t.path(), builtin());
  std::string first = dump();
  correlate_db(t.path(), builtin());
  EXPECT_EQ(dump(), first);
  EXPECT_EQ(t.one("SELECT COUNT(*) FROM incidents"), "4");
  EXPECT_EQ(t.one("SELECT COUNT(*) FROM skew WHERE method = 'estimated'"), "2");
}

TEST(Correlate, FindingsGroupSameCauseRuleAndTargetWithinTenMinutes) {
  Timeline t;
  int64_t c = t.source("client/app.log", "client-python");
  int64_t n = t.source("haproxy/haproxy.log", "haproxy-http");
  double times[] = {10, 20, 500, 1200};  // the last is 700 s after the one before: a new finding
  int port = 51000;
  for (double at : times) {
    t.event(failure(c, at, "127.0.0.1", 8080, port, "broken-pipe"));
    t.event(reject413(n, at + 0.1, port++, 8080));
  }
  t.event(failure(c, 30, "127.0.0.1", 9090, port, "broken-pipe"));  // another target
  t.event(reject413(n, 30.1, port, 9090));
  correlate_db(t.path(), builtin());
  EXPECT_EQ(t.dump("SELECT endpoint, count, first_ts - " + std::to_string(T0) + ", last_ts - " + std::to_string(T0) +
                   " FROM findings ORDER BY endpoint, first_ts"),
            "127.0.0.1:8080|3|10000000|500000000\n127.0.0.1:8080|1|1200000000|1200000000\n127.0.0.1:9090|1|30000000|30000000\n");
  EXPECT_EQ(t.one("SELECT COUNT(*) FROM incidents WHERE finding_id IS NULL"), "0");
}

// ---------- ranking ----------

std::string rule_text(const std::string& id, const std::string& cls, double conf, const std::string& category) {
  return "id = \"" + id + "\"\nclass = \"" + cls + "\"\ntitle = \"t\"\nstrategy = \"evidence\"\nkinds = [\"reset\"]\n" +
         "confidence = " + std::to_string(conf) + "\nexplanation = \"{source} {category}\"\n[evidence]\ncategories = [\"" +
         category + "\"]\n[[case]]\nname = \"m\"\nexpect = \"match\"\nfailure = { kind = \"reset\", at = 1.0 }\n" +
         "events = [ { role = \"proxy\", category = \"" + category + "\", at = 1.0 } ]\n[[case]]\nname = \"n\"\n" +
         "expect = \"no-match\"\nfailure = { kind = \"refused\", at = 1.0 }\n";
}

Model ranking_model() {
  Model m;
  m.sources.push_back({1, "client.log", "x", Role::client, kNull, kNull, 1});
  m.sources.push_back({2, "proxy.log", "x", Role::proxy, kNull, kNull, 2});
  Failure f;
  f.id = 1, f.ts = T0, f.source_id = 1, f.kind = "reset", f.host = "127.0.0.1", f.port = 8080, f.local_port = 50000;
  m.failures.push_back(f);
  for (const char* cat : {"cat-a", "cat-b"}) {
    Ev e;
    e.id = cat[4] == 'a' ? 10 : 11, e.ts = T0, e.source_id = 2, e.role = Role::proxy, e.category = m.strings.id(cat);
    e.client_port = 50000, e.server_port = 8080;
    m.events.push_back(e);
  }
  m.sort();
  return m;
}

TEST(CorrelateRanking, BestCauseWinsOthersAreAlternatives) {
  std::vector<Rule> rules = {parse_rule(rule_text("firewall.a", "firewall", 0.9, "cat-a"), "a.toml"),
                             parse_rule(rule_text("upstream-failure.b", "upstream-failure", 0.6, "cat-b"), "b.toml")};
  Model m = ranking_model();
  Engine eng(m, rules);
  Verdict v = eng.explain(m.failures.front());
  EXPECT_EQ(v.rule, "firewall.a");
  EXPECT_DOUBLE_EQ(v.confidence, 0.9);  // same port, same second: the base confidence
  ASSERT_EQ(v.alternatives.size(), 1u);
  EXPECT_EQ(v.alternatives[0].rule->id, "upstream-failure.b");
  EXPECT_DOUBLE_EQ(v.alternatives[0].confidence, 0.6);
  ASSERT_FALSE(v.evidence.empty());
  EXPECT_EQ(v.evidence[0].event_id, 10);
}

TEST(CorrelateRanking, NearTieOfAnotherClassCutsConfidence) {
  std::vector<Rule> rules = {parse_rule(rule_text("firewall.a", "firewall", 0.9, "cat-a"), "a.toml"),
                             parse_rule(rule_text("upstream-failure.b", "upstream-failure", 0.87, "cat-b"), "b.toml")};
  Model m = ranking_model();
  Verdict v = Engine(m, rules).explain(m.failures.front());
  EXPECT_EQ(v.rule, "firewall.a");
  EXPECT_NEAR(v.confidence, 0.9 * 0.8, 1e-9);

  // A near tie within the same class is no doubt about the class.
  rules[1] = parse_rule(rule_text("firewall.b", "firewall", 0.87, "cat-b"), "b.toml");
  v = Engine(m, rules).explain(m.failures.front());
  EXPECT_DOUBLE_EQ(v.confidence, 0.9);
}

TEST(CorrelateRanking, WeakCandidatesLeaveTheFailureUnexplained) {
  std::vector<Rule> rules = {parse_rule(rule_text("firewall.a", "firewall", 0.1, "cat-a"), "a.toml")};
  Model m = ranking_model();
  Verdict v = Engine(m, rules).explain(m.failures.front());
  EXPECT_EQ(v.cause_class, "unexplained");
  EXPECT_EQ(v.confidence, 0);
  ASSERT_EQ(v.alternatives.size(), 1u);  // the weak guess is still kept as an alternative
  EXPECT_THAT(v.searched, HasSubstr("proxy.log"));
}

// ---------- config-less sources ----------

TEST(CorrelateNoConfig, LineWithoutPortIsNotPinnedOnAPortAnotherSourceServes) {
  Timeline t;
  int64_t c = t.source("client/app.log", "client-python");
  int64_t legacy = t.source("legacy/access.log", "nginx-access");  // no config, no ports in its lines
  int64_t other = t.source("partner/access.log", "nginx-access");
  t.event(failure(c, 10, "127.0.0.1", 9000, 50001, "broken-pipe"));
  t.event(reject413(legacy, 10.1, kNull));
  // Without other evidence the line may be it, but the explanation says the endpoint is assumed.
  correlate_db(t.path(), builtin());
  EXPECT_EQ(t.one("SELECT cause_class FROM incidents"), "request-rejected");
  EXPECT_THAT(t.one("SELECT explanation FROM incidents"), HasSubstr("endpoint assumed"));
  EXPECT_LT(std::stod(t.one("SELECT confidence FROM incidents")), 0.6);

  // Another source's lines say they serve port 9000: the port-less line is not about it.
  E ok;
  ok.source = other, ok.at = 5, ok.role = "proxy", ok.category = "request", ok.status = 200, ok.server_port = 9000;
  int64_t ok_id = t.event(ok);
  correlate_db(t.path(), builtin());
  EXPECT_EQ(t.one("SELECT cause_class FROM incidents"), "unexplained");
  t.db().exec("DELETE FROM events WHERE id = " + std::to_string(ok_id));

  // The client's own requests (same method and path, same second) show the legacy log serves 8080.
  for (int i = 0; i < 3; ++i) {
    E req;
    req.source = c, req.at = 1 + i, req.role = "client", req.category = "client-request", req.server_port = 8080;
    req.method = "GET", req.path = "/orders/" + std::to_string(i), req.status = 200, req.host = "127.0.0.1";
    t.event(req);
    E srv;
    srv.source = legacy, srv.at = 1 + i, srv.role = "proxy", srv.category = "request", srv.status = 200;
    srv.method = "GET", srv.path = req.path;
    t.event(srv);
  }
  // A failure on 8080 meets its port-less line as a known endpoint.
  t.event(failure(c, 20, "127.0.0.1", 8080, 50002, "broken-pipe"));
  t.event(reject413(legacy, 20.1, kNull));
  correlate_db(t.path(), builtin());
  EXPECT_EQ(t.one("SELECT cause_class FROM incidents WHERE target = '127.0.0.1:8080'"), "request-rejected");
  EXPECT_THAT(t.one("SELECT explanation FROM incidents WHERE target = '127.0.0.1:8080'"), Not(HasSubstr("assumed")));
  // On a port nothing serves, a port-less line of a source seen on other ports must be the same
  // request: not a 413 for another path, not a stop line that only shares the time.
  E up = failure(c, 40, "127.0.0.1", 9500, kNull, "broken-pipe");
  up.method = "POST", up.path = "/partner/quote";
  t.event(up);
  E other413 = reject413(legacy, 40.1, kNull);
  other413.method = "POST", other413.path = "/upload";
  int64_t other413_id = t.event(other413);
  E stop;
  stop.source = legacy, stop.at = 40.5, stop.role = "proxy", stop.category = "worker-crashed";
  t.event(stop);
  correlate_db(t.path(), builtin());
  EXPECT_EQ(t.one("SELECT cause_class FROM incidents WHERE target = '127.0.0.1:9500'"), "unexplained");
  // The failing request itself in that log (same method and path, same second) shows it serves 9500.
  t.db().exec("UPDATE events SET path = '/partner/quote' WHERE id = " + std::to_string(other413_id));
  correlate_db(t.path(), builtin());
  EXPECT_EQ(t.one("SELECT cause_class FROM incidents WHERE target = '127.0.0.1:9500'"), "request-rejected");
  EXPECT_THAT(t.one("SELECT explanation FROM incidents WHERE target = '127.0.0.1:9500'"), Not(HasSubstr("assumed")));
}

// ---------- rule loading ----------

const std::string kGoodRule = rule_text("firewall.x", "firewall", 0.9, "fw-reset");

std::string load_error(const std::string& text) {
  try {
    parse_rule(text, "rules/x.toml");
  } catch (const RuleError& e) {
    return e.what();
  }
  return "(accepted)";
}

std::string with(const std::string& from, const std::string& to) {
  std::string s = kGoodRule;
  size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return s.replace(at, from.size(), to);
}

TEST(CorrelateRules, GoodRuleLoads) { EXPECT_EQ(load_error(kGoodRule), "(accepted)"); }

TEST(CorrelateRules, ErrorsNameFileLineAndWhatIsWrong) {
  // kGoodRule: line 7 is `explanation`, line 8 `[evidence]`, line 9 `categories`.
  EXPECT_EQ(load_error(with("[evidence]\n", "[evidence]\nstatus = [\"x\", 5.5, 502]\n")),
            "rules/x.toml:9: 'status' must hold HTTP statuses (whole numbers 100..599), got 'x'");
  EXPECT_THAT(load_error(with("[evidence]\n", "[evidence]\nstatus = [502, 5.5]\n")),
              HasSubstr("rules/x.toml:9: 'status' must hold HTTP statuses (whole numbers 100..599), got 5.5"));
  EXPECT_THAT(load_error(with("[evidence]\n", "[evidence]\nstatus = [502, 99]\n")), HasSubstr("got 99"));
  EXPECT_EQ(load_error(with("{source} {category}", "{sourcee} {category}")),
            "rules/x.toml:7: unknown placeholder {sourcee} in explanation (evidence rules know {source} {category} "
            "{detail} {delta} {join} {target} {local_port} {status})");
  EXPECT_THAT(load_error(with("title = \"t\"\n", "title = \"t\"\nrecommendation = \"see {hidden}\"\n")),
              HasSubstr("rules/x.toml:4: unknown placeholder {hidden} in recommendation"));
  EXPECT_EQ(load_error(with("[evidence]\n", "[evidence]\nshared = \"yes\"\n")),
            "rules/x.toml:9: 'shared' must be true or false");
  EXPECT_EQ(load_error(with("[evidence]\n", "[evidence]\nbefore = \"5 parsecs\"\n")),
            "rules/x.toml:9: 'before' must be a duration such as \"5s\" or \"500ms\"");
  EXPECT_EQ(load_error(with("[evidence]\n", "[evidence]\ncolour = 1\n")), "rules/x.toml:9: unknown key 'colour' in [evidence]");
  EXPECT_EQ(load_error(with("class = \"firewall\"", "class = \"gremlins\"")),
            "rules/x.toml:2: unknown cause class 'gremlins' (see shared/spec/incidents.md)");
  EXPECT_THAT(load_error("id = \"a\"\nclass = ["), HasSubstr("rules/x.toml:2: "));
}

TEST(CorrelateRules, PlaceholdersOfEachStrategy) {
  // Findings fill {count} and {listener} in any recommendation.
  EXPECT_EQ(load_error(with("title = \"t\"\n", "title = \"t\"\nrecommendation = \"{count} on {listener} {target}\"\n")),
            "(accepted)");
  // {idle_s} belongs to idle-gap rules.
  EXPECT_THAT(load_error(with("{source} {category}", "{idle_s}")), HasSubstr("unknown placeholder {idle_s}"));
}

TEST(CorrelateRules, BuiltInRulesLoadAndPassTheirCases) {
  auto rules = load_rules({default_rules_dir()});
  EXPECT_GE(rules.size(), 16u);
  for (const Rule& r : rules)
    for (const RuleCase& c : r.cases) {
      Engine eng(c.model, rules);
      EXPECT_EQ(!eng.candidates(r, c.model.failures.front()).empty(), c.expect_match) << r.id << ": " << c.name;
    }
}

}  // namespace
}  // namespace rstscope::correlate
