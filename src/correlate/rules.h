// Rule: one cause, as data (rules/*.toml). See docs/rules.md for the format.
//
// Contract: load_rules() validates every file and throws RuleError naming file:line and what is
// wrong; a loaded Rule is immutable. Strategies: "evidence" (server-side events near the failure
// on the same connection or endpoint), "idle-gap" (the previous request on the same connection,
// the idle gap, and the listener's idle timeout), "client-only" (the client's own error text, for
// when the server's logs are silent; never high confidence), "setting" (the listener the client
// talked to is configured to refuse it silently, e.g. HAProxy `tcp-request connection reject`, an
// iptables REJECT rule: the config line is the evidence).
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "correlate/model.h"

namespace rstscope::correlate {

struct RuleError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct RuleCase {
  std::string name;
  bool expect_match = true;
  Model model;        // one failure plus the events/settings of the case
  int64_t line = 0;   // where the case starts in the rule file
};

struct Rule {
  std::string id, cause_class, title, strategy, file;
  std::vector<std::string> kinds;       // client failure kinds it explains (empty = any)
  double confidence = 0.5;
  std::string explanation, recommendation;
  // evidence strategy
  std::vector<Role> roles;
  std::vector<std::string> categories;
  std::vector<int> statuses;
  std::vector<std::string> detail_contains;  // any of these substrings in the event's detail
  std::vector<std::string> unless_detail;    // events whose detail has one of these do not count
  std::vector<std::string> actions;          // fields.action values (firewalls)
  int64_t before_us = 5'000'000, after_us = 2'000'000;
  bool require_client_port = false;
  bool shared_evidence = false;              // one line may explain many failures (a stop, a crash)
  std::string client_scheme;                 // "http" / "https": the client's scheme must be this when known
  std::string target_listener;               // "tls" / "plain": what the target listener must be when known
  std::vector<std::string> unless_client_text;  // the rule does not apply when the failure text has one of these
  // setting strategy: a setting of the failure's listener (e.g. a silent reject rule)
  std::vector<std::string> setting_contains;  // substrings of the setting's key or raw value
  // idle-gap strategy
  std::vector<std::string> setting_keys;
  double tolerance = 0.05;
  // client-only strategy
  std::vector<std::string> client_text;  // substrings (case-insensitive) of the failure text
  double level_hidden_bonus = 0.0;       // added when a server's log level hides the evidence
  std::vector<RuleCase> cases;
};

// Loads every *.toml of each directory (sorted). Throws RuleError on the first bad file.
std::vector<Rule> load_rules(const std::vector<std::string>& dirs);
Rule parse_rule(std::string_view toml_text, const std::string& file);
// Directory of the built-in rules: $RSTSCOPE_RULES, else <exe>/../share/rstscope/rules, else the
// source tree's rules/.
std::string default_rules_dir();

}  // namespace rstscope::correlate
