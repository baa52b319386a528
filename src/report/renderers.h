// The four renderers behind render_report, and what they share. Each formats a loaded Model and
// never queries the DB; each escapes every log-derived string for its own format.
#pragma once

#include <string>
#include <vector>

#include "report/model.h"
#include "report/report.h"

namespace rstscope::report {

std::string render_text(const Model& m, const ReportOptions& o);
std::string render_md(const Model& m, const ReportOptions& o);
std::string render_json(const Model& m, const ReportOptions& o);
std::string render_html(const Model& m, const ReportOptions& o);

// Two `rstscope query` command lines that dig into this report's first finding / unexplained
// failures (complete commands; the DB path is shell-quoted).
std::vector<std::string> query_examples(const Model& m, const std::string& db_path);
// The SQL of those two commands.
std::vector<std::string> query_example_sql(const Model& m);
// One such command laid out for a terminal of `width` columns, still pasteable into a POSIX shell:
// on one line when it fits; else the DB path on a `db=PATH` line when the path is long, the SQL after
// a ` \` continuation, and a long SQL broken at spaces inside its double quotes (the shell keeps the
// newline in the argument; SQL reads it as a space). Only a path or an SQL word longer than the
// width can make a line wider.
std::vector<std::string> query_command_lines(const std::string& db_path, const std::string& sql, size_t width,
                                             bool use_db_variable);
// Whether the terminal layout needs the `db=PATH` line (the command line would not fit otherwise).
bool query_needs_db_variable(const std::string& db_path, size_t width);

// A one-line rendering of an evidence row (clean text, not escaped for any format):
// "nginx/access.log:88411  <raw line>" or "config/nginx.conf:31  keepalive_timeout 75s".
std::string evidence_location(const EvidenceRow& ev);
std::string evidence_text(const EvidenceRow& ev);

// "reset 30, eof 8" for the first `limit` counts, then "and N more".
std::string counts_line(const std::vector<Count>& v, size_t limit);

// The HTML/SVG colour for a cause class ("" = not correlated).
const char* class_color(const std::string& cause_class);

}  // namespace rstscope::report
