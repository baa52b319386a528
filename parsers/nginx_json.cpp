// nginx JSON access logs: `log_format NAME escape=json '{"k":"$var",...}'` with any key names.
// Keys are recognised by the nginx variable they usually hold (time_local, time_iso8601, msec,
// remote_addr, request, status, body_bytes_sent, request_time, upstream_*, ...) and by the
// spellings common in the wild (ingress-nginx's json format: "time", "x_forward_for", "vhost",
// "request_proto", "duration", "method", "path"). Values may be strings (escape=json quotes all)
// or bare numbers. Category from the status (nginx_common.h). One simdjson on-demand pass per
// line over a reused padded buffer.
#include <simdjson.h>

#include <array>
#include <string>

#include "nginx_common.h"
#include "rstscope/parser.h"
#include "rstscope/text.h"

namespace rstscope {
namespace {

enum K : int {
  kTime, kMsec, kAddr, kPort, kXff, kServerAddr, kServerPort, kHost, kRequest, kMethod, kUri, kQuery, kProto,
  kStatus, kBodyBytes, kBytes, kReqTime, kUpAddr, kUpStatus, kUpRespTime, kUpConnTime, kUpHeaderTime, kUpLen,
  kReqId, kConn, kConnReqs, kSslProto, kSslCipher, kUa, kReferer, kReqLen, kUpName, kCount
};

struct KeyName {
  std::string_view name;
  K k;
};

constexpr KeyName kKeys[] = {
    {"time_local", kTime}, {"time_iso8601", kTime}, {"time", kTime}, {"timestamp", kTime}, {"@timestamp", kTime},
    {"date", kTime}, {"datetime", kTime}, {"ts", kTime}, {"msec", kMsec},
    {"remote_addr", kAddr}, {"realip_remote_addr", kAddr}, {"client_ip", kAddr}, {"clientip", kAddr},
    {"remote_ip", kAddr}, {"client", kAddr}, {"remote_port", kPort}, {"client_port", kPort},
    {"http_x_forwarded_for", kXff}, {"x_forwarded_for", kXff}, {"x_forward_for", kXff}, {"xff", kXff},
    {"server_addr", kServerAddr}, {"server_port", kServerPort},
    {"host", kHost}, {"http_host", kHost}, {"vhost", kHost}, {"server_name", kHost},
    {"request", kRequest}, {"method", kMethod}, {"request_method", kMethod}, {"uri", kUri},
    {"request_uri", kUri}, {"path", kUri}, {"request_query", kQuery}, {"args", kQuery}, {"query_string", kQuery},
    {"protocol", kProto}, {"server_protocol", kProto}, {"request_proto", kProto},
    {"status", kStatus}, {"status_code", kStatus}, {"body_bytes_sent", kBodyBytes}, {"bytes_sent", kBytes},
    {"request_time", kReqTime}, {"duration", kReqTime}, {"upstream_addr", kUpAddr},
    {"upstream_status", kUpStatus}, {"upstream_response_time", kUpRespTime},
    {"upstream_connect_time", kUpConnTime}, {"upstream_header_time", kUpHeaderTime},
    {"upstream_response_length", kUpLen}, {"request_id", kReqId}, {"req_id", kReqId},
    {"http_x_request_id", kReqId}, {"connection", kConn}, {"connection_requests", kConnReqs},
    {"ssl_protocol", kSslProto}, {"ssl_cipher", kSslCipher}, {"http_user_agent", kUa}, {"user_agent", kUa},
    {"http_referer", kReferer}, {"http_referrer", kReferer}, {"referer", kReferer}, {"request_length", kReqLen},
    {"proxy_upstream_name", kUpName},
};

int key_of(std::string_view key) {
  char low[40];
  if (key.empty() || key.size() >= sizeof low) return -1;
  size_t n = 0;
  for (char ch : key) {
    if (ch == '$' && n == 0) continue;
    low[n++] = ch == '-' ? '_' : (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch + 32) : ch;
  }
  std::string_view s(low, n);
  for (const KeyName& k : kKeys)
    if (k.name == s) return k.k;
  return -1;
}

bool seconds_to_us(std::string_view s, int64_t& us) {
  if (s.empty() || s == "-") return false;
  int64_t whole = 0, frac = 0, scale = 1000000;
  size_t i = 0;
  for (; i < s.size() && s[i] != '.'; ++i) {
    if (s[i] < '0' || s[i] > '9' || i > 12) return false;
    whole = whole * 10 + (s[i] - '0');
  }
  if (i < s.size()) {
    for (++i; i < s.size(); ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      if (scale > 1) frac += (s[i] - '0') * (scale /= 10);
    }
  }
  us = whole * 1000000 + frac;
  return true;
}

bool present(std::string_view v) { return !v.empty() && v != "-"; }

// Sniff: a JSON object line holding at least two nginx-typical keys.
int nginx_key_hits(std::string_view l) {
  if (l.empty() || l[0] != '{') return 0;
  int n = 0;
  for (std::string_view k : {"\"remote_addr\"", "\"time_local\"", "\"time_iso8601\"", "\"body_bytes_sent\"",
                             "\"request_time\"", "\"upstream_addr\"", "\"http_user_agent\"", "\"upstream_status\"",
                             "\"request_uri\"", "\"x_forward_for\"", "\"request_proto\"", "\"http_referer\"",
                             "\"upstream_response_time\""})
    if (l.find(k) != std::string_view::npos) ++n;
  return n;
}

class NginxJsonFile : public FileParser {
 public:
  explicit NginxJsonFile(const ParseContext& ctx) : ctx_(ctx) {}

  void record(const Record& rec, Emitter& out) override {
    if (trim(rec.text).empty()) return;  // a blank line holds nothing to keep
    std::string_view l = trim(rec.text);
    if (l.empty() || l[0] != '{') {
      out.unparsed("not a JSON object line");
      return;
    }
    buf_.assign(l);
    buf_.append(simdjson::SIMDJSON_PADDING, '\0');
    simdjson::ondemand::document doc;
    simdjson::ondemand::object obj;
    if (parser_.iterate(buf_.data(), l.size(), buf_.size()).get(doc) || doc.get_object().get(obj)) {
      out.unparsed("invalid JSON");
      return;
    }
    vals_.fill({});
    bool ok = true;
    for (auto field : obj) {
      std::string_view key;
      simdjson::ondemand::value val;
      if (field.unescaped_key().get(key) || field.value().get(val)) {
        ok = false;
        break;
      }
      int k = key_of(key);
      if (k < 0 || !vals_[static_cast<size_t>(k)].empty()) continue;  // first spelling wins
      simdjson::ondemand::json_type type;
      if (val.type().get(type)) {
        ok = false;
        break;
      }
      std::string_view sv;
      if (type == simdjson::ondemand::json_type::string) {
        if (val.get_string().get(sv)) continue;
      } else if (type == simdjson::ondemand::json_type::number || type == simdjson::ondemand::json_type::boolean) {
        sv = trim(val.raw_json_token());
      } else {
        continue;
      }
      strs_[static_cast<size_t>(k)].assign(sv);
      vals_[static_cast<size_t>(k)] = strs_[static_cast<size_t>(k)];
    }
    if (!ok) {
      out.unparsed("invalid JSON");
      return;
    }
    if (!present(vals_[kStatus]) && !present(vals_[kRequest]) && !present(vals_[kAddr])) {
      out.unparsed("JSON line without status/request/remote_addr");
      return;
    }
    Event& ev = out.event();
    ev.role = Role::proxy;
    CivilTime c;
    std::string_view t = vals_[kTime];
    if (present(vals_[kMsec]) && parse_epoch(vals_[kMsec], c)) {  // $msec has the milliseconds
      ev.ts_raw.assign(vals_[kMsec]);
      ctx_.time->resolve(c, ev);
    } else if (present(t) && parse_any_time(t, c)) {
      ev.ts_raw.assign(t);
      ctx_.time->resolve(c, ev);
    }
    int64_t v;
    if (present(vals_[kAddr])) {
      std::string_view host;
      split_host_port(vals_[kAddr], host, v);
      ev.client_ip.assign(host);
      if (v >= 0) ev.client_port = v;
    }
    if (present(vals_[kPort]) && parse_int(vals_[kPort], v)) ev.client_port = v;
    if (present(vals_[kXff])) {
      ev.fields.add("x_forwarded_for", vals_[kXff]);
      if (ev.client_ip.empty()) ev.client_ip.assign(trim(vals_[kXff].substr(0, vals_[kXff].find(','))));
    }
    if (present(vals_[kServerAddr])) ev.server_ip.assign(vals_[kServerAddr]);
    if (present(vals_[kServerPort]) && parse_int(vals_[kServerPort], v)) ev.server_port = v;
    if (present(vals_[kHost])) ev.host.assign(vals_[kHost]);
    if (present(vals_[kRequest])) {
      std::string_view r = vals_[kRequest], tok;
      if (next_token(r, tok)) ev.method.assign(tok);
      if (next_token(r, tok)) ev.path.assign(tok);
      if (next_token(r, tok)) ev.protocol.assign(tok);
    }
    if (present(vals_[kMethod])) ev.method.assign(vals_[kMethod]);
    if (present(vals_[kUri]) && ev.path.empty()) {
      ev.path.assign(vals_[kUri]);
      if (present(vals_[kQuery])) {
        if (vals_[kQuery][0] != '?') ev.path.push_back('?');
        ev.path.append(vals_[kQuery]);
      }
    }
    if (present(vals_[kProto])) ev.protocol.assign(vals_[kProto]);
    if (present(vals_[kStatus]) && parse_int(vals_[kStatus], v)) ev.status = v;
    if (present(vals_[kBodyBytes]) && parse_int(vals_[kBodyBytes], v)) ev.bytes = v;
    else if (present(vals_[kBytes]) && parse_int(vals_[kBytes], v)) ev.bytes = v;
    if (present(vals_[kBytes]) && present(vals_[kBodyBytes]) && parse_int(vals_[kBytes], v))
      ev.fields.add("bytes_sent", v);
    if (seconds_to_us(vals_[kReqTime], v)) ev.duration_us = v;
    if (present(vals_[kReqId])) ev.request_id.assign(vals_[kReqId]);
    if (present(vals_[kConn])) ev.conn_id.assign(vals_[kConn]);
    if (present(vals_[kUpAddr])) {
      ev.fields.add("upstream_addr", vals_[kUpAddr]);
      if (ev.server_ip.empty()) {  // no server_addr column: the upstream that answered last
        std::string_view last = vals_[kUpAddr];
        size_t cpos = last.rfind(", ");
        if (cpos != std::string_view::npos) last = last.substr(cpos + 2);
        std::string_view host;
        split_host_port(last, host, v);
        if (!starts_with(host, "unix")) {
          ev.server_ip.assign(host);
          if (v >= 0 && v <= 65535) ev.server_port = v;
        }
      }
    }
    static constexpr std::array<std::pair<K, std::string_view>, 10> kExtra{{
        {kUpStatus, "upstream_status"}, {kUpRespTime, "upstream_response_time"},
        {kUpConnTime, "upstream_connect_time"}, {kUpHeaderTime, "upstream_header_time"},
        {kUpLen, "upstream_response_length"}, {kSslProto, "ssl_protocol"}, {kSslCipher, "ssl_cipher"},
        {kUa, "user_agent"}, {kReferer, "referer"}, {kUpName, "upstream_name"},
    }};
    for (const auto& [k, name] : kExtra)
      if (present(vals_[k])) ev.fields.add(name, vals_[k]);
    if (present(vals_[kConnReqs]) && parse_int(vals_[kConnReqs], v)) ev.fields.add("connection_requests", v);
    if (present(vals_[kReqLen]) && parse_int(vals_[kReqLen], v)) ev.fields.add("request_length", v);
    if (present(vals_[kSslProto]) && ev.protocol.empty()) ev.protocol.assign(vals_[kSslProto]);
    ev.category.assign(nginx::category_for_status(ev.status));
  }

 private:
  ParseContext ctx_;
  simdjson::ondemand::parser parser_;
  std::string buf_;
  std::array<std::string, kCount> strs_;
  std::array<std::string_view, kCount> vals_{};
};

class NginxJsonParser : public Parser {
 public:
  std::string_view name() const override { return "nginx-json"; }
  std::string_view description() const override {
    return "nginx JSON access logs (log_format escape=json, any key names; ingress-nginx json format)";
  }
  Role role() const override { return Role::proxy; }
  Score sniff(const SniffInput& in) const override {
    int total = 0, hits = 0;
    for (std::string_view l : in.lines) {
      ++total;
      if (nginx_key_hits(trim(l)) >= 2) ++hits;
    }
    if (!total || !hits) return {};
    int score = 50 + 45 * hits / total;
    if (icontains(in.path, "nginx") || icontains(in.path, "ingress")) score += 3;
    return {std::min(score, 98), std::to_string(hits) + " of " + std::to_string(total) +
                                     " lines are JSON objects with nginx variable names"};
  }
  std::unique_ptr<FileParser> open(const ParseContext& ctx) const override {
    return std::make_unique<NginxJsonFile>(ctx);
  }
  const std::vector<Sample>& samples() const override {
    static const std::vector<Sample> s = {
        // nginx/1.22.1 (Debian 12), log_format escape=json, loopback run: proxy_pass to a closed port
        {R"({"time_local":"24/Nov/2026:11:07:36 +0000","time_iso8601":"2026-11-24T11:07:36+00:00","msec":"1795518456.701","remote_addr":"127.0.0.1","remote_port":"50192","server_addr":"127.0.0.1","server_port":"18190","request":"GET /refused?x=1 HTTP/1.1","status":"502","body_bytes_sent":"157","request_time":"0.001","upstream_addr":"127.0.0.1:18199","upstream_status":"502","upstream_response_time":"0.000","upstream_connect_time":"-","upstream_header_time":"-","connection":"2","connection_requests":"1","request_id":"afd4be727ef08e6d17a08999a065ffd1","http_user_agent":"curl/7.88.1","http_referer":""})",
         {{"ts", "2026-11-24T11:07:36.701Z"}, {"client_ip", "127.0.0.1"}, {"client_port", "50192"},
          {"server_ip", "127.0.0.1"}, {"server_port", "18190"}, {"method", "GET"}, {"path", "/refused?x=1"},
          {"protocol", "HTTP/1.1"}, {"status", "502"}, {"bytes", "157"}, {"duration_us", "1000"},
          {"category", "upstream-error"}, {"conn_id", "2"}, {"fields.upstream_addr", "127.0.0.1:18199"},
          {"request_id", "afd4be727ef08e6d17a08999a065ffd1"}, {"fields.connection_requests", "1"}}},
        {R"({"time_local":"24/Nov/2026:11:07:36 +0000","time_iso8601":"2026-11-24T11:07:36+00:00","msec":"1795518456.445","remote_addr":"127.0.0.1","remote_port":"50184","server_addr":"127.0.0.1","server_port":"18190","request":"GET /ok HTTP/1.1","status":"200","body_bytes_sent":"3","request_time":"0.000","upstream_addr":"","upstream_status":"","upstream_response_time":"","upstream_connect_time":"","upstream_header_time":"","connection":"1","connection_requests":"1","request_id":"1a26e2eaf94b9a6bdb3f3ba981f879ea","http_user_agent":"curl/7.88.1","http_referer":""})",
         {{"ts", "2026-11-24T11:07:36.445Z"}, {"category", "request"}, {"fields.upstream_addr", ""},
          {"duration_us", "0"}}},
        // shaped like the ingress-nginx docs' json log-format-upstream example (hand-made values)
        {R"({"time": "2024-03-05T10:11:12+00:00", "remote_addr": "10.0.0.5", "x_forward_for": "203.0.113.9", "request_id": "abc", "remote_user": "", "bytes_sent": 612, "request_time": 60.001, "status": 504, "vhost": "api.example.com", "request_proto": "HTTP/2.0", "path": "/v1/items", "request_query": "a=1", "request_length": 80, "duration": 60.001, "method": "GET", "http_referrer": "", "http_user_agent": "curl/8.0"})",
         {{"ts", "2024-03-05T10:11:12.000Z"}, {"status", "504"}, {"category", "upstream-timeout"},
          {"duration_us", "60001000"}, {"host", "api.example.com"}, {"path", "/v1/items?a=1"},
          {"bytes", "612"}, {"fields.x_forwarded_for", "203.0.113.9"}}},
        {R"({"msec":"1700000000.250","remote_addr":"[2001:db8::1]:443","request":"POST /up HTTP/1.1","status":"499","request_time":"1.500"})",
         {{"ts", "2023-11-14T22:13:20.250Z"}, {"category", "client-closed"}, {"client_ip", "2001:db8::1"},
          {"duration_us", "1500000"}}},
        {"{\"remote_addr\": broken", {{"unparsed", "1"}}},
    };
    return s;
  }
};

RSTSCOPE_REGISTER_PARSER(NginxJsonParser);

}  // namespace
}  // namespace rstscope
