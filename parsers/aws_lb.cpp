// AWS Elastic Load Balancing access logs (shared/reference/signatures.md B7), hand-split:
//   ALB:     type time elb client:port target:port req_t target_t resp_t elb_status target_status
//            received sent "request" "ua" cipher protocol tg_arn "trace_id" "domain" "cert" prio
//            creation_time "actions" "redirect" "error_reason" "targets" "target_statuses"
//            "classification" "classification_reason" conn_trace_id [newer fields ignored]
//   Classic: time elb client:port backend:port req_t backend_t resp_t elb_status backend_status
//            received sent "request" "ua" cipher protocol
//   NLB TLS: tls version time elb listener client:port dest:port conn_ms handshake_ms received
//            sent alert cert_arn cert_serial cipher protocol group domain alpn_fe alpn_be alpn_list
// Any of the three may appear in one file (plaso's fixture mixes them); both parsers take all.
// The LB is the proxy: client = downstream, server = the listener (port from the request URL),
// target -> fields.target. `-1` timings mean "the LB could not dispatch / no answer" and, with
// the status, decide the category (502 + -1 -> upstream-closed, 504 -> upstream-timeout,
// 460 -> client-closed, Lambda error_reason -> upstream-error). Times are UTC.
#include <array>
#include <cstring>

#include "rstscope/parser.h"
#include "rstscope/text.h"
#include "web_common.h"

namespace rstscope {
namespace {

constexpr size_t kMaxTok = 32;

// Splits on single spaces; "quoted" tokens may contain spaces (backslash escapes skipped) and may
// be followed directly by the next token (ALB writes `"-"1` in one documented sample).
size_t tokenize(std::string_view s, std::array<std::string_view, kMaxTok>& tok, uint32_t* quoted = nullptr) {
  size_t n = 0, i = 0, len = s.size();
  uint32_t q = 0;
  const char* p = s.data();
  while (n < kMaxTok) {
    while (i < len && p[i] == ' ') ++i;
    if (i >= len) break;
    if (p[i] == '"') {
      // memchr to the closing quote; walk byte by byte only when a backslash comes first.
      const void* qp = std::memchr(p + i + 1, '"', len - i - 1);
      size_t j = qp ? size_t(static_cast<const char*>(qp) - p) : len;
      if (j < len && p[j - 1] == '\\') {  // an escaped quote: walk the escapes
        j = i + 1;
        while (j < len && p[j] != '"') {
          if (p[j] == '\\' && j + 1 < len) ++j;
          ++j;
        }
      }
      if (j < len) q |= uint32_t(1) << n;  // closed quote: the token is surrounded by '"' in memory
      tok[n++] = s.substr(i + 1, j - i - 1);
      i = j + 1;
    } else {
      size_t j = i;  // unquoted tokens are short: an inline scan beats a memchr call
      while (j < len && p[j] != ' ') ++j;
      tok[n++] = s.substr(i, j - i);
      i = j;
    }
  }
  if (quoted) *quoted = q;
  return n;
}

bool is_dash(std::string_view s) { return s.empty() || s == "-"; }

// "GET https://www.example.com:443/x?y HTTP/1.1" -> method, host, server_port, path, protocol.
void split_lb_request(std::string_view req, Event& ev) {
  size_t sp1 = req.find(' ');
  std::string_view method = req.substr(0, sp1);
  if (!is_dash(method)) ev.method.assign(method);
  if (sp1 == std::string_view::npos) return;
  std::string_view rest = req.substr(sp1 + 1);
  size_t sp2 = rest.rfind(' ');
  std::string_view url = sp2 == std::string_view::npos ? rest : rest.substr(0, sp2);
  if (sp2 != std::string_view::npos) {
    std::string_view proto = rest.substr(sp2 + 1);
    if (!is_dash(proto)) ev.protocol.assign(proto);
  }
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) {
    if (!is_dash(url)) ev.path.assign(url);
    return;
  }
  std::string_view hp = url.substr(scheme + 3);
  size_t slash = hp.find('/');
  std::string_view authority = hp.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view{} : hp.substr(slash);
  size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']') == std::string_view::npos) {
    ev.host.assign(authority.substr(0, colon));
    std::string_view port = authority.substr(colon + 1);
    int64_t v = 0;
    size_t k = 0;
    while (k < port.size() && port[k] >= '0' && port[k] <= '9') v = v * 10 + (port[k++] - '0');
    if (k > 0 && k <= 5) ev.server_port = v;
  } else {
    ev.host.assign(authority);
  }
  if (!path.empty()) ev.path.assign(path);
}

bool resolve_utc(std::string_view s, Event& ev, TimeResolver& tr) {
  CivilTime t;
  if (!parse_iso8601(s, t)) return false;
  if (!t.has_offset) {  // NLB writes "2018-12-20T02:59:40" (UTC, no designator)
    t.has_offset = true;
    t.offset_seconds = 0;
  }
  ev.ts_raw.assign(s);
  return tr.resolve(t, ev);
}

// Category of an ALB/ELB request from its status, target status and -1 timings.
std::string_view lb_category(int64_t status, bool target_answered, bool never, std::string_view error_reason) {
  if (!is_dash(error_reason)) {
    if (error_reason.find("Timeout") != std::string_view::npos) return "upstream-timeout";
    return "upstream-error";
  }
  switch (status) {
    case 460: return "client-closed";
    case 502: return (never || !target_answered) ? "upstream-closed" : "upstream-error";
    case 503: return "upstream-unavailable";
    case 504: return "upstream-timeout";
    case 0: return "bad-request";  // "000": HTTP/2 header block too large, GOAWAY
    default: return web::category_for_status(status);
  }
}

class AwsLbFile : public FileParser {
 public:
  explicit AwsLbFile(const ParseContext& ctx) : ctx_(ctx) {}

  void record(const Record& rec, Emitter& out) override {
    std::string_view l = rec.text;
    if (l.empty() || trim(l).empty()) return;
    size_t n = tokenize(l, tok_);
    cur_ = nullptr;
    if (n >= 3 && tok_[0] == "tls" && (tok_[1] == "1.0" || tok_[1] == "2.0")) nlb(n, out);
    else if (n >= 11 && l[0] >= '0' && l[0] <= '9') classic(n, out);
    else if (n >= 12 && !l.empty() && l[0] >= 'a' && l[0] <= 'z') alb(n, out);
    else out.unparsed("not an AWS ALB, Classic ELB or NLB access-log line");
    if (cur_) fb_.flush(cur_->fields);
  }

 private:
  // Shared tail of ALB and Classic: timings, statuses, bytes, request, ua, tls.
  // `o` is the index of client:port.
  bool common(size_t o, size_t n, Event& ev, bool& never, bool& target_answered) {
    web::split_addr(tok_[o], ev.client_ip, ev.client_port);
    if (!is_dash(tok_[o + 1])) fb_.text("target", tok_[o + 1]);
    int64_t t[3];
    never = false;
    int64_t sum = 0;
    for (int k = 0; k < 3; ++k) {
      bool nv;
      if (!web::seconds_to_us(tok_[o + 2 + k], t[k], nv)) return false;
      never |= nv;
      if (!nv) sum += t[k];
    }
    // "request target response" processing times in seconds, as written (one span of the line).
    const char* b = tok_[o + 2].data();
    fb_.text("times", std::string_view(b, size_t(tok_[o + 4].data() + tok_[o + 4].size() - b)));
    if (!never) ev.duration_us = sum;
    if (!web::parse_int_or_dash(tok_[o + 5], ev.status)) return false;
    int64_t ts;
    if (!web::parse_int_or_dash(tok_[o + 6], ts)) return false;
    target_answered = ts != kNull;
    if (target_answered) fb_.number_token("target_status", tok_[o + 6]);
    if (!is_dash(tok_[o + 7])) fb_.number_token("received_bytes", tok_[o + 7]);
    web::parse_int_or_dash(tok_[o + 8], ev.bytes);
    if (n > o + 9) split_lb_request(tok_[o + 9], ev);
    if (n > o + 10 && !is_dash(tok_[o + 10])) fb_.text("user_agent", tok_[o + 10]);
    if (n > o + 11 && !is_dash(tok_[o + 11])) fb_.text("tls_cipher", tok_[o + 11]);
    if (n > o + 12 && !is_dash(tok_[o + 12])) fb_.text("tls_protocol", tok_[o + 12]);
    return true;
  }

  void alb(size_t n, Emitter& out) {
    Event& ev = out.event();
    cur_ = &ev;
    ev.role = Role::proxy;
    if (!resolve_utc(tok_[1], ev, *ctx_.time)) {
      ev.category.assign("error");
      ev.message.assign("ALB line with an unreadable time");
      return;
    }
    if (tok_[0] != "http" && tok_[0] != "https") fb_.text("type", tok_[0]);  // h2, ws, wss, grpcs
    fb_.text("elb", tok_[2]);
    bool never = false, answered = false;
    if (!common(3, n, ev, never, answered)) {
      ev.category.assign("error");
      ev.message.assign("ALB line with unreadable timings or status");
      return;
    }
    if (n > 17 && !is_dash(tok_[17])) ev.request_id.assign(tok_[17]);
    if (n > 18 && !is_dash(tok_[18])) {
      if (ev.host.empty()) ev.host.assign(tok_[18]);
      else if (ev.host != tok_[18]) fb_.text("sni", tok_[18]);
    }
    if (n > 21) {
      fb_.text("request_creation_time", tok_[21]);
      // -1 timings: the request's real duration is response time - creation time.
      if (never) {
        CivilTime c;
        if (parse_iso8601(tok_[21], c)) {
          if (!c.has_offset) c.has_offset = true;
          int64_t created = ctx_.time->to_utc_us(c);
          if (ev.ts != kNull && ev.ts >= created && ev.ts - created < int64_t(86400) * 1000000)
            ev.duration_us = ev.ts - created;
        }
      }
    }
    if (n > 22 && !is_dash(tok_[22]) && tok_[22] != "forward") fb_.text("actions", tok_[22]);
    std::string_view error_reason = n > 24 ? tok_[24] : std::string_view{};
    if (!is_dash(error_reason)) fb_.text("error_reason", tok_[24]);
    // Target lists only when they say more than target / target_status (retries, several targets).
    if (n > 25 && !is_dash(tok_[25]) && tok_[25] != tok_[4]) fb_.text("targets", tok_[25]);
    if (n > 26 && !is_dash(tok_[26]) && tok_[26] != tok_[9]) fb_.text("target_statuses", tok_[26]);
    if (n > 27 && !is_dash(tok_[27])) fb_.text("classification", tok_[27]);
    if (n > 28 && !is_dash(tok_[28])) fb_.text("classification_reason", tok_[28]);
    if (n > 29 && !is_dash(tok_[29])) ev.conn_id.assign(tok_[29]);
    if (never) fb_.raw("not_dispatched", "true");
    ev.category.assign(lb_category(ev.status, answered, never, error_reason));
  }

  void classic(size_t n, Emitter& out) {
    Event& ev = out.event();
    cur_ = &ev;
    ev.role = Role::proxy;
    if (!resolve_utc(tok_[0], ev, *ctx_.time)) {
      ev.category.assign("error");
      ev.message.assign("ELB line with an unreadable time");
      return;
    }
    fb_.text("elb", tok_[1]);
    bool never = false, answered = false;
    if (!common(2, n, ev, never, answered)) {
      ev.category.assign("error");
      ev.message.assign("ELB line with unreadable timings or status");
      return;
    }
    if (never) fb_.raw("not_dispatched", "true");
    if (ev.status == kNull) {
      // TCP/SSL listener: no HTTP status; a connection the LB could not hand to a backend.
      ev.protocol.assign(n > 14 && !is_dash(tok_[14]) ? "ssl" : "tcp");
      ev.category.assign(never || is_dash(tok_[3]) ? "upstream-error" : "conn-closed");
      return;
    }
    std::string_view cat = lb_category(ev.status, answered, never, {});
    if (ev.status == 502) cat = "upstream-invalid";  // Classic: "unable to parse the instance response"
    if (ev.status == 408) cat = "client-closed";     // client cancelled or did not send the full request
    ev.category.assign(cat);
  }

  void nlb(size_t n, Emitter& out) {
    if (n < 12) {
      out.unparsed("NLB TLS line with too few fields");
      return;
    }
    Event& ev = out.event();
    cur_ = &ev;
    ev.role = Role::proxy;
    ev.protocol.assign("tls");
    resolve_utc(tok_[2], ev, *ctx_.time);
    fb_.text("type", "tls");
    fb_.text("version", tok_[1]);
    fb_.text("elb", tok_[3]);
    ev.conn_id.assign(tok_[4]);
    web::split_addr(tok_[5], ev.client_ip, ev.client_port);
    web::split_addr(tok_[6], ev.server_ip, ev.server_port);
    int64_t ms;
    if (parse_int(tok_[7], ms)) ev.duration_us = ms * 1000;
    if (!is_dash(tok_[8])) fb_.text("tls_handshake_ms", tok_[8]);
    int64_t rb;
    if (parse_int(tok_[9], rb)) fb_.number_token("received_bytes", tok_[9]);
    parse_int(tok_[10], ev.bytes);
    bool alert = !is_dash(tok_[11]);
    if (alert) fb_.text("tls_alert", tok_[11]);
    if (n > 14 && !is_dash(tok_[14])) fb_.text("tls_cipher", tok_[14]);
    if (n > 15 && !is_dash(tok_[15])) fb_.text("tls_protocol", tok_[15]);
    if (n > 17 && !is_dash(tok_[17])) ev.host.assign(tok_[17]);
    ev.category.assign(alert ? "tls-handshake-failed" : "conn-closed");
  }

  ParseContext ctx_;
  std::array<std::string_view, kMaxTok> tok_{};
  web::FieldBatch fb_;
  Event* cur_ = nullptr;
};

enum class LbShape { none, alb, classic, nlb };

LbShape shape_of(std::string_view l) {
  std::array<std::string_view, kMaxTok> t{};
  size_t n = tokenize(l, t);
  CivilTime c;
  if (n >= 12 && t[0] == "tls" && (t[1] == "1.0" || t[1] == "2.0") && parse_iso8601(t[2], c)) return LbShape::nlb;
  if (n >= 12 && parse_iso8601(t[0], c) && t[2].find(':') != std::string_view::npos &&
      (t[4] == "-1" || t[4].find('.') != std::string_view::npos))
    return LbShape::classic;
  if (n >= 17 && (t[0] == "http" || t[0] == "https" || t[0] == "h2" || t[0] == "ws" || t[0] == "wss" ||
                  t[0] == "grpcs") &&
      parse_iso8601(t[1], c) && starts_with(t[2], "app/"))
    return LbShape::alb;
  return LbShape::none;
}

template <LbShape Mine>
class AwsLbParser : public Parser {
 public:
  std::string_view name() const override { return Mine == LbShape::alb ? "aws-alb" : "aws-elb"; }
  std::string_view description() const override {
    return Mine == LbShape::alb
               ? "AWS Application Load Balancer access log (also NLB TLS lines): -1 timings, error_reason, "
                 "trace id; newer trailing fields ignored"
               : "AWS Classic Elastic Load Balancer access log (HTTP and TCP/SSL listeners)";
  }
  Role role() const override { return Role::proxy; }
  Score sniff(const SniffInput& in) const override {
    int total = 0, mine = 0, any = 0;
    for (std::string_view l : in.lines) {
      ++total;
      LbShape s = shape_of(l);
      if (s == LbShape::none) continue;
      ++any;
      if (s == Mine || (Mine == LbShape::alb && s == LbShape::nlb)) ++mine;
    }
    if (!mine || any * 2 < total) return {};
    // The majority shape wins; the other parser still takes the odd line of its kind.
    int score = 50 + 45 * mine / total;
    return {score, std::to_string(mine) + " of " + std::to_string(total) + " lines are " +
                       std::string(Mine == LbShape::alb ? "ALB/NLB" : "Classic ELB") + " access-log lines"};
  }
  std::unique_ptr<FileParser> open(const ParseContext& ctx) const override {
    return std::make_unique<AwsLbFile>(ctx);
  }
  const std::vector<Sample>& samples() const override {
    static const std::vector<Sample> alb = {
        // corpus beats_aws_elb_application-lb-http.log line 2: 504 after 10 s, target never answered
        {"http 2019-10-11T15:01:50.492440Z app/filebeat-aws-elb-test/c86a326e7dc14222 77.227.156.41:56488 "
         "10.0.1.107:80 -1 -1 -1 504 - 125 308 \"GET http://filebeat-aws-elb-test-12030537.eu-central-1.elb."
         "amazonaws.com:80/ HTTP/1.1\" \"curl/7.58.0\" - - arn:aws:elasticloadbalancing:eu-central-1:627959692251:"
         "targetgroup/test-lb-instances/8f04c4fe71f5f794 \"Root=1-5da09954-2c342a443bfb96249aa50ed7\" \"-\" \"-\" 0 "
         "2019-10-11T15:01:40.491000Z \"forward\" \"-\" \"-\"",
         {{"ts", "2019-10-11T15:01:50.492Z"},
          {"role", "proxy"},
          {"client_ip", "77.227.156.41"},
          {"client_port", "56488"},
          {"server_port", "80"},
          {"fields.target", "10.0.1.107:80"},
          {"status", "504"},
          {"bytes", "308"},
          {"duration_us", "10001440"},
          {"request_id", "Root=1-5da09954-2c342a443bfb96249aa50ed7"},
          {"category", "upstream-timeout"},
          {"method", "GET"},
          {"path", "/"}}},
        // corpus beats_aws_elb_application-lb-http.log line 1: client closed (460)
        {"http 2019-10-11T15:01:12.376735Z app/filebeat-aws-elb-test/c86a326e7dc14222 77.227.156.41:56398 "
         "10.0.0.192:80 -1 -1 -1 460 - 125 0 \"GET http://x.elb.amazonaws.com:80/ HTTP/1.1\" \"curl/7.58.0\" - - "
         "arn:aws:elasticloadbalancing:eu-central-1:627959692251:targetgroup/t/8f04c4fe71f5f794 "
         "\"Root=1-5da09932-2c342a443bfb96249aa50ed7\" \"-\" \"-\" 0 2019-10-11T15:01:06.657000Z \"forward\" \"-\" \"-\"",
         {{"category", "client-closed"}, {"status", "460"}}},
        // corpus beats_aws_elb_example-alb-http.log line 7: Lambda error_reason
        {"http 2018-11-30T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 - 0.000 0.001 "
         "0.000 502 - 34 366 \"GET http://www.example.com:80/ HTTP/1.1\" \"curl/7.46.0\" - - arn:aws:"
         "elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 \"Root=1-58337364-"
         "23a8c76965a2ef7629b185e3\" \"-\" \"-\" 0 2018-11-30T22:22:48.364000Z \"forward\" \"-\" \"LambdaInvalidResponse\"",
         {{"category", "upstream-error"}, {"fields.error_reason", "LambdaInvalidResponse"}, {"duration_us", "1000"}}},
        // signatures.md B7.1 shape, https with TLS and trailing newer fields (crowdsec line 8)
        {"https 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 "
         "0.086 0.048 0.037 200 200 0 57 \"GET https://www.example.com:443/ HTTP/1.1\" \"curl/7.46.0\" "
         "ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/"
         "my-targets/73e2d6bc24d8a067 \"Root=1-58337281-1d84f3d73c47ec4e58577259\" \"www.example.com\" \"arn:aws:"
         "acm:us-east-2:123456789012:certificate/12345678-1234-1234-1234-123456789012\" 1 2018-07-02T22:22:48.364000Z "
         "\"authenticate,forward\" \"-\" \"-\" \"10.0.0.1:80\" \"200\" \"-\" \"-\" TID_1234abcd5678ef90 "
         "\"m.example.com\" \"-\" \"TransformSuccess\"",
         {{"host", "www.example.com"}, {"server_port", "443"}, {"fields.tls_protocol", "TLSv1.2"},
          {"fields.tls_cipher", "ECDHE-RSA-AES128-GCM-SHA256"}, {"duration_us", "171000"},
          {"conn_id", "TID_1234abcd5678ef90"}, {"category", "request"}}},
        // corpus beats_aws_elb_example-nlb-tcp.log
        {"tls 1.0 2018-12-20T02:59:40 net/my-network-loadbalancer/c6e77e28c25b2234 g3d4b5e8bb8464cd "
         "89.160.20.112:51341 172.100.100.185:443 5 2 98 246 - arn:aws:acm:us-east-2:671290407336:certificate/"
         "2a108f19-aded-46b0-8493-c63eb1ef4a99 - ECDHE-RSA-AES128-SHA tlsv12 - "
         "my-network-loadbalancer-c6e77e28c25b2234.elb.us-east-2.amazonaws.com",
         {{"ts", "2018-12-20T02:59:40.000Z"}, {"client_port", "51341"}, {"server_ip", "172.100.100.185"},
          {"server_port", "443"}, {"duration_us", "5000"}, {"bytes", "246"}, {"category", "conn-closed"}}},
        {"http garbage", {{"unparsed", "1"}}},
    };
    static const std::vector<Sample> elb = {
        // corpus beats_aws_elb_example-http.log line 2: no backend, -1 timings, 503
        {"2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 - -1 -1 -1 503 - 0 0 "
         "\"GET http://www.example.com:80/ HTTP/1.1\" \"curl/7.38.0\" - -",
         {{"ts", "2015-05-13T23:39:43.945Z"},
          {"client_ip", "192.168.131.39"},
          {"status", "503"},
          {"category", "upstream-unavailable"},
          {"fields.not_dispatched", "true"},
          {"duration_us", ""}}},
        // signatures.md B7.2 example 1
        {"2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000073 0.001048 0.000057 "
         "200 200 0 29 \"GET http://www.example.com:80/ HTTP/1.1\" \"curl/7.38.0\" - -",
         {{"fields.target", "10.0.0.1:80"}, {"duration_us", "1178"}, {"bytes", "29"}, {"host", "www.example.com"},
          {"category", "request"}}},
        // corpus beats_aws_elb_example-tcp.log line 2: TCP listener, nothing dispatched
        {"2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 - -1 -1 -1 - - 82 0 \"- - - \" \"-\" - -",
         {{"protocol", "tcp"}, {"category", "upstream-error"}, {"status", ""}}},
        {"2015-05-13T23:39:43Z garbage", {{"unparsed", "1"}}},
    };
    return Mine == LbShape::alb ? alb : elb;
  }
};

RSTSCOPE_REGISTER_PARSER(AwsLbParser<LbShape::alb>);
RSTSCOPE_REGISTER_PARSER(AwsLbParser<LbShape::classic>);

}  // namespace
}  // namespace rstscope
