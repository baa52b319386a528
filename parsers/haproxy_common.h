// HAProxy code tables shared by the HAProxy parser, its bench and tests (signatures.md B2.3-B2.5):
// termination-state decoding, the termination/status -> category map, connection-error and
// administrative message classification. Internal to parsers/. Pure functions, thread-safe,
// no allocation.
#pragma once

#include <cstdint>
#include <string_view>

namespace rstscope::haproxy {

// The first two characters of a termination state ("SH--", "cD").
struct Termination {
  std::string_view closed_by;  // client|server|proxy|resource|internal|down|local|killed, "" for '-'
  std::string_view phase;      // request|queue|connect|headers|data|last-ack|tarpit, "" for '-'
  bool timeout = false;        // lower-case first char: a timeout struck (c = client, s = server side)
};
Termination decode_termination(std::string_view state);

// Category (docs/categories.md) for a traffic line from its termination state and HTTP status
// (kNull-like -1 when none). Normal completions fall back to the status meaning.
std::string_view category_for(std::string_view state, int64_t status);

// Category of a connection-error (embryonic session) message, "" when not one of §8.2.5.
// "SSL handshake failure" -> tls-handshake-failed, "Connection closed during SSL handshake" ->
// tls-handshake-closed, ...
std::string_view conn_error_category(std::string_view message);

// Category of an administrative / startup message ("Proxy x started.", "Server b/s is DOWN, ...",
// "backend b has no server available!", "Current worker (8) exited with code 139"), "" if none.
std::string_view admin_category(std::string_view message);

}  // namespace rstscope::haproxy
