#include "haproxy_common.h"

#include <array>

#include "rstscope/text.h"

namespace rstscope::haproxy {
namespace {

struct Pattern {
  std::string_view needle;
  std::string_view category;
};

// conn_err_code_str() texts, src/connection.c (signatures.md B2.5). First match wins.
constexpr std::array<Pattern, 26> kConnErrors{{
    {"Connection closed during SSL handshake", "tls-handshake-closed"},
    {"Connection error during SSL handshake", "tls-handshake-closed"},
    {"Timeout during SSL handshake", "tls-handshake-failed"},
    {"SSL handshake failure", "tls-handshake-failed"},
    {"Too many SSL connections", "conn-limited"},
    {"Rejected a client-initiated SSL renegotiation", "tls-error"},
    {"SSL client CA chain cannot be verified", "tls-client-cert"},
    {"SSL client certificate not trusted", "tls-client-cert"},
    {"Server presented an SSL certificate different", "tls-error"},
    {"SSL fatal error", "tls-error"},
    {"heartbeat attack", "tls-error"},
    {"Connection closed while waiting for PROXY protocol header", "client-closed"},
    {"Connection error while waiting for PROXY protocol header", "client-reset"},
    {"Timeout while waiting for PROXY protocol header", "client-timeout"},
    {"does not look like a PROXY protocol header", "bad-request"},
    {"Reached configured maxconn value", "conn-limited"},
    {"Too many sockets on the process", "conn-limited"},
    {"Too many sockets on the system", "conn-limited"},
    {"Out of local source ports", "conn-limited"},
    {"Source port range exhausted", "conn-limited"},
    {"ECONNREFUSED returned by OS", "conn-refused"},
    {"ECONNRESET returned by OS", "client-reset"},
    {"ENETUNREACH returned by OS", "network-unreachable"},
    {"EPIPE returned by OS", "client-broken-pipe"},
    {"Poller reported POLLERR", "client-reset"},
    {"Connection error", "client-reset"},
}};

// Administrative lines (src/proxy.c, src/server.c, src/check.c, src/haproxy.c, src/mworker.c).
constexpr std::array<Pattern, 24> kAdmin{{
    {"has no server available", "upstream-unavailable"},
    {" is DOWN", "server-down"},
    {"is going DOWN for maintenance", "server-down"},
    {"enters maintenance", "server-down"},
    {" is UP", "server-up"},
    {"leaving forced maintenance", "server-up"},
    {"leaving maintenance", "server-up"},
    {"Health check for", "health-check-failed"},  // refined below (succeeded -> info)
    {"exited with code 0", "server-stop"},
    {"exited with code", "worker-crashed"},
    {"killed by signal", "worker-crashed"},
    {"Segmentation fault", "worker-crashed"},
    {"Exiting Master process", "server-stop"},
    {"Reexecuting Master process", "server-signal"},
    {"received, dumping", "server-signal"},
    {"New worker", "server-start"},
    {"Loading success", "server-start"},
    {" started.", "server-start"},
    {"Enabling ", "server-start"},
    {"Stopping ", "server-stop"},
    {" stopped (", "server-stop"},
    {" stopped.", "server-stop"},
    {"Pausing ", "server-signal"},
    {"soft-stop", "server-stop"},
}};

inline bool has(std::string_view h, std::string_view n) { return h.find(n) != std::string_view::npos; }

std::string_view status_category(int64_t status) {
  switch (status) {
    case 400: return "bad-request";
    case 403: return "forbidden";
    case 408: return "request-timeout";
    case 413: return "body-too-large";
    case 414: return "request-too-large";
    case 429: return "rate-limited";
    case 500: return "server-error";
    case 502: return "upstream-error";
    case 503: return "unavailable";
    case 504: return "upstream-timeout";
    default: return "request";
  }
}

}  // namespace

Termination decode_termination(std::string_view s) {
  Termination t;
  if (s.size() < 2) return t;
  switch (s[0]) {
    case 'C': t.closed_by = "client"; break;
    case 'c': t.closed_by = "client"; t.timeout = true; break;
    case 'S': t.closed_by = "server"; break;
    case 's': t.closed_by = "server"; t.timeout = true; break;
    case 'P': t.closed_by = "proxy"; break;
    case 'L': t.closed_by = "local"; break;
    case 'R': t.closed_by = "resource"; break;
    case 'I': t.closed_by = "internal"; break;
    case 'D': t.closed_by = "down"; break;
    case 'U': t.closed_by = "killed"; break;  // killed on a backup when an active server came up
    case 'K': t.closed_by = "killed"; break;
    default: break;
  }
  switch (s[1]) {
    case 'R': t.phase = "request"; break;
    case 'Q': t.phase = "queue"; break;
    case 'C': t.phase = "connect"; break;
    case 'H': t.phase = "headers"; break;
    case 'D': t.phase = "data"; break;
    case 'L': t.phase = "last-ack"; break;
    case 'T': t.phase = "tarpit"; break;
    default: break;
  }
  return t;
}

std::string_view category_for(std::string_view s, int64_t status) {
  if (s.size() < 2) return status_category(status);
  char who = s[0], when = s[1];
  switch (who) {
    case 'C':
      return "client-closed";
    case 'c':
      return when == 'R' ? "request-timeout" : "client-timeout";
    case 'S':
      if (when == 'C') return "upstream-refused";
      if (when == 'H') return "upstream-closed";
      if (when == 'D' || when == 'L') return "upstream-reset";
      return "upstream-error";
    case 's':
      if (when == 'Q') return "upstream-unavailable";
      return "upstream-timeout";
    case 'P':
      if (when == 'R' || when == 'T') return "request-rejected";
      if (when == 'H' || when == 'D') return "upstream-invalid";
      if (when == 'C') return "conn-limited";
      return "request-rejected";
    case 'R':
      return "conn-limited";
    case 'I':
      return "server-error";
    case 'D':
      return "upstream-disabled";
    case 'U':
    case 'K':
      return "conn-killed";
    default:  // '-' and 'L': normal completion or locally handled
      return status_category(status);
  }
}

std::string_view conn_error_category(std::string_view m) {
  for (const Pattern& p : kConnErrors)
    if (has(m, p.needle)) return p.category;
  return {};
}

std::string_view admin_category(std::string_view m) {
  for (const Pattern& p : kAdmin) {
    if (!has(m, p.needle)) continue;
    if (p.category == "health-check-failed" && !has(m, "failed")) return "info";
    return p.category;
  }
  return {};
}

}  // namespace rstscope::haproxy
