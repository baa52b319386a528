// The correlation commands end to end on small bundles written here: a hosts file sniffed and read
// into the alias map, `analyze --rules BROKEN` failing before it ingests, `--skew` errors and the
// user offset in the summary, `rules explain`.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "rstscope/reader.h"
#include "test_support.h"

namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class CorrelateCli : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "rstscope-correlate-cli-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    if (!dir.empty()) fs::remove_all(dir, ec);
  }
  void write(const std::string& rel, const std::string& text) {
    fs::create_directories((dir / rel).parent_path());
    std::ofstream(dir / rel, std::ios::binary) << text;
  }
  int run(const std::string& args) {
    std::string cmd = "cd '" + dir.string() + "' && timeout 120 " + RSTSCOPE_BINARY + " " + args + " > out.txt 2> err.txt";
    int st = std::system(cmd.c_str());
    out = slurp(dir / "out.txt");
    err = slurp(dir / "err.txt");
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  }
  // A client whose upload to api.example.com:8080 got 413, and the nginx on *:8080 (server_name
  // www.example.org) that logged a 413 at that second.
  void bundle() {
    write("bundle/client/app.log",
          "2026-03-02 10:15:01,020 INFO orders.client: GET http://api.example.com:8080/api/orders?rid=n0 -> 200 in 5 ms\n"
          "2026-03-02 10:15:02,020 INFO orders.client: GET http://api.example.com:8080/api/orders?rid=n1 -> 200 in 5 ms\n"
          "2026-03-02 10:15:04,118 ERROR orders.client: POST http://api.example.com:8080/upload?rid=r1 failed after 11 ms\n"
          "Traceback (most recent call last):\n"
          "  File \"/srv/app/client.py\", line 617, in c_requests\n"
          "    r.raise_for_status()\n"
          "requests.exceptions.HTTPError: 413 Client Error: Request Entity Too Large for url: "
          "http://api.example.com:8080/upload?rid=r1\n");
    write("bundle/nginx/access.log",
          "10.1.0.5 - - [02/Mar/2026:10:15:04 +0000] \"POST /upload?rid=r1 HTTP/1.1\" 413 183 \"-\" \"python-requests/2.28.1\"\n");
    write("bundle/nginx/nginx.conf",
          "events {}\nhttp {\n  server {\n    listen 8080;\n    server_name www.example.org;\n"
          "    client_max_body_size 1k;\n  }\n}\n");
  }
  fs::path dir;
  std::string out, err;
};

TEST(HostsFile, SniffedByNameAndByContentNotForLogs) {
  using rstscope::testing::parser_named;
  const auto& p = parser_named("hosts-file");
  std::vector<std::string_view> win = {"# Copyright (c) 1993-2009 Microsoft Corp.", "#", "127.0.0.1       localhost",
                                       "10.0.0.9        api.example.com"};
  rstscope::SniffInput in{"etc/hosts", "hosts", win, nullptr};
  EXPECT_GE(p.sniff(in).score, 90);
  rstscope::SniffInput other{"incident/names.txt", "names.txt", win, nullptr};
  EXPECT_EQ(p.sniff(other).score, 70);
  std::vector<std::string_view> access = {"10.1.0.5 - - [02/Mar/2026:10:15:04 +0000] \"GET / HTTP/1.1\" 200 1",
                                          "10.1.0.6 - - [02/Mar/2026:10:15:05 +0000] \"GET / HTTP/1.1\" 200 1"};
  rstscope::SniffInput log{"nginx/access.log", "access.log", access, nullptr};
  EXPECT_EQ(p.sniff(log).score, 0);
  std::vector<std::string_view> one = {"10.0.0.9 api"};  // a single short line is too little to tell
  rstscope::SniffInput single{"x.txt", "x.txt", one, nullptr};
  EXPECT_EQ(p.sniff(single).score, 0);
}

TEST(HostsFile, EveryNameOfALineIsAnAlias) {
  auto r = rstscope::testing::parse_with("hosts-file", "10.0.0.9\tapi.example.com api  # prod\n\n# 10.0.0.8 old\n");
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(r.events[0].host, "api.example.com");
  EXPECT_EQ(r.events[1].host, "api");
  EXPECT_EQ(r.events[1].server_ip, "10.0.0.9");
  EXPECT_EQ(r.events[1].line, 1);
  EXPECT_TRUE(r.unparsed.empty());
}

TEST_F(CorrelateCli, SniffRecognisesAHostsFile) {
  write("etc/hosts", "127.0.0.1 localhost\n10.0.0.9 api.example.com\n");
  ASSERT_EQ(run("sniff etc/hosts"), 0) << err;
  EXPECT_THAT(out, HasSubstr("hosts-file"));
}

TEST_F(CorrelateCli, HostsFileInTheBundleJoinsTheTargetName) {
  bundle();
  // Without a hosts file the name cannot be resolved: matched by port, and said so.
  ASSERT_EQ(run("analyze bundle -o a.db --json a.json"), 0) << err;
  std::string json = slurp(dir / "a.json");
  EXPECT_THAT(json, HasSubstr("request-rejected"));
  EXPECT_THAT(json, HasSubstr("endpoint assumed by port"));
  // A hosts file resolves the name; nginx listens on *:8080, so the line is the endpoint.
  write("bundle/etc/hosts", "127.0.0.1 localhost\n10.0.0.9 api.example.com api\n");
  ASSERT_EQ(run("analyze bundle -o b.db --json b.json"), 0) << err;
  json = slurp(dir / "b.json");
  EXPECT_THAT(json, HasSubstr("request-rejected"));
  EXPECT_THAT(json, Not(HasSubstr("endpoint assumed")));
  ASSERT_EQ(run("query b.db \"SELECT parser FROM sources WHERE path = 'etc/hosts'\" --format csv"), 0) << err;
  EXPECT_THAT(out, HasSubstr("hosts-file"));
}

TEST_F(CorrelateCli, BrokenRulesFailBeforeIngesting) {
  bundle();
  write("my-rules/bad.toml",
        "id = \"firewall.bad\"\nclass = \"firewall\"\ntitle = \"t\"\nstrategy = \"evidence\"\nkinds = [\"reset\"]\n"
        "confidence = 0.5\nexplanation = \"{sourcee}\"\n[evidence]\ncategories = [\"fw-reset\"]\n");
  EXPECT_EQ(run("analyze bundle -o out.db --rules my-rules"), 3);
  EXPECT_THAT(err, HasSubstr("bad.toml:7: unknown placeholder {sourcee} in explanation"));
  EXPECT_FALSE(fs::exists(dir / "out.db"));
  EXPECT_FALSE(fs::exists(dir / "out.db.partial"));
  EXPECT_THAT(err, Not(HasSubstr("events")));  // no ingest summary: the bundle was not read
}

TEST_F(CorrelateCli, SkewNamesOneSourceOrFailsWithTheCandidates) {
  bundle();
  ASSERT_EQ(run("ingest bundle -o t.db"), 0) << err;
  EXPECT_EQ(run("correlate t.db --skew log=+1s"), 1);
  EXPECT_THAT(err, HasSubstr("--skew log: no source has this path"));
  EXPECT_THAT(err, HasSubstr("client/app.log"));
  ASSERT_EQ(run("correlate t.db --skew app.log=+1.5s"), 0) << err;
  EXPECT_THAT(err, HasSubstr("skew: client/app.log: clock offset +1.500 s (set by --skew)"));
  ASSERT_EQ(run("report t.db"), 0) << err;
  EXPECT_THAT(out, HasSubstr("Clock skew applied"));
  EXPECT_THAT(out, HasSubstr("user"));
}

TEST_F(CorrelateCli, RulesExplainShowsWhatTheEngineUses) {
  using ::testing::ContainsRegex;
  ASSERT_EQ(run("rules explain request-rejected.server-refused"), 0) << err;
  EXPECT_THAT(out, ContainsRegex("roles: +proxy server\n"));
  EXPECT_THAT(out, ContainsRegex("window: +10 s before \\.\\. 3 s after the failure"));
  EXPECT_THAT(out, ContainsRegex("require client port: +no"));
  EXPECT_THAT(out, HasSubstr("  match     413 then close (line"));
  EXPECT_THAT(out, HasSubstr("  no-match  a rejection of another client port and listener"));
  ASSERT_EQ(run("rules explain protocol-mismatch.tls-to-plain"), 0) << err;
  EXPECT_THAT(out, ContainsRegex("target listener: +plain"));
  EXPECT_THAT(out, ContainsRegex("client text: +wrong version number;"));
  ASSERT_EQ(run("rules explain idle-timeout.idle-close-logged"), 0) << err;
  EXPECT_THAT(out, ContainsRegex("require client port: +yes"));
  ASSERT_EQ(run("rules explain request-rejected.silent-reject-rule"), 0) << err;
  EXPECT_THAT(out, ContainsRegex("setting keys: +tcp-request connection reject;"));
}

}  // namespace
