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
  EXPECT_NE(out.find("  rstscope query incident.db \"SELECT"), std::string::npos);
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

TEST_F(ReportCli, HelpHasExamples) {
  ASSERT_EQ(run("report --help"), 0);
  EXPECT_NE(out.find("rstscope report incident.db --format html -o incident.html"), std::string::npos) << out;
}

}  // namespace
