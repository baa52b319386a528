// rstscope report DB [--format text|md|json|html] [-o FILE] [--width N] [--color auto|always|never]
#include <SQLiteCpp/SQLiteCpp.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "cli/cli.h"
#include "report/report.h"
#include "timeline/writer.h"

namespace rstscope::cli {
namespace {

struct ReportArgs {
  std::string db;
  std::string format = "text";
  std::string out;
  std::string color = "auto";
  int width = 0;
  int evidence = 3;
};

int terminal_width() {
  struct winsize ws {};
  if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 0;
}

// Writes through a temporary file and renames, so a reader never sees half a report.
bool write_file(const std::string& path, const std::string& data, std::string& err) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) {
      err = "cannot create " + tmp;
      return false;
    }
    f.write(data.data(), std::streamsize(data.size()));
    f.close();
    if (!f) {
      err = "cannot write " + tmp;
      std::remove(tmp.c_str());
      return false;
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    err = "cannot rename " + tmp + " to " + path + ": " + ec.message();
    std::remove(tmp.c_str());
    return false;
  }
  return true;
}

int run_report(const ReportArgs& a) {
  report::ReportFormat fmt;
  if (!report::parse_format(a.format, fmt)) {
    std::cerr << "rstscope report: unknown format '" << a.format << "' (text, md, json or html)\n";
    return kUsage;
  }
  if (!std::filesystem::exists(a.db)) {
    std::cerr << "rstscope report: " << a.db << " does not exist: create it with `rstscope analyze BUNDLE -o "
              << a.db << "`\n";
    return kFatal;
  }
  try {
    timeline::play_back_journal(a.db);
    SQLite::Database db(a.db, SQLite::OPEN_READONLY);
    timeline::check_complete(db.getHandle(), a.db);
    report::ReportOptions o;
    o.db_path = a.db;
    o.evidence_per_finding = a.evidence;
    if (!a.out.empty() && a.out != "-") o.written.push_back(a.out);
    bool to_stdout = a.out.empty() || a.out == "-";
    if (fmt == report::ReportFormat::text) {
      o.color = a.color == "always" || (a.color == "auto" && to_stdout && report::want_color(stdout));
      int tw = to_stdout ? terminal_width() : 0;
      o.width = a.width > 0 ? a.width : (tw >= 60 && tw < 100 ? tw : 100);
    }
    std::string text = report::render_report(db, fmt, o);
    if (to_stdout) {
      std::cout << text;
      std::cout.flush();
      return std::cout ? kOk : kFatal;
    }
    std::string err;
    if (!write_file(a.out, text, err)) {
      std::cerr << "rstscope report: " << err << "\n";
      return kFatal;
    }
    if (!globals().quiet) std::cerr << "rstscope report: wrote " << a.out << " (" << text.size() << " bytes)\n";
    return kOk;
  } catch (const std::exception& e) {
    std::cerr << "rstscope report: " << e.what() << "\n";
    return kFatal;
  }
}

void setup(CLI::App& root, int* result) {
  auto a = std::make_shared<ReportArgs>();
  CLI::App* c = root.add_subcommand(
      "report", "Summarise a correlated timeline: findings, evidence, recommendations (text, md, json, html)");
  c->add_option("db", a->db, "Timeline database (from rstscope analyze or ingest + correlate)")->required();
  c->add_option("-f,--format", a->format, "text (terminal), md (incident ticket), json (spec), html (one file)")
      ->check(CLI::IsMember({"text", "md", "markdown", "json", "html"}));
  c->add_option("-o,--output", a->out, "Write to FILE instead of stdout");
  c->add_option("--width", a->width, "Text: maximum columns (default: terminal width, at most 100)")
      ->check(CLI::Range(60, 1000));
  c->add_option("--color", a->color, "Text: auto (terminal and no NO_COLOR), always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  c->add_option("--evidence", a->evidence, "Evidence lines quoted per finding (default 3)")->check(CLI::Range(0, 50));
  c->footer(
      "Examples:\n"
      "  rstscope report incident.db\n"
      "  rstscope report incident.db --format md -o incident.md     # paste into the ticket\n"
      "  rstscope report incident.db --format html -o incident.html # one file, no network, open in a browser\n"
      "  rstscope report incident.db --format json | jq '.findings[0]'\n"
      "JSON follows shared/spec/incidents.md plus \"findings\" and \"sources\". Colour follows NO_COLOR.\n"
      "Docs: docs/report.md");
  c->callback([=] { *result = run_report(*a); });
}

RSTSCOPE_REGISTER_COMMAND(50, setup);

}  // namespace
}  // namespace rstscope::cli
