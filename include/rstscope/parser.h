// Parser: turns the Records of one log format into Events.
//
// Contract (lnav-style "formats carry their samples"): every parser states its name, a one-line
// description, how it recognises input (sniff), and real sample lines with the fields it must
// extract. Adding a format is adding one file in parsers/ with RSTSCOPE_REGISTER_PARSER; the
// sample test (tests/unit/samples_test.cpp) checks every sample of every parser, and
// `rstscope formats` prints them.
//
// Threading: a Parser is immutable and shared; open() makes a FileParser that holds per-file
// state (headers, multi-line context) and is used by one thread only.
// Cost: sniff() sees at most kSniffLines lines; record() is the hot path: no allocation per
// record, no many-capture regexes (split fixed formats by hand; RE2::Set to classify).
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rstscope/event.h"
#include "rstscope/record.h"
#include "rstscope/setting.h"
#include "rstscope/timeutil.h"

namespace rstscope {

inline constexpr size_t kSniffLines = 40;

struct BundleInfo;

struct SniffInput {
  std::string_view path;                    // display path, e.g. "nginx/access.log.2.gz" or "a.tar!/x/y.log"
  std::string_view name;                    // last component, compression suffix removed
  std::span<const std::string_view> lines;  // first non-empty lines (at most kSniffLines)
  const BundleInfo* bundle = nullptr;       // what the bundle told us (may be null, e.g. in tests)
};

struct Score {
  int score = 0;    // 0 = not mine; 100 = certain. Best score wins; ties go to registration order.
  std::string why;  // one short sentence for `rstscope sniff`
};

// What parsers get to know about the bundle and the file.
struct BundleInfo {
  // nginx log_format name -> format string, read from nginx.conf files in the bundle
  // (plus --nginx-log-format). "combined" is always present.
  std::vector<std::pair<std::string, std::string>> nginx_log_formats;
};

struct ParseContext {
  std::string_view path;             // display path of the file
  const BundleInfo* bundle = nullptr;
  TimeResolver* time = nullptr;      // zone and year handling for this file (never null in record())
};

// Where a FileParser sends its output. Implemented by the ingest pipeline and by tests.
class Emitter {
 public:
  virtual ~Emitter() = default;
  // A cleared Event slot. After record() returns, the framework fills source_id, and, unless
  // the parser set ev.line itself, line/line_count/offset and raw from the current record.
  virtual Event& event() = 0;
  // The current record could not be parsed: it is counted and kept with this reason.
  virtual void unparsed(std::string_view reason) = 0;
  // A configuration setting (config parsers): goes to the `settings` table.
  virtual void setting(const Setting& s) = 0;
  // A warning tied to a line of this file (0 = whole file); shown to the user and kept in sources.errors.
  virtual void warn(int64_t line, std::string_view message) = 0;
};

class FileParser {
 public:
  virtual ~FileParser() = default;
  virtual void record(const Record& rec, Emitter& out) = 0;
  virtual void finish(Emitter&) {}
};

// One expected field of a sample: column name as in the events table ("ts" is ISO-8601 UTC with
// milliseconds, e.g. "2026-11-23T20:34:33.123Z"), "fields.KEY" for a key of the fields JSON,
// "count" for the number of events the sample yields, "unparsed" for rejected records.
struct Expect {
  std::string_view field;
  std::string_view value;
};

struct Sample {
  std::string_view text;  // one or more lines ('\n'-separated); expectations apply to the LAST event
  std::vector<Expect> expect;
  std::string_view tz = "";  // zone for zone-less times in this sample (default UTC)
};

class Parser {
 public:
  virtual ~Parser() = default;
  virtual std::string_view name() const = 0;         // e.g. "nginx-access"; used in --format PATH=NAME
  virtual std::string_view description() const = 0;  // one line
  virtual Role role() const = 0;                     // the role most of its events have
  virtual Score sniff(const SniffInput& in) const = 0;
  virtual std::unique_ptr<FileParser> open(const ParseContext& ctx) const = 0;
  virtual const std::vector<Sample>& samples() const = 0;

  // Multi-line records: when joins_lines() is true, the reader appends each line for which
  // continues(line) is true to the current record instead of starting a new one.
  virtual bool joins_lines() const { return false; }
  virtual bool continues(std::string_view /*line*/) const { return false; }
  // Whole-file formats (configs, pretty-printed JSON documents): the file arrives as one
  // Record (up to 64 MiB); the parser sets ev.line on each event itself.
  virtual bool whole_file() const { return false; }
};

// Registry of every parser linked into the program, in registration order sorted by name.
void register_parser(std::unique_ptr<Parser> p);
const std::vector<const Parser*>& all_parsers();
const Parser* find_parser(std::string_view name);

template <class T>
struct ParserRegistrar {
  ParserRegistrar() { register_parser(std::make_unique<T>()); }
};

}  // namespace rstscope

#define RSTSCOPE_CONCAT_INNER(a, b) a##b
#define RSTSCOPE_CONCAT(a, b) RSTSCOPE_CONCAT_INNER(a, b)
#define RSTSCOPE_REGISTER_PARSER(Type) \
  static ::rstscope::ParserRegistrar<Type> RSTSCOPE_CONCAT(rstscope_registrar_, __LINE__)
