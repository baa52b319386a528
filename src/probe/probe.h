// Probe: the minimal client that reproduces, times and measures a connection failure
// (`rstscope probe HOST:PORT`).
//
// Contract:
// - run_probe() makes opts.count connections one after the other; each goes through the steps
//   resolve -> connect -> [tls] -> [request -> response] -> [idle | reuse], and stops at the first
//   failing step. Every step is reported to `on_step` as soon as it ends (so the CLI can print and
//   log progressively) and kept in the Result.
// - Every wait is bounded: DNS (getaddrinfo_a + gai_suspend), connect, TLS handshake, writes and
//   reads all run on non-blocking sockets under poll() with a deadline (opts.timeout_s, or the idle
//   time for idle waits). Nothing blocks longer than its deadline plus one poll slice.
// - A close is classified as "fin" (recv() returned 0 / TCP state CLOSE_WAIT) or "rst" (ECONNRESET,
//   or TCP state CLOSE before we closed); TLS close_notify is reported separately (close_notify=1).
// - Errors carry the raw errno (or EAI_* code for DNS), its symbolic name, the Windows Sockets code
//   of the same condition (0 when there is none) and a failure kind from shared/spec/incidents.md.
// - Ignores SIGPIPE for the process (writes into a reset socket must return EPIPE, not kill us).
// Thread-safety: run_probe() is reentrant; the tables are constant.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rstscope::probe {

struct Options {
  std::string host;             // name or address as given (IPv6 without brackets)
  int port = 0;
  int family = 0;               // 0 any, 4, 6
  int count = 1;                // connections, one after the other
  double timeout_s = 10;        // bound of each resolve/connect/handshake/read/write wait
  // TLS
  bool tls = false;
  std::string tls_min, tls_max;  // "1.0".."1.3" or "" (library default)
  std::string ciphers;           // TLS <= 1.2 cipher list (OpenSSL syntax)
  std::string ciphersuites;      // TLS 1.3 suites
  std::string sni;               // "" = host when it is a name; "-" = send none
  std::string alpn;              // comma-separated, e.g. "h2,http/1.1"
  bool verify = false;           // fail on certificate verification errors
  std::string ca_file;
  // Request: HTTP/1.1 (http_path non-empty) or raw bytes (send_data non-empty), or nothing.
  std::string http_path;
  std::string method = "GET";
  std::vector<std::string> headers;  // extra "Name: value" lines
  std::string send_data;             // raw bytes (--send FILE, already read)
  // Idle behaviour
  double idle_s = -1;             // hold idle and watch for the server's close
  double find_idle_max_s = -1;    // request, then wait up to this for the close and time it
  double reuse_after_s = -1;      // second request on the same connection after this pause
  bool protocol_check = false;    // try plain and TLS, say which the port speaks
};

// One step of one connection.
struct Step {
  int conn = 0;                 // 1-based connection number
  std::string name;             // resolve|connect|tls|request|response|idle|pause|reuse-request|
                                // reuse-response|protocol-plain|protocol-tls|protocol
  std::string result;           // ok | fail | closed | open | skip (a step that could not be tried)
  int64_t wall_us = 0;          // UTC microseconds when the step ended
  double elapsed_ms = 0;        // duration of the step
  std::string local, remote;    // "ip:port" ("[v6]:port"), empty when not known yet
  // Failure (result=fail) or close (result=closed)
  std::string kind;             // spec kind: reset, aborted, eof, broken-pipe, tls, refused, timeout,
                                // http-error, other
  int err = 0;                  // raw errno (EAI_* value for resolve failures), 0 if none
  std::string error_name;       // "ECONNRESET", "EAI_NONAME", ...
  int wsa = 0;                  // matching Windows Sockets code, 0 if none
  std::string close;            // "fin" | "rst" | "" (how the peer closed, when it did)
  std::string message;          // one readable sentence
  std::vector<std::pair<std::string, std::string>> info;  // extra key=value facts for the log
  std::string get(std::string_view key) const;            // value of an info key, "" if absent
};

struct Result {
  std::vector<Step> steps;
  bool ok = true;                // no step failed
  double idle_timeout_ms = -1;   // --find-idle-timeout / --idle: time from last activity to close
  std::string idle_close;        // fin | rst for that close
  std::string speaks;            // --protocol-check verdict: tls | plain-http | plain | none | both
  bool no_keepalive = false;     // the server closed right after the response: idle timeout 0
  bool reuse_not_tried = false;  // --reuse-after found no connection to reuse (ok = false)
};

using StepCallback = std::function<void(const Step&)>;

Result run_probe(const Options& opts, const StepCallback& on_step = {});

// ---- error vocabulary ----
struct ErrnoInfo {
  int err;
  const char* name;  // "ECONNRESET"
  int wsa;           // 10054, 0 = none
  const char* wsa_name;  // "WSAECONNRESET" or ""
};
// Known socket errnos (Linux numbers); nullptr for others.
const ErrnoInfo* errno_info(int err);
std::string errno_name(int err);         // "ECONNRESET", or "E<number>" when unknown
int wsa_code(int err);                   // 0 when none
std::string_view wsa_message(int wsa);   // Windows FormatMessage text for the codes that matter, else ""
std::string_view eai_name(int eai);      // "EAI_NONAME" ...
int eai_wsa(int eai);                    // WSAHOST_NOT_FOUND 11001 ...
// Failure kind for an errno seen while connecting / reading / writing.
std::string_view kind_for_errno(int err);
// RFC 8446 alert name for an alert number ("protocol_version"), "" when unknown.
std::string_view tls_alert_name(int alert);

// ---- log lines (`--log FILE`) ----
// One self-describing line per step:
//   2026-11-24T10:00:00.123Z rstscope-probe run=RUN conn=1 step=connect target=HOST:PORT
//   result=ok elapsed_ms=0.412 local=127.0.0.1:51234 remote=127.0.0.1:8443 [kind=.. errno=..
//   error=.. wsa=.. close=..] [info keys...] [msg="..."]
// Values containing spaces, quotes or '=' are written "quoted" with \" and \\ escapes.
inline constexpr std::string_view kLogTag = "rstscope-probe";
std::string format_log_line(const Step& s, std::string_view run, std::string_view target);
// Readable one-line rendering for the terminal.
std::string format_text_line(const Step& s);

}  // namespace rstscope::probe
