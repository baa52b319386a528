#include "test_support.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace rstscope::testing {

std::string corpus(std::string_view rel) { return std::string(RSTSCOPE_CORPUS_DIR) + "/" + std::string(rel); }

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const Parser& parser_named(std::string_view name) {
  const Parser* p = find_parser(name);
  if (!p) throw std::runtime_error("no parser named " + std::string(name));
  return *p;
}

ParsedText parse_with(std::string_view parser, std::string_view text, std::string_view tz) {
  return parse_text(parser_named(parser), text, tz);
}

}  // namespace rstscope::testing
