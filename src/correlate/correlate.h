// correlate_db: reads a timeline, estimates clock skew, explains every client failure with the
// rules, and writes skew, incidents, evidence, alternatives and findings (docs/schema.md).
// Re-runnable: earlier results are replaced in one transaction.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "correlate/rules.h"

namespace rstscope::correlate {

struct CorrelateOptions {
  std::vector<std::string> rule_dirs;                              // built-in dir first, then --rules
  std::vector<std::pair<std::string, std::string>> aliases;        // NAME=ADDRESS
  std::vector<std::pair<std::string, int64_t>> skew;               // SOURCE (path or suffix) -> offset us
  bool quiet = false;
  int verbose = 0;  // > 0: wall and CPU seconds per phase on stderr ("correlate: ...")
  // Rules already loaded from rule_dirs (analyze validates them before ingesting); null: load them.
  const std::vector<Rule>* rules = nullptr;
};

// A --skew or --alias option that does not fit the timeline (no such source, ambiguous): a usage error.
struct OptionError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct CorrelateSummary {
  int64_t failures = 0, explained = 0, unexplained = 0, findings = 0;
  std::vector<std::pair<std::string, int64_t>> by_class;
  std::vector<std::string> skew_notes;
  double seconds = 0;
};

CorrelateSummary correlate_db(const std::string& db_path, const CorrelateOptions& opt);

// Parses "+2s", "-1500ms", "3m" into microseconds; false on garbage.
bool parse_signed_duration_us(std::string_view s, int64_t& us);

}  // namespace rstscope::correlate
