// Caddy v2 logs (zap JSON; signatures.md B17, A11), one parser for the access and error streams:
//   http.log.access*            {"ts":..,"logger":"http.log.access.log0","msg":"handled request",
//                                "request":{"remote_ip","remote_port","client_ip","proto","method","host",
//                                "uri","tls":{"version":772,"cipher_suite":4865,"server_name"}},
//                                "duration":s,"size":N,"status":N}
//   http.log.error*             msg = the Go error ("dial tcp 127.0.0.1:8080: connect: connection refused",
//                                "EOF", ...), status, duration, err_id
//   http.handlers.reverse_proxy "aborting with incomplete response" + "error", "upstream"
//   http.stdlib                 "http: TLS handshake error from IP:PORT: <err>"
// A journald/syslog prefix before the '{' is skipped; Caddy's console encoder
// ("2021/12/31 23:59:59.123<TAB>error<TAB>logger<TAB>msg<TAB>{json}") is read too.
// role=proxy. The Go error text decides upstream-* / client-closed / tls-* categories.
// Fixtures: real lines quoted in public issues (caddyserver/caddy#5629, #5951, #6817,
// Nature40/pyradiotracking#20, allinurl/goaccess#2918, XTLS/Xray-core#883); Caddy has no corpus file.
#include <simdjson.h>

#include <charconv>
#include <cmath>

#include "rstscope/parser.h"
#include "rstscope/text.h"
#include "web_common.h"

namespace rstscope {
namespace {

bool has(std::string_view s, std::string_view n) { return s.find(n) != std::string_view::npos; }

// Category of a Go network error seen by the proxy; "" when the text says nothing specific.
std::string_view go_error_category(std::string_view e) {
  if (e.empty()) return {};
  if (has(e, "context canceled")) return "client-closed";
  if (has(e, "connection refused")) return "upstream-refused";
  if (has(e, "connection reset by peer") || has(e, "broken pipe") || has(e, "INTERNAL_ERROR; received from peer"))
    return "upstream-reset";
  if (has(e, "i/o timeout") || has(e, "timeout awaiting response headers") || has(e, "deadline exceeded") ||
      has(e, "Client.Timeout"))
    return "upstream-timeout";
  if (has(e, "no route to host") || has(e, "network is unreachable") || has(e, "no such host"))
    return "upstream-unreachable";
  if (has(e, "no upstreams available")) return "upstream-unavailable";
  if (e == "EOF" || e == "unexpected EOF" || ends_with(e, ": EOF") || ends_with(e, ": unexpected EOF") ||
      has(e, "server closed idle connection"))
    return "upstream-closed";
  if (has(e, "tls: ") || has(e, "x509: ")) return "upstream-error";
  return {};
}

std::string_view tls_handshake_category(std::string_view err) {
  if (err == "EOF" || has(err, "connection reset by peer") || has(err, "broken pipe")) return "tls-handshake-closed";
  if (has(err, "first record does not look like a TLS handshake")) return "plain-http-to-https";
  if (has(err, "i/o timeout")) return "client-timeout";
  return "tls-handshake-failed";
}

int64_t to_int(std::string_view raw) {
  int64_t v;
  auto r = std::from_chars(raw.data(), raw.data() + raw.size(), v);
  if (r.ec == std::errc() && r.ptr == raw.data() + raw.size()) return v;
  double d;
  auto r2 = std::from_chars(raw.data(), raw.data() + raw.size(), d);
  if (r2.ec == std::errc()) return int64_t(d);
  return kNull;
}

double to_double(std::string_view raw) {
  double d = NAN;
  std::from_chars(raw.data(), raw.data() + raw.size(), d);
  return d;
}

// What the JSON object said, as views into the parser's buffers (valid for one record).
struct CaddyRecord {
  std::string_view level, logger, msg, error, upstream, err_id, ts_text, uri, remote_addr, client_ip;
  double ts = NAN, duration = NAN;
  int64_t size = kNull, status = kNull, bytes_read = kNull, tls_version = kNull, cipher = kNull;
};

using simdjson::ondemand::json_type;

// Reads a scalar as text: strings unescaped, numbers/bools as their JSON token.
bool scalar(simdjson::ondemand::value& v, json_type& type, std::string_view& s) {
  if (v.type().get(type)) return false;
  if (type == json_type::string) return !v.get_string().get(s);
  if (type == json_type::number || type == json_type::boolean) {
    s = trim(v.raw_json_token());
    return true;
  }
  return true;
}

class CaddyFile : public FileParser {
 public:
  explicit CaddyFile(const ParseContext& ctx) : ctx_(ctx) {}

  void record(const Record& rec, Emitter& out) override {
    std::string_view l = trim(rec.text);
    if (l.empty()) return;
    CaddyRecord r;
    remote_ip_ = remote_port_ = proto_ = method_ = host_ = sni_ = {};
    std::string_view console_time;
    size_t brace = l.find('{');
    if (l[0] != '{' && is_console(l)) {
      // "2021/12/31 23:59:59.123\terror\thttp.handlers.reverse_proxy\tmsg\t{...}"
      std::string_view s = l;
      next_field(s, '\t', console_time);
      next_field(s, '\t', r.level);
      next_field(s, '\t', r.logger);
      next_field(s, '\t', r.msg);
      if (!s.empty() && s[0] == '{' && !read_json(s, r, /*top=*/false)) {
        out.unparsed("invalid JSON after a Caddy console line");
        return;
      }
    } else if (brace == std::string_view::npos || !read_json(l.substr(brace), r, true)) {
      out.unparsed("not a Caddy JSON log line");
      return;
    }
    if (r.logger.empty() && r.msg.empty() && r.status == kNull) {
      out.unparsed("JSON without Caddy's logger/msg keys");
      return;
    }
    Event& ev = out.event();
    ev.role = Role::proxy;
    fill_request(ev);
    if (!std::isnan(r.ts)) {
      ev.ts = int64_t(std::llround(r.ts * 1e6));
      ev.ts_zone = ZoneSource::explicit_;
      char tmp[32];
      auto res = std::to_chars(tmp, tmp + sizeof tmp, r.ts, std::chars_format::fixed, 6);
      ev.ts_raw.assign(tmp, res.ptr);
    } else {
      std::string_view ts = !r.ts_text.empty() ? r.ts_text : console_time;
      CivilTime t;
      if (!ts.empty() && parse_iso8601(ts, t)) {
        ev.ts_raw.assign(ts);
        ctx_.time->resolve(t, ev);
      }
    }
    ev.severity.assign(r.level);
    to_lower_inplace(ev.severity);
    if (!r.logger.empty()) ev.fields.add("logger", r.logger);
    if (!std::isnan(r.duration)) ev.duration_us = int64_t(std::llround(r.duration * 1e6));
    ev.status = r.status;
    ev.bytes = r.size;
    if (r.bytes_read != kNull) ev.fields.add("bytes_read", r.bytes_read);
    if (ev.client_ip.empty() && !r.remote_addr.empty()) web::split_addr(r.remote_addr, ev.client_ip, ev.client_port);
    if (!r.client_ip.empty() && r.client_ip != ev.client_ip) ev.fields.add("forwarded_for", r.client_ip);
    if (!r.uri.empty()) ev.path.assign(r.uri);
    if (r.tls_version != kNull) {
      std::string_view v = web::tls_version_name(r.tls_version);
      if (!v.empty()) ev.fields.add("tls_protocol", v);
    }
    if (r.cipher != kNull) {
      std::string_view c = web::tls_cipher_name(r.cipher);
      if (!c.empty()) ev.fields.add("tls_cipher", c);
      else ev.fields.add("tls_cipher_id", r.cipher);
    }
    if (!r.err_id.empty()) ev.fields.add("err_id", r.err_id);
    if (!r.upstream.empty()) ev.fields.add("target", r.upstream);
    if (!r.error.empty()) ev.fields.add("error", r.error);

    std::string_view cat;
    bool access = starts_with(r.logger, "http.log.access");
    if (access) {
      cat = web::category_for_status(ev.status);
    } else {
      ev.message.assign(r.msg);
      if (r.logger == "http.stdlib" && starts_with(r.msg, "http: TLS handshake error from ")) {
        std::string_view rest = r.msg.substr(31);
        // "IP:PORT: err" - the address ends at the first ": " after the last ':' of the port.
        size_t sep = rest.find(": ");
        while (sep != std::string_view::npos && sep + 2 < rest.size() && rest.substr(0, sep).rfind(':') ==
                                                                             std::string_view::npos)
          sep = rest.find(": ", sep + 2);
        if (sep != std::string_view::npos) {
          web::split_addr(rest.substr(0, sep), ev.client_ip, ev.client_port);
          std::string_view err = rest.substr(sep + 2);
          ev.fields.add("tls_reason", err);
          cat = tls_handshake_category(err);
        }
      } else if (r.msg == "aborting with incomplete response") {
        // "writing: ..." = the client side broke; "reading: ..." = the backend side.
        if (starts_with(r.error, "writing") || has(r.error, "context canceled")) cat = "client-closed";
        else cat = go_error_category(r.error);
        if (cat.empty()) cat = "upstream-closed";
      } else {
        cat = go_error_category(!r.error.empty() ? r.error : r.msg);
        if (cat.empty() && ev.status >= 400) cat = web::category_for_status(ev.status);
        if (cat.empty()) {
          if (has(r.msg, "serving initial configuration") || has(r.msg, "server running")) cat = "server-start";
          else if (has(r.msg, "shutting down") || has(r.msg, "stopping")) cat = "server-stop";
        }
      }
    }
    if (cat.empty()) cat = ev.severity.empty() ? std::string_view("info") : std::string_view(ev.severity);
    ev.category.assign(cat);
  }

 private:
  static bool is_console(std::string_view l) {
    return l.size() > 20 && l[4] == '/' && l[7] == '/' && l.find('\t') != std::string_view::npos;
  }

  bool read_json(std::string_view text, CaddyRecord& r, bool top) {
    buf_.assign(text);
    buf_.append(simdjson::SIMDJSON_PADDING, '\0');
    simdjson::ondemand::document doc;
    simdjson::ondemand::object obj;
    if (parser_.iterate(buf_.data(), text.size(), buf_.size()).get(doc) || doc.get_object().get(obj)) return false;
    for (auto field : obj) {
      std::string_view key, s;
      simdjson::ondemand::value v;
      json_type type;
      if (field.unescaped_key().get(key) || field.value().get(v) || !scalar(v, type, s)) return false;
      if (key == "request" && type == json_type::object) {
        if (!read_request(v, r)) return false;
        continue;
      }
      if (type == json_type::object || type == json_type::array || type == json_type::null) continue;
      if (key == "level" && top) r.level = s;
      else if (key == "logger" && top) r.logger = s;
      else if (key == "msg" && top) r.msg = s;
      else if (key == "ts") {
        if (type == json_type::number) r.ts = to_double(s);
        else r.ts_text = s;
      } else if (key == "duration") r.duration = to_double(s);
      else if (key == "size") r.size = to_int(s);
      else if (key == "status") r.status = to_int(s);
      else if (key == "bytes_read") r.bytes_read = to_int(s);
      else if (key == "error") r.error = s;
      else if (key == "upstream" || key == "dial") r.upstream = s;
      else if (key == "err_id") r.err_id = s;
    }
    return true;
  }

  bool read_request(simdjson::ondemand::value& req, CaddyRecord& r) {
    simdjson::ondemand::object obj;
    if (req.get_object().get(obj)) return false;
    for (auto field : obj) {
      std::string_view key, s;
      simdjson::ondemand::value v;
      json_type type;
      if (field.unescaped_key().get(key) || field.value().get(v) || !scalar(v, type, s)) return false;
      if (key == "tls" && type == json_type::object) {
        simdjson::ondemand::object tls;
        if (v.get_object().get(tls)) return false;
        for (auto tf : tls) {
          std::string_view tk, ts;
          simdjson::ondemand::value tv;
          json_type tt;
          if (tf.unescaped_key().get(tk) || tf.value().get(tv) || !scalar(tv, tt, ts)) return false;
          if (tk == "version") r.tls_version = to_int(ts);
          else if (tk == "cipher_suite") r.cipher = to_int(ts);
          else if (tk == "server_name") sni_ = ts;
        }
        continue;
      }
      if (type == json_type::object || type == json_type::array) continue;
      if (key == "remote_ip") remote_ip_ = s;
      else if (key == "remote_port") remote_port_ = s;
      else if (key == "remote_addr") r.remote_addr = s;
      else if (key == "client_ip") r.client_ip = s;
      else if (key == "proto") proto_ = s;
      else if (key == "method") method_ = s;
      else if (key == "host") host_ = s;
      else if (key == "uri") r.uri = s;
    }
    return true;
  }

 public:
  // Values of the nested request object, copied into the event by fill_request().
  void fill_request(Event& ev) {
    if (!remote_ip_.empty()) ev.client_ip.assign(remote_ip_);
    int64_t p;
    if (!remote_port_.empty() && parse_int(remote_port_, p)) ev.client_port = p;
    if (!proto_.empty()) ev.protocol.assign(proto_);
    if (!method_.empty()) ev.method.assign(method_);
    if (!host_.empty()) ev.host.assign(host_);
    else if (!sni_.empty()) ev.host.assign(sni_);
    if (!sni_.empty()) ev.fields.add("sni", sni_);
    remote_ip_ = remote_port_ = proto_ = method_ = host_ = sni_ = {};
  }

 private:
  ParseContext ctx_;
  simdjson::ondemand::parser parser_;
  std::string buf_;
  std::string_view remote_ip_, remote_port_, proto_, method_, host_, sni_;
};

class CaddyParser : public Parser {
 public:
  std::string_view name() const override { return "caddy"; }
  std::string_view description() const override {
    return "Caddy v2 JSON logs: access (http.log.access) and errors (http.log.error, reverse_proxy, TLS handshakes)";
  }
  Role role() const override { return Role::proxy; }
  Score sniff(const SniffInput& in) const override {
    int total = 0, hits = 0;
    for (std::string_view l : in.lines) {
      ++total;
      if (l.find("\"logger\":\"http.") != std::string_view::npos ||
          l.find("\"logger\":\"tls") != std::string_view::npos ||
          (l.find("\"msg\":\"handled request\"") != std::string_view::npos) ||
          (l.find("\thttp.handlers.") != std::string_view::npos) || l.find("\thttp.log") != std::string_view::npos)
        ++hits;
    }
    if (!hits) return {};
    int score = 50 + 45 * hits / total;
    if (web::path_mentions(in.path, "caddy")) score = std::max(score, 90);
    return {score, std::to_string(hits) + " of " + std::to_string(total) + " lines are Caddy (zap) log lines"};
  }
  std::unique_ptr<FileParser> open(const ParseContext& ctx) const override {
    return std::make_unique<CaddyFile>(ctx);
  }
  const std::vector<Sample>& samples() const override {
    static const std::vector<Sample> s = {
        // matomo-org/matomo-log-analytics#380 (access log, headers trimmed)
        {"{\"level\":\"info\",\"ts\":1743353452.7679656,\"logger\":\"http.log.access.access_log\",\"msg\":\"handled "
         "request\",\"request\":{\"remote_ip\":\"2a03:2880:f804:14::\",\"remote_port\":\"33980\",\"client_ip\":"
         "\"2a03:2880:f804:14::\",\"proto\":\"HTTP/2.0\",\"method\":\"GET\",\"host\":\"www.simbiat.dev\",\"uri\":"
         "\"/fftracker/characters/50937881\",\"headers\":{\"Accept\":[\"*/*\"]},\"tls\":{\"resumed\":false,"
         "\"version\":772,\"cipher_suite\":4867,\"proto\":\"h2\",\"server_name\":\"www.simbiat.dev\"}},"
         "\"bytes_read\":0,\"user_id\":\"\",\"duration\":0.058892502,\"size\":39666,\"status\":200,"
         "\"resp_headers\":{\"Content-Length\":[\"39666\"]}}",
         {{"ts", "2025-03-30T16:50:52.767Z"},
          {"role", "proxy"},
          {"client_ip", "2a03:2880:f804:14::"},
          {"client_port", "33980"},
          {"protocol", "HTTP/2.0"},
          {"method", "GET"},
          {"host", "www.simbiat.dev"},
          {"path", "/fftracker/characters/50937881"},
          {"status", "200"},
          {"bytes", "39666"},
          {"duration_us", "58893"},
          {"fields.tls_protocol", "TLSv1.3"},
          {"fields.tls_cipher", "TLS_CHACHA20_POLY1305_SHA256"},
          {"category", "request"}}},
        // Nature40/pyradiotracking#20: journald prefix, backend refused (headers trimmed)
        {"Aug 20 13:57:17 mof-rts-00011 caddy[808]: {\"level\":\"error\",\"ts\":1597924637.9056916,\"logger\":"
         "\"http.log.error\",\"msg\":\"dial tcp [::1]:8050: connect: connection refused\",\"request\":{"
         "\"remote_addr\":\"169.254.0.12:62798\",\"proto\":\"HTTP/1.1\",\"method\":\"POST\",\"host\":\"169.254.0.1\","
         "\"uri\":\"/radiotracking/_dash-update-component\",\"headers\":{\"Connection\":[\"keep-alive\"]}},"
         "\"duration\":0.004200834,\"status\":502,\"err_id\":\"cz7f5y089\",\"err_trace\":\"reverseproxy.statusError "
         "(reverseproxy.go:783)\"}",
         {{"ts", "2020-08-20T11:57:17.905Z"},
          {"category", "upstream-refused"},
          {"client_ip", "169.254.0.12"},
          {"client_port", "62798"},
          {"status", "502"},
          {"duration_us", "4201"},
          {"fields.err_id", "cz7f5y089"},
          {"severity", "error"}}},
        // caddyserver/caddy#6817: the client side broke mid-response
        {"{\"level\":\"error\",\"ts\":1738190927.871553,\"logger\":\"http.handlers.reverse_proxy\",\"msg\":\"aborting "
         "with incomplete response\",\"upstream\":\"10.1.1.1:8096\",\"duration\":0.000936875,\"request\":{"
         "\"remote_ip\":\"10.2.2.2\",\"remote_port\":\"14247\",\"client_ip\":\"10.2.2.2\",\"proto\":\"HTTP/2.0\","
         "\"method\":\"GET\",\"host\":\"myserver.net\",\"uri\":\"/Items/x\",\"headers\":{},\"tls\":{\"resumed\":false,"
         "\"version\":772,\"cipher_suite\":4865,\"proto\":\"h2\",\"server_name\":\"myserver.net\"}},\"error\":"
         "\"writing: http2: stream closed\"}",
         {{"category", "client-closed"}, {"fields.target", "10.1.1.1:8096"}, {"client_port", "14247"}}},
        // caddyserver/caddy#5951: the backend reset its HTTP/2 stream
        {"{\"level\":\"error\",\"ts\":1700661180.5779188,\"logger\":\"http.handlers.reverse_proxy\",\"msg\":\"aborting "
         "with incomplete response\",\"upstream\":\"localhost:3030\",\"duration\":0.000736206,\"request\":{"
         "\"remote_ip\":\"172.30.208.1\",\"remote_port\":\"55629\",\"proto\":\"HTTP/1.1\",\"method\":\"GET\","
         "\"host\":\"caddy.local:3031\",\"uri\":\"/\",\"headers\":{}},\"error\":\"reading: stream error: stream ID 3; "
         "INTERNAL_ERROR; received from peer\"}",
         {{"category", "upstream-reset"}}},
        // caddyserver/caddy#5629 (signatures.md B17): client rejected the certificate
        {"{\"level\":\"debug\",\"ts\":1689233379.62,\"logger\":\"http.stdlib\",\"msg\":\"http: TLS handshake error "
         "from 2.3.209.219:60067: remote error: tls: unknown certificate\"}",
         {{"category", "tls-handshake-failed"}, {"client_ip", "2.3.209.219"}, {"client_port", "60067"},
          {"fields.tls_reason", "remote error: tls: unknown certificate"}}},
        // XTLS/Xray-core#883: console encoder
        {"2021/12/31 23:59:59.000\terror\thttp.handlers.reverse_proxy\taborting with incomplete response\t{\"error\": "
         "\"context canceled\"}",
         {{"category", "client-closed"}, {"severity", "error"}, {"ts", "2021-12-31T23:59:59.000Z"}}},
        {"not caddy", {{"unparsed", "1"}}},
    };
    return s;
  }
};

RSTSCOPE_REGISTER_PARSER(CaddyParser);

}  // namespace
}  // namespace rstscope
