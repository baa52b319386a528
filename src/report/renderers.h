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

// A one-line rendering of an evidence row (clean text, not escaped for any format):
// "nginx/access.log:88411  <raw line>" or "config/nginx.conf:31  keepalive_timeout 75s".
std::string evidence_location(const EvidenceRow& ev);
std::string evidence_text(const EvidenceRow& ev);

// "reset 30, eof 8" for the first `limit` counts, then "and N more".
std::string counts_line(const std::vector<Count>& v, size_t limit);

// The HTML/SVG colour for a cause class ("" = not correlated).
const char* class_color(const std::string& cause_class);

}  // namespace rstscope::report
