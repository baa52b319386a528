// `rstscope settings`: report over a DB built here with the timeline schema.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <sstream>
#include <sys/wait.h>

#include "config/defaults.h"
#include "config/settings_report.h"
#include "config_test_util.h"
#include "timeline/schema.h"

using namespace rstscope;
using namespace rstscope::testing;

namespace {

struct TempDb {
  std::filesystem::path dir;
  std::string path;
  TempDb() {
    char tmpl[] = "/tmp/rstscope-config-XXXXXX";
    char* d = mkdtemp(tmpl);
    if (!d) throw std::runtime_error("mkdtemp failed");
    dir = d;
    path = (dir / "t.db").string();
  }
  ~TempDb() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

// Writes settings as the lead's ingest does: read ones with their source_id, assumed with NULL.
void insert(SQLite::Database& db, int64_t source_id, const std::vector<Setting>& ss) {
  SQLite::Statement st(db,
                       "INSERT INTO settings(source_id, component, scope, listener, key, raw, value, unit, text, line, "
                       "status, note) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)");
  for (const Setting& s : ss) {
    st.reset();
    if (s.assumed) st.bind(1); else st.bind(1, source_id);
    st.bind(2, s.component);
    st.bind(3, s.scope);
    st.bind(4, s.listener);
    st.bind(5, s.key);
    st.bind(6, s.raw);
    if (s.value == kNull) st.bind(7); else st.bind(7, s.value);
    st.bind(8, s.unit);
    st.bind(9, s.text);
    st.bind(10, s.line);
    st.bind(11, s.assumed ? "assumed" : "read");
    st.bind(12, s.note);
    st.exec();
  }
}

void build(const std::string& path) {
  SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  db.exec(std::string(timeline::kCreateTables));
  SQLite::Transaction tx(db);
  db.exec("INSERT INTO sources(id, path, status) VALUES(1, 'edge/nginx/nginx.conf', 'ok'), "
          "(2, 'edge/haproxy/haproxy.cfg', 'ok')");
  ParsedText n = parse_config("config-nginx", "config/nginx/nginx.conf", "edge/nginx/nginx.conf");
  insert(db, 1, n.settings);
  ParsedText h = parse_config("config-haproxy", "config/haproxy/haproxy.cfg", "edge/haproxy/haproxy.cfg");
  insert(db, 2, h.settings);
  std::vector<Setting> alb = config::documented_defaults("aws-alb");
  insert(db, 0, alb);
  db.exec("INSERT INTO meta(key, value) VALUES('state', 'complete')");  // as the writer's finish()
  tx.commit();
}

void set_state(const std::string& path, const std::string& state) {
  SQLite::Database db(path, SQLite::OPEN_READWRITE);
  SQLite::Statement st(db, "INSERT OR REPLACE INTO meta(key, value) VALUES('state', ?)");
  st.bind(1, state);
  st.exec();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

}  // namespace

TEST(SettingsReport, GroupsByListenerWithSourcesAndAssumed) {
  TempDb t;
  build(t.path);
  std::ostringstream out;
  int64_t n = config::print_settings(t.path, {}, out);
  std::string s = out.str();
  EXPECT_GT(n, 50);
  size_t l443 = s.find("Listener 10.0.0.9:443\n");
  size_t l80 = s.find("Listener *:80\n");
  size_t none = s.find("Listener (none");
  ASSERT_NE(l443, std::string::npos) << s;
  ASSERT_NE(l80, std::string::npos);
  ASSERT_NE(none, std::string::npos);
  EXPECT_LT(l80, l443);    // sorted
  EXPECT_GT(none, l443);   // "(no listener)" last
  EXPECT_NE(s.find("edge/nginx/nginx.conf:47"), std::string::npos);
  EXPECT_NE(s.find("30 s"), std::string::npos);
  EXPECT_NE(s.find("assumed default"), std::string::npos);
  EXPECT_NE(s.find("idle_timeout.timeout_seconds"), std::string::npos);
}

TEST(SettingsReport, FiltersAndJson) {
  TempDb t;
  build(t.path);
  std::ostringstream out;
  config::SettingsQuery q;
  q.listener = "443";
  q.component = "haproxy";
  q.format = "json";
  int64_t n = config::print_settings(t.path, q, out);
  std::string s = out.str();
  EXPECT_GT(n, 5);
  EXPECT_NE(s.find("\"listener\": \"10.0.0.5:443\""), std::string::npos) << s;
  EXPECT_EQ(s.find("\"component\": \"nginx\""), std::string::npos);
  EXPECT_EQ(s.find("*:80"), std::string::npos);
  EXPECT_NE(s.find("\"key\": \"tcp-request connection reject\""), std::string::npos);
  EXPECT_NE(s.find("\"source\": \"edge/haproxy/haproxy.cfg\", \"line\": 23"), std::string::npos);
  std::ostringstream none;
  q.listener = "1";
  q.format = "table";
  EXPECT_EQ(config::print_settings(t.path, q, none), 0);
  EXPECT_NE(none.str().find("No settings"), std::string::npos);
}

TEST(SettingsReport, NotATimelineDbIsAClearError) {
  TempDb t;
  { SQLite::Database db(t.path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE); db.exec("CREATE TABLE x(a)"); }
  std::ostringstream out;
  try {
    config::print_settings(t.path, {}, out);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("no settings table"), std::string::npos);
  }
  EXPECT_ANY_THROW(config::print_settings(t.path + ".missing", {}, out));
}

TEST(SettingsReport, HumanValues) {
  EXPECT_EQ(config::human_value(75000, "ms", ""), "75 s");
  EXPECT_EQ(config::human_value(3600000, "ms", ""), "1 h");
  EXPECT_EQ(config::human_value(250, "ms", ""), "250 ms");
  EXPECT_EQ(config::human_value(10485760, "bytes", ""), "10 MiB");
  EXPECT_EQ(config::human_value(kNull, "protocols", "TLSv1.2-TLSv1.3"), "TLSv1.2-TLSv1.3");
  EXPECT_EQ(config::human_value(1, "bool", "on"), "on");
}

TEST(SettingsReport, CommandRunsOnTheBinary) {
  std::string bin = RSTSCOPE_BINARY;
  if (!std::filesystem::exists(bin)) GTEST_SKIP() << "rstscope binary not built: " << bin;
  TempDb t;
  build(t.path);
  std::string cmd = bin + " settings " + t.path + " --listener '*:80' > " + (t.dir / "out.txt").string() + " 2>&1";
  int rc = std::system(cmd.c_str());
  EXPECT_EQ(rc, 0);
  std::string out = read_file((t.dir / "out.txt").string());
  EXPECT_NE(out.find("Listener *:80"), std::string::npos) << out;
  EXPECT_EQ(out.find("Listener 10.0.0.9:443"), std::string::npos);
  std::string help = bin + " settings --help > " + (t.dir / "help.txt").string() + " 2>&1";
  EXPECT_EQ(std::system(help.c_str()), 0);
  EXPECT_NE(read_file((t.dir / "help.txt").string()).find("Examples:"), std::string::npos);
}

TEST(SettingsReport, IncompleteDbIsRefusedLikeEveryCommand) {
  TempDb t;
  build(t.path);
  set_state(t.path, "loading");  // an ingest that never finished
  std::ostringstream out;
  try {
    config::print_settings(t.path, {}, out);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("is incomplete"), std::string::npos) << e.what();
  }
  EXPECT_EQ(out.str(), "");
  std::string bin = RSTSCOPE_BINARY;
  if (!std::filesystem::exists(bin)) GTEST_SKIP() << "rstscope binary not built: " << bin;
  std::string err = (t.dir / "err.txt").string();
  int rc = std::system((bin + " settings " + t.path + " > /dev/null 2> " + err).c_str());
  ASSERT_TRUE(WIFEXITED(rc));
  EXPECT_EQ(WEXITSTATUS(rc), 3);
  std::string msg = read_file(err);
  EXPECT_NE(msg.find("rstscope settings: " + t.path + " is incomplete"), std::string::npos) << msg;
  // The same text `rstscope query` gives.
  std::string qerr = (t.dir / "qerr.txt").string();
  rc = std::system((bin + " query " + t.path + " 'SELECT 1' > /dev/null 2> " + qerr).c_str());
  EXPECT_EQ(WEXITSTATUS(rc), 3);
  std::string qmsg = read_file(qerr);
  EXPECT_EQ(msg.substr(msg.find(':')), qmsg.substr(qmsg.find(':')));
}

TEST(SettingsReport, BrokenMultiLineValueIsPrintedOnOneLine) {
  TempDb t;
  {
    SQLite::Database db(t.path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec(std::string(timeline::kCreateTables));
    db.exec("INSERT INTO sources(id, path, status) VALUES(1, 'broken/nginx-broken.conf', 'ok')");
    // send_timeout "10s;  with the quote never closed: the value runs to the end of the file.
    ParsedText n = parse_config("config-nginx", "config/broken/nginx-broken.conf", "broken/nginx-broken.conf");
    auto st = find_settings(n, "send_timeout", "*:8080");
    ASSERT_EQ(st.size(), 1u);
    ASSERT_NE(st[0]->raw.find('\n'), std::string::npos) << "fixture no longer gives a multi-line value";
    Setting longv = *st[0];
    longv.key = "ssl_ciphers";
    longv.raw = longv.text = std::string(200, 'A');
    insert(db, 1, n.settings);
    insert(db, 1, {longv});
    db.exec("INSERT INTO meta(key, value) VALUES('state', 'complete')");
  }
  std::ostringstream out;
  config::print_settings(t.path, {"8080", "", "table"}, out);
  int rows = 0;
  for (const std::string& l : lines_of(out.str())) {
    EXPECT_EQ(l.find('\r'), std::string::npos);
    if (l.find("send_timeout") != std::string::npos) {
      ++rows;
      EXPECT_NE(l.find("10s;\\n"), std::string::npos) << l;  // the newline shown as \n
      EXPECT_NE(l.find("broken/nginx-broken.conf:7"), std::string::npos) << l;
    }
    if (l.find("ssl_ciphers") != std::string::npos) {
      EXPECT_NE(l.find("AAA..."), std::string::npos) << l;
      EXPECT_EQ(l.find(std::string(40, 'A')), std::string::npos) << l;
    }
    // Nothing of the broken value leaks onto lines of its own.
    EXPECT_NE(l, "    }");
    EXPECT_NE(l, "}");
  }
  EXPECT_EQ(rows, 1);
}

TEST(SettingsReport, OneLine) {
  EXPECT_EQ(config::one_line("a\nb\tc\r"), "a\\nb\\tc\\r");
  EXPECT_EQ(config::one_line(std::string("x\x01y", 3)), "x\\x01y");
  EXPECT_EQ(config::one_line("abcdefghij", 8), "abcde...");
  EXPECT_EQ(config::one_line("abcdefgh", 8), "abcdefgh");
  // Never cut inside a UTF-8 character.
  EXPECT_EQ(config::one_line("ab\xc3\xa9\xc3\xa9\xc3\xa9", 6), "ab...");
}
