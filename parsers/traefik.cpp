// Traefik access log (signatures.md B5.1), both formats, chosen per line:
//   common (Traefik CLF): CLF + "REFERER" "UA" REQUEST_COUNT "ROUTER" "SERVICE_URL" DURATIONms
//   genericCLF: the first 9 fields only (also plain CLF lines in a Traefik file)
//   json: one object per request (ClientAddr, DownstreamStatus, Duration ns, StartUTC, ...)
// role=proxy. Status -> category (B5.2: 499 client went away, 502 backend EOF/reset/refused,
// 504 backend timeout); a JSON 502 with OriginStatus 0 means the backend never answered
// (upstream-closed). ServiceURL/ServiceAddr -> fields.target. JSON is read with simdjson
// on-demand over a reused padded buffer (no allocation per record).
#include <simdjson.h>

#include <charconv>

#include "rstscope/parser.h"
#include "rstscope/text.h"
#include "web_common.h"

namespace rstscope {
namespace {

// Traefik CLF trailer after the CLF core: "REF" "UA" COUNT "ROUTER" URL DURATIONms
struct TraefikTail {
  std::string_view referer, ua, count, router, url, duration;
  bool full = false;
};

bool split_tail(std::string_view rest, TraefikTail& t) {
  t = TraefikTail{};
  std::string_view s = rest;
  if (!next_token(s, t.referer)) return true;  // genericCLF without referer/ua
  if (!next_token(s, t.ua)) return true;
  if (!next_token(s, t.count) || !next_token(s, t.router) || !next_token(s, t.url) || !next_token(s, t.duration))
    return true;
  std::string_view extra;
  if (next_token(s, extra)) return true;  // more than Traefik writes: keep as generic
  t.full = ends_with(t.duration, "ms");
  return true;
}

bool parse_ms_suffix(std::string_view d, int64_t& us) {
  if (!ends_with(d, "ms")) return false;
  int64_t ms;
  if (!parse_int(d.substr(0, d.size() - 2), ms)) return false;
  us = ms * 1000;
  return true;
}

enum class LineKind { none, clf, clf_traefik, json };

LineKind kind_of(std::string_view l) {
  if (!l.empty() && l[0] == '{') {
    return (l.find("\"DownstreamStatus\"") != std::string_view::npos ||
            l.find("\"RequestMethod\"") != std::string_view::npos || l.find("\"RouterName\"") != std::string_view::npos)
               ? LineKind::json
               : LineKind::none;
  }
  web::ClfParts p;
  std::string_view rest;
  if (!web::split_clf(l, p, rest) || p.time.size() < 20 || p.time[2] != '/') return LineKind::none;
  TraefikTail t;
  split_tail(rest, t);
  return t.full ? LineKind::clf_traefik : LineKind::clf;
}

int64_t num(std::string_view raw) {
  int64_t v = 0;
  if (raw.empty()) return kNull;
  auto r = std::from_chars(raw.data(), raw.data() + raw.size(), v);
  if (r.ec == std::errc() && r.ptr == raw.data() + raw.size()) return v;
  double d;
  auto r2 = std::from_chars(raw.data(), raw.data() + raw.size(), d);
  if (r2.ec == std::errc()) return int64_t(d);
  return kNull;
}

class TraefikFile : public FileParser {
 public:
  explicit TraefikFile(const ParseContext& ctx) : ctx_(ctx) {}

  void record(const Record& rec, Emitter& out) override {
    std::string_view l = trim(rec.text);
    if (l.empty()) return;
    if (l[0] == '{') return json(l, out);
    web::ClfParts p;
    std::string_view rest;
    CivilTime t;
    if (!web::split_clf(l, p, rest) || !parse_clf_time(p.time, t)) {
      out.unparsed("not a Traefik access-log line (CLF or JSON)");
      return;
    }
    Event& ev = out.event();
    ev.role = Role::proxy;
    ev.ts_raw.assign(p.time);
    ctx_.time->resolve(t, ev);
    ev.client_ip.assign(p.host);
    web::split_request_line(p.request, ev);
    web::parse_int_or_dash(p.status, ev.status);
    web::parse_int_or_dash(p.bytes, ev.bytes);
    if (!p.user.empty() && p.user != "-") web::add_text(ev.fields, "user", p.user);
    TraefikTail tail;
    split_tail(rest, tail);
    if (!tail.referer.empty() && tail.referer != "-") web::add_text(ev.fields, "referrer", tail.referer);
    if (!tail.ua.empty() && tail.ua != "-") web::add_text(ev.fields, "user_agent", tail.ua);
    if (tail.full) {
      int64_t c;
      if (parse_int(tail.count, c)) ev.fields.add("request_count", c);
      if (!tail.router.empty() && tail.router != "-") web::add_text(ev.fields, "router", tail.router);
      if (!tail.url.empty() && tail.url != "-") {
        web::add_text(ev.fields, "service_url", tail.url);
        size_t scheme = tail.url.find("://");
        if (scheme != std::string_view::npos) {
          std::string_view hp = tail.url.substr(scheme + 3);
          web::add_text(ev.fields, "target", hp.substr(0, hp.find('/')));
        }
      }
      parse_ms_suffix(tail.duration, ev.duration_us);
    }
    ev.category.assign(web::category_for_status(ev.status));
  }

 private:
  void json(std::string_view l, Emitter& out) {
    buf_.assign(l);
    buf_.append(simdjson::SIMDJSON_PADDING, '\0');
    simdjson::ondemand::document doc;
    simdjson::ondemand::object obj;
    if (parser_.iterate(buf_.data(), l.size(), buf_.size()).get(doc) || doc.get_object().get(obj)) {
      out.unparsed("invalid JSON");
      return;
    }
    Event& ev = out.event();
    ev.role = Role::proxy;
    std::string_view start_utc, time_field, client_host, req_addr;
    int64_t origin_status = kNull;
    bool ok = true;
    for (auto field : obj) {
      std::string_view key;
      if (field.unescaped_key().get(key)) {
        ok = false;
        break;
      }
      simdjson::ondemand::value v;
      if (field.value().get(v)) {
        ok = false;
        break;
      }
      simdjson::ondemand::json_type type;
      if (v.type().get(type)) {
        ok = false;
        break;
      }
      std::string_view s;
      if (type == simdjson::ondemand::json_type::string) {
        if (v.get_string().get(s)) {
          ok = false;
          break;
        }
      } else if (type == simdjson::ondemand::json_type::number) {
        s = trim(v.raw_json_token());
      } else {
        continue;  // objects (old ServiceURL), arrays, null, bool: not needed
      }
      if (key == "ClientAddr") {
        web::split_addr(s, ev.client_ip, ev.client_port);
      } else if (key == "ClientHost") {
        client_host = s;
      } else if (key == "ClientUsername") {
        if (s != "-" && !s.empty()) web::add_text(ev.fields, "user", s);
      } else if (key == "DownstreamStatus") {
        ev.status = num(s);
      } else if (key == "DownstreamContentSize") {
        ev.bytes = num(s);
      } else if (key == "Duration") {
        int64_t ns = num(s);
        if (ns != kNull) ev.duration_us = ns / 1000;
      } else if (key == "OriginStatus") {
        origin_status = num(s);
        ev.fields.add("origin_status", origin_status);
      } else if (key == "OriginDuration") {
        int64_t ns = num(s);
        if (ns != kNull) ev.fields.add("origin_duration_us", ns / 1000);
      } else if (key == "RequestHost") {
        ev.host.assign(s);
      } else if (key == "RequestAddr") {
        req_addr = s;
      } else if (key == "RequestMethod") {
        ev.method.assign(s);
      } else if (key == "RequestPath") {
        ev.path.assign(s);
      } else if (key == "RequestProtocol") {
        ev.protocol.assign(s);
      } else if (key == "RequestPort") {
        int64_t p;
        if (parse_int(s, p)) ev.server_port = p;
      } else if (key == "RouterName") {
        web::add_text(ev.fields, "router", s);
      } else if (key == "ServiceName") {
        web::add_text(ev.fields, "service", s);
      } else if (key == "ServiceAddr") {
        web::add_text(ev.fields, "target", s);
      } else if (key == "ServiceURL") {
        web::add_text(ev.fields, "service_url", s);
      } else if (key == "StartUTC") {
        start_utc = s;
      } else if (key == "time") {
        time_field = s;
      } else if (key == "TLSVersion") {
        web::add_text(ev.fields, "tls_protocol", s);
      } else if (key == "TLSCipher") {
        web::add_text(ev.fields, "tls_cipher", s);
      } else if (key == "RetryAttempts") {
        int64_t r = num(s);
        if (r > 0) ev.fields.add("retries", r);
      } else if (key == "RequestCount") {
        ev.fields.add("request_count", num(s));
      } else if (key == "entryPointName") {
        web::add_text(ev.fields, "entrypoint", s);
      } else if (key == "trace_id" || key == "TraceId" || key == "request_X-Request-Id") {
        ev.request_id.assign(s);
      } else if (key == "request_User-Agent") {
        web::add_text(ev.fields, "user_agent", s);
      } else if (key == "level") {
        ev.severity.assign(s);
      }
    }
    if (!ok) {
      ev.category.assign("error");
      ev.message.assign("malformed Traefik JSON record");
      return;
    }
    if (ev.host.empty() && !req_addr.empty()) ev.host.assign(req_addr);
    if (ev.client_ip.empty() && !client_host.empty()) ev.client_ip.assign(client_host);
    if (!client_host.empty() && client_host.find(',') != std::string_view::npos) web::add_text(ev.fields, "client_host", client_host);
    CivilTime t;
    std::string_view ts = !start_utc.empty() ? start_utc : time_field;
    if (!ts.empty() && parse_iso8601(ts, t)) {
      ev.ts_raw.assign(ts);
      ctx_.time->resolve(t, ev);
    }
    std::string_view cat = web::category_for_status(ev.status);
    if (ev.status == 502 && (origin_status == 0 || origin_status == kNull)) cat = "upstream-closed";
    ev.category.assign(cat);
  }

  ParseContext ctx_;
  simdjson::ondemand::parser parser_;
  std::string buf_;
};

class TraefikParser : public Parser {
 public:
  std::string_view name() const override { return "traefik-access"; }
  std::string_view description() const override {
    return "Traefik access log, CLF (with router, service URL, duration) and JSON";
  }
  Role role() const override { return Role::proxy; }
  Score sniff(const SniffInput& in) const override {
    int total = 0, json = 0, traefik = 0, clf = 0;
    for (std::string_view l : in.lines) {
      ++total;
      switch (kind_of(l)) {
        case LineKind::json: ++json; break;
        case LineKind::clf_traefik: ++traefik; break;
        case LineKind::clf: ++clf; break;
        case LineKind::none: break;
      }
    }
    bool named = web::path_mentions(in.path, "traefik");
    if (json + traefik == 0) {
      if (named && clf * 2 > total) return {90, "CLF lines in a file whose path names traefik"};
      return {};
    }
    if ((json + traefik + clf) * 2 < total) return {};
    int score = 60 + 38 * (json + traefik) / total;
    if (named) score = 98;
    return {score, std::to_string(json + traefik) + " of " + std::to_string(total) +
                       " lines are Traefik access lines (JSON or CLF with router/service/duration)"};
  }
  std::unique_ptr<FileParser> open(const ParseContext& ctx) const override {
    return std::make_unique<TraefikFile>(ctx);
  }
  const std::vector<Sample>& samples() const override {
    static const std::vector<Sample> s = {
        // corpus beats_traefik_access_test.log line 1
        {"192.168.33.1 - - [02/Oct/2017:20:22:07 +0000] \"GET /ui/favicons/favicon-16x16.png HTTP/1.1\" 304 0 "
         "\"http://example.com/login\" \"Mozilla/5.0 (X11; Linux x86_64)\" 262 \"Host-host-1\" "
         "\"http://172.19.0.3:5601\" 2ms",
         {{"ts", "2017-10-02T20:22:07.000Z"},
          {"role", "proxy"},
          {"client_ip", "192.168.33.1"},
          {"method", "GET"},
          {"path", "/ui/favicons/favicon-16x16.png"},
          {"status", "304"},
          {"bytes", "0"},
          {"duration_us", "2000"},
          {"fields.router", "Host-host-1"},
          {"fields.target", "172.19.0.3:5601"},
          {"fields.request_count", "262"},
          {"category", "request"}}},
        // corpus crowdsec_traefik_clf.log line 5: no status (client went away before an answer)
        {"172.17.1.1 - - [28/Sep/2022:13:38:04 +0000] \"GET /mobileadmin/home.cs HTTP/1.1\" - - \"-\" "
         "\"Mozilla/5.00 (Nikto/2.1.5) (Evasions:None) (Test:006607)\" 45640 \"-\" \"-\" 0ms",
         {{"status", ""}, {"duration_us", "0"}, {"fields.request_count", "45640"}}},
        // corpus crowdsec_traefik_json.log line 5 (TLS, no origin)
        {"{\"ClientAddr\":\"192.168.1.115:56446\",\"ClientHost\":\"192.168.1.115\",\"ClientPort\":\"56446\","
         "\"ClientUsername\":\"-\",\"DownstreamContentSize\":19,\"DownstreamStatus\":404,\"Duration\":10158,"
         "\"GzipRatio\":0,\"OriginContentSize\":0,\"OriginDuration\":0,\"OriginStatus\":0,\"Overhead\":10158,"
         "\"RequestAddr\":\"admin.mydomain.com\",\"RequestContentSize\":0,\"RequestCount\":3100,\"RequestHost\":"
         "\"admin.mydomain.com\",\"RequestMethod\":\"GET\",\"RequestPath\":\"/\",\"RequestPort\":\"-\","
         "\"RequestProtocol\":\"HTTP/2.0\",\"RequestScheme\":\"https\",\"RetryAttempts\":0,\"StartLocal\":"
         "\"2026-01-14T10:45:33.759014877+01:00\",\"StartUTC\":\"2026-01-14T09:45:33.759014877Z\",\"TLSCipher\":"
         "\"TLS_AES_128_GCM_SHA256\",\"TLSVersion\":\"1.3\",\"entryPointName\":\"https\",\"level\":\"info\","
         "\"msg\":\"\",\"time\":\"2026-01-14T10:45:33+01:00\"}",
         {{"ts", "2026-01-14T09:45:33.759Z"},
          {"client_ip", "192.168.1.115"},
          {"client_port", "56446"},
          {"host", "admin.mydomain.com"},
          {"status", "404"},
          {"bytes", "19"},
          {"duration_us", "10"},
          {"protocol", "HTTP/2.0"},
          {"fields.tls_protocol", "1.3"},
          {"fields.tls_cipher", "TLS_AES_128_GCM_SHA256"},
          {"category", "request"}}},
        // B5.2: backend closed (EOF) -> 502 with no origin status
        {"{\"ClientAddr\":\"10.0.0.7:40000\",\"DownstreamStatus\":502,\"OriginStatus\":0,\"Duration\":1200000,"
         "\"RequestMethod\":\"GET\",\"RequestPath\":\"/api\",\"ServiceAddr\":\"10.0.0.9:8080\",\"StartUTC\":"
         "\"2026-01-14T09:45:33.5Z\"}",
         {{"category", "upstream-closed"}, {"fields.target", "10.0.0.9:8080"}, {"duration_us", "1200"}}},
        // traefik parser_test vector 2 (router with spaces, no service URL)
        {"127.0.0.1 - - [09/Mar/2018:10:51:32 +0000] \"GET / HTTP/1.1\" 401 17 \"-\" \"Go-http-client/1.1\" 1 "
         "\"testRouter with space\" - 0ms",
         {{"fields.router", "testRouter with space"}, {"status", "401"}}},
        {"DEBUG: CrowdsecBouncerTraefikPlugin: 2025/09/05 13:53:40 handleStreamCache:updated", {{"unparsed", "1"}}},
    };
    return s;
  }
};

RSTSCOPE_REGISTER_PARSER(TraefikParser);

}  // namespace
}  // namespace rstscope
