// Helpers shared by the unit tests.
#pragma once

#include <string>
#include <string_view>

#include "rstscope/parser.h"
#include "rstscope/reader.h"

namespace rstscope::testing {

// Absolute path of a corpus file: corpus("nginx_error/local_scenarios_nginx_error.log").
std::string corpus(std::string_view rel);
std::string read_file(const std::string& path);
// Parses text with the named parser (fails the test if it does not exist).
ParsedText parse_with(std::string_view parser, std::string_view text, std::string_view tz = "");
const Parser& parser_named(std::string_view name);

}  // namespace rstscope::testing
