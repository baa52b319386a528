// Renders the HTML report in headless Chromium: takes screenshots (wide and narrow) and a PDF
// (print), checks the console stayed silent (no script error, no blocked request: the page has no
// script and a CSP of default-src 'none', so any console line means something leaked) and that the
// expected findings are in the rendered DOM. The hostile variant checks that a <script> in a user
// agent reaches the DOM as text, never as an element. Two more run the real binary: `rstscope
// analyze samples/mixed-day --html` must show every finding of the sample's golden JSON, and a
// bundle with hostile nginx and client lines must reach the page as text only. Skips when /usr/bin/chromium is missing
// (`make deps` installs it). RSTSCOPE_REPORT_SHOTS=DIR keeps the screenshots in DIR.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <simdjson.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
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


// Runs the rstscope binary in `dir` (bounded); the exit code, stderr in `err`.
int rstscope(const fs::path& dir, const std::string& args, std::string& err) {
  std::string cmd = "cd '" + dir.string() + "' && timeout 120 " + RSTSCOPE_BINARY + " " + args + " > rstscope.out 2> rstscope.err";
  int st = std::system(cmd.c_str());
  err = slurp(dir / "rstscope.err") + slurp(dir / "rstscope.out");
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return s;
}

// The report of a recorded sample bundle (issue 8): every finding of its golden incident JSON is on
// the rendered page (cause class, endpoint, count) with a recommendation, the console stays silent.
TEST_F(ReportBrowser, MixedDaySampleShowsItsGoldenFindings) {
  const std::string src = RSTSCOPE_SOURCE_DIR;
  std::string err;
  ASSERT_EQ(rstscope(tmp.path(), "analyze '" + src + "/samples/mixed-day' -o mixed.db --html mixed.html", err), 0)
      << err;
  fs::path html = tmp.path() / "mixed.html";
  fs::path shot = tmp.path() / "mixed-day.png";
  ChromeRun dom = chromium(tmp.path(), "mixed", "--dump-dom --screenshot=" + shot.string(), "1280,4000", html);
  ASSERT_EQ(dom.rc, 0) << dom.err;
  EXPECT_TRUE(console_lines(dom.err).empty()) << console_lines(dom.err).front();
  ASSERT_TRUE(is_png(shot)) << dom.err;
  keep(shot);

  simdjson::dom::parser parser;
  simdjson::dom::element golden;
  ASSERT_EQ(parser.load(src + "/samples/mixed-day.golden.json").get(golden), simdjson::SUCCESS);
  simdjson::dom::array findings = golden["findings"];
  ASSERT_GE(findings.size(), 8u);
  std::set<std::string> classes;
  for (simdjson::dom::element f : findings) {
    std::string cls{std::string_view(f["class"])};
    std::string endpoint{std::string_view(f["endpoint"])};
    int64_t count = int64_t(f["count"]);
    int64_t rank = int64_t(f["rank"]);
    classes.insert(cls);
    // <h3>RANK. <span class="badge" ...>CLASS</span> ENDPOINT · N failure(s)</h3>
    std::string card = "id=\"finding-" + std::to_string(rank) + "\"";
    size_t at = dom.out.find(card);
    ASSERT_NE(at, std::string::npos) << "finding " << rank << " (" << cls << ") is not on the page";
    size_t end = dom.out.find("</article>", at);
    std::string article = dom.out.substr(at, end - at);
    EXPECT_NE(article.find(">" + cls + "</span> " + endpoint + " \xC2\xB7 " + std::to_string(count) + " failure"),
              std::string::npos)
        << article.substr(0, 600);
    EXPECT_NE(article.find("Recommendation:"), std::string::npos);
  }
  // Every cause class the sample proves, on one page.
  for (const char* c : {"idle-timeout", "tls-mismatch", "protocol-mismatch", "upstream-failure", "server-timeout",
                        "request-rejected", "server-unavailable", "firewall"})
    EXPECT_TRUE(classes.count(c)) << c << " missing from the golden JSON";
  EXPECT_NE(dom.out.find("Unexplained failures"), std::string::npos);
}

// Hostile text through a real ingest: a <script> and an <img onerror> in an nginx access line's URL
// and user agent and in a client log line reach the HTML report as text, never as elements.
TEST_F(ReportBrowser, HostileLinesThroughIngestStayText) {
  fs::path bundle = tmp.path() / "bundle";
  fs::create_directories(bundle / "client");
  fs::create_directories(bundle / "nginx");
  // The client logs the URL as it is; nginx logs < > as they are and escapes the quote as \x22.
  const std::string url = "/api/<script>alert(1)</script>?q=\"><img src=x onerror=alert(2)>";
  const std::string logged_url = "/api/<script>alert(1)</script>?q=\\x22><img src=x onerror=alert(2)>";
  std::ofstream(bundle / "client" / "orders-app.log")
      << "2026-11-24 10:24:20,677 INFO orders: GET http://127.0.0.1:8080/api/ok -> 200 in 3 ms\n"
         "2026-11-24 10:24:21,100 ERROR orders: GET http://127.0.0.1:8080" << url << " failed after 12 ms\n"
         "Traceback (most recent call last):\n"
         "  File \"/srv/app/client.py\", line 10, in get\n"
         "requests.exceptions.HTTPError: 502 Server Error: Bad Gateway for url: http://127.0.0.1:8080" << url << "\n";
  std::ofstream(bundle / "nginx" / "access.log")
      << "127.0.0.1 - - [24/Nov/2026:10:24:20 +0000] \"GET /api/ok HTTP/1.1\" 200 2 \"-\" \"python-requests/2.28.1\"\n"
         "127.0.0.1 - - [24/Nov/2026:10:24:21 +0000] \"GET " << logged_url << " HTTP/1.1\" 502 157 \"-\" "
         "\"Mozilla/5.0 <script>document.title='pwned'</script><svg onload=alert(3)>\"\n";
  std::string err;
  ASSERT_EQ(rstscope(tmp.path(), "analyze bundle -o hostile.db --html hostile.html", err), 0) << err;
  fs::path html = tmp.path() / "hostile.html";
  std::string page = slurp(html);
  // The payload reached the page (as escaped text): the client's line, and the nginx line with the
  // user agent as the finding's evidence ...
  EXPECT_NE(page.find("upstream-failure"), std::string::npos) << "the nginx line was not correlated";
  EXPECT_NE(page.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos) << "the URL is not in the report";
  EXPECT_NE(page.find("Mozilla/5.0 &lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;&lt;svg onload=alert(3)&gt;"),
            std::string::npos)
      << "the user agent is not in the report";
  // ... and no live tag or handler did.
  std::string lp = lower(page);
  EXPECT_EQ(lp.find("<script"), std::string::npos);
  EXPECT_EQ(lp.find("<img"), std::string::npos);
  EXPECT_EQ(lp.find("<svg onload"), std::string::npos);
  ChromeRun dom = chromium(tmp.path(), "ingest-hostile", "--dump-dom", "1280,2600", html);
  ASSERT_EQ(dom.rc, 0) << dom.err;
  EXPECT_TRUE(console_lines(dom.err).empty()) << console_lines(dom.err).front();
  std::string ld = lower(dom.out);
  EXPECT_EQ(ld.find("<script"), std::string::npos);
  EXPECT_EQ(ld.find("<img"), std::string::npos);
  EXPECT_EQ(dom.out.find("pwned</title>"), std::string::npos);
  EXPECT_NE(dom.out.find("<title>rstscope report: hostile.db</title>"), std::string::npos);
}

}  // namespace
}  // namespace rstscope::report
