// Apache httpd error_log, 2.2 and 2.4 grammars (shared/reference/signatures.md B4.1):
//   2.4  [Wed Jun 17 13:08:52.089713 2020] [proxy_http:error] [pid 12181:tid 1400] (20014)Internal
//        error (specific information not available): [client 1.2.3.4:39416] AH01102: error reading
//        status line from remote server 127.0.0.1:9001[, referer: R]
//   2.2  [Mon Dec 26 16:22:00 2016] [error] [client 192.168.33.1] File does not exist: /var/www/x
// Messages are classified into docs/categories.md words by AH code (B4.2, B4.3) and, for 2.2
// lines without codes, by text; the APR status "(104)Connection reset by peer" refines socket
// errors (backend side for mod_proxy lines, client side otherwise). mod_proxy lines are
// role=proxy, the rest role=server. Times carry no zone: --tz or inferred UTC.
#include <algorithm>
#include <array>

#include "rstscope/parser.h"
#include "rstscope/text.h"
#include "tls_common.h"
#include "web_common.h"

namespace rstscope {
namespace apache {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// "Wed Jun 17 13:08:52.089713 2020" / "Sun Dec 04 04:47:44 2005" / "Mon Dec  4 04:47:44 2005"
size_t parse_ctime(std::string_view s, CivilTime& c) {
  c = CivilTime{};
  if (s.size() < 24 || s[3] != ' ' || s[7] != ' ') return 0;
  c.month = month_from_abbr(s.substr(4, 3));
  if (!c.month) return 0;
  size_t i = 8;
  if (s[i] == ' ') ++i;
  if (!is_digit(s[i])) return 0;
  c.day = s[i] - '0';
  ++i;
  if (is_digit(s[i])) c.day = c.day * 10 + (s[i++] - '0');
  if (s[i++] != ' ') return 0;
  if (i + 8 > s.size()) return 0;
  auto two = [&](size_t at, int& out) {
    if (!is_digit(s[at]) || !is_digit(s[at + 1])) return false;
    out = (s[at] - '0') * 10 + (s[at + 1] - '0');
    return true;
  };
  if (!two(i, c.hour) || s[i + 2] != ':' || !two(i + 3, c.minute) || s[i + 5] != ':' || !two(i + 6, c.second))
    return 0;
  i += 8;
  if (i < s.size() && s[i] == '.') {
    ++i;
    int digits = 0;
    while (i < s.size() && is_digit(s[i])) {
      if (digits < 6) {
        c.micros = c.micros * 10 + (s[i] - '0');
        ++digits;
      }
      ++i;
    }
    while (digits++ < 6) c.micros *= 10;
  }
  if (i + 5 > s.size() || s[i] != ' ') return 0;
  ++i;
  c.year = 0;
  for (int k = 0; k < 4; ++k) {
    if (!is_digit(s[i + k])) return 0;
    c.year = c.year * 10 + (s[i + k] - '0');
  }
  return i + 4;
}

struct AhRule {
  int code;
  std::string_view category;
};

// B4.2 / B4.3 plus the lifecycle and access codes seen in real logs. Sorted by code.
constexpr std::array<AhRule, 45> kAhRules{{
    {45, "server-signal"},          // child process still did not exit, sending a SIGTERM
    {46, "server-signal"},          // ... SIGKILL
    {47, "server-signal"},          // could not make child process exit
    {52, "worker-crashed"},         // child pid N exit signal Segmentation fault (11)
    {94, "server-start"},           // Command line: '...'
    {124, "server-error"},          // exceeded the limit of internal redirects
    {128, "file-not-found"},        // File does not exist
    {161, "conn-limited"},          // server reached MaxRequestWorkers setting
    {163, "server-start"},          // Apache/2.4 configured -- resuming normal operations
    {169, "server-stop"},           // caught SIGTERM, shutting down
    {170, "server-signal"},         // caught SIGWINCH, shutting down gracefully
    {171, "server-signal"},         // Graceful restart requested, doing restart
    {288, "conn-limited"},          // scoreboard is full, not at MaxRequestWorkers
    {489, "server-start"},          // configured -- resuming normal operations (older 2.4)
    {492, "server-signal"},         // caught SIGWINCH
    {493, "server-signal"},         // SIGUSR1 received.  Doing graceful restart
    {898, "upstream-error"},        // Error reading from remote server returned by /uri
    {940, "upstream-unavailable"},  // disabled connection for (host:port)
    {957, "upstream-connect-failed"},  // attempt to connect to ... failed (errno refines)
    {959, "upstream-disabled"},     // ap_proxy_connect_backend disabling worker
    {1067, "upstream-closed"},      // proxy_fcgi: Failed to read FastCGI header
    {1075, "upstream-error"},       // proxy_fcgi: Error dispatching request to
    {1084, "upstream-reset"},       // pass request body failed to
    {1095, "upstream-reset"},       // prefetch request body failed to
    {1097, "upstream-reset"},       // pass request body failed to ... from ...
    {1102, "upstream-closed"},      // error reading status line from remote server
    {1103, "upstream-timeout"},     // read timeout
    {1104, "upstream-closed"},      // Closing connection to client because reading from backend failed
    {1106, "upstream-invalid"},     // bad HTTP/%d.%d header returned by
    {1110, "upstream-closed"},      // error reading response
    {1114, "upstream-connect-failed"},  // failed to make connection to backend
    {1215, "upstream-error"},       // End of script output before headers (CGI)
    {1382, "client-timeout"},       // Request header/body read timeout (mod_reqtimeout)
    {1618, "forbidden"},            // user not found
    {1630, "forbidden"},            // client denied by server configuration
    {1964, "conn-accepted"},        // Connection to child established
    {1991, "tls-error"},            // SSL input filter read failed.
    {1992, "tls-error"},            // SSL library error reading data
    {1993, "tls-error"},            // SSL output filter write failed.
    {1994, "tls-error"},            // SSL library error writing data
    {1995, "tls-error"},            // failed to write N of M bytes
    {1996, "plain-http-to-https"},  // SSL handshake failed: HTTP spoken on HTTPS port
    {2006, "tls-handshake-closed"}, // SSL handshake stopped: connection was closed
    {2007, "tls-handshake-closed"}, // SSL handshake interrupted by system
    {2008, "tls-handshake-failed"}, // SSL library error N in handshake
}};
constexpr std::array<AhRule, 4> kAhRules2{{
    {2039, "tls-client-cert"},      // Certificate Verification: Error
    {2261, "tls-error"},            // Re-negotiation handshake failed
    {3408, "upstream-closed"},      // reusable backend connection is not empty: forcibly closed
    {1797, "forbidden"},            // client denied by server configuration (2.4 authz)
}};

std::string_view category_for_ah(int code) {
  auto it = std::lower_bound(kAhRules.begin(), kAhRules.end(), code,
                             [](const AhRule& r, int c) { return r.code < c; });
  if (it != kAhRules.end() && it->code == code) return it->category;
  for (const AhRule& r : kAhRules2)
    if (r.code == code) return r.category;
  return {};
}

struct TextRule {
  std::string_view needle;
  std::string_view category;
};

// 2.2 lines (no AH codes) and 2.4 messages whose code we do not list. First match wins.
constexpr std::array<TextRule, 30> kTextRules{{
    {"error reading status line from remote server", "upstream-closed"},
    {"Error reading from remote server", "upstream-error"},
    {"Error during SSL Handshake with remote server", "upstream-error"},
    {"error reading response", "upstream-closed"},
    {"disabling worker", "upstream-disabled"},
    {"disabled connection for", "upstream-unavailable"},
    {"failed to make connection to backend", "upstream-connect-failed"},
    {"attempt to connect to", "upstream-connect-failed"},
    {"pass request body failed", "upstream-reset"},
    {"Premature end of script headers", "upstream-error"},
    {"End of script output before headers", "upstream-error"},
    {"exit signal", "worker-crashed"},
    {"MaxClients", "conn-limited"},
    {"MaxRequestWorkers", "conn-limited"},
    {"HTTP spoken on HTTPS port", "plain-http-to-https"},
    {"SSL handshake stopped", "tls-handshake-closed"},
    {"SSL handshake interrupted", "tls-handshake-closed"},
    {"SSL library error", "tls-handshake-failed"},
    {"SSL Library Error", "tls-handshake-failed"},
    {"Certificate Verification: Error", "tls-client-cert"},
    {"read timeout", "client-timeout"},
    {"File does not exist", "file-not-found"},
    {"script not found or unable to stat", "file-not-found"},
    {"client denied by server configuration", "forbidden"},
    {"Directory index forbidden", "forbidden"},
    {"resuming normal operations", "server-start"},
    {"caught SIGTERM, shutting down", "server-stop"},
    {"SIGHUP received", "server-signal"},
    {"Graceful restart requested", "server-signal"},
    {"shutting down", "server-stop"},
}};

// Socket-level APR statuses: the side decides the word (mod_proxy = backend, else client).
std::string_view category_for_status_code(int64_t st, bool upstream) {
  switch (st) {
    case 104:
    case 10054: return upstream ? "upstream-reset" : "client-reset";
    case 32: return upstream ? "upstream-reset" : "client-broken-pipe";
    case 111:
    case 10061: return upstream ? "upstream-refused" : "conn-refused";
    case 110:
    case 70007: return upstream ? "upstream-timeout" : "client-timeout";
    case 113:
    case 101: return upstream ? "upstream-unreachable" : "network-unreachable";
    case 70014: return upstream ? "upstream-closed" : "client-closed";
    default: return {};
  }
}

}  // namespace

bool looks_like_error_line(std::string_view l) {
  CivilTime t;
  return l.size() > 27 && l[0] == '[' && parse_ctime(l.substr(1), t) && l.find("] [", 20) != std::string_view::npos;
}

bool parse_error_line(std::string_view l, Event& ev, TimeResolver& time) {
  if (l.size() < 27 || l[0] != '[') return false;
  CivilTime t;
  size_t n = parse_ctime(l.substr(1), t);
  if (!n || 1 + n >= l.size() || l[1 + n] != ']') return false;
  std::string_view rest = l.substr(n + 2);
  if (rest.size() < 3 || rest[0] != ' ' || rest[1] != '[') return false;
  size_t close = rest.find(']');
  if (close == std::string_view::npos) return false;
  std::string_view modlevel = rest.substr(2, close - 2);
  rest = rest.substr(close + 1);

  ev.ts_raw.assign(l.substr(1, n));
  time.resolve(t, ev);
  std::string_view module, level = modlevel;
  size_t colon = modlevel.find(':');
  if (colon != std::string_view::npos) {
    module = modlevel.substr(0, colon);
    level = modlevel.substr(colon + 1);
  }
  ev.severity.assign(level);
  to_lower_inplace(ev.severity);
  if (!module.empty()) ev.fields.add("module", module);

  auto skip_space = [&] {
    while (!rest.empty() && rest[0] == ' ') rest.remove_prefix(1);
  };
  skip_space();
  // [pid N:tid T]
  if (starts_with(rest, "[pid ")) {
    size_t e = rest.find(']');
    if (e != std::string_view::npos) {
      std::string_view pt = rest.substr(5, e - 5);
      size_t tid = pt.find(":tid ");
      ev.fields.add("pid", pt.substr(0, tid));
      if (tid != std::string_view::npos) ev.fields.add("tid", pt.substr(tid + 5));
      rest = rest.substr(e + 1);
      skip_space();
    }
  }
  // file.c(470): (LogLevel debug and trace)
  {
    size_t p = rest.find("): ");
    if (p != std::string_view::npos && p < 64) {
      size_t o = rest.find('(');
      if (o != std::string_view::npos && o < p && o > 0 && rest.substr(0, o).find(' ') == std::string_view::npos &&
          rest.substr(0, o).find('.') != std::string_view::npos) {
        ev.fields.add("source", rest.substr(0, p + 1));
        rest = rest.substr(p + 3);
      }
    }
  }
  // (APR status)text:
  int64_t apr = kNull;
  if (!rest.empty() && rest[0] == '(') {
    size_t cp = rest.find(')');
    int64_t v;
    if (cp != std::string_view::npos && parse_int(rest.substr(1, cp - 1), v)) {
      size_t colon2 = rest.find(": ", cp);
      if (colon2 != std::string_view::npos) {
        apr = v;
        ev.fields.add("errno", v);
        ev.fields.add("error", rest.substr(cp + 1, colon2 - cp - 1));
        rest = rest.substr(colon2 + 2);
      }
    }
  }
  // [client IP:PORT] / [remote IP:PORT]
  for (int k = 0; k < 2; ++k) {
    skip_space();
    bool client = starts_with(rest, "[client ");
    bool remote = starts_with(rest, "[remote ");
    if (!client && !remote) break;
    size_t e = rest.find(']');
    if (e == std::string_view::npos) break;
    std::string_view addr = rest.substr(8, e - 8);
    if (client) {
      web::split_addr(addr, ev.client_ip, ev.client_port);
    } else {
      ev.fields.add("remote", addr);
    }
    rest = rest.substr(e + 1);
  }
  skip_space();
  // AHnnnnn:
  int ah = 0;
  if (rest.size() > 8 && rest[0] == 'A' && rest[1] == 'H' && rest[7] == ':') {
    int v = 0;
    bool ok = true;
    for (int k = 2; k < 7; ++k) {
      if (!is_digit(rest[k])) ok = false;
      else v = v * 10 + (rest[k] - '0');
    }
    if (ok) {
      ah = v;
      ev.fields.add("ah", rest.substr(0, 7));
    }
  }
  // ", referer: R" at the end
  std::string_view msg = rest;
  size_t ref = msg.rfind(", referer: ");
  if (ref != std::string_view::npos) {
    ev.fields.add("referrer", msg.substr(ref + 11));
    msg = msg.substr(0, ref);
  }
  ev.message.assign(msg);
  std::string_view text = ah ? msg.substr(std::min<size_t>(8, msg.size())) : msg;

  bool proxy = starts_with(module, "proxy") || starts_with(text, "proxy:") || text.find(" proxy: ") != std::string_view::npos;
  ev.role = proxy ? Role::proxy : Role::server;

  std::string_view cat;
  if (ah) cat = category_for_ah(ah);
  if (cat.empty()) {
    for (const TextRule& r : kTextRules)
      if (text.find(r.needle) != std::string_view::npos) {
        cat = r.category;
        break;
      }
  }
  // Socket-level statuses refine the generic words (AH00957 connect failed + (111) = refused).
  if (apr != kNull) {
    std::string_view by_status = category_for_status_code(apr, proxy);
    if (!by_status.empty() && (cat.empty() || cat == "upstream-connect-failed" || cat == "upstream-closed" ||
                               cat == "upstream-error" || cat == "tls-error" || cat == "upstream-reset"))
      cat = by_status;
  }
  // "Connection closed to child N with abortive shutdown" (AH01998..AH02001)
  if (ah >= 1998 && ah <= 2001) cat = text.find("abortive") != std::string_view::npos ? "client-reset" : "conn-closed";
  if (ah == 1382 || text.find("Request header read timeout") != std::string_view::npos ||
      text.find("Request body read timeout") != std::string_view::npos)
    cat = "client-timeout";
  // mod_ssl "SSL Library Error: error:0A00010B:SSL routines::wrong version number"
  if (module == "ssl" || text.find("SSL") != std::string_view::npos) {
    tls::OpenSslError e;
    if (tls::find_openssl_error(text, e) && !e.reason.empty()) ev.fields.add("tls_reason", e.reason);
  }
  if (cat.empty()) cat = ev.severity;
  ev.category.assign(cat);
  return true;
}

namespace {

class ApacheErrorFile : public FileParser {
 public:
  explicit ApacheErrorFile(const ParseContext& ctx) : ctx_(ctx) {}
  void record(const Record& rec, Emitter& out) override {
    std::string_view l = rec.text;
    if (trim(l).empty()) return;
    if (!looks_like_error_line(l)) {
      out.unparsed("no Apache error-log '[Www Mmm dd HH:MM:SS yyyy] [level]' prefix");
      return;
    }
    Event& ev = out.event();
    if (!parse_error_line(l, ev, *ctx_.time)) {
      // looks_like_error_line() accepted it, so this is a malformed level bracket: keep what we have.
      ev.role = Role::server;
      ev.category.assign("error");
      ev.message.assign(l);
    }
  }

 private:
  ParseContext ctx_;
};

class ApacheErrorParser : public Parser {
 public:
  std::string_view name() const override { return "apache-error"; }
  std::string_view description() const override {
    return "Apache httpd error_log (2.2 and 2.4): AH codes, mod_proxy backend failures, mod_ssl handshakes, "
           "crashes and restarts classified";
  }
  Role role() const override { return Role::server; }
  Score sniff(const SniffInput& in) const override {
    int hits = 0, total = 0;
    for (std::string_view l : in.lines) {
      ++total;
      if (looks_like_error_line(l)) ++hits;
    }
    if (!hits) return {};
    int score = 40 + 55 * hits / total;
    return {score, std::to_string(hits) + " of " + std::to_string(total) +
                       " lines start with '[Www Mmm dd HH:MM:SS yyyy] [level]'"};
  }
  std::unique_ptr<FileParser> open(const ParseContext& ctx) const override {
    return std::make_unique<ApacheErrorFile>(ctx);
  }
  const std::vector<Sample>& samples() const override {
    static const std::vector<Sample> s = {
        // signatures.md B4.1 (ether/etherpad#4125)
        {"[Wed Jun 17 13:08:52.089713 2020] [proxy_http:error] [pid 12181:tid 140023206749952] (20014)Internal "
         "error (specific information not available): [client 10.1.2.3:39416] AH01102: error reading status "
         "line from remote server 127.0.0.1:9001",
         {{"ts", "2020-06-17T13:08:52.089Z"},
          {"role", "proxy"},
          {"severity", "error"},
          {"category", "upstream-closed"},
          {"client_ip", "10.1.2.3"},
          {"client_port", "39416"},
          {"fields.ah", "AH01102"},
          {"fields.module", "proxy_http"},
          {"fields.errno", "20014"},
          {"fields.pid", "12181"},
          {"message", "AH01102: error reading status line from remote server 127.0.0.1:9001"}}},
        // crowbar/crowbar-core#71 (B4.1), with a time added
        {"[Tue Mar 01 10:00:00.000001 2016] [proxy_http:error] [pid 2580] (104)Connection reset by peer: "
         "[client 127.0.0.1:27917] AH01102: error reading status line from remote server 127.0.0.1:3000",
         {{"category", "upstream-reset"}, {"fields.errno", "104"}, {"role", "proxy"}}},
        // corpus crowdsec_apache2-logs.log line 9
        {"[Wed Apr 16 16:09:40.056610 2025] [ssl:info] [pid 120974:tid 120974] (70014)End of file found: "
         "[client 192.168.1.1:17036] AH02006: SSL handshake stopped: connection was closed",
         {{"category", "tls-handshake-closed"}, {"role", "server"}, {"severity", "info"}, {"client_port", "17036"}}},
        // corpus beats_apache_error_ubuntu-2.2.22.log (2.2 grammar), tz as the beats test
        {"[Mon Dec 26 16:22:00 2016] [error] [client 192.168.33.1] File does not exist: /var/www/favicon.ico, "
         "referer: http://192.168.33.72/",
         {{"ts", "2016-12-26T18:22:00.000Z"},
          {"category", "file-not-found"},
          {"client_ip", "192.168.33.1"},
          {"fields.referrer", "http://192.168.33.72/"},
          {"message", "File does not exist: /var/www/favicon.ico"}},
         "-02:00"},
        {"[Mon Dec 26 16:17:53 2016] [notice] Apache/2.2.22 (Ubuntu) configured -- resuming normal operations",
         {{"category", "server-start"}, {"severity", "notice"}}},
        // B4.2 AH00052
        {"[Thu Jun 27 06:58:09.169510 2019] [core:notice] [pid 15934] AH00052: child pid 1234 exit signal "
         "Segmentation fault (11)",
         {{"category", "worker-crashed"}}},
        // B4.2 AH00957 with (111)
        {"[Thu Jun 27 06:58:09.169510 2019] [proxy:error] [pid 15934] (111)Connection refused: AH00957: HTTP: "
         "attempt to connect to 10.0.0.5:8080 (app) failed",
         {{"category", "upstream-refused"}, {"role", "proxy"}}},
        // corpus beats_apache_error_sublevel.log (trace level, source file prefix)
        {"[Wed Oct 20 19:20:59.121211 2021] [rewrite:trace3] [pid 121591:tid 140413273032448] mod_rewrite.c(470): "
         "[client 10.121.192.8:38350] 10.121.192.8 - - [dev.elastic.co/sid#55a374e851c8][rid#7fb438083ac0/initial] "
         "applying pattern '^/import/?(.*)$' to uri '/'",
         {{"severity", "trace3"}, {"category", "trace3"}, {"client_port", "38350"}, {"fields.source", "mod_rewrite.c(470)"}}},
        {"GET / HTTP/1.1", {{"unparsed", "1"}}},
    };
    return s;
  }
};

RSTSCOPE_REGISTER_PARSER(ApacheErrorParser);

}  // namespace
}  // namespace apache
}  // namespace rstscope
