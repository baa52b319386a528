// Helpers for the config tests.
#pragma once

#include <string>
#include <vector>

#include "rstscope/reader.h"
#include "test_support.h"

namespace rstscope::testing {

inline std::string fixture_path(const std::string& rel) {
  return std::string(RSTSCOPE_SOURCE_DIR) + "/tests/fixtures/" + rel;
}
inline std::string read_fixture(const std::string& rel) { return read_file(fixture_path(rel)); }

// Settings of a parse that match component/listener/key (listener "" = any).
inline std::vector<const Setting*> find_settings(const ParsedText& r, std::string_view key,
                                                 std::string_view listener = "", std::string_view scope = "") {
  std::vector<const Setting*> out;
  for (const Setting& s : r.settings)
    if (s.key == key && (listener.empty() || s.listener == listener) && (scope.empty() || s.scope == scope))
      out.push_back(&s);
  return out;
}

inline ParsedText parse_config(std::string_view parser, const std::string& fixture, const std::string& path = "") {
  std::string text = read_fixture(fixture);
  return parse_text(parser_named(parser), text, "", nullptr, path.empty() ? fixture : path);
}

}  // namespace rstscope::testing
