// Ingest: bundle -> Sources -> Records -> Parsers -> Events -> Timeline.
//
// Runs parsing on the calling thread while the Timeline writer inserts on its own thread.
// Never fatal for bad input: every file gets a sources row (ok, partial, unrecognised,
// unreadable, duplicate) and every problem a warning "path[:line]: what happened".
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "rstscope/parser.h"

namespace rstscope {

struct Input;  // source/bundle.h

struct IngestOptions {
  std::vector<std::string> bundles;
  std::string db;
  std::string tz;                                                // zone for zone-less times
  std::vector<std::pair<std::string, std::string>> source_tz;   // PATH (suffix or glob) -> zone, beats tz
  std::vector<std::pair<std::string, std::string>> overrides;    // PATH (suffix or glob) -> parser
  std::vector<std::string> nginx_log_formats;                    // "FORMAT" or "NAME=FORMAT"
  bool append = false;
  bool fts_all = false;
  bool quiet = false;
  int verbose = 0;
  bool progress = true;  // shown only when stderr is a terminal
};

struct IngestSummary {
  int64_t files = 0, bytes = 0, lines = 0, events = 0, unparsed = 0;
  std::map<std::string, int64_t> files_per_parser;
  std::vector<std::string> unrecognised;
  std::vector<std::string> warnings;
  int64_t first_ts = INT64_MAX, last_ts = INT64_MIN;
  double seconds = 0;
  int exit_code = 0;  // 0 ok, 2 some input could not be read
};

// Throws std::runtime_error for fatal problems (cannot create the DB, unknown --tz or parser).
IngestSummary ingest(const IngestOptions& opt);

// --tz values: "ZONE" sets the zone for every file, "PATH=ZONE" for the files PATH matches (a path,
// suffix or glob, as --format; the last match wins). Throws std::runtime_error for two plain zones.
void apply_tz_args(const std::vector<std::string>& args, IngestOptions& opt);

// The latest date with a year found at the start and end of the bundle's files (ISO-8601
// "YYYY-MM-DD", "YYYY/MM/DD", "YYYY.MM.DD" and CLF "DD/Mon/YYYY"), as year and month; year 0
// when there is none. Year-less syslog times are dated from it (falling back to the file's
// mtime), never from today's clock. `from` names the file it came from.
struct BundleDate {
  int year = 0, month = 0;
  std::string from;
};
BundleDate bundle_reference_date(const std::vector<Input>& inputs);

// True when the first lines open a pretty-printed (multi-line) JSON document: the first line
// starts an object or array that it does not close. Such a file is offered only to whole-file
// parsers (JSON lines, one complete object per line, are not a document).
bool looks_like_json_document(const std::vector<std::string_view>& lines);

// Sniffs one file's first lines: every parser's score, best first (line-oriented parsers are
// not asked about a multi-line JSON document).
struct SniffCandidate {
  const Parser* parser;
  Score score;
};
std::vector<SniffCandidate> sniff_lines(std::string_view path, const std::vector<std::string_view>& lines,
                                        const BundleInfo* bundle = nullptr);

// Prints the end-of-ingest summary (one screen).
std::string format_summary(const IngestSummary& s, const std::string& db);

}  // namespace rstscope
