// Shared by the web-server and load-balancer parsers (Apache, Traefik, Caddy, IIS, AWS LB):
// Common-Log-Format splitting, request-line splitting, the status -> category table and small
// sniff helpers. Internal to parsers/.
//
// Contract: every function is allocation-free (writes into Event slots and FieldWriter buffers,
// which keep their capacity), never throws, and treats malformed input as "no match".
// Thread-safety: pure functions over constant tables.
#pragma once

#include <cstdint>
#include <string_view>

#include "rstscope/event.h"
#include "rstscope/timeutil.h"

namespace rstscope::web {

// Category implied by an HTTP status written by a server or proxy (docs/categories.md):
// 400 bad-request, 408 request-timeout, 413 body-too-large, 414/431/494 request-too-large,
// 429 rate-limited, 460/499 client-closed, 463 request-rejected, 500 server-error,
// 502 upstream-error, 503 unavailable, 504 upstream-timeout; "request" otherwise.
std::string_view category_for_status(int64_t status);

// "GET /x?y HTTP/1.1" -> method, path, protocol. A request that is not three tokens keeps
// what it has; "-" yields nothing. Returns false when the text is not an HTTP request line
// (e.g. raw TLS bytes "\x16\x03\x01"), in which case fields.request holds it.
bool split_request_line(std::string_view req, Event& ev);

// True when a request field written by a server is the escaped start of a TLS ClientHello
// ("\x16\x03\x01...") - a TLS client talking to a plain HTTP port.
bool looks_like_tls_hello(std::string_view req);

// Common-log-format core: `HOST IDENT USER [TIME] "REQUEST" STATUS BYTES`, starting at
// `host`. On success fills client_ip (HOST), ts via `time`, method/path/protocol, status,
// bytes, fields.user, and leaves `rest` after BYTES. `bytes` may be "-".
// Returns false (event untouched apart from partial fills) when the shape does not match.
struct ClfParts {
  std::string_view host, ident, user, time, request, status, bytes;
};
bool split_clf(std::string_view line, ClfParts& parts, std::string_view& rest);

// Integer fields written as "-" or a number: kNull for "-", false for garbage.
bool parse_int_or_dash(std::string_view s, int64_t& out);

// Seconds with a fraction ("0.000073", "-1", "12") -> microseconds; false on garbage.
// "-1" yields -1 (never happened) and is reported through `never`.
bool seconds_to_us(std::string_view s, int64_t& us, bool& never);

// "1.2.3.4:80" / "[::1]:80" / "host" -> ip (assigned) and port (kNull when absent); "-" -> nothing.
void split_addr(std::string_view s, std::string& ip, int64_t& port);

// FieldWriter::add for string values that are usually plain printable ASCII: those are copied
// with one memcpy instead of going through the per-byte JSON escaper; anything else falls back
// to FieldWriter::add. Same JSON either way.
void add_text(FieldWriter& f, std::string_view key, std::string_view value);
// As add_text for a value that was "quoted" in the record: `inner` must be immediately preceded
// and followed by '"' in memory; a plain value is then added with no copy at all.
void add_quoted(FieldWriter& f, std::string_view key, std::string_view inner);
// A token that is all digits goes in as a JSON number without conversion; else as text.
void add_number_token(FieldWriter& f, std::string_view key, std::string_view digits);
// True when `s` needs no JSON escaping (printable ASCII, no '"' or '\\'); 8 bytes per step.
bool plain_ascii(std::string_view s);

// Several fields written with one FieldWriter call: FieldWriter::key() escapes every key byte by
// byte, which dominates hot paths with many fields. The batch writes `,"key":value` pairs itself
// (keys must be plain literals) and hands them over with one add_raw(first_key, rest), which
// appends verbatim. The resulting JSON is the same as with one add() per field.
class FieldBatch {
 public:
  void text(std::string_view key, std::string_view value);  // JSON string (escaped when needed)
  void raw(std::string_view key, std::string_view json);    // number / bool / null as given
  void number_token(std::string_view key, std::string_view digits);  // digits -> number, else text
  void flush(FieldWriter& f);                               // writes and clears

 private:
  void key(std::string_view k);
  std::string buf_;
  std::string_view first_;
};

// Does `s` contain `needle` ignoring ASCII case.
bool path_mentions(std::string_view path, std::string_view needle);

// TLS versions as numbers (Caddy 771/772, Traefik "1.3") -> "TLSv1.2"/"TLSv1.3"; "" if unknown.
std::string_view tls_version_name(int64_t v);
// IANA cipher suite number (Caddy cipher_suite) -> OpenSSL-style name; "" if not in the table.
std::string_view tls_cipher_name(int64_t id);

}  // namespace rstscope::web

namespace rstscope::apache {

// One Apache httpd error_log line (2.2 or 2.4 grammar, signatures.md B4.1) into `ev`
// (role, ts, severity, category, client, fields). Defined in parsers/apache_error.cpp so that
// apache-access can take the error lines of a mixed file. False when the line is not one.
bool parse_error_line(std::string_view line, Event& ev, TimeResolver& time);
bool looks_like_error_line(std::string_view line);

}  // namespace rstscope::apache
