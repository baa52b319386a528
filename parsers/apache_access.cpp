// Apache httpd access logs: common, combined, vhost_combined ("%v:%p %h ..." and "%v %h ..."),
// combined with trailing extras (X-Forwarded-For, %D), and mod_ssl's ssl_request_log
// ("[%t] %h %{SSL_PROTOCOL}x %{SSL_CIPHER}x \"%r\" %b"). Error-log lines mixed into the same
// file (crowdsec's apache2 test input) go through the apache-error grammar.
// Status -> category per docs/categories.md; a TLS ClientHello logged as the request line
// ("\x16\x03\x01...", 400) is a TLS client on a plain port: category tls-to-plain-port.
//
// Sniff: plain combined lines are byte-identical to nginx's; this parser scores them low (30) so
// nginx-access wins, unless the path names apache/httpd or the shape is Apache-only.
#include "rstscope/parser.h"
#include "rstscope/text.h"
#include "web_common.h"

namespace rstscope {
namespace {

bool is_port(std::string_view s) {
  int64_t v;
  return !s.empty() && s.size() <= 5 && parse_int(s, v) && v >= 0 && v <= 65535;
}

// The shapes this parser knows, as sniff and record() see them.
enum class Shape { none, common, combined, vhost, ssl_request, error_line };

struct Split {
  Shape shape = Shape::none;
  std::string_view vhost;  // %v or %v:%p
  web::ClfParts clf;
  std::string_view rest;  // after %b
  std::string_view tls_protocol, tls_cipher;
};

bool clf_time_ok(std::string_view t) {
  return t.size() >= 20 && t[2] == '/' && t[6] == '/' && t[11] == ':';
}

bool split_line(std::string_view l, Split& sp) {
  sp = Split{};
  if (l.empty()) return false;
  if (l[0] == '[') {
    if (apache::looks_like_error_line(l)) {
      sp.shape = Shape::error_line;
      return true;
    }
    // ssl_request_log: [TIME] HOST PROTO CIPHER "REQUEST" BYTES
    std::string_view s = l, tok;
    if (!next_token(s, sp.clf.time) || !clf_time_ok(sp.clf.time)) return false;
    if (!next_token(s, sp.clf.host) || !next_token(s, sp.tls_protocol) || !next_token(s, sp.tls_cipher)) return false;
    if (!next_token(s, sp.clf.request)) return false;
    next_token(s, sp.clf.bytes);
    sp.rest = s;
    sp.shape = Shape::ssl_request;
    return true;
  }
  // vhost first? "%v[:%p] %h %l %u [%t]": the 5th token (not 4th) opens the time bracket.
  std::string_view s = l, t1, t2, t3, t4;
  if (!next_token(s, t1) || !next_token(s, t2) || !next_token(s, t3)) return false;
  std::string_view after3 = s;
  size_t i = 0;
  while (i < after3.size() && after3[i] == ' ') ++i;
  bool vhost = false;
  if (i < after3.size() && after3[i] != '[') {
    if (!next_token(s, t4)) return false;
    size_t j = 0;
    while (j < s.size() && s[j] == ' ') ++j;
    vhost = j < s.size() && s[j] == '[';
  }
  std::string_view body = l;
  if (vhost) {
    sp.vhost = t1;
    size_t at = l.find(' ');
    body = l.substr(at + 1);
  }
  if (!web::split_clf(body, sp.clf, sp.rest) || !clf_time_ok(sp.clf.time)) return false;
  int64_t st;
  if (!web::parse_int_or_dash(sp.clf.status, st)) return false;
  std::string_view r = sp.rest;
  while (!r.empty() && r[0] == ' ') r.remove_prefix(1);
  if (vhost) sp.shape = Shape::vhost;
  else sp.shape = r.empty() ? Shape::common : Shape::combined;
  return true;
}

class ApacheAccessFile : public FileParser {
 public:
  explicit ApacheAccessFile(const ParseContext& ctx) : ctx_(ctx) {}

  void record(const Record& rec, Emitter& out) override {
    std::string_view l = rec.text;
    if (trim(l).empty()) return;
    Split sp;
    if (!split_line(l, sp)) {
      out.unparsed("not an Apache access-log line (common/combined/vhost_combined/ssl_request)");
      return;
    }
    Event& ev = out.event();
    if (sp.shape == Shape::error_line) {
      if (!apache::parse_error_line(l, ev, *ctx_.time)) {
        ev.role = Role::server;
        ev.category.assign("error");
      }
      return;
    }
    ev.role = Role::server;
    fill(sp, ev);
  }

  void fill(const Split& sp, Event& ev) {
    CivilTime t;
    if (parse_clf_time(sp.clf.time, t)) {
      ctx_.time->resolve(t, ev);
      ev.ts_raw.assign(sp.clf.time);
    }
    ev.client_ip.assign(sp.clf.host);
    bool http = web::split_request_line(sp.clf.request, ev);
    web::parse_int_or_dash(sp.clf.status, ev.status);
    int64_t b;
    if (web::parse_int_or_dash(sp.clf.bytes, b)) ev.bytes = b == kNull ? (sp.clf.bytes == "-" ? 0 : kNull) : b;
    if (!sp.vhost.empty()) {
      size_t c = sp.vhost.rfind(':');
      if (c != std::string_view::npos && is_port(sp.vhost.substr(c + 1)) && sp.vhost.find(':') == c) {
        ev.host.assign(sp.vhost.substr(0, c));
        int64_t p;
        parse_int(sp.vhost.substr(c + 1), p);
        ev.server_port = p;
      } else {
        ev.host.assign(sp.vhost);
      }
    }
    if (!sp.clf.user.empty() && sp.clf.user != "-") web::add_text(ev.fields, "user", sp.clf.user);
    if (sp.shape == Shape::ssl_request) {
      web::add_text(ev.fields, "tls_protocol", sp.tls_protocol);
      web::add_text(ev.fields, "tls_cipher", sp.tls_cipher);
    }
    // Combined trailer: "REFERER" "USER-AGENT" then anything (X-Forwarded-For, %D, ...).
    std::string_view r = sp.rest, tok;
    if (sp.shape == Shape::combined || sp.shape == Shape::vhost) {
      if (next_token(r, tok) && !tok.empty() && tok != "-") web::add_text(ev.fields, "referrer", tok);
      if (next_token(r, tok) && !tok.empty() && tok != "-") web::add_text(ev.fields, "user_agent", tok);
      r = trim(r);
      if (!r.empty()) web::add_text(ev.fields, "trailing", r);
    }
    std::string_view cat = web::category_for_status(ev.status);
    if (!http && web::looks_like_tls_hello(sp.clf.request)) cat = "tls-to-plain-port";
    else if (ev.status == 408 && sp.clf.request == "-") cat = "client-timeout";  // idle/slow connection closed
    ev.category.assign(cat);
  }

 private:
  ParseContext ctx_;
};

class ApacheAccessParser : public Parser {
 public:
  std::string_view name() const override { return "apache-access"; }
  std::string_view description() const override {
    return "Apache httpd access log: common, combined, vhost_combined, ssl_request_log (TLS protocol/cipher)";
  }
  Role role() const override { return Role::server; }
  Score sniff(const SniffInput& in) const override {
    int total = 0, ok = 0, vhost = 0, common = 0, ssl = 0, err = 0;
    Split sp;
    for (std::string_view l : in.lines) {
      ++total;
      if (!split_line(l, sp)) continue;
      ++ok;
      if (sp.shape == Shape::vhost) ++vhost;
      if (sp.shape == Shape::common) ++common;
      if (sp.shape == Shape::ssl_request) ++ssl;
      if (sp.shape == Shape::error_line) ++err;
    }
    if (!ok || ok * 2 < total) return {};
    if (err == ok) return {};  // a pure error log is apache-error's
    std::string why = std::to_string(ok) + " of " + std::to_string(total) + " lines are Apache access lines";
    bool named = web::path_mentions(in.path, "apache") || web::path_mentions(in.path, "httpd") ||
                 starts_with(in.name, "access_log") || starts_with(in.name, "ssl_access_log") ||
                 starts_with(in.name, "ssl_request_log");  // Apache's default names (nginx: access.log)
    if (named) return {98, why + "; the path or file name is Apache's"};
    // "$host $remote_addr" and $time_local-first lines look like vhost_combined / ssl_request;
    // when the path says nginx, nginx-access (which reads those log_formats too) should win.
    if (web::path_mentions(in.path, "nginx")) return {30, why + " (but the path names nginx)"};
    if (vhost + ssl > 0) return {85, why + " (vhost_combined / ssl_request shapes)"};
    if (err > 0) return {80, why + ", mixed with Apache error lines"};
    if (common == ok) return {60, why + " (common format)"};
    return {30, why + " (plain combined: nginx-access writes the same bytes)"};
  }
  std::unique_ptr<FileParser> open(const ParseContext& ctx) const override {
    return std::make_unique<ApacheAccessFile>(ctx);
  }
  const std::vector<Sample>& samples() const override {
    static const std::vector<Sample> s = {
        // corpus beats_apache_access_test.log line 2
        {"192.168.33.1 - - [26/Dec/2016:16:22:13 +0000] \"GET /hello HTTP/1.1\" 404 499 \"-\" \"Mozilla/5.0 "
         "(Macintosh; Intel Mac OS X 10.12; rv:50.0) Gecko/20100101 Firefox/50.0\"",
         {{"ts", "2016-12-26T16:22:13.000Z"},
          {"role", "server"},
          {"client_ip", "192.168.33.1"},
          {"method", "GET"},
          {"path", "/hello"},
          {"protocol", "HTTP/1.1"},
          {"status", "404"},
          {"bytes", "499"},
          {"category", "request"}}},
        // corpus beats_apache_access_darwin-2.4.23.log line 3: idle connection closed with 408
        {"::1 - - [26/Dec/2016:16:16:48 +0200] \"-\" 408 -",
         {{"ts", "2016-12-26T14:16:48.000Z"}, {"status", "408"}, {"category", "client-timeout"}, {"method", ""}}},
        // corpus crowdsec_apache2-logs.log line 7 (vhost_combined)
        {"website.com:443 1.2.3.4 - - [25/Oct/2021:11:05:52 +0200] \"GET /web/.well-known HTTP/1.1\" 403 6963 "
         "\"abc.com\" \"User-agent-string\"",
         {{"host", "website.com"}, {"server_port", "443"}, {"client_ip", "1.2.3.4"}, {"status", "403"},
          {"fields.referrer", "abc.com"}}},
        // corpus beats_apache_access_ssl-request.log line 2 (ssl_request_log)
        {"[16/Oct/2019:11:53:47 +0200] 81.2.69.143 TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256 \"GET /appl/x.php HTTP/1.1\" -",
         {{"client_ip", "81.2.69.143"}, {"fields.tls_protocol", "TLSv1.2"},
          {"fields.tls_cipher", "ECDHE-RSA-AES128-GCM-SHA256"}, {"path", "/appl/x.php"}}},
        // corpus crowdsec_apache2-malformed.log line 1: TLS ClientHello on a plain port
        {"1.2.3.4 - - [17/Oct/2023:05:57:49 +1100] \"\\x16\\x03\\x01\\x01 \\x02\" 400 226 \"-\" \"-\"",
         {{"ts", "2023-10-16T18:57:49.000Z"}, {"category", "tls-to-plain-port"}, {"status", "400"}}},
        // corpus crowdsec_apache2-logs.log line 8: an error line in an access file
        {"[Thu Oct 13 12:24:49.880562 2022] [auth_basic:error] [pid 10:tid 140120579262208] [client "
         "31.33.58.75:50229] AH01618: user sss not found: /",
         {{"client_ip", "31.33.58.75"}, {"client_port", "50229"}, {"fields.ah", "AH01618"}, {"category", "forbidden"}}},
        {"this is not an access line", {{"unparsed", "1"}}},
    };
    return s;
  }
};

RSTSCOPE_REGISTER_PARSER(ApacheAccessParser);

}  // namespace
}  // namespace rstscope
