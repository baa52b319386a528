// Report: what an on-call engineer reads after `rstscope analyze`. Renders the correlated timeline
// (findings, incidents, evidence, alternatives, skew, sources, settings; src/timeline/schema.h) as
// terminal text, Markdown, the incident JSON of shared/spec/incidents.md, or one self-contained HTML
// file (inline CSS and SVG, no script, no network request).
//
// Contract:
// - render_report only reads the DB (SELECTs); it never writes and never throws on odd content:
//   NULL columns, missing rows, empty tables and hostile log text all render. It throws
//   SQLite::Exception only if a table of the schema is missing altogether.
// - Output is deterministic for a given DB and options (no wall-clock time, stable ordering), so
//   golden files can check it.
// - Every string taken from a log or config is escaped for the output format: HTML-escaped in html,
//   JSON-escaped in json, control bytes neutralised in text and md (a log line cannot move the
//   cursor, recolour the terminal or inject Markdown/HTML into a ticket).
// - text: at most `width` columns per line (long log lines are cut with "..."); ANSI colour only
//   when `color` is true (decide with want_color()).
// - Cost: a handful of queries, linear in the number of incidents + evidence rows; a report of
//   100,000 incidents lists findings fully but only the first `max_incidents` incidents in
//   text/md/html (json always lists all of them).
#pragma once

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace SQLite { class Database; }

namespace rstscope::report {

enum class ReportFormat { text, md, json, html };

struct ReportOptions {
  bool color = false;            // text only: ANSI colours
  int width = 100;               // text only: maximum line width (clamped to >= 60)
  std::string db_path;           // shown in the footer and in `rstscope query` examples
  std::vector<std::string> written;  // paths of report files written, for the footer
  size_t max_incidents = 200;    // text/md/html: incidents listed one by one (json: all)
  int evidence_per_finding = 3;  // evidence lines quoted per finding
  std::string version;           // "tool.version" in json; empty = RSTSCOPE_VERSION
};

// Renders the whole report. Throws SQLite::Exception when the DB lacks the timeline tables.
std::string render_report(SQLite::Database& db, ReportFormat f, const ReportOptions& o);

// "text" | "md" | "markdown" | "json" | "html" -> format; false for anything else.
bool parse_format(std::string_view s, ReportFormat& out);
// File extension without dot for a format: "txt", "md", "json", "html".
const char* format_extension(ReportFormat f);

// True when `stream` is a terminal, NO_COLOR is unset or empty (https://no-color.org) and TERM is
// not "dumb".
bool want_color(std::FILE* stream);

}  // namespace rstscope::report
