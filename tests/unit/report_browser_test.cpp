// Renders the HTML report in headless Chromium: takes screenshots (wide and narrow) and a PDF
// (print), checks the console stayed silent (no script error, no blocked request: the page has no
// script and a CSP of default-src 'none', so any console line means something leaked) and that the
// expected findings are in the rendered DOM. The hostile variant checks that a <script> in a user
// agent reaches the DOM as text, never as an element. Skips when /usr/bin/chromium is missing
// (`make deps` installs it). RSTSCOPE_REPORT_SHOTS=DIR keeps the screenshots in DIR.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "report/report.h"

namespace rstscope::report::testdata {
void build_sample_db(SQLite::Database& db, const std::string& ua);
void build_hostile_db(SQLite::Database& db);
}  // namespace rstscope::report::testdata

namespace rstscope::report {
namespace {

namespace fs = std::filesystem;
constexpr const char* kChromium = "/usr/bin/chromium";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "rstscope-report-XXXXXX").string();
    if (::mkdtemp(tmpl.data())) path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

struct ChromeRun {
  int rc = -1;
  std::string out, err;
};

// Runs Chromium headless with a fresh profile, bounded by `timeout` (which kills only the
// Chromium it started). `what` is the action flag: --dump-dom, --screenshot=..., --print-to-pdf=...
ChromeRun chromium(const fs::path& dir, const std::string& tag, const std::string& what, const std::string& window,
             const fs::path& html) {
  fs::path profile = dir / ("profile-" + tag);
  fs::create_directories(profile);
  fs::path out = dir / (tag + ".out"), err = dir / (tag + ".err");
  std::string cmd = std::string("cd '") + dir.string() + "' && timeout -k 5 120 " + kChromium +
                    " --headless --no-sandbox --disable-gpu --disable-background-networking"
                    " --disable-component-update --disable-sync --no-first-run --disable-extensions"
                    " --hide-scrollbars --user-data-dir='" +
                    profile.string() + "' --enable-logging=stderr --v=0 --window-size=" + window + " " + what +
                    " 'file://" + html.string() + "' > '" + out.string() + "' 2> '" + err.string() + "'";
  ChromeRun r;
  int st = std::system(cmd.c_str());
  r.rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

// Console lines Chromium printed for the page (script errors, CSP violations, blocked loads).
std::vector<std::string> console_lines(const std::string& err) {
  std::vector<std::string> v;
  std::istringstream in(err);
  std::string line;
  while (std::getline(in, line))
    if (line.find(":CONSOLE") != std::string::npos || line.find("Uncaught") != std::string::npos) v.push_back(line);
  return v;
}

bool is_png(const fs::path& p) {
  std::string s = slurp(p);
  return s.size() > 1000 && s.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0;
}

void keep(const fs::path& p) {
  const char* dir = std::getenv("RSTSCOPE_REPORT_SHOTS");
  if (!dir || !*dir) return;
  std::error_code ec;
  fs::create_directories(dir, ec);
  fs::copy_file(p, fs::path(dir) / p.filename(), fs::copy_options::overwrite_existing, ec);
}

class ReportBrowser : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kChromium)) GTEST_SKIP() << kChromium << " is not installed (make deps installs chromium)";
    ASSERT_FALSE(tmp.path().empty());
  }
  fs::path write_report(SQLite::Database& db, const std::string& name) {
    ReportOptions o;
    o.db_path = "incident.db";
    o.written = {name};
    o.version = "test";
    fs::path p = tmp.path() / name;
    std::ofstream(p, std::ios::binary) << render_report(db, ReportFormat::html, o);
    return p;
  }
  TempDir tmp;
};

TEST_F(ReportBrowser, SampleRendersWithFindingsAndNoConsoleErrors) {
  SQLite::Database db(":memory:", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  testdata::build_sample_db(db, "OrderSync/2.3 (.NET 8.0; Windows)");
  fs::path html = write_report(db, "report.html");

  // One run: the DOM on stdout and a screenshot of a desktop-sized window.
  fs::path shot = tmp.path() / "report-wide.png";
  ChromeRun dom = chromium(tmp.path(), "wide", "--dump-dom --screenshot=" + shot.string(), "1280,3600", html);
  ASSERT_EQ(dom.rc, 0) << dom.err;
  EXPECT_TRUE(console_lines(dom.err).empty()) << console_lines(dom.err).front();
  ASSERT_TRUE(is_png(shot)) << dom.err;
  keep(shot);
  // The findings, their recommendations and evidence locations are on the page.
  for (const char* want :
       {"idle-timeout", "upstream-failure", "request-rejected", "tls-mismatch", "api.example.com:443",
        "past nginx keepalive_timeout 75 s", "nginx/access.log:41102",
        "config/nginx.conf:31", "restart loop of orders-api", "Unexplained failures (1)", "firewall/kern.log",
        "misc/notes.txt", "+2.500 s", "rstscope query incident.db"}) {
    EXPECT_NE(dom.out.find(want), std::string::npos) << "missing on the page: " << want;
  }
  EXPECT_NE(dom.out.find("<svg"), std::string::npos);
  EXPECT_NE(dom.out.find("<details open"), std::string::npos);

  fs::path narrow = tmp.path() / "report-narrow.png";
  ChromeRun s2 = chromium(tmp.path(), "narrow", "--screenshot=" + narrow.string(), "400,3000", html);
  EXPECT_EQ(s2.rc, 0) << s2.err;
  ASSERT_TRUE(is_png(narrow)) << s2.err;
  keep(narrow);

  fs::path pdf = tmp.path() / "report.pdf";
  ChromeRun p = chromium(tmp.path(), "print", "--no-pdf-header-footer --print-to-pdf=" + pdf.string(), "1280,2000", html);
  EXPECT_EQ(p.rc, 0) << p.err;
  std::string pdf_bytes = slurp(pdf);
  EXPECT_EQ(pdf_bytes.compare(0, 5, "%PDF-"), 0) << p.err;
  keep(pdf);
}

TEST_F(ReportBrowser, HostileLogTextStaysText) {
  SQLite::Database db(":memory:", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  testdata::build_hostile_db(db);
  fs::path html = write_report(db, "hostile.html");
  fs::path shot = tmp.path() / "report-hostile.png";
  ChromeRun dom = chromium(tmp.path(), "hostile", "--dump-dom --screenshot=" + shot.string(), "1280,2600", html);
  ASSERT_EQ(dom.rc, 0) << dom.err;
  EXPECT_TRUE(console_lines(dom.err).empty()) << console_lines(dom.err).front();
  EXPECT_TRUE(is_png(shot)) << dom.err;
  keep(shot);
  // Serialised DOM: no script or img element, the title untouched, the payload present as text.
  EXPECT_EQ(dom.out.find("<script"), std::string::npos);
  EXPECT_EQ(dom.out.find("<img"), std::string::npos);
  EXPECT_EQ(dom.out.find("pwned</title>"), std::string::npos);
  EXPECT_NE(dom.out.find("<title>rstscope report: incident.db</title>"), std::string::npos);
  EXPECT_NE(dom.out.find("&lt;script&gt;document.title='pwned'&lt;/script&gt;"), std::string::npos);
}

}  // namespace
}  // namespace rstscope::report
