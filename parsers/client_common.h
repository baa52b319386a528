// Shared by the client parsers (client-app-log, client-json, client-curl, client-stderr):
// failure classification of a whole record and extraction of target, local port, exception
// chain, HTTP request and request id. Internal to parsers/.
//
// Contract: classify() is one RE2::Set pass over the text (the set is built once, thread-safe,
// shared). Each pattern carries a priority; the best (lowest) priority among the matches
// decides the kind, so numeric codes (10054, [Errno 104], errno: -104, ECONNRESET) win over
// English text, and a few wrapper messages that are more precise than their code ("socket hang
// up" carries ECONNRESET but means the peer closed before answering) win over codes.
// fill_client_event() never allocates in steady state (it assigns into the slot's strings).
#pragma once

#include <cstdint>
#include <string_view>

#include "rstscope/event.h"

namespace rstscope::client {

struct Classification {
  std::string_view kind;        // spec/incidents.md failure kind; empty = not a failure
  std::string_view error_name;  // ECONNRESET, WSAECONNRESET, EPIPE ... ("" if none)
  std::string_view runtime;     // dotnet|java|python|go|node|curl|ruby|php|rust|powershell ("" if unknown)
  int64_t err_no = kNull;       // POSIX errno seen in the text (104, 111 ...)
  int64_t wsa = kNull;          // Windows Sockets code seen (10054 ...)
  int priority = 1000;          // of the deciding pattern (lower = stronger)
  int pattern = -1;             // index of the deciding pattern (for tests and `why`)
};

// One RE2::Set pass over `text`. Returns true when a failure kind was found.
bool classify(std::string_view text, Classification& out);

// Number of patterns in the set (for tests and docs).
int pattern_count();

// HTTP statuses that make a logged request a failure of kind http-error (408, 413, 429, 5xx).
bool is_http_error_status(int64_t status);

// Fills target (host/server_ip/server_port), local address (client_ip/client_port), HTTP
// method/path, request_id and the fields exception/root_exception from free text.
// Only empty/null event members are set, so callers fill structured values first.
// failure=false (a logged request) looks only for the URL, local-port hints and request ids.
void extract_from_text(std::string_view text, Event& ev, bool failure = true);

// Applies a classification: category, kind, fields error_name/errno/wsa/runtime (runtime
// falls back to `runtime_hint`).
void apply_failure(const Classification& c, Event& ev, std::string_view runtime_hint = {});

// Finds an HTTP status in a one-line success message ("-> 200", " - 200", "status=200",
// "responded 200", "HTTP/1.1 200"); returns kNull when none.
int64_t find_status(std::string_view msg);

// Sets host/server_ip/server_port/path from a URL (http, https, ws, wss); false if not a URL.
bool apply_url(std::string_view url, Event& ev);

// True when `s` starts with an HTTP method word (GET, POST, ...); `len` gets its length.
bool is_http_method(std::string_view s);

// Lower-case level word from a token ("ERROR", "[ERR]", "fail:", "SEVERE", "W") or "".
std::string_view level_word(std::string_view token);

}  // namespace rstscope::client
