// `rstscope probe --log FILE` lines (docs/probe.md): one step of one probe connection per line,
//   2026-11-24T10:18:44.678Z rstscope-probe run=R conn=1 step=tls target=H:P result=fail
//   elapsed_ms=44.144 local=IP:PORT remote=IP:PORT kind=tls errno=N error=NAME wsa=N close=fin|rst
//   KEY=VALUE... msg="..."
// Values are bare words or "quoted" with \" \\ \n \r escapes. role=client; result=fail ->
// category client-failure with the spec kind; a completed (reuse-)response -> client-request;
// an idle close seen by the probe -> client-idle-close; every other step (and every --protocol-check
// attempt, failed or not) -> client-step.
#include <array>

#include "rstscope/parser.h"
#include "rstscope/text.h"

namespace rstscope {
namespace {

constexpr std::string_view kTag = "rstscope-probe";

bool probe_line(std::string_view l) {
  // "YYYY-MM-DDTHH:MM:SS.mmmZ rstscope-probe "
  return l.size() > 40 && l[4] == '-' && l[7] == '-' && l[10] == 'T' && l[23] == 'Z' && l[24] == ' ' &&
         l.substr(25, kTag.size()) == kTag && l[25 + kTag.size()] == ' ';
}

// Takes the next key=value pair. Quoted values are returned with their escapes; `quoted` says so.
bool next_pair(std::string_view& s, std::string_view& key, std::string_view& value, bool& quoted) {
  size_t i = 0;
  while (i < s.size() && s[i] == ' ') ++i;
  s.remove_prefix(i);
  if (s.empty()) return false;
  size_t eq = s.find('=');
  size_t sp = s.find(' ');
  if (eq == std::string_view::npos || (sp != std::string_view::npos && sp < eq)) {
    // A word without '=': skip it.
    key = s.substr(0, sp);
    value = {};
    quoted = false;
    s = sp == std::string_view::npos ? std::string_view{} : s.substr(sp);
    return true;
  }
  key = s.substr(0, eq);
  s.remove_prefix(eq + 1);
  if (!s.empty() && s[0] == '"') {
    size_t j = 1;
    while (j < s.size() && s[j] != '"') j += (s[j] == '\\' && j + 1 < s.size()) ? 2 : 1;
    value = s.substr(1, (j < s.size() ? j : s.size()) - 1);
    quoted = true;
    s = j < s.size() ? s.substr(j + 1) : std::string_view{};
    return true;
  }
  sp = s.find(' ');
  value = s.substr(0, sp);
  quoted = false;
  s = sp == std::string_view::npos ? std::string_view{} : s.substr(sp);
  return true;
}

void unescape_into(std::string& out, std::string_view v) {
  out.clear();
  for (size_t i = 0; i < v.size(); ++i) {
    char c = v[i];
    if (c == '\\' && i + 1 < v.size()) {
      char n = v[++i];
      out += n == 'n' ? '\n' : n == 'r' ? '\r' : n;
    } else {
      out += c;
    }
  }
}

// JSON number as written by the probe ("12", "-2", "0.413"); add_raw keeps it exact.
bool plain_number(std::string_view v) {
  size_t i = (!v.empty() && v[0] == '-') ? 1 : 0;
  if (i >= v.size() || v[i] < '0' || v[i] > '9') return false;
  bool dot = false;
  for (; i < v.size(); ++i) {
    if (v[i] == '.') {
      if (dot || i + 1 >= v.size()) return false;
      dot = true;
    } else if (v[i] < '0' || v[i] > '9') {
      return false;
    }
  }
  return true;
}

constexpr std::array<std::string_view, 9> kKinds = {"reset", "aborted", "eof", "broken-pipe", "tls",
                                                    "refused", "timeout", "http-error", "other"};

class ProbeLogFile : public FileParser {
 public:
  explicit ProbeLogFile(const ParseContext& ctx) : ctx_(ctx) {}

  void record(const Record& rec, Emitter& out) override {
    std::string_view l = rec.text;
    CivilTime t;
    if (!probe_line(l) || parse_iso8601(l.substr(0, 24), t) != 24) {
      out.unparsed("not an rstscope-probe line (ISO time + 'rstscope-probe' expected)");
      return;
    }
    Event& ev = out.event();
    ev.role = Role::client;
    ev.ts_raw.assign(l.substr(0, 24));
    ctx_.time->resolve(t, ev);
    std::string_view rest = l.substr(25 + kTag.size());
    std::string_view key, value, step, result, kind, run, conn;
    std::string_view version, proto;
    bool quoted = false;
    for (int guard = 0; guard < 256 && next_pair(rest, key, value, quoted); ++guard) {
      if (key == "run") {
        run = value;
      } else if (key == "conn") {
        conn = value;
      } else if (key == "step") {
        step = value;
      } else if (key == "result") {
        result = value;
      } else if (key == "kind") {
        kind = value;
        continue;
      } else if (key == "target") {
        std::string_view host;
        int64_t port = -1;
        split_host_port(value, host, port);
        if (host.size() > 1 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
        ev.host.assign(host);
        if (port >= 0) ev.server_port = port;
        continue;
      } else if (key == "local" || key == "remote") {
        std::string_view host;
        int64_t port = -1;
        split_host_port(value, host, port);
        if (host.size() > 1 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
        if (key == "local") {
          ev.client_ip.assign(host);
          if (port >= 0) ev.client_port = port;
        } else {
          ev.server_ip.assign(host);
          if (port >= 0 && ev.server_port == kNull) ev.server_port = port;
        }
        continue;
      } else if (key == "msg") {
        if (quoted) unescape_into(ev.message, value);
        else ev.message.assign(value);
        continue;
      } else if (key == "elapsed_ms") {
        double ms = 0;
        if (parse_double(value, ms) && ms >= 0) ev.duration_us = static_cast<int64_t>(ms * 1000.0 + 0.5);
      } else if (key == "status") {
        int64_t st = 0;
        if (parse_int(value, st)) ev.status = st;
        continue;
      } else if (key == "method") {
        ev.method.assign(value);
        continue;
      } else if (key == "path") {
        if (quoted) unescape_into(ev.path, value);
        else ev.path.assign(value);
        continue;
      } else if (key == "bytes") {
        int64_t b = 0;
        if (parse_int(value, b)) ev.bytes = b;
        continue;
      } else if (key == "proto") {
        proto = value;
        continue;
      } else if (key == "version") {
        version = value;
      }
      if (value.empty() && !quoted) continue;  // a stray word
      std::string_view fkey = key == "error" ? std::string_view("error_name") : key;
      if (!quoted && plain_number(value)) {
        ev.fields.add_raw(fkey, value);
      } else if (quoted) {
        unescape_into(scratch_, value);
        ev.fields.add(fkey, scratch_);
      } else {
        ev.fields.add(fkey, value);
      }
    }
    if (step.empty() || result.empty()) {
      // Keep the event (it has a time and a target) but say what is missing.
      ev.category = "client-step";
      return;
    }
    ev.conn_id.assign(run);
    ev.conn_id += '#';
    ev.conn_id.append(conn);
    if (!proto.empty()) ev.protocol.assign(proto);
    else if (!version.empty()) ev.protocol.assign(version);
    else if (step == "tls" || step == "protocol-tls") ev.protocol = "TLS";
    else ev.protocol = "tcp";
    bool response = step == "response" || step == "reuse-response";
    if (starts_with(step, "protocol")) {
      // --protocol-check attempts are deliberate: a TLS hello to a plain port is a finding, not a failure.
      ev.category = "client-step";
      ev.severity = "info";
    } else if (result == "fail") {
      ev.category = "client-failure";
      ev.kind = "other";
      for (std::string_view k : kKinds)
        if (k == kind) ev.kind.assign(kind);
      ev.severity = "error";
    } else if (response && result == "ok") {
      ev.category = "client-request";
      ev.severity = "info";
    } else if (result == "closed" && (step == "idle" || step == "pause")) {
      ev.category = "client-idle-close";
      ev.severity = "warn";
    } else {
      ev.category = "client-step";
      ev.severity = "info";
    }
  }

 private:
  ParseContext ctx_;
  std::string scratch_;
};

class ProbeLogParser : public Parser {
 public:
  std::string_view name() const override { return "probe-log"; }
  std::string_view description() const override {
    return "rstscope probe --log lines: each step of a reproduction (connect, TLS, request, idle close, reuse) "
           "with errno/WSA names and FIN vs RST";
  }
  Role role() const override { return Role::client; }
  Score sniff(const SniffInput& in) const override {
    int hits = 0, total = 0;
    for (std::string_view l : in.lines) {
      ++total;
      if (probe_line(l)) ++hits;
    }
    if (!hits) return {};
    return {60 + 39 * hits / total, std::to_string(hits) + " of " + std::to_string(total) +
                                        " lines are 'ISO-TIME rstscope-probe key=value...' (rstscope probe --log)"};
  }
  std::unique_ptr<FileParser> open(const ParseContext& ctx) const override {
    return std::make_unique<ProbeLogFile>(ctx);
  }
  const std::vector<Sample>& samples() const override {
    // Real lines written by `rstscope probe --log` against nginx 1.22.1 and stunnel 5.68 on loopback.
    static const std::vector<Sample> s = {
        {"2026-11-24T10:18:24.599Z rstscope-probe run=d1049e5-19038 conn=1 step=reuse-request "
         "target=127.0.0.1:28444 result=fail elapsed_ms=0.130 local=127.0.0.1:53316 remote=127.0.0.1:28444 "
         "kind=reset errno=104 error=ECONNRESET wsa=10054 close=rst bytes=0 method=GET path=/ "
         "msg=\"Connection reset by peer while sending the request\"",
         {{"ts", "2026-11-24T10:18:24.599Z"},
          {"role", "client"},
          {"category", "client-failure"},
          {"kind", "reset"},
          {"host", "127.0.0.1"},
          {"server_port", "28444"},
          {"server_ip", "127.0.0.1"},
          {"client_ip", "127.0.0.1"},
          {"client_port", "53316"},
          {"conn_id", "d1049e5-19038#1"},
          {"duration_us", "130"},
          {"fields.errno", "104"},
          {"fields.error_name", "ECONNRESET"},
          {"fields.wsa", "10054"},
          {"fields.step", "reuse-request"},
          {"fields.elapsed_ms", "0.130"},
          {"fields.close", "rst"},
          {"message", "Connection reset by peer while sending the request"}}},
        {"2026-11-24T10:18:18.456Z rstscope-probe run=d103fd6-18928 conn=1 step=response target=127.0.0.1:28080 "
         "result=ok elapsed_ms=0.031 local=127.0.0.1:44584 remote=127.0.0.1:28080 status=200 proto=HTTP/1.1 "
         "method=GET path=/ bytes=6 framing=content-length keepalive=1 "
         "msg=\"HTTP/1.1 200 OK, 6 body bytes (content-length)\"",
         {{"category", "client-request"},
          {"kind", ""},
          {"status", "200"},
          {"method", "GET"},
          {"path", "/"},
          {"protocol", "HTTP/1.1"},
          {"bytes", "6"},
          {"client_port", "44584"},
          {"fields.keepalive", "1"}}},
        {"2026-11-24T10:18:20.961Z rstscope-probe run=d103fd6-18928 conn=1 step=reuse-response "
         "target=127.0.0.1:28080 result=fail elapsed_ms=0.008 local=127.0.0.1:44584 remote=127.0.0.1:28080 "
         "kind=eof close=fin msg=\"the server closed the connection without answering (FIN)\"",
         {{"category", "client-failure"}, {"kind", "eof"}, {"fields.close", "fin"}, {"fields.errno", ""}}},
        {"2026-11-24T10:18:44.678Z rstscope-probe run=d10a619-19597 conn=1 step=tls target=127.0.0.1:28443 "
         "result=fail elapsed_ms=44.144 local=127.0.0.1:33392 remote=127.0.0.1:28443 kind=tls "
         "tls_reason=\"tlsv1 alert protocol version\" alert=protocol_version alert_code=70 alert_from=server "
         "msg=\"the server refused the TLS handshake with alert protocol_version (70): OpenSSL says \\\"tlsv1 "
         "alert protocol version\\\"; the server does not accept the TLS versions offered (default..1.2)\"",
         {{"category", "client-failure"},
          {"kind", "tls"},
          {"protocol", "TLS"},
          {"fields.alert", "protocol_version"},
          {"fields.alert_code", "70"},
          {"fields.tls_reason", "tlsv1 alert protocol version"}}},
        {"2026-11-24T10:18:47.790Z rstscope-probe run=d10a673-19605 conn=1 step=idle target=127.0.0.1:28444 "
         "result=closed elapsed_ms=3015.505 local=127.0.0.1:38014 remote=127.0.0.1:28444 errno=104 "
         "error=ECONNRESET wsa=10054 close=rst idle_ms=3015.5 msg=\"the server closed the idle connection after "
         "3.016 s with RST\"",
         {{"category", "client-idle-close"},
          {"fields.close", "rst"},
          {"fields.idle_ms", "3015.5"},
          {"fields.error_name", "ECONNRESET"},
          {"duration_us", "3015505"}}},
        {"2026-11-24T10:18:44.589Z rstscope-probe run=d10a5e8-19593 conn=1 step=resolve "
         "target=no-such-host.invalid:443 result=fail elapsed_ms=4.049 kind=other errno=-2 error=EAI_NONAME "
         "wsa=11001 msg=\"DNS lookup of 'no-such-host.invalid' failed: Name or service not known (no such host; "
         "check the name)\"",
         {{"category", "client-failure"},
          {"kind", "other"},
          {"host", "no-such-host.invalid"},
          {"server_port", "443"},
          {"client_port", ""},
          {"fields.errno", "-2"},
          {"fields.error_name", "EAI_NONAME"}}},
        {"2026-11-24T10:18:47.844Z rstscope-probe run=d10b2a4-19720 conn=1 step=connect target=127.0.0.1:1 "
         "result=fail elapsed_ms=0.131 local=127.0.0.1:55040 remote=127.0.0.1:1 kind=refused errno=111 "
         "error=ECONNREFUSED wsa=10061 msg=\"connection refused by 127.0.0.1:1: nothing listens there (or a "
         "firewall rejects)\"",
         {{"category", "client-failure"}, {"kind", "refused"}, {"fields.error_name", "ECONNREFUSED"},
          {"fields.wsa", "10061"}}},
        {"2026-11-24T10:18:48.247Z rstscope-probe run=d10b2cf-19721 conn=0 step=protocol target=127.0.0.1:28080 "
         "result=ok elapsed_ms=0.000 speaks=plain-http msg=\"the port speaks plain HTTP (not TLS)\"",
         {{"category", "client-step"}, {"fields.speaks", "plain-http"}, {"fields.step", "protocol"}}},
        {"2026-11-24T10:18:47.937Z rstscope-probe run=d10b2cf-19721 conn=1 step=protocol-tls "
         "target=127.0.0.1:28080 result=fail elapsed_ms=50.370 local=127.0.0.1:57370 remote=127.0.0.1:28080 "
         "kind=tls close=fin tls_reason=\"wrong version number\" first_bytes=HTTP/ msg=\"the server's answer is not "
         "TLS (wrong version number): it answered in plain HTTP; the port speaks plain text\"",
         {{"category", "client-step"}, {"kind", ""}, {"fields.result", "fail"},
          {"fields.tls_reason", "wrong version number"}}},
        {"2026/11/24 10:18:48 [error] not a probe line", {{"unparsed", "1"}}},
    };
    return s;
  }
};

RSTSCOPE_REGISTER_PARSER(ProbeLogParser);

}  // namespace
}  // namespace rstscope
