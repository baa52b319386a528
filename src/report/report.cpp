// Placeholder implementation so that callers link while the renderers are written.
#include "report/report.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <unistd.h>

#include <cstdlib>

namespace rstscope::report {

std::string render_report(SQLite::Database& db, ReportFormat f, const ReportOptions& o) {
  (void)db;
  (void)f;
  (void)o;
  return "rstscope report: not implemented yet\n";
}

bool parse_format(std::string_view s, ReportFormat& out) {
  if (s == "text" || s == "txt") { out = ReportFormat::text; return true; }
  if (s == "md" || s == "markdown") { out = ReportFormat::md; return true; }
  if (s == "json") { out = ReportFormat::json; return true; }
  if (s == "html") { out = ReportFormat::html; return true; }
  return false;
}

const char* format_extension(ReportFormat f) {
  switch (f) {
    case ReportFormat::text: return "txt";
    case ReportFormat::md: return "md";
    case ReportFormat::json: return "json";
    case ReportFormat::html: return "html";
  }
  return "txt";
}

bool want_color(std::FILE* stream) {
  const char* nc = std::getenv("NO_COLOR");
  if (nc && *nc) return false;
  return stream && isatty(fileno(stream));
}

}  // namespace rstscope::report
