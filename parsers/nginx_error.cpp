// nginx error.log: "YYYY/MM/DD HH:MM:SS [level] pid#tid: *conn message, client: A, server: S, ..."
// also after a syslog prefix (RFC 3164, RFC 5424, bare tag): error_log syslog:... or a relay.
// Grammar: shared/reference/signatures.md B1.1; messages classified per B1.2 into
// docs/categories.md words. Times are local (no zone in the line): --tz or inferred UTC.
#include <array>

#include "nginx_common.h"
#include "rstscope/parser.h"
#include "rstscope/text.h"
#include "syslog_common.h"

namespace rstscope {
namespace {

bool starts_with_nginx_time(std::string_view l) { return nginx::starts_with_error_time(l); }

// nginx writes to syslog (`error_log syslog:server=...`) or a relay forwards its lines: the
// error-log line follows an RFC 3164 / RFC 5424 / bare tag prefix. Returns the prefix split off
// (version -1 when the line has none) and the nginx part in `body`.
bool syslog_wrapped(std::string_view l, syslog::Prefix& p, std::string_view& body) {
  if (l.empty() || starts_with_nginx_time(l)) return false;
  if (!syslog::split(l, p) || p.version < 0) return false;
  body = p.message;
  return starts_with_nginx_time(body);
}

class NginxErrorFile : public FileParser {
 public:
  explicit NginxErrorFile(const ParseContext& ctx) : ctx_(ctx) {}

  void record(const Record& rec, Emitter& out) override {
    if (trim(rec.text).empty()) return;  // a blank line holds nothing to keep
    std::string_view l = rec.text;
    syslog::Prefix p;
    std::string_view body;
    bool wrapped = syslog_wrapped(l, p, body);
    if (wrapped) l = body;
    CivilTime t;
    std::string_view problem = nginx::error_line_problem(l, t);
    if (!problem.empty()) {
      out.unparsed(problem);
      return;
    }
    Event& ev = out.event();
    nginx::parse_error_line(l, t, ev, *ctx_.time, wrapped && p.has_time ? &p.time : nullptr);
    if (wrapped) {
      // The syslog header is kept as HAProxy keeps it: its time (ISO UTC), host and program.
      if (p.has_time) {
        char iso[32];
        size_t n = syslog::format_iso_ms(ctx_.time->to_utc_us(p.time), iso);
        ev.fields.add("syslog_ts", std::string_view(iso, n));
      }
      if (!p.host.empty()) ev.fields.add("syslog_host", p.host);
      if (!p.app.empty()) ev.fields.add("program", p.app);
    }
  }

 private:
  ParseContext ctx_;
};

class NginxErrorParser : public Parser {
 public:
  std::string_view name() const override { return "nginx-error"; }
  std::string_view description() const override {
    return "nginx error.log (any level), messages classified: resets, upstream failures, TLS, limits, crashes";
  }
  Role role() const override { return Role::proxy; }
  bool joins_lines() const override { return true; }
  bool continues(std::string_view line) const override {
    if (line.empty() || starts_with_nginx_time(line)) return false;
    syslog::Prefix p;
    std::string_view body;
    return !syslog_wrapped(line, p, body);  // only reached for lines without the nginx time
  }
  Score sniff(const SniffInput& in) const override {
    int hits = 0, wrapped = 0, total = 0;
    for (std::string_view l : in.lines) {
      ++total;
      syslog::Prefix p;
      std::string_view body;
      if (syslog_wrapped(l, p, body)) {
        l = body;
        if (l.size() > 21 && l[19] == ' ' && l[20] == '[') ++wrapped;
      }
      if (starts_with_nginx_time(l) && l.size() > 21 && l[19] == ' ' && l[20] == '[') ++hits;
    }
    if (!total || !hits) return {};
    int score = 40 + 55 * hits / total;
    return {score, std::to_string(hits) + " of " + std::to_string(total) +
                       " lines start with 'YYYY/MM/DD HH:MM:SS [level]'" +
                       (wrapped ? " (" + std::to_string(wrapped) + " after a syslog prefix)" : std::string())};
  }
  std::unique_ptr<FileParser> open(const ParseContext& ctx) const override {
    return std::make_unique<NginxErrorFile>(ctx);
  }
  const std::vector<Sample>& samples() const override {
    static const std::vector<Sample> s = {
        {"2024/11/03 06:09:29 [error] 184#184: *94 upstream prematurely closed connection while reading "
         "response header from upstream, client: 192.168.58.11, server: opensearch-dashboard.hi.local, "
         "request: \"GET / HTTP/1.1\", upstream: \"http://10.244.3.84:5601/\", host: "
         "\"opensearch-dashboard.hi.local\"",
         {{"ts", "2024-11-03T06:09:29.000Z"},
          {"severity", "error"},
          {"conn_id", "94"},
          {"category", "upstream-closed"},
          {"client_ip", "192.168.58.11"},
          {"host", "opensearch-dashboard.hi.local"},
          {"method", "GET"},
          {"path", "/"},
          {"fields.upstream", "http://10.244.3.84:5601/"},
          {"fields.action", "reading response header from upstream"},
          {"message", "upstream prematurely closed connection"}}},
        {"2026/11/23 20:19:05 [info] 30972#30972: *5 recv() failed (104: Connection reset by peer) while "
         "reading client request line, client: 127.0.0.1, server: 0.0.0.0:18080",
         {{"category", "client-reset"}, {"fields.errno", "104"}, {"severity", "info"},
          {"fields.server_name", "0.0.0.0:18080"}, {"server_port", "18080"}}},
        {"2026/11/23 20:19:00 [notice] 30971#30971: using the \"epoll\" event method",
         {{"category", "notice"}, {"conn_id", ""}}},
        {"2016/10/25 14:49:34 [error] 54053#0: *1 open() \"/x/favicon.ico\" failed (2: No such file or "
         "directory), client: 127.0.0.1, server: localhost, request: \"GET /favicon.ico HTTP/1.1\", "
         "host: \"localhost:8080\", referrer: \"http://localhost:8080/\"",
         {{"category", "file-not-found"}, {"host", "localhost:8080"}, {"fields.errno", "2"}}},
        // signatures.md B1.3 (real lines): OpenSSL reason decoded into fields.tls_reason
        {"2018/06/24 22:41:22 [crit] 61481#61481: *1228609 SSL_do_handshake() failed (SSL: error:14209102:SSL "
         "routines:tls_early_post_process_client_hello:unsupported protocol) while SSL handshaking, client: "
         "54.208.42.136, server: 0.0.0.0:443",
         {{"category", "tls-handshake-failed"}, {"fields.tls_reason", "unsupported protocol"},
          {"server_port", "443"}, {"client_ip", "54.208.42.136"}, {"severity", "crit"}}},
        {"2023/11/09 06:42:05 [error] 3243#3243: *28844669 SSL_do_handshake() failed (SSL: error:0A00042E:SSL "
         "routines::tlsv1 alert protocol version:SSL alert number 70) while SSL handshaking to upstream, client: "
         "10.132.134.27, server: qs-eem-ui.mycluster.containers.appdomain.cloud, request: \"GET / HTTP/2.0\", "
         "upstream: \"https://172.10.132.123:3000/\", host: \"qs-eem-ui.mycluster.containers.appdomain.cloud\"",
         {{"category", "tls-handshake-failed"}, {"fields.tls_side", "upstream"}, {"fields.tls_alert", "70"}}},
        {"2026/11/23 20:30:00 [info] 30977#30977: *40 SSL_do_handshake() failed (SSL: error:0A00009C:SSL "
         "routines::http request) while SSL handshaking, client: 127.0.0.1, server: 0.0.0.0:18443",
         {{"category", "plain-http-to-https"}, {"fields.tls_reason", "http request"}}},
        {"2026/11/23 20:21:40 [alert] 30975#30975: worker process 30977 exited on signal 11 (core dumped)",
         {{"category", "worker-crashed"}, {"severity", "alert"}}},
        {"2026/11/23 20:21:38 [notice] 30975#30975: signal 3 (SIGQUIT) received from 32738, shutting down",
         {{"category", "server-stop"}}},
        {"2026/11/23 20:21:38 [notice] 30975#30975: exit", {{"category", "server-stop"}}},
        {"2026/11/23 20:20:12 [error] 30977#30977: *7 connect() failed (111: Connection refused) while connecting "
         "to upstream, client: 127.0.0.1, server: , request: \"GET /refused HTTP/1.1\", upstream: "
         "\"http://127.0.0.1:18099/refused\", host: \"127.0.0.1:18090\"",
         {{"category", "upstream-refused"}, {"fields.errno", "111"}}},
        {"2026/11/23 20:20:30 [error] 30977#30977: *9 client intended to send too large body: 2097152 bytes, client: "
         "127.0.0.1, server: , request: \"POST /upload HTTP/1.1\", host: \"127.0.0.1:18090\"",
         {{"category", "body-too-large"}}},
        {"2026/11/23 20:34:40 [info] 123#123: *46 client 10.0.0.1 closed keepalive connection",
         {{"category", "client-keepalive-close"}, {"client_ip", "10.0.0.1"}, {"conn_id", "46"}}},
        // RFC 3164 relay: the syslog time is kept in fields, the event time is nginx's own
        {"Nov 23 20:34:34 web1 nginx: 2026/11/23 20:34:33 [error] 123#123: *45 recv() failed (104: Connection reset "
         "by peer) while reading response header from upstream, client: 10.0.0.1, server: api, request: \"GET /x "
         "HTTP/1.1\", upstream: \"http://10.0.0.9:8080/x\", host: \"api\"",
         {{"ts", "2026-11-23T20:34:33.000Z"}, {"category", "upstream-reset"}, {"conn_id", "45"},
          {"client_ip", "10.0.0.1"}, {"fields.syslog_ts", "2026-11-23T20:34:34.000Z"}, {"fields.syslog_host", "web1"},
          {"fields.program", "nginx"}, {"fields.pid", "123"}}},
        // corpus pfsense/crowdsec_pfsense-rfc5424-nginx.log (RFC 5424, the header's +00:00 is the zone)
        {"<171>1 2025-11-05T20:47:03.000000+00:00 firewall.lan nginx - - - 2025/11/05 20:47:03 [error] 24537#230441: "
         "*914 open() \"/usr/local/www/crowdsec-test-NtktlJHV4TfBSK3wvlhiOBnl\" failed (2: No such file or "
         "directory), client: fdfd:ace:ace:7::17a, server: , request: \"GET /crowdsec-test-NtktlJHV4TfBSK3wvlhiOBnl "
         "HTTP/2.0\", host: \"firewall.lan\"",
         {{"ts", "2025-11-05T20:47:03.000Z"}, {"ts_zone", "explicit"}, {"category", "file-not-found"},
          {"client_ip", "fdfd:ace:ace:7::17a"}, {"conn_id", "914"}, {"severity", "error"}, {"method", "GET"},
          {"fields.syslog_host", "firewall.lan"}}},
        {"Nov 23 20:34:34 web1 sshd[99]: Accepted publickey for root", {{"unparsed", "1"}}},
        {"this is not an nginx line", {{"unparsed", "1"}}},
    };
    return s;
  }
};

RSTSCOPE_REGISTER_PARSER(NginxErrorParser);

}  // namespace
}  // namespace rstscope
