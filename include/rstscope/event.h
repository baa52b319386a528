// Event: one row of the timeline, as a parser produces it.
//
// Contract: parsers fill an Event slot handed to them by an Emitter; slots are reused
// between records, so every string member keeps its capacity and a steady-state parse
// allocates nothing. Integers use kNull for "the log does not say". Not thread-safe; one
// slot belongs to one parser thread until the batch is handed to the Timeline writer.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace rstscope {

inline constexpr int64_t kNull = std::numeric_limits<int64_t>::min();

// Who wrote the line (the `role` column). One word per concept, as in docs/schema.md.
enum class Role : uint8_t { unknown, client, proxy, tls, firewall, server, config };
std::string_view to_string(Role r);
Role role_from_string(std::string_view s);  // unknown for anything else

// How the zone of `ts` was known (the `ts_zone` column).
enum class ZoneSource : uint8_t { none, explicit_, assumed, inferred };
std::string_view to_string(ZoneSource z);

// FieldWriter builds the `fields` JSON object (parser-specific fields) in a reused buffer.
class FieldWriter {
 public:
  void clear() {
    buf_.clear();
    closed_ = false;
  }
  bool empty() const { return buf_.empty(); }
  void add(std::string_view key, std::string_view value);
  void add(std::string_view key, const char* value) { add(key, std::string_view(value)); }
  void add(std::string_view key, int64_t value);
  void add(std::string_view key, int value) { add(key, static_cast<int64_t>(value)); }
  void add(std::string_view key, double value);
  void add_bool(std::string_view key, bool value);
  void add_raw(std::string_view key, std::string_view json);  // value already JSON
  // "{...}" or "" when nothing was added. Closes the object in place (no copy); a later add()
  // reopens it. The view is valid until the next add() or clear().
  std::string_view json();
  // Value of a key previously added (string values unescaped only for plain text); for tests.
  std::string lookup(std::string_view key) const;

 private:
  void key(std::string_view k);
  std::string buf_;
  bool closed_ = false;  // buf_ ends with the closing '}'
};

struct Event {
  // Set by the framework, not by parsers.
  int64_t source_id = 0;
  int64_t line = 0;        // 1-based first line of the record
  int64_t line_count = 1;  // lines the record spans
  int64_t offset = 0;      // byte offset of the record in the (decompressed) file

  // Time: UTC microseconds since the epoch, plus the text it came from.
  int64_t ts = kNull;
  std::string ts_raw;
  ZoneSource ts_zone = ZoneSource::none;

  Role role = Role::unknown;
  std::string category;  // docs/categories.md vocabulary, e.g. "client-reset", "request"
  std::string kind;      // client failure kind (spec/incidents.md) for role=client failures
  std::string severity;  // as written by the source, lower-cased where it has levels

  std::string client_ip;
  int64_t client_port = kNull;
  std::string server_ip;
  int64_t server_port = kNull;
  std::string host;      // Host header, SNI, server_name, or a client's target host as written
  std::string protocol;  // "HTTP/1.1", "tcp", "TLSv1.2", ...

  std::string method;
  std::string path;
  int64_t status = kNull;
  int64_t bytes = kNull;         // bytes sent to the client (or total, as the source says)
  int64_t duration_us = kNull;   // total duration of the request or connection
  std::string conn_id;
  std::string request_id;

  std::string message;
  std::string raw;        // the record text; filled by the framework unless the parser sets it
  FieldWriter fields;     // parser-specific extras, stored as JSON

  void clear();
};

}  // namespace rstscope
