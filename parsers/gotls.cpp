// Go net/http servers (stdlib `log`, Caddy's zap JSON, anything that prints it) and their
// "http: TLS handshake error from A:P: <err>" lines (signatures.md B17). Other lines of a Go
// service log that start with a stdlib log time ("2024/01/02 03:04:05[.micro] ") are kept as
// plain events; anything else is unparsed.
// <err> decoding: EOF / connection reset -> tls-handshake-closed; "remote error: tls: X" = alert
// received from the client (the client rejected us: certificate, version ...); "local error: tls: X"
// = alert we sent; version / cipher / ALPN / SNI texts -> tls-handshake-failed with tls_class;
// "first record does not look like a TLS handshake" -> protocol-mismatch; i/o timeout -> client-timeout.
#include "firewall_common.h"
#include "rstscope/parser.h"
#include "rstscope/text.h"
#include "syslog_common.h"
#include "tls_common.h"

namespace rstscope {
namespace {

constexpr std::string_view kNeedle = "http: TLS handshake error from ";

// "2024/01/02 03:04:05" or "2024/01/02 03:04:05.123456" at the start.
size_t go_time(std::string_view l, CivilTime& t) {
  if (l.size() < 19 || l[4] != '/' || l[7] != '/' || l[10] != ' ' || l[13] != ':') return 0;
  size_t n = 19;
  while (n < l.size() && n < 26 && (l[n] == '.' || (l[n] >= '0' && l[n] <= '9'))) ++n;
  return parse_iso8601(l.substr(0, n), t) == n ? n : 0;
}

std::string_view tls_version_name(std::string_view hex) {
  if (hex == "304") return "TLSv1.3";
  if (hex == "303") return "TLSv1.2";
  if (hex == "302") return "TLSv1.1";
  if (hex == "301") return "TLSv1";
  if (hex == "300") return "SSLv3";
  return {};
}

// Decodes <err> into category and fields.
void classify(std::string_view err, Event& ev) {
  ev.fields.add("error", err);
  auto has = [&](std::string_view n) { return err.find(n) != std::string_view::npos; };
  std::string_view cat = "tls-handshake-failed";
  if (err == "EOF" || has("unexpected EOF")) {
    cat = "tls-handshake-closed";
    ev.fields.add("tls_class", "eof");
  } else if (has("connection reset by peer") || has("forcibly closed")) {
    cat = "tls-handshake-closed";
    ev.fields.add_bool("rst", true);
    ev.fields.add("reset_by", "client");
    ev.fields.add("tls_class", "eof");
  } else if (has("i/o timeout")) {
    cat = "client-timeout";
    ev.fields.add("phase", "handshake");
  } else if (starts_with(err, "remote error: tls: ") || starts_with(err, "local error: tls: ")) {
    int alert = tls::tls_alert_from_text(err);
    ev.fields.add("alert_from", err[0] == 'r' ? "client" : "server");
    tls::add_alert_fields(ev, alert);
    if (err[0] == 'r' && (alert == 42 || alert == 45 || alert == 46 || alert == 48 || alert == 44 || alert == 43))
      ev.fields.add("meaning", "client rejected the server certificate");
  } else if (has("first record does not look like a TLS handshake")) {
    cat = "protocol-mismatch";
    ev.fields.add("tls_class", "non-tls");
  } else if (has("client offered only unsupported versions")) {
    ev.fields.add("tls_class", "version");
    size_t open = err.find('[');
    size_t close = err.find(']');
    if (open != std::string_view::npos && close != std::string_view::npos && close > open) {
      std::string_view list = err.substr(open + 1, close - open - 1), v;
      // highest offered version first in Go's list
      if (next_token(list, v)) {
        std::string_view name = tls_version_name(v);
        if (!name.empty()) ev.fields.add("client_max_version", name);
      }
    }
  } else if (has("unsupported SSLv2 handshake")) {
    ev.fields.add("tls_class", "version");
  } else if (has("no cipher suite supported") || has("no ECDHE curve") || has("no mutually supported")) {
    ev.fields.add("tls_class", "cipher");
  } else if (has("application protocol")) {
    ev.fields.add("tls_class", "alpn");
  } else if (has("missing server name") || has("no certificate available") || has("server name")) {
    ev.fields.add("tls_class", "sni");
  } else if (has("certificate")) {
    ev.fields.add("tls_class", "cert");
    cat = has("client") ? "tls-client-cert" : cat;
  } else {
    ev.fields.add("tls_class", "other");
  }
  ev.category.assign(cat);
}

class GoTlsFile : public FileParser {
 public:
  explicit GoTlsFile(const ParseContext& ctx) : ctx_(ctx) {}

  void record(const Record& rec, Emitter& out) override {
    if (trim(rec.text).empty()) return;  // blank lines are neither events nor garbage
    std::string_view l = rec.text;
    size_t at = l.find(kNeedle);
    CivilTime t;
    if (at == std::string_view::npos) {
      size_t n = go_time(l, t);
      syslog::Prefix p;
      if (!n && !(l.size() > 2 && l[0] == '{' && l.find("\"msg\"") != std::string_view::npos) &&
          !(syslog::split(l, p) && p.has_time)) {
        out.unparsed("not a Go log line");
        return;
      }
      Event& ev = out.event();
      ev.role = Role::tls;
      if (n) {
        ev.ts_raw.assign(l.substr(0, n));
        ctx_.time->resolve(t, ev);
        ev.message.assign(trim(l.substr(n)));
      } else if (p.version >= 0 && p.has_time) {
        ev.ts_raw.assign(p.time_text);
        ctx_.time->resolve(p.time, ev);
        ev.message.assign(p.message);
      } else {
        ev.message.assign(l);
      }
      ev.category.assign("info");
      return;
    }
    Event& ev = out.event();
    ev.role = Role::tls;
    // Time: stdlib prefix, syslog/journal prefix, or Caddy JSON "ts":epoch.
    size_t n = go_time(l, t);
    if (n) {
      ev.ts_raw.assign(l.substr(0, n));
      ctx_.time->resolve(t, ev);
    } else if (!l.empty() && l[0] == '{') {
      size_t ts = l.find("\"ts\":");
      if (ts != std::string_view::npos) {
        std::string_view v = l.substr(ts + 5);
        size_t end = v.find_first_of(",}");
        v = trim(v.substr(0, end));
        if (!v.empty() && v[0] == '"') {  // ISO string
          v = v.substr(1, v.size() >= 2 ? v.size() - 2 : 0);
          if (parse_iso8601(v, t)) {
            ev.ts_raw.assign(v);
            ctx_.time->resolve(t, ev);
          }
        } else if (parse_epoch(v, t)) {
          ev.ts_raw.assign(v);
          ctx_.time->resolve(t, ev);
        }
      }
      size_t lg = l.find("\"logger\":\"");
      if (lg != std::string_view::npos) {
        std::string_view v = l.substr(lg + 10);
        ev.fields.add("logger", v.substr(0, v.find('"')));
      }
    } else {
      syslog::Prefix p;
      if (syslog::split(l, p) && p.has_time) {
        ev.ts_raw.assign(p.time_text);
        ctx_.time->resolve(p.time, ev);
        if (!p.app.empty()) ev.fields.add("program", p.app);
      }
    }
    std::string_view rest = l.substr(at + kNeedle.size());
    // "A:P: err" (IPv6 "[::1]:P: err"); the address ends at the first ": " after the port.
    size_t colon = rest.find(": ");
    if (colon == std::string_view::npos) {
      ev.category.assign("tls-handshake-failed");
      ev.message.assign(l.substr(at));
      return;
    }
    std::string_view addr = rest.substr(0, colon), h;
    int64_t port;
    split_host_port(addr, h, port);
    ev.client_ip.assign(h);
    if (port >= 0) ev.client_port = port;
    std::string_view err = rest.substr(colon + 2);
    if (!err.empty() && err.back() == '}') {  // JSON: cut at the closing quote of "msg"
      size_t q = err.find('"');
      if (q != std::string_view::npos) err = err.substr(0, q);
    }
    // "read tcp 10.0.0.5:443->203.0.113.7:51234: read: ..." carries our address
    size_t rt = err.find("read tcp ");
    if (rt != std::string_view::npos) {
      std::string_view local = err.substr(rt + 9);
      local = local.substr(0, local.find("->"));
      std::string_view lh;
      int64_t lp;
      split_host_port(local, lh, lp);
      ev.server_ip.assign(lh);
      if (lp >= 0) ev.server_port = lp;
    }
    ev.message.assign(l.substr(at, err.data() + err.size() - (l.data() + at)));
    ev.severity.assign(l.find("\"level\":\"debug\"") != std::string_view::npos ? "debug" : "error");
    classify(err, ev);
  }

 private:
  ParseContext ctx_;
};

class GoTlsParser : public Parser {
 public:
  std::string_view name() const override { return "go-tls"; }
  std::string_view description() const override {
    return "Go net/http and Caddy 'http: TLS handshake error from A:P: ...' lines, errors and alerts decoded";
  }
  Role role() const override { return Role::tls; }
  Score sniff(const SniffInput& in) const override {
    int hits = 0, total = 0;
    for (std::string_view l : in.lines) {
      ++total;
      if (l.find(kNeedle) != std::string_view::npos) ++hits;
    }
    if (!hits) return {};
    // Caddy's zap JSON logs belong to the caddy parser (it decodes these lines too): stay below it.
    bool caddy = false;
    for (std::string_view l : in.lines)
      if (!l.empty() && l[0] == '{' && l.find("\"logger\"") != std::string_view::npos) caddy = true;
    if (caddy) return {60, "Go TLS handshake errors in zap JSON (Caddy)"};
    // A few such lines inside another Go program's log (Traefik ...) leave the file to that parser.
    if (hits * 4 < total) return {30, std::to_string(hits) + " of " + std::to_string(total) + " lines are Go TLS handshake errors"};
    return {std::min(95, 50 + 45 * hits / total + 10), std::to_string(hits) + " of " + std::to_string(total) +
                                                           " lines are Go 'http: TLS handshake error' lines"};
  }
  std::unique_ptr<FileParser> open(const ParseContext& ctx) const override {
    return std::make_unique<GoTlsFile>(ctx);
  }
  const std::vector<Sample>& samples() const override {
    static const std::vector<Sample> s = {
        {"2024/01/02 03:04:05 http: TLS handshake error from 203.0.113.7:51234: tls: client offered only unsupported "
         "versions: [303 302 301]",
         {{"role", "tls"},
          {"ts", "2024-01-02T03:04:05.000Z"},
          {"category", "tls-handshake-failed"},
          {"client_ip", "203.0.113.7"},
          {"client_port", "51234"},
          {"fields.tls_class", "version"},
          {"fields.client_max_version", "TLSv1.2"}}},
        {"{\"level\":\"debug\",\"ts\":1689233379.62,\"logger\":\"http.stdlib\",\"msg\":\"http: TLS handshake error from "
         "2.3.209.219:60067: remote error: tls: unknown certificate\"}",
         {{"ts", "2023-07-13T07:29:39.620Z"}, {"client_ip", "2.3.209.219"}, {"fields.tls_alert", "46"},
          {"fields.tls_alert_name", "certificate_unknown"}, {"fields.alert_from", "client"},
          {"fields.logger", "http.stdlib"}, {"severity", "debug"}}},
        {"2024/01/02 03:04:05 http: TLS handshake error from 203.0.113.7:51234: read tcp "
         "10.0.0.5:443->203.0.113.7:51234: read: connection reset by peer",
         {{"category", "tls-handshake-closed"}, {"fields.rst", "true"}, {"server_ip", "10.0.0.5"}, {"server_port", "443"}}},
        {"2024/01/02 03:04:05 http: TLS handshake error from 203.0.113.7:51234: EOF",
         {{"category", "tls-handshake-closed"}, {"fields.error", "EOF"}}},
        {"2024/01/02 03:04:05 http: TLS handshake error from [2001:db8::7]:51234: tls: first record does not look like a "
         "TLS handshake",
         {{"category", "protocol-mismatch"}, {"client_ip", "2001:db8::7"}}},
        {"random text", {{"unparsed", "1"}}},
    };
    return s;
  }
};

RSTSCOPE_REGISTER_PARSER(GoTlsParser);

}  // namespace
}  // namespace rstscope
