// nginx error.log: "YYYY/MM/DD HH:MM:SS [level] pid#tid: *conn message, client: A, server: S, ..."
// Grammar: shared/reference/signatures.md B1.1; messages classified per B1.2 into
// docs/categories.md words. Times are local (no zone in the line): --tz or inferred UTC.
#include <array>

#include "nginx_common.h"
#include "rstscope/parser.h"
#include "rstscope/text.h"

namespace rstscope {
namespace {

bool starts_with_nginx_time(std::string_view l) {
  return l.size() >= 19 && l[4] == '/' && l[7] == '/' && l[10] == ' ' && l[13] == ':' &&
         l[0] >= '0' && l[0] <= '9';
}

class NginxErrorFile : public FileParser {
 public:
  explicit NginxErrorFile(const ParseContext& ctx) : ctx_(ctx) {}

  void record(const Record& rec, Emitter& out) override {
    if (trim(rec.text).empty()) return;  // a blank line holds nothing to keep
    std::string_view l = rec.text;
    CivilTime t;
    if (!starts_with_nginx_time(l) || parse_iso8601(l.substr(0, 19), t) != 19) {
      out.unparsed("no nginx error-log time at the start");
      return;
    }
    std::string_view rest = l.substr(19);
    if (rest.size() < 4 || rest[0] != ' ' || rest[1] != '[') {
      out.unparsed("no [level] after the time");
      return;
    }
    size_t close = rest.find(']');
    if (close == std::string_view::npos) {
      out.unparsed("unterminated [level]");
      return;
    }
    Event& ev = out.event();
    ev.role = Role::proxy;
    ev.ts_raw.assign(l.substr(0, 19));
    ctx_.time->resolve(t, ev);
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
    nginx::split_error_message(rest, ev);
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
  bool continues(std::string_view line) const override { return !starts_with_nginx_time(line) && !line.empty(); }
  Score sniff(const SniffInput& in) const override {
    int hits = 0, total = 0;
    for (std::string_view l : in.lines) {
      ++total;
      if (starts_with_nginx_time(l) && l.size() > 21 && l[19] == ' ' && l[20] == '[') ++hits;
    }
    if (!total || !hits) return {};
    int score = 40 + 55 * hits / total;
    return {score, std::to_string(hits) + " of " + std::to_string(total) +
                       " lines start with 'YYYY/MM/DD HH:MM:SS [level]'"};
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
        {"this is not an nginx line", {{"unparsed", "1"}}},
    };
    return s;
  }
};

RSTSCOPE_REGISTER_PARSER(NginxErrorParser);

}  // namespace
}  // namespace rstscope
