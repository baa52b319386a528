// `rstscope settings DB`: the settings table of a timeline DB, grouped by listener.
//
// Contract: opens the DB read-only (SQLiteCpp), never writes. Groups are ordered by listener
// ("(no listener)" last), rows inside by component, scope, key. `listener` filters: an exact
// listener ("10.0.0.9:443", "*:443") or a bare port ("443") matching every listener on that
// port; `component` filters by exact component. Throws std::runtime_error with a readable
// message when the file is not a timeline DB (no settings table) or is incomplete (meta.state is
// not 'complete': an interrupted ingest), like every other command. Table cells are one line each.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

namespace rstscope::config {

struct SettingsQuery {
  std::string listener;   // "" = all
  std::string component;  // "" = all
  std::string format = "table";  // table | json
};

// Prints the report; returns the number of settings printed.
int64_t print_settings(const std::string& db_path, const SettingsQuery& q, std::ostream& out);

// `s` on one line for the table: newline, CR and tab written as \n \r \t, other control bytes
// as \xNN; when longer than `max` (>= 4) bytes, cut to `max` with "..." at the end.
std::string one_line(std::string_view s, size_t max = std::string::npos);

// "75 s", "1 h 30 min", "250 ms", "10 MiB", ... for a normalised value and its unit.
std::string human_value(int64_t value, const std::string& unit, const std::string& text);

}  // namespace rstscope::config
