// stunnel log: "YYYY.MM.DD HH:MM:SS LOG<level>[<id>]: <text>" (file/stderr, local time) or via
// syslog "... stunnel[pid]: LOG<level>[<id>]: <text>". Grammar and message table:
// shared/reference/signatures.md B16. The connection id in brackets is the conn_id; the service
// name and client address are only on the accept line, so the parser remembers them per id and
// copies them onto every later line of that connection.
#include <string>
#include <unordered_map>

#include "firewall_common.h"
#include "rstscope/parser.h"
#include "rstscope/text.h"
#include "syslog_common.h"
#include "tls_common.h"

namespace rstscope {
namespace {

bool digits(std::string_view s, size_t at, size_t n) {
  if (at + n > s.size()) return false;
  for (size_t i = at; i < at + n; ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

int num(std::string_view s, size_t at, size_t n) {
  int v = 0;
  for (size_t i = at; i < at + n; ++i) v = v * 10 + (s[i] - '0');
  return v;
}

// "2026.11.23 20:19:01"
bool stunnel_time(std::string_view l, CivilTime& t) {
  if (l.size() < 19 || l[4] != '.' || l[7] != '.' || l[10] != ' ' || l[13] != ':' || l[16] != ':') return false;
  if (!digits(l, 0, 4) || !digits(l, 5, 2) || !digits(l, 8, 2) || !digits(l, 11, 2) || !digits(l, 14, 2) ||
      !digits(l, 17, 2))
    return false;
  t = CivilTime{};
  t.year = num(l, 0, 4);
  t.month = num(l, 5, 2);
  t.day = num(l, 8, 2);
  t.hour = num(l, 11, 2);
  t.minute = num(l, 14, 2);
  t.second = num(l, 17, 2);
  return t.month >= 1 && t.month <= 12 && t.day >= 1 && t.day <= 31 && t.hour < 24 && t.minute < 60 && t.second < 61;
}

// "LOG5[0]: " at the start of s -> level, id, rest.
bool log_tag(std::string_view s, int& level, std::string_view& id, std::string_view& rest) {
  if (s.size() < 8 || !starts_with(s, "LOG") || s[3] < '0' || s[3] > '7' || s[4] != '[') return false;
  size_t close = s.find("]: ", 5);
  if (close == std::string_view::npos || close > 40) return false;
  level = s[3] - '0';
  id = s.substr(5, close - 5);
  rest = s.substr(close + 3);
  return true;
}

std::string_view level_name(int level) {
  static constexpr std::string_view kNames[8] = {"emerg", "alert", "crit", "error", "warn", "notice", "info", "debug"};
  return level >= 0 && level < 8 ? kNames[level] : std::string_view{};
}

// "Connection reset by peer (104)" / "(WSAECONNRESET)" -> errno text.
bool is_reset_text(std::string_view t) {
  return t.find("Connection reset by peer") != std::string_view::npos ||
         t.find("WSAECONNRESET") != std::string_view::npos || t.find("(10054)") != std::string_view::npos;
}

int64_t errno_in_parens(std::string_view t) {
  if (t.empty() || t.back() != ')') return kNull;
  size_t open = t.rfind('(');
  if (open == std::string_view::npos) return kNull;
  int64_t v;
  if (fw::parse_uint(t.substr(open + 1, t.size() - open - 2), v)) return v;
  return kNull;
}

struct ConnInfo {
  std::string service;
  std::string client_ip;
  int64_t client_port = kNull;
  std::string backend_ip;
  int64_t backend_port = kNull;
  std::string protocol;
};

class StunnelFile : public FileParser {
 public:
  explicit StunnelFile(const ParseContext& ctx) : ctx_(ctx) {}

  void record(const Record& rec, Emitter& out) override {
    if (trim(rec.text).empty()) return;  // blank lines are neither events nor garbage
    std::string_view l = rec.text;
    CivilTime t;
    bool has_time = false;
    std::string_view ts_raw, rest;
    int level = -1;
    std::string_view id;
    if (stunnel_time(l, t) && l.size() > 20) {
      has_time = true;
      ts_raw = l.substr(0, 19);
      if (!log_tag(l.substr(20), level, id, rest)) {
        out.unparsed("no LOGn[id]: after the stunnel time");
        return;
      }
    } else {
      syslog::Prefix p;
      if (!syslog::split(l, p) || !log_tag(p.message, level, id, rest)) {
        // stunnel with syslog=yes sometimes omits the tag: find it anywhere early in the line.
        size_t at = l.find("LOG");
        if (at == std::string_view::npos || at > 80 || !log_tag(l.substr(at), level, id, rest)) {
          out.unparsed("not a stunnel line (no LOGn[id]:)");
          return;
        }
        if (syslog::split(l, p) && p.has_time) {
          has_time = true;
          t = p.time;
          ts_raw = p.time_text;
        }
      } else if (p.has_time) {
        has_time = true;
        t = p.time;
        ts_raw = p.time_text;
      }
    }
    Event& ev = out.event();
    ev.role = Role::tls;
    if (has_time) {
      ev.ts_raw.assign(ts_raw);
      ctx_.time->resolve(t, ev);
    }
    ev.severity.assign(level_name(level));
    bool numeric_id = !id.empty() && (id[0] >= '0' && id[0] <= '9');
    if (numeric_id) {
      ev.conn_id.assign(id);
    } else if (!id.empty()) {
      ev.fields.add("thread", id);
    }
    ev.message.assign(rest);
    classify(rest, id, numeric_id, ev);
  }

 private:
  ConnInfo* conn(std::string_view id) {
    auto it = conns_.find(std::string(id));
    return it == conns_.end() ? nullptr : &it->second;
  }

  void classify(std::string_view m, std::string_view id, bool numeric_id, Event& ev) {
    ConnInfo* ci = numeric_id ? conn(id) : nullptr;
    std::string_view cat;
    // Service [name] accepted connection from A:P
    if (starts_with(m, "Service [")) {
      size_t close = m.find(']', 9);
      std::string_view svc = close == std::string_view::npos ? std::string_view{} : m.substr(9, close - 9);
      std::string_view tail = close == std::string_view::npos ? std::string_view{} : m.substr(close + 1);
      if (!svc.empty()) ev.fields.add("service", svc);
      if (starts_with(tail, " accepted connection from ")) {
        std::string_view addr = tail.substr(26), h;
        int64_t port;
        split_host_port(addr, h, port);
        if (numeric_id) {
          ConnInfo& c = conns_[std::string(id)];
          c = ConnInfo{};
          c.service.assign(svc);
          c.client_ip.assign(h);
          c.client_port = port >= 0 ? port : kNull;
          if (conns_.size() > 100000) conns_.clear();  // bound memory on huge files with lost closes
        }
        ev.client_ip.assign(h);
        if (port >= 0) ev.client_port = port;
        ev.category.assign("conn-accepted");
        return;
      }
      if (starts_with(tail, " connected remote server from ")) {
        ev.fields.add("backend_local", tail.substr(30));
        cat = "upstream-connected";
      } else if (starts_with(tail, " REFUSED by libwrap from ")) {
        std::string_view h;
        int64_t port;
        split_host_port(tail.substr(25), h, port);
        ev.client_ip.assign(h);
        if (port >= 0) ev.client_port = port;
        cat = "request-rejected";
      } else if (tail.find(" bound to ") != std::string_view::npos) {
        ev.fields.add("listener", tail.substr(tail.find(" bound to ") + 10));
        cat = "info";
      }
    } else if (starts_with(m, "SSL_accept: ") || starts_with(m, "SSL_connect: ")) {
      bool upstream = m[4] == 'c';
      std::string_view what = m.substr(upstream ? 13 : 12);
      if (upstream) ev.fields.add("direction", "upstream");
      tls::OpenSslError e;
      if (tls::find_openssl_error(what, e)) {
        tls::add_openssl_fields(ev, e);
        cat = tls::tls_failure_category(e);
      } else if (starts_with(what, "Peer suddenly disconnected")) {
        ev.fields.add("tls_reason", "peer suddenly disconnected");
        cat = "tls-handshake-closed";
      } else if (is_reset_text(what)) {
        ev.fields.add("tls_reason", "connection reset by peer");
        ev.fields.add_bool("rst", true);
        ev.fields.add("reset_by", upstream ? "server" : "client");
        cat = "tls-handshake-closed";
      } else {
        cat = "tls-handshake-failed";
      }
      int64_t err = errno_in_parens(what);
      if (err != kNull) ev.fields.add("errno", err);
    } else if (m.find("TIMEOUTidle exceeded") != std::string_view::npos) {
      ev.fields.add("timeout", "TIMEOUTidle");
      ev.fields.add_bool("rst", true);
      ev.fields.add("reset_by", "tls");
      cat = "idle-close";
    } else if (m.find("TIMEOUTclose exceeded") != std::string_view::npos) {
      ev.fields.add("timeout", "TIMEOUTclose");
      cat = "conn-closed";
    } else if (m.find("TIMEOUTconnect exceeded") != std::string_view::npos) {
      ev.fields.add("timeout", "TIMEOUTconnect");
      cat = "upstream-timeout";
    } else if (m.find("TIMEOUTbusy exceeded") != std::string_view::npos) {
      ev.fields.add("timeout", "TIMEOUTbusy");
      cat = "client-timeout";
    } else if (starts_with(m, "Connection ")) {
      // Connection closed|reset|reset/closed|closed/reset: N byte(s) sent to TLS, M byte(s) sent to socket
      size_t colon = m.find(": ");
      std::string_view how = m.substr(11, colon == std::string_view::npos ? 0 : colon - 11);
      if (colon != std::string_view::npos) {
        std::string_view nums = m.substr(colon + 2), tok;
        int64_t a, b;
        size_t sp = nums.find(' ');
        if (sp != std::string_view::npos && fw::parse_uint(nums.substr(0, sp), a)) ev.bytes = a;
        size_t comma = nums.find(", ");
        if (comma != std::string_view::npos) {
          std::string_view second = nums.substr(comma + 2);
          size_t sp2 = second.find(' ');
          if (sp2 != std::string_view::npos && fw::parse_uint(second.substr(0, sp2), b))
            ev.fields.add("bytes_to_socket", b);
        }
      }
      if (how == "closed") {
        cat = "conn-closed";
      } else if (how == "reset" || how == "reset/closed" || how == "closed/reset") {
        ev.fields.add("close", how);
        ev.fields.add("reset_side", how == "reset" ? "both" : how == "reset/closed" ? "tls" : "socket");
        cat = "conn-reset";
      }
      if (!cat.empty() && numeric_id && ci) {
        fill_from(*ci, ev);
        conns_.erase(std::string(id));
        ev.category.assign(cat);
        return;
      }
    } else if (starts_with(m, "s_connect: connected ") || starts_with(m, "s_connect: connecting ")) {
      std::string_view addr = m.substr(starts_with(m, "s_connect: connected ") ? 21 : 22), h;
      int64_t port;
      split_host_port(addr, h, port);
      ev.server_ip.assign(h);
      if (port >= 0) ev.server_port = port;
      if (ci) {
        ci->backend_ip.assign(h);
        ci->backend_port = port >= 0 ? port : kNull;
      }
      cat = "info";
    } else if (starts_with(m, "s_connect: connect ")) {
      std::string_view rest = m.substr(19);
      size_t colon = rest.find(": ");
      std::string_view h;
      int64_t port;
      split_host_port(rest.substr(0, colon), h, port);
      ev.server_ip.assign(h);
      if (port >= 0) ev.server_port = port;
      if (ci) {
        ci->backend_ip.assign(h);
        ci->backend_port = port >= 0 ? port : kNull;
      }
      int64_t err = errno_in_parens(rest);
      if (err != kNull) ev.fields.add("errno", err);
      if (rest.find("refused") != std::string_view::npos || err == 111 || err == 10061) cat = "upstream-refused";
      else if (rest.find("timed out") != std::string_view::npos || err == 110) cat = "upstream-timeout";
      else cat = "upstream-connect-failed";
    } else if (starts_with(m, "No more addresses to connect")) {
      cat = "upstream-connect-failed";
    } else if (is_reset_text(m)) {
      // "<where>: Connection reset by peer (104)": the TLS side is the client, the socket side the
      // backend (server mode, the common case).
      size_t colon = m.find(": ");
      std::string_view where = colon == std::string_view::npos ? std::string_view{} : m.substr(0, colon);
      bool tls_side = where.find("SSL") != std::string_view::npos || where.find("ssl") != std::string_view::npos ||
                      where.find("TLS") != std::string_view::npos;
      ev.fields.add("where", where);
      ev.fields.add_bool("rst", true);
      ev.fields.add("reset_by", tls_side ? "client" : "server");
      int64_t err = errno_in_parens(m);
      if (err != kNull) ev.fields.add("errno", err);
      cat = tls_side ? "client-reset" : "upstream-reset";
    } else if ((starts_with(m, "SSL_read: ") || starts_with(m, "SSL_write: ") ||
                starts_with(m, "transfer: SSL_read: ") || starts_with(m, "transfer: SSL_write: "))) {
      tls::OpenSslError e;
      if (tls::find_openssl_error(m, e)) tls::add_openssl_fields(ev, e);
      if (m.find("timed out") != std::string_view::npos) cat = "client-timeout";
      else if (m.find("Broken pipe") != std::string_view::npos) cat = "client-broken-pipe";
      else cat = "tls-error";
    } else if (starts_with(m, "TLS accepted") || starts_with(m, "TLS connected")) {
      cat = "info";
    } else if (m.find(" ciphersuite: ") != std::string_view::npos) {
      std::string_view proto = m.substr(0, m.find(" ciphersuite: "));
      ev.protocol.assign(proto);
      if (ci) ci->protocol.assign(proto);
      ev.fields.add("cipher", m.substr(m.find(" ciphersuite: ") + 14));
    } else if (starts_with(m, "stunnel ") && m.find(" on ") != std::string_view::npos) {
      cat = "server-start";
    } else if (m == "Terminated" || starts_with(m, "Terminating")) {
      cat = "server-stop";
    } else if (starts_with(m, "Received signal")) {
      cat = "server-signal";
    }
    if (ci) fill_from(*ci, ev);
    if (cat.empty()) cat = ev.severity;
    ev.category.assign(cat);
  }

  static void fill_from(const ConnInfo& c, Event& ev) {
    if (!c.service.empty()) ev.fields.add("service", c.service);
    if (ev.client_ip.empty()) ev.client_ip.assign(c.client_ip);
    if (ev.client_port == kNull) ev.client_port = c.client_port;
    if (ev.server_ip.empty() && !c.backend_ip.empty()) {
      ev.server_ip.assign(c.backend_ip);
      ev.server_port = c.backend_port;
    }
    if (ev.protocol.empty() && !c.protocol.empty()) ev.protocol.assign(c.protocol);
  }

  ParseContext ctx_;
  std::unordered_map<std::string, ConnInfo> conns_;
};

class StunnelParser : public Parser {
 public:
  std::string_view name() const override { return "stunnel"; }
  std::string_view description() const override {
    return "stunnel log (file or syslog): accepts, SSL_accept errors decoded, resets, TIMEOUTidle, closes with byte counts";
  }
  Role role() const override { return Role::tls; }
  Score sniff(const SniffInput& in) const override {
    int hits = 0, total = 0;
    for (std::string_view l : in.lines) {
      ++total;
      CivilTime t;
      int level;
      std::string_view id, rest;
      if (stunnel_time(l, t) && l.size() > 20 && log_tag(l.substr(20), level, id, rest)) {
        ++hits;
      } else {
        size_t at = l.find("stunnel");
        size_t lg = l.find(": LOG");
        if (at != std::string_view::npos && lg != std::string_view::npos && lg < 120 &&
            log_tag(l.substr(lg + 2), level, id, rest))
          ++hits;
      }
    }
    if (!total || !hits) return {};
    int score = 45 + 50 * hits / total;
    if (icontains(in.name, "stunnel")) score = std::min(100, score + 5);
    return {score, std::to_string(hits) + " of " + std::to_string(total) + " lines are stunnel 'LOGn[id]:' lines"};
  }
  std::unique_ptr<FileParser> open(const ParseContext& ctx) const override {
    return std::make_unique<StunnelFile>(ctx);
  }
  const std::vector<Sample>& samples() const override {
    static const std::vector<Sample> s = {
        {"2026.11.23 20:21:14 LOG5[1]: Service [rst_backend] accepted connection from 127.0.0.1:43670",
         {{"ts", "2026-11-23T20:21:14.000Z"},
          {"role", "tls"},
          {"category", "conn-accepted"},
          {"conn_id", "1"},
          {"client_ip", "127.0.0.1"},
          {"client_port", "43670"},
          {"fields.service", "rst_backend"},
          {"severity", "notice"}}},
        {"2026.11.23 20:21:16 LOG5[4]: Service [refused_backend] accepted connection from 127.0.0.1:43274\n"
         "2026.11.23 20:21:16 LOG3[4]: s_connect: connect 127.0.0.1:18099: Connection refused (111)\n"
         "2026.11.23 20:21:16 LOG5[4]: Connection reset: 0 byte(s) sent to TLS, 0 byte(s) sent to socket",
         {{"category", "conn-reset"}, {"fields.service", "refused_backend"}, {"client_port", "43274"},
          {"server_port", "18099"}, {"bytes", "0"}, {"fields.reset_side", "both"}, {"count", "3"}}},
        {"2026.11.23 20:21:14 LOG6[1]: socket fd: Connection reset by peer (104)",
         {{"category", "upstream-reset"}, {"fields.errno", "104"}, {"fields.reset_by", "server"}}},
        {"2026.11.23 20:30:00 LOG3[7]: SSL_accept: ssl/record/ssl3_record.c:354: error:0A00010B:SSL routines::wrong "
         "version number",
         {{"category", "plain-http-to-https"}, {"fields.tls_reason", "wrong version number"},
          {"fields.tls_code", "0A00010B"}, {"fields.tls_class", "non-tls"}}},
        {"2026.11.23 20:30:00 LOG3[8]: SSL_accept: tls_early_post_process_client_hello@ssl/statem/statem_srvr.c:1657: "
         "error:0A000102:SSL routines::unsupported protocol",
         {{"category", "tls-handshake-failed"}, {"fields.tls_reason", "unsupported protocol"},
          {"fields.tls_class", "version"}}},
        {"2026.11.23 20:30:00 LOG3[9]: SSL_accept: Peer suddenly disconnected",
         {{"category", "tls-handshake-closed"}, {"severity", "error"}}},
        {"2026.11.23 20:40:00 LOG6[3]: transfer: s_poll_wait: TIMEOUTidle exceeded: sending reset",
         {{"category", "idle-close"}, {"fields.rst", "true"}, {"fields.timeout", "TIMEOUTidle"}}},
        {"Nov 23 20:21:14 host stunnel: LOG5[1]: Connection closed: 0 byte(s) sent to TLS, 79 byte(s) sent to socket",
         {{"category", "conn-closed"}, {"fields.bytes_to_socket", "79"}, {"conn_id", "1"}}},
        {"definitely not stunnel", {{"unparsed", "1"}}},
    };
    return s;
  }
};

RSTSCOPE_REGISTER_PARSER(StunnelParser);

}  // namespace
}  // namespace rstscope
