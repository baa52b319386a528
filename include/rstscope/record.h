// Record: one logical entry of a file (a line, or several lines a parser asked to join).
//
// Contract: `text` points into the reader's reused buffer and is valid only until the next
// record is read; copy what must outlive the call. Line ends (LF or CRLF) are stripped;
// a joined record keeps its inner '\n'. Bytes are passed through untouched (invalid UTF-8
// and NUL survive). Lines longer than kMaxLine are cut to kMaxLine and flagged `truncated`.
#pragma once

#include <cstdint>
#include <string_view>

namespace rstscope {

inline constexpr size_t kMaxLine = 1 << 20;  // 1 MiB

struct Record {
  std::string_view text;
  int64_t line = 0;        // 1-based number of the first line
  int64_t line_count = 1;
  int64_t offset = 0;      // byte offset of the first line
  bool truncated = false;  // some line of it was longer than kMaxLine
};

}  // namespace rstscope
