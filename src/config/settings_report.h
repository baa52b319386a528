// `rstscope settings DB`: the settings table of a timeline DB, grouped by listener.
//
// Contract: opens the DB read-only (SQLiteCpp), never writes. Groups are ordered by listener
// ("(no listener)" last), rows inside by component, scope, key. `listener` filters: an exact
// listener ("10.0.0.9:443", "*:443") or a bare port ("443") matching every listener on that
// port; `component` filters by exact component. Throws std::runtime_error with a readable
// message when the file is not a timeline DB (no settings table).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

namespace rstscope::config {

struct SettingsQuery {
  std::string listener;   // "" = all
  std::string component;  // "" = all
  std::string format = "table";  // table | json
};

// Prints the report; returns the number of settings printed.
int64_t print_settings(const std::string& db_path, const SettingsQuery& q, std::ostream& out);

// "75 s", "1 h 30 min", "250 ms", "10 MiB", ... for a normalised value and its unit.
std::string human_value(int64_t value, const std::string& unit, const std::string& text);

}  // namespace rstscope::config
