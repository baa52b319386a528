// ingress-nginx controller access log, the controller's default "upstreaminfo" log_format:
//   $remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer"
//   "$http_user_agent" $request_length $request_time [$proxy_upstream_name]
//   [$proxy_alternative_upstream_name] $upstream_addr $upstream_response_length
//   $upstream_response_time $upstream_status $req_id
// (controllers before 0.24 have no [$proxy_alternative_upstream_name]). The upstream columns are
// lists ("a:1, b:2") when nginx tried several upstreams; the last entry answered, so it gives
// server_ip/port. Hand-split, no regex. Category from the status (nginx_common.h).
#include <array>

#include "nginx_common.h"
#include "rstscope/parser.h"
#include "rstscope/text.h"

namespace rstscope {
namespace {

// "0.001" seconds -> microseconds without floating point; false for "-" or garbage.
bool seconds_to_us(std::string_view s, int64_t& us) {
  if (s.empty() || s == "-") return false;
  int64_t whole = 0, frac = 0, scale = 1000000;
  size_t i = 0;
  for (; i < s.size() && s[i] != '.'; ++i) {
    if (s[i] < '0' || s[i] > '9' || i > 12) return false;
    whole = whole * 10 + (s[i] - '0');
  }
  if (i < s.size()) {
    ++i;
    for (; i < s.size(); ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      if (scale > 1) {
        scale /= 10;
        frac += (s[i] - '0') * scale;
      }
    }
  }
  us = whole * 1000000 + frac;
  return true;
}

// The upstream columns: space-separated groups, a group continuing while its token ends with ','.
size_t upstream_groups(std::string_view rest, std::array<std::string_view, 6>& g) {
  size_t n = 0;
  rest = trim(rest);
  while (!rest.empty() && n < g.size()) {
    size_t i = 0;
    while (true) {
      size_t sp = rest.find(' ', i);
      if (sp == std::string_view::npos) {
        i = rest.size();
        break;
      }
      if (sp > 0 && rest[sp - 1] == ',') {  // list continues
        i = sp + 1;
        continue;
      }
      i = sp;
      break;
    }
    g[n++] = rest.substr(0, i);
    rest = trim(rest.substr(i));
  }
  return rest.empty() ? n : 0;
}

struct Line {
  std::string_view addr, user, time, request, status, bytes, referer, agent, req_len, req_time, upstream, alt;
  std::array<std::string_view, 6> groups{};
  size_t ngroups = 0;
};

bool split_line(std::string_view l, Line& x) {
  std::string_view rest = l, dash;
  if (!next_token(rest, x.addr) || !next_token(rest, dash) || dash != "-" || !next_token(rest, x.user)) return false;
  rest = trim(rest);
  if (rest.empty() || rest[0] != '[') return false;
  if (!next_token(rest, x.time)) return false;
  rest = trim(rest);
  if (rest.empty() || rest[0] != '"') return false;
  if (!next_token(rest, x.request) || !next_token(rest, x.status) || !next_token(rest, x.bytes)) return false;
  rest = trim(rest);
  if (rest.empty() || rest[0] != '"' || !next_token(rest, x.referer)) return false;
  rest = trim(rest);
  if (rest.empty() || rest[0] != '"' || !next_token(rest, x.agent)) return false;
  if (!next_token(rest, x.req_len) || !next_token(rest, x.req_time)) return false;
  rest = trim(rest);
  if (rest.empty() || rest[0] != '[' || !next_token(rest, x.upstream)) return false;
  rest = trim(rest);
  if (!rest.empty() && rest[0] == '[' && !next_token(rest, x.alt)) return false;
  x.ngroups = upstream_groups(rest, x.groups);
  return x.ngroups >= 5;
}

std::string_view last_item(std::string_view list) {
  size_t c = list.rfind(", ");
  return c == std::string_view::npos ? list : list.substr(c + 2);
}

class NginxIngressFile : public FileParser {
 public:
  explicit NginxIngressFile(const ParseContext& ctx) : ctx_(ctx) {}

  void record(const Record& rec, Emitter& out) override {
    if (trim(rec.text).empty()) return;  // a blank line holds nothing to keep
    Line x;
    if (!split_line(rec.text, x)) {
      out.unparsed("not an ingress-nginx upstreaminfo line");
      return;
    }
    CivilTime c;
    if (parse_clf_time(x.time, c) != x.time.size()) {
      out.unparsed("bad [$time_local]");
      return;
    }
    Event& ev = out.event();
    ev.role = Role::proxy;
    ev.ts_raw.assign(x.time);
    ctx_.time->resolve(c, ev);
    ev.client_ip.assign(x.addr);
    std::string_view r = x.request, tok;
    if (next_token(r, tok)) ev.method.assign(tok);
    if (next_token(r, tok)) ev.path.assign(tok);
    if (next_token(r, tok)) ev.protocol.assign(tok);
    int64_t v;
    if (parse_int(x.status, v)) ev.status = v;
    if (parse_int(x.bytes, v)) ev.bytes = v;
    if (seconds_to_us(x.req_time, v)) ev.duration_us = v;
    if (x.user != "-") ev.fields.add("remote_user", x.user);
    if (x.referer != "-" && !x.referer.empty()) ev.fields.add("referer", x.referer);
    if (x.agent != "-" && !x.agent.empty()) ev.fields.add("user_agent", x.agent);
    if (parse_int(x.req_len, v)) ev.fields.add("request_length", v);
    if (!x.upstream.empty()) ev.fields.add("upstream_name", x.upstream);
    if (!x.alt.empty()) ev.fields.add("alternative_upstream_name", x.alt);
    std::string_view addrs = x.groups[0], lens = x.groups[1], times = x.groups[2], statuses = x.groups[3];
    if (addrs != "-") {
      ev.fields.add("upstream_addr", addrs);
      std::string_view host;
      int64_t port;
      split_host_port(last_item(addrs), host, port);
      if (host != "-" && !starts_with(host, "unix")) {
        ev.server_ip.assign(host);
        if (port >= 0 && port <= 65535) ev.server_port = port;
      }
    }
    if (lens != "-") ev.fields.add("upstream_response_length", lens);
    if (times != "-") ev.fields.add("upstream_response_time", times);
    if (statuses != "-") ev.fields.add("upstream_status", statuses);
    if (x.groups[4] != "-") ev.request_id.assign(x.groups[4]);
    ev.category.assign(nginx::category_for_status(ev.status));
  }

 private:
  ParseContext ctx_;
};

class NginxIngressParser : public Parser {
 public:
  std::string_view name() const override { return "nginx-ingress"; }
  std::string_view description() const override {
    return "ingress-nginx controller access log (upstreaminfo format, upstream lists, request ids)";
  }
  Role role() const override { return Role::proxy; }
  Score sniff(const SniffInput& in) const override {
    int total = 0, hits = 0;
    for (std::string_view l : in.lines) {
      ++total;
      Line x;
      if (split_line(l, x)) ++hits;
    }
    if (!total || !hits) return {};
    return {hits == total ? 99 : 50 + 45 * hits / total,
            std::to_string(hits) + " of " + std::to_string(total) +
                " lines fit ingress-nginx upstreaminfo ([$proxy_upstream_name] $upstream_addr ... $req_id)"};
  }
  std::unique_ptr<FileParser> open(const ParseContext& ctx) const override {
    return std::make_unique<NginxIngressFile>(ctx);
  }
  const std::vector<Sample>& samples() const override {
    static const std::vector<Sample> s = {
        // elastic/beats nginx ingress_controller test log
        {"192.168.64.1 - - [07/Feb/2020:11:48:51 +0000] \"POST /products HTTP/1.1\" 200 59 \"-\" \"curl/7.54.0\" 89 "
         "0.001 [default-web-8080] [] 172.17.0.5:8080 59 0.000 200 529a007902362a5f51385a5fa7049884",
         {{"ts", "2020-02-07T11:48:51.000Z"}, {"client_ip", "192.168.64.1"}, {"method", "POST"},
          {"path", "/products"}, {"status", "200"}, {"bytes", "59"}, {"duration_us", "1000"},
          {"server_ip", "172.17.0.5"}, {"server_port", "8080"}, {"fields.upstream_name", "default-web-8080"},
          {"request_id", "529a007902362a5f51385a5fa7049884"}, {"category", "request"}, {"role", "proxy"}}},
        {"192.168.64.14 - - [07/Feb/2020:12:02:42 +0000] \"GET /v2/some HTTP/1.1\" 200 61 \"-\" \"Mozilla/5.0\" 348 "
         "0.001 [default-web2-8080] [] 172.17.0.6:8080, 172.17.0.7:8080 61, 100 0.100, 0.004 200, 203 "
         "835136ae24486dbb4156dcbe21f5d402",
         {{"server_ip", "172.17.0.7"}, {"fields.upstream_addr", "172.17.0.6:8080, 172.17.0.7:8080"},
          {"fields.upstream_status", "200, 203"}}},
        {"2a02:cf40::4e36 - - [24/Aug/2022:18:05:41 +0000] \"GET /favicon.ico HTTP/2.0\" 502 552 "
         "\"https://localhost:8080/\" \"Mozilla/5.0\" 27 0.000 [localhost-8080] [] [2a02:cf40::7]:5000, "
         "[2a02:cf40::4e36]:5000 0, 0 0.000, 0.000 502, 502 3db73c6c673c4256ade033a6ce08c2ab",
         {{"category", "upstream-error"}, {"client_ip", "2a02:cf40::4e36"}, {"server_ip", "2a02:cf40::4e36"},
          {"server_port", "5000"}}},
        {"192.168.64.1 - - [07/Feb/2020:11:49:50 +0000] \"PATCHp /products/42 HTTP/1.1\" 400 163 \"-\" \"-\" 0 "
         "0.000 [] [] - - - - 4c7d2079340e68353c7d0dfff00b904b",
         {{"category", "bad-request"}, {"server_ip", ""}}},
        {"192.168.64.1 - - [07/Feb/2020:11:48:51 +0000] \"GET / HTTP/1.1\" 200 59 \"-\" \"curl\"", {{"unparsed", "1"}}},
    };
    return s;
  }
};

RSTSCOPE_REGISTER_PARSER(NginxIngressParser);

}  // namespace
}  // namespace rstscope
