// Reading bytes into Records.
//
// ByteSource: anything that yields bytes (a file via read(), a libarchive member, memory).
// LineReader: splits a ByteSource into lines over one reused buffer; LF and CRLF; last line
//   without newline; NUL and invalid UTF-8 pass through; lines over kMaxLine are cut and flagged.
// RecordReader: groups lines into Records as the Parser asks (joins_lines / whole_file).
// Cost: one buffer copy per byte for plain lines, none per line; joined records copy once.
// None of these are thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "rstscope/parser.h"
#include "rstscope/record.h"

namespace rstscope {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to n bytes; 0 at end; -1 on error (error() then says why).
  virtual long read(char* buf, size_t n) = 0;
  virtual std::string error() const { return {}; }
};

class MemorySource : public ByteSource {
 public:
  explicit MemorySource(std::string_view data) : data_(data) {}
  long read(char* buf, size_t n) override;

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

struct Line {
  std::string_view text;
  int64_t number = 0;
  int64_t offset = 0;
  bool truncated = false;
};

class LineReader {
 public:
  explicit LineReader(ByteSource& src, size_t chunk = 1 << 20);
  // False at end of input or on a read error (failed() tells which).
  bool next(Line& line);
  bool failed() const { return failed_; }
  std::string error() const { return error_; }
  int64_t bytes_read() const { return total_; }
  int64_t lines() const { return number_; }

 private:
  bool fill();
  ByteSource& src_;
  std::string buf_;
  size_t chunk_;
  size_t begin_ = 0, end_ = 0;
  int64_t number_ = 0;
  int64_t consumed_ = 0;  // bytes of input before buf_[begin_]
  int64_t total_ = 0;
  bool eof_ = false, failed_ = false, skipping_ = false;
  std::string error_;
};

class RecordReader {
 public:
  RecordReader(LineReader& lines, const Parser& parser);
  bool next(Record& rec);

 private:
  LineReader& lines_;
  const Parser& parser_;
  std::string joined_;
  Line pending_;
  std::string pending_text_;
  bool has_pending_ = false, done_ = false;
};

// Runs a parser over in-memory text the same way ingest does (records, joining, framework
// fill-in of line/raw). For tests, samples and `rstscope sniff`.
struct ParsedText {
  std::vector<Event> events;
  std::vector<std::pair<int64_t, std::string>> unparsed;  // line, reason
  std::vector<Setting> settings;
  std::vector<std::pair<int64_t, std::string>> warnings;
};
ParsedText parse_text(const Parser& parser, std::string_view text, std::string_view tz = "",
                      const BundleInfo* bundle = nullptr, std::string_view path = "sample.log");

// Fills line/line_count/offset/raw of an event from its record unless the parser set ev.line.
void fill_from_record(Event& ev, const Record& rec);

// The value of a named event column as text (as tests and samples compare it); see Expect.
std::string event_field(const Event& ev, std::string_view name);

}  // namespace rstscope
