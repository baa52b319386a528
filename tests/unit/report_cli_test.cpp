// `rstscope report` end to end: the sample timeline written to a DB file, the binary run on it
// for each format, exit codes for bad input, colour rules (pipe, --color, NO_COLOR).
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <simdjson.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace rstscope::report::testdata {
void build_sample_db(SQLite::Database& db, const std::string& ua);
}  // namespace rstscope::report::testdata

namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class ReportCli : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "rstscope-report-cli-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir = tmpl;
    db = dir / "incident.db";
    SQLite::Database d(db.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    rstscope::report::testdata::build_sample_db(d, "OrderSync/2.3");
  }
  void TearDown() override {
    std::error_code ec;
    if (!dir.empty()) fs::remove_all(dir, ec);
  }
  // Runs `env rstscope ARGS` in dir with stdout and stderr to files; returns the exit code.
  int run(const std::string& args, const std::string& env = "") {
    std::string cmd = "cd '" + dir.string() + "' && " + env + " timeout 60 " + RSTSCOPE_BINARY + " " + args +
                      " > out.txt 2> err.txt";
    int st = std::system(cmd.c_str());
    out = slurp(dir / "out.txt");
    err = slurp(dir / "err.txt");
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  }
  fs::path dir, db;
  std::string out, err;
};

TEST_F(ReportCli, TextToPipeHasNoColourAndEndsWithQueries) {
  ASSERT_EQ(run("report incident.db"), 0) << err;
  EXPECT_EQ(out.find('\x1b'), std::string::npos);
  EXPECT_NE(out.find("1. idle-timeout  3 failures on api.example.com:443"), std::string::npos) << out;
  EXPECT_NE(out.find("  rstscope query incident.db "), std::string::npos);
  ASSERT_EQ(run("report incident.db --color always"), 0) << err;
  EXPECT_NE(out.find("\x1b[1m"), std::string::npos);
  ASSERT_EQ(run("report incident.db --color auto", "NO_COLOR=1"), 0) << err;
  EXPECT_EQ(out.find('\x1b'), std::string::npos);
}

TEST_F(ReportCli, WritesEachFormatToAFile) {
  ASSERT_EQ(run("report incident.db --format json -o out.json"), 0) << err;
  EXPECT_NE(err.find("wrote out.json"), std::string::npos) << err;
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  ASSERT_EQ(p.parse(slurp(dir / "out.json")).get(doc), simdjson::SUCCESS);
  EXPECT_EQ(simdjson::dom::array(doc["findings"]).size(), 4u);

  ASSERT_EQ(run("report incident.db -f html -o out.html"), 0) << err;
  std::string html = slurp(dir / "out.html");
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("out.html"), std::string::npos);  // the footer names what was written

  ASSERT_EQ(run("report incident.db --format md -o out.md"), 0) << err;
  EXPECT_EQ(slurp(dir / "out.md").rfind("# rstscope incident report", 0), 0u);
  EXPECT_FALSE(fs::exists(dir / "out.md.tmp"));
}

TEST_F(ReportCli, BadInputExitsWithAReason) {
  EXPECT_EQ(run("report missing.db"), 3);
  EXPECT_NE(err.find("missing.db does not exist"), std::string::npos) << err;
  std::ofstream(dir / "junk.db") << "not a database";
  EXPECT_EQ(run("report junk.db"), 3);
  EXPECT_NE(err.find("junk.db"), std::string::npos) << err;
  EXPECT_EQ(run("report incident.db --format pdf"), 1);
  EXPECT_EQ(run("report incident.db -o /nonexistent-dir/x.html -f html"), 3);
  EXPECT_NE(err.find("cannot"), std::string::npos) << err;
}

// analyze has no --append (ingest has): on an existing -o it must point at --force, which exists,
// and leave the file alone.
TEST_F(ReportCli, AnalyzeOnAnExistingDbSuggestsForce) {
  std::string bundle = std::string(RSTSCOPE_SOURCE_DIR) + "/samples/keepalive-mismatch";
  ASSERT_EQ(run("analyze '" + bundle + "' -o incident.db"), 3);
  EXPECT_NE(err.find("incident.db already exists"), std::string::npos) << err;
  EXPECT_NE(err.find("--force"), std::string::npos) << err;
  EXPECT_EQ(err.find("--append"), std::string::npos) << err;
  EXPECT_EQ(run("report incident.db --format json"), 0) << "the existing DB was damaged: " << err;
  EXPECT_NE(out.find("\"findings\""), std::string::npos);
  // The suggested flag works.
  ASSERT_EQ(run("analyze '" + bundle + "' -o incident.db --force"), 0) << err;
  EXPECT_NE(out.find("idle-timeout"), std::string::npos) << out;
}

// Every finding of the mixed-day sample gets a recommendation derived from its own evidence and
// settings (not the rule's template), naming the values an operator would change.
TEST_F(ReportCli, MixedDayRecommendationsAreConcrete) {
  std::string bundle = std::string(RSTSCOPE_SOURCE_DIR) + "/samples/mixed-day";
  ASSERT_EQ(run("analyze '" + bundle + "' -o mixed.db --json mixed.json"), 0) << err;
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  ASSERT_EQ(p.parse(slurp(dir / "mixed.json")).get(doc), simdjson::SUCCESS);
  std::map<std::string, std::string> by_class;  // class -> every recommendation of it, joined
  size_t n = 0;
  for (simdjson::dom::element f : simdjson::dom::array(doc["findings"])) {
    ++n;
    std::string cls{std::string_view(f["class"])};
    std::string rec{std::string_view(f["recommendation"])};
    EXPECT_TRUE(bool(f["recommendation_derived"])) << cls << ": " << rec;
    EXPECT_EQ(rec.find(" ()"), std::string::npos) << rec;  // no empty template placeholder
    by_class[cls] += rec + "\n";
  }
  ASSERT_GE(n, 20u);
  auto has = [&](const std::string& cls, const std::string& what) {
    EXPECT_NE(by_class[cls].find(what), std::string::npos) << cls << " lacks \"" << what << "\":\n" << by_class[cls];
  };
  // Settings with value and config line.
  has("idle-timeout", "nginx keepalive_timeout 1 s (nginx-legacy/nginx.conf:15)");
  has("idle-timeout", "stunnel TIMEOUTidle 2 s (stunnel/stunnel.conf:12)");
  has("idle-timeout", "sat idle up to 2.2");
  // The TLS reason and the server's protocol floor / ciphers, for each of the three servers.
  has("tls-mismatch", "unsupported protocol, nginx/error.log:10");
  has("tls-mismatch", "nginx ssl_protocols TLSv1.2-TLSv1.3 (nginx/nginx.conf:54)");
  has("tls-mismatch", "haproxy ssl-min-ver/ssl-max-ver TLSv1.2-TLSv1.3 (haproxy/haproxy.cfg:28)");
  has("tls-mismatch", "\"SSL handshake failure\" without a reason");
  has("tls-mismatch", "stunnel sslVersionMin TLSv1.2 (stunnel/stunnel.conf:10)");
  has("tls-mismatch", "nginx ssl_protocols TLSv1.3 (nginx-legacy/nginx.conf:53)");
  // The backend's address and what it did, the status clients got.
  has("upstream-failure", "backend 127.0.0.1:36407 reset the connection mid-request (nginx/error.log:18");
  has("upstream-failure", "clients got 502");
  has("upstream-failure", "haproxy backend be_orders/app1 closed the connection before answering");
  // The timeout that fired, with its value and location.
  has("server-timeout", "nginx proxy_read_timeout 1 s (nginx/nginx.conf:36, location /api/reports/) fired");
  has("server-timeout", "nginx client_body_timeout 1 s (nginx/nginx.conf:27) fired for POST /api/import");
  has("server-timeout", "haproxy timeout server 1 s (haproxy/haproxy.cfg:11");
  // The limit and the reject rules.
  has("request-rejected", "4096-byte body");
  has("request-rejected", "nginx client_max_body_size 1 KiB (nginx/nginx.conf:42, location /upload)");
  has("request-rejected", "http-request reject reject if { path_beg /internal } (haproxy/haproxy.cfg:17");
  has("request-rejected", "tcp-request connection reject connection reject if { src 127.0.0.66 } (haproxy/haproxy.cfg:33");
  // Which listener the client should have used.
  has("protocol-mismatch", "a TLS listener (nginx listen 127.0.0.1:36313 ssl, nginx/nginx.conf:50");
  has("protocol-mismatch", "or the plain-HTTP listener 127.0.0.1:57527 (nginx/nginx.conf:25)");
  has("protocol-mismatch", "a plain-HTTP listener (haproxy bind 127.0.0.1:33615, haproxy/haproxy.cfg:16");
  has("protocol-mismatch", "or the TLS listener 127.0.0.1:46793 (haproxy/haproxy.cfg:28)");
  // The firewall rule line.
  has("firewall", "(firewall/iptables.rules:6)");
  has("firewall", "--reject-with tcp-reset");
  // The server's own stop line: "received SIGTERM, shutting down" (line 7) or "stopped" (line 8),
  // whichever the engine took as the primary evidence; both are the stop.
  has("server-unavailable", "after the server stopped (backend/inventory.log:");
  const std::string& su = by_class["server-unavailable"];
  EXPECT_TRUE((su.find("backend/inventory.log:7") != std::string::npos && su.find("received SIGTERM") != std::string::npos) ||
              (su.find("backend/inventory.log:8") != std::string::npos && su.find("inventory: stopped") != std::string::npos))
      << su;
}

TEST_F(ReportCli, HelpHasExamples) {
  ASSERT_EQ(run("report --help"), 0);
  EXPECT_NE(out.find("rstscope report incident.db --format html -o incident.html"), std::string::npos) << out;
}

}  // namespace
