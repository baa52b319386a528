#include "nginx_common.h"

#include <array>
#include <cstring>
#include <utility>

#include "rstscope/text.h"
#include "tls_common.h"

namespace rstscope::nginx {
namespace {

struct Pattern {
  std::string_view needle;
  std::string_view category;
};

// Ordered: the first needle found in the message decides (signatures.md B1.2).
constexpr std::array<Pattern, 53> kErrorPatterns{{
    {"upstream prematurely closed", "upstream-closed"},
    {"upstream timed out", "upstream-timeout"},
    {"no live upstreams", "upstream-unavailable"},
    {"upstream server temporarily disabled", "upstream-disabled"},
    {"upstream sent", "upstream-invalid"},
    {"client intended to send too large", "body-too-large"},
    {"client sent plain HTTP request to HTTPS port", "plain-http-to-https"},
    {"client SSL certificate verify error", "tls-client-cert"},
    {"client sent no required SSL certificate", "tls-client-cert"},
    {"peer closed connection in SSL handshake", "tls-handshake-closed"},
    {"client closed connection while SSL handshaking", "tls-handshake-closed"},
    {"SSL_do_handshake() failed", "tls-handshake-failed"},
    {"handshake rejected", "tls-handshake-rejected"},
    {"SSL_read() failed", "tls-error"},
    {"SSL_write() failed", "tls-error"},
    {"SSL_shutdown() failed", "tls-error"},
    {"SSL_read_early_data() failed", "tls-error"},
    {"limiting requests", "rate-limited"},
    {"delaying request", "rate-limited"},
    {"limiting connections", "conn-limited"},
    {"worker_connections are not enough", "conn-limited"},
    {"Too many open files", "conn-limited"},
    {"exited on signal", "worker-crashed"},
    {"exited with code 0", "server-stop"},
    {"exited with code", "worker-crashed"},
    {"epoll_wait() reported that client prematurely closed", "client-closed"},
    {"client prematurely closed connection", "client-closed"},
    {"reported that client prematurely closed", "client-closed"},
    {"client closed connection", "client-closed"},
    {"client timed out", "client-timeout"},
    {"closed keepalive connection", "client-keepalive-close"},
    {"client sent too long", "request-too-large"},
    {"client sent too large", "request-too-large"},
    {"client sent invalid", "bad-request"},
    {"client sent duplicate", "bad-request"},
    {"client sent unknown", "bad-request"},
    {"client sent HTTP/1.1 request without \"Host\"", "bad-request"},
    {"gracefully shutting down", "server-stop"},
    {"shutting down", "server-stop"},
    {"exiting", "server-stop"},
    {"start worker process", "server-start"},
    {"start cache manager process", "server-start"},
    {"signal process started", "server-signal"},
    {"reconfiguring", "server-signal"},
    {"reopening logs", "server-signal"},
    {") received", "server-signal"},
    {"open() \"", "file-not-found"},
    {"\" is not found (2: ", "file-not-found"},  // ngx_http_index_module: "/srv/www/x/index.html" is not found
    {"is forbidden", "forbidden"},
    {"access forbidden by rule", "forbidden"},
    {"FastCGI sent in stderr", "upstream-stderr"},
    {"an upstream response is buffered to a temporary file", "notice"},
    {"a client request body is buffered to a temporary file", "notice"},
}};

}  // namespace

std::string_view classify_error(std::string_view m, std::string_view action) {
  // Socket errors depend on the side: "while ... upstream" is the backend, else the client.
  bool upstream_side = action.find("upstream") != std::string_view::npos;
  auto has = [&](std::string_view n) { return m.find(n) != std::string_view::npos; };
  if (has("recv() failed") || has("readv() failed") || has("writev() failed") || has("send() failed") ||
      has("sendfile() failed") || has("connect() failed") || has("write() failed") || has("read() failed")) {
    if (has("(111:") || has("(10061:")) return upstream_side ? "upstream-refused" : "conn-refused";
    if (has("(104:") || has("(10054:")) return upstream_side ? "upstream-reset" : "client-reset";
    if (has("(32:") || has("(10053:")) return upstream_side ? "upstream-reset" : "client-broken-pipe";
    if (has("(110:") || has("(10060:")) return upstream_side ? "upstream-timeout" : "client-timeout";
    if (has("(113:") || has("(101:")) return upstream_side ? "upstream-unreachable" : "network-unreachable";
    if (has("connect() failed")) return "upstream-connect-failed";
  }
  for (const Pattern& p : kErrorPatterns)
    if (has(p.needle)) return p.category;
  if (m == "exit") return "server-stop";  // master/worker "exit" at the end of a shutdown
  return {};
}

std::string_view category_for_status(int64_t status) {
  switch (status) {
    case 400: return "bad-request";
    case 408: return "request-timeout";
    case 413: return "body-too-large";
    case 414: return "request-too-large";
    case 429: return "rate-limited";
    case 444: return "closed-no-response";
    case 494: return "request-too-large";
    case 495: return "tls-client-cert";
    case 496: return "tls-client-cert";
    case 497: return "plain-http-to-https";
    case 499: return "client-closed";
    case 500: return "server-error";
    case 502: return "upstream-error";
    case 503: return "unavailable";
    case 504: return "upstream-timeout";
    default: return "request";
  }
}

bool starts_with_error_time(std::string_view l) {
  return l.size() >= 19 && l[4] == '/' && l[7] == '/' && l[10] == ' ' && l[13] == ':' && l[0] >= '0' && l[0] <= '9';
}

std::string_view error_line_problem(std::string_view l, CivilTime& t) {
  if (!starts_with_error_time(l) || parse_iso8601(l.substr(0, 19), t) != 19) return "no nginx error-log time at the start";
  std::string_view rest = l.substr(19);
  if (rest.size() < 4 || rest[0] != ' ' || rest[1] != '[') return "no [level] after the time";
  if (rest.find(']') == std::string_view::npos) return "unterminated [level]";
  return {};
}

void parse_error_line(std::string_view l, CivilTime t, Event& ev, TimeResolver& time, const CivilTime* zone) {
  if (zone && zone->has_offset && !t.has_offset) {
    t.has_offset = true;
    t.offset_seconds = zone->offset_seconds;
  }
  std::string_view rest = l.substr(19);
  size_t close = rest.find(']');
  ev.role = Role::proxy;
  ev.ts_raw.assign(l.substr(0, 19));
  time.resolve(t, ev);
  ev.severity.assign(rest.substr(2, close - 2));
  rest = rest.substr(close + 1);
  if (!rest.empty() && rest[0] == ' ') rest.remove_prefix(1);
  // pid#tid:
  size_t colon = rest.find(": ");
  if (colon != std::string_view::npos && colon < 32 && rest.substr(0, colon).find('#') != std::string_view::npos) {
    std::string_view pidtid = rest.substr(0, colon);
    ev.fields.add("pid", pidtid.substr(0, pidtid.find('#')));
    rest = rest.substr(colon + 2);
  }
  if (!rest.empty() && rest[0] == '*') {
    size_t sp = rest.find(' ');
    ev.conn_id.assign(rest.substr(1, sp == std::string_view::npos ? std::string_view::npos : sp - 1));
    rest = sp == std::string_view::npos ? std::string_view{} : rest.substr(sp + 1);
  }
  split_error_message(rest, ev);
}

bool looks_like_ip(std::string_view s) {
  if (looks_like_ipv4(s)) return true;
  int colons = 0;
  for (char c : s) {
    if (c == ':') ++colons;
    else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '.')) return false;
  }
  return colons >= 2;
}

void split_remote_addr_list(std::string_view v, Event& ev) {
  char list[256];
  size_t n = 0;
  int addresses = 0;
  bool first_token = true;
  size_t i = 0;
  while (i < v.size()) {
    while (i < v.size() && (v[i] == ' ' || v[i] == ',' || v[i] == '"')) ++i;
    size_t b = i;
    while (i < v.size() && v[i] != ' ' && v[i] != ',' && v[i] != '"') ++i;
    std::string_view tok = v.substr(b, i - b);
    if (tok.empty()) break;
    if (looks_like_ip(tok)) {
      if (addresses++ == 0) ev.client_ip.assign(tok);
      if (n + tok.size() + 2 <= sizeof list) {
        if (n) list[n++] = ',', list[n++] = ' ';
        std::memcpy(list + n, tok.data(), tok.size());
        n += tok.size();
      }
    } else if (first_token && tok != "-") {
      std::string_view h;
      int64_t port;
      split_host_port(tok, h, port);
      if (!h.empty() && ev.host.empty()) ev.host.assign(h);
      if (port >= 0 && ev.server_port == kNull) ev.server_port = port;
    }
    first_token = false;
  }
  if (!addresses) ev.client_ip.assign(v);  // not addresses after all: keep what was written
  if (addresses > 1) ev.fields.add("forwarded_for", std::string_view(list, n));
}

void split_error_message(std::string_view text, Event& ev) {
  // Trailer: ", client: ..." is appended last by ngx_http_log_error (no trailer for many lines).
  size_t trailer = text.find(", client: ");
  std::string_view msg = text.substr(0, trailer);
  std::string_view tail = trailer == std::string_view::npos ? std::string_view{} : text.substr(trailer + 2);
  // " while ACTION"
  std::string_view action;
  size_t w = msg.rfind(" while ");
  if (w != std::string_view::npos) {
    action = msg.substr(w + 7);
    msg = msg.substr(0, w);
  }
  // " (ERRNO: TEXT)" at the end of the message
  if (!msg.empty() && msg.back() == ')') {
    size_t open = msg.rfind(" (");
    if (open != std::string_view::npos) {
      std::string_view inner = msg.substr(open + 2, msg.size() - open - 3);
      size_t c = inner.find(": ");
      int64_t err;
      if (c != std::string_view::npos && parse_int(inner.substr(0, c), err)) {
        ev.fields.add("errno", err);
        ev.fields.add("error", inner.substr(c + 2));
      }
    }
  }
  ev.message.assign(msg);
  if (!action.empty()) ev.fields.add("action", action);
  // Trailer fields: key: value or key: "value", separated by ", ".
  while (!tail.empty()) {
    size_t colon = tail.find(": ");
    if (colon == std::string_view::npos) break;
    std::string_view key = tail.substr(0, colon);
    tail = tail.substr(colon + 2);
    std::string_view value;
    if (!tail.empty() && tail[0] == '"') {
      size_t end = 1;
      while (end < tail.size() && tail[end] != '"') {
        if (tail[end] == '\\') ++end;
        ++end;
      }
      value = tail.substr(1, std::min(end, tail.size()) - 1);
      tail = end + 1 < tail.size() ? tail.substr(end + 1) : std::string_view{};
    } else {
      size_t comma = tail.find(", ");
      value = tail.substr(0, comma);
      tail = comma == std::string_view::npos ? std::string_view{} : tail.substr(comma);
    }
    if (starts_with(tail, ", ")) tail.remove_prefix(2);
    if (key == "client") {
      ev.client_ip.assign(value);
    } else if (key == "server") {
      ev.fields.add("server_name", value);
      std::string_view h;
      int64_t port;
      split_host_port(value, h, port);
      if (port >= 0 && (looks_like_ipv4(h) || h == "*" || h.find(':') != std::string_view::npos)) {
        ev.server_ip.assign(h);
        ev.server_port = port;
      }
    } else if (key == "request") {
      std::string_view r = value, tok;
      if (next_token(r, tok)) ev.method.assign(tok);
      if (next_token(r, tok)) ev.path.assign(tok);
      if (next_token(r, tok)) ev.protocol.assign(tok);
    } else if (key == "host") {
      ev.host.assign(value);
    } else if (key == "upstream") {
      ev.fields.add("upstream", value);
    } else if (key == "referrer") {
      ev.fields.add("referrer", value);
    } else if (key == "subrequest") {
      ev.fields.add("subrequest", value);
    } else {
      ev.fields.add(key, value);
    }
  }
  // "client 10.0.0.1 closed keepalive connection" names the client in the message, not the trailer.
  if (ev.client_ip.empty() && starts_with(msg, "client ")) {
    std::string_view who = msg.substr(7);
    who = who.substr(0, who.find(' '));
    if (looks_like_ip(who)) ev.client_ip.assign(who);
  }
  std::string_view cat = classify_error(msg, action);
  // TLS lines: decode the OpenSSL error (signatures.md B1.3) into fields.tls_reason & co.
  // Client-side handshake failures get the finer category of the reason (plain HTTP, EOF, cert).
  if (starts_with(msg, "SSL_") || starts_with(msg, "peer closed connection in SSL")) {
    tls::OpenSslError e;
    if (tls::find_openssl_error(msg, e)) {
      tls::add_openssl_fields(ev, e);
      bool upstream_side = action.find("upstream") != std::string_view::npos;
      if (cat == "tls-handshake-failed" && !upstream_side) cat = tls::tls_failure_category(e);
    }
    if (action.find("upstream") != std::string_view::npos) ev.fields.add("tls_side", "upstream");
  }
  if (cat.empty()) cat = ev.severity;  // unclassified: the level is the best word we have
  ev.category.assign(cat);
}

}  // namespace rstscope::nginx
