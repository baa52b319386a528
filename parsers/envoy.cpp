// Envoy access logs (signatures.md B3): the default text format, Istio's extended text format
// (RESPONSE_CODE_DETAILS, CONNECTION_TERMINATION_DETAILS, UPSTREAM_TRANSPORT_FAILURE_REASON and the
// address columns), JSON access logs (any key set using Envoy's operator names), and Envoy's own
// application log lines ("[2019-04-06 06:20:05.972][1][info][main] ..."). Lines may be wrapped by a
// container runtime: CRI ("<RFC3339Nano> stdout F <line>"), Docker json-file ({"log": ...}) or a
// {"message": ...} shipper envelope, and may carry Ambassador's "ACCESS " prefix.
//
// RESPONSE_FLAGS -> fields.response_flags (as written) + fields.response_flags_long and the category
// (UC upstream-closed, UF upstream-connect-failed, UT upstream-timeout, DC client-closed, ...).
// START_TIME is the event time (explicit zone); DURATION (ms) -> duration_us; BYTES_SENT -> bytes;
// UPSTREAM_HOST -> server_ip/port; DOWNSTREAM_REMOTE_ADDRESS (or the first X-Forwarded-For) -> client.
#include <simdjson.h>

#include <array>
#include <string>

#include "rstscope/parser.h"
#include "rstscope/text.h"
#include "tls_common.h"

namespace rstscope {
namespace {

struct Flag {
  std::string_view code;
  std::string_view long_name;
  std::string_view category;  // "" = no failure meaning on its own
};

// Priority order: the first flag of this table present in the field decides the category.
constexpr std::array<Flag, 28> kFlags{{
    {"UC", "UpstreamConnectionTermination", "upstream-closed"},
    {"UR", "UpstreamRemoteReset", "upstream-reset"},
    {"UF", "UpstreamConnectionFailure", "upstream-connect-failed"},
    {"UT", "UpstreamRequestTimeout", "upstream-timeout"},
    {"UMSDR", "UpstreamMaxStreamDurationReached", "upstream-timeout"},
    {"UPE", "UpstreamProtocolError", "upstream-invalid"},
    {"UH", "NoHealthyUpstream", "upstream-unavailable"},
    {"UO", "UpstreamOverflow", "conn-limited"},
    {"URX", "UpstreamRetryLimitExceeded", "upstream-error"},
    {"NC", "NoClusterFound", "upstream-unavailable"},
    {"LH", "FailedLocalHealthCheck", "upstream-unavailable"},
    {"DF", "DnsResolutionFailed", "upstream-connect-failed"},
    {"DO", "DropOverload", "upstream-unavailable"},
    {"DC", "DownstreamConnectionTermination", "client-closed"},
    {"DPE", "DownstreamProtocolError", "bad-request"},
    {"IH", "InvalidEnvoyRequestHeaders", "bad-request"},
    {"SI", "StreamIdleTimeout", "request-timeout"},
    {"DT", "DurationTimeout", "conn-killed"},
    {"LR", "LocalReset", "proxy-reset"},
    {"OM", "OverloadManagerTerminated", "conn-limited"},
    {"RL", "RateLimited", "rate-limited"},
    {"RLSE", "RateLimitServiceError", "server-error"},
    {"UAEX", "UnauthorizedExternalService", "forbidden"},
    {"NR", "NoRouteFound", "request-rejected"},
    {"NFCF", "NoFilterConfigFound", "server-error"},
    {"FI", "FaultInjected", "server-error"},
    {"DI", "DelayInjected", ""},
    {"RFCF", "ResponseFromCacheFilter", ""},
}};

const Flag* find_flag(std::string_view code) {
  for (const Flag& f : kFlags)
    if (f.code == code) return &f;
  return nullptr;
}

std::string_view status_category(int64_t status) {
  switch (status) {
    case 0: return "client-closed";  // "server never sent the beginning of a response" (client left)
    case 400: return "bad-request";
    case 403: return "forbidden";
    case 408: return "request-timeout";
    case 413: return "body-too-large";
    case 429: return "rate-limited";
    case 500: return "server-error";
    case 502: return "upstream-error";
    case 503: return "unavailable";
    case 504: return "upstream-timeout";
    default: return "request";
  }
}

// Flags "UF,URX" -> fields + category.
void apply_flags(std::string_view flags, Event& ev) {
  if (flags.empty() || flags == "-") {
    ev.category.assign(status_category(ev.status));
    return;
  }
  ev.fields.add("response_flags", flags);
  std::string longs;
  const Flag* best = nullptr;
  size_t best_rank = kFlags.size();
  std::string_view rest = flags, code;
  while (next_field(rest, ',', code)) {
    const Flag* f = find_flag(trim(code));
    if (!f) continue;
    if (!longs.empty()) longs.push_back(',');
    longs.append(f->long_name);
    size_t rank = static_cast<size_t>(f - kFlags.data());
    if (!f->category.empty() && rank < best_rank) {
      best = f;
      best_rank = rank;
    }
  }
  if (!longs.empty()) ev.fields.add("response_flags_long", longs);
  ev.category.assign(best ? best->category : status_category(ev.status));
}

// "TLS_error:|268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED:TLS_error_end" ->
// "CERTIFICATE_VERIFY_FAILED"; "...:OPENSSL_internal:Connection_reset_by_peer" -> that text.
std::string_view boringssl_reason(std::string_view s) {
  size_t i = s.find("OPENSSL_internal:");
  if (i == std::string_view::npos) return {};
  std::string_view r = s.substr(i + 17);
  size_t end = r.find_first_of(":}\",");
  return r.substr(0, end);
}

void set_client(std::string_view addr, Event& ev) {
  addr = trim(addr);
  if (addr.empty() || addr == "-") return;
  std::string_view host;
  int64_t port;
  split_host_port(addr, host, port);
  ev.client_ip.assign(host);
  if (port >= 0) ev.client_port = port;
}

void set_upstream(std::string_view addr, Event& ev) {
  if (addr.empty() || addr == "-") return;
  ev.fields.add("upstream_host", addr);
  if (starts_with(addr, "tcp://")) addr.remove_prefix(6);
  std::string_view host;
  int64_t port;
  split_host_port(addr, host, port);
  ev.server_ip.assign(host);
  if (port >= 0) ev.server_port = port;
}

void set_xff(std::string_view xff, Event& ev) {
  if (xff.empty() || xff == "-") return;
  ev.fields.add("x_forwarded_for", xff);
  if (!ev.client_ip.empty()) return;
  std::string_view first = xff.substr(0, xff.find(','));
  set_client(first, ev);
}

bool int_of(std::string_view s, int64_t& v) { return !s.empty() && s != "-" && parse_int(s, v); }

// Strips container wrappers that keep the line as text: CRI "<time> stdout F " and Ambassador "ACCESS ".
std::string_view strip_cri(std::string_view l, std::string_view& cri_time) {
  CivilTime c;
  size_t n = (!l.empty() && l[0] >= '0' && l[0] <= '9') ? parse_iso8601(l, c) : 0;
  if (n && n < l.size() && l[n] == ' ') {
    std::string_view rest = l.substr(n + 1);
    if ((starts_with(rest, "stdout ") || starts_with(rest, "stderr ")) && rest.size() > 9 &&
        (rest[7] == 'F' || rest[7] == 'P') && rest[8] == ' ') {
      cri_time = l.substr(0, n);
      return rest.substr(9);
    }
  }
  return l;
}

bool looks_access_text(std::string_view l) {
  if (starts_with(l, "ACCESS ")) l.remove_prefix(7);
  return l.size() > 30 && l[0] == '[' && l[1] >= '0' && l[1] <= '9' && l.find("] \"") != std::string_view::npos &&
         l.find("] \"") < 40;
}

bool looks_app_log(std::string_view l) {
  // [2019-04-06 06:20:05.972][1][info][main] ...
  return l.size() > 30 && l[0] == '[' && l[5] == '-' && l.find("][") != std::string_view::npos &&
         l.find("][") < 32;
}

class EnvoyFile : public FileParser {
 public:
  explicit EnvoyFile(const ParseContext& ctx) : ctx_(ctx) {}

  void record(const Record& rec, Emitter& out) override {
    if (trim(rec.text).empty()) return;  // a blank line holds nothing to keep
    std::string_view cri_time;
    std::string_view l = strip_cri(rec.text, cri_time);
    while (!l.empty() && (l.back() == ' ' || l.back() == '\r')) l.remove_suffix(1);
    if (!l.empty() && l[0] == '{') {
      json_line(l, cri_time, out);
      return;
    }
    text_line(l, cri_time, out);
  }

 private:
  void text_line(std::string_view l, std::string_view cri_time, Emitter& out) {
    if (starts_with(l, "ACCESS ")) l.remove_prefix(7);
    if (looks_app_log(l)) {
      app_line(l, out);
      return;
    }
    if (!looks_access_text(l)) {
      out.unparsed("not an Envoy access-log line");
      return;
    }
    std::string_view rest = l, t, req, code, flags;
    next_token(rest, t);
    CivilTime c;
    if (parse_iso8601(t, c) != t.size()) {
      out.unparsed("bad START_TIME");
      return;
    }
    if (!next_token(rest, req) || !next_token(rest, code) || !next_token(rest, flags)) {
      out.unparsed("short Envoy access-log line");
      return;
    }
    Event& ev = out.event();
    ev.role = Role::proxy;
    ev.ts_raw.assign(t);
    ctx_.time->resolve(c, ev);
    if (!cri_time.empty()) ev.fields.add("container_ts", cri_time);
    request(req, ev);
    int64_t v;
    if (int_of(code, v)) ev.status = v;
    std::string_view tok;
    // Istio: RESPONSE_CODE_DETAILS CONNECTION_TERMINATION_DETAILS "UPSTREAM_TRANSPORT_FAILURE_REASON"
    std::string_view peek = rest;
    bool istio = next_token(peek, tok) && !int_of(tok, v);
    if (istio) {
      std::string_view details, term, utfr;
      next_token(rest, details);
      next_token(rest, term);
      next_token(rest, utfr);
      details_fields(details, term, utfr, ev);
    }
    std::array<std::string_view, 9> f{};  // RX TX DURATION SVC XFF UA REQID AUTHORITY UPSTREAM_HOST
    size_t n = 0;
    while (n < f.size() && next_token(rest, f[n])) ++n;
    if (int_of(f[0], v)) ev.fields.add("bytes_received", v);
    if (int_of(f[1], v)) ev.bytes = v;
    if (int_of(f[2], v)) ev.duration_us = v * 1000;
    if (int_of(f[3], v)) ev.fields.add("upstream_service_time", v);
    if (!f[5].empty() && f[5] != "-") ev.fields.add("user_agent", f[5]);
    if (!f[6].empty() && f[6] != "-") ev.request_id.assign(f[6]);
    if (!f[7].empty() && f[7] != "-") ev.host.assign(f[7]);
    set_upstream(f[8], ev);
    if (istio) {
      // UPSTREAM_CLUSTER UPSTREAM_LOCAL_ADDRESS DOWNSTREAM_LOCAL_ADDRESS DOWNSTREAM_REMOTE_ADDRESS SNI ROUTE
      std::array<std::string_view, 6> g{};
      size_t m = 0;
      while (m < g.size() && next_token(rest, g[m])) ++m;
      if (m > 0 && g[0] != "-") ev.fields.add("upstream_cluster", g[0]);
      if (m > 1 && g[1] != "-") ev.fields.add("upstream_local_address", g[1]);
      if (m > 2 && g[2] != "-") ev.fields.add("downstream_local_address", g[2]);
      if (m > 3) set_client(g[3], ev);
      if (m > 4 && g[4] != "-") ev.fields.add("sni", g[4]);
      if (m > 5 && g[5] != "-") ev.fields.add("route_name", g[5]);
    }
    set_xff(f[4], ev);
    apply_flags(flags, ev);
    if (n < 9) ev.fields.add_bool("truncated", true);
  }

  static void request(std::string_view req, Event& ev) {
    if (req == "- - -") {  // TCP proxy
      ev.protocol.assign("tcp");
      return;
    }
    std::string_view tok;
    if (next_token(req, tok) && tok != "-") ev.method.assign(tok);
    if (next_token(req, tok) && tok != "-") ev.path.assign(tok);
    if (next_token(req, tok) && tok != "-") ev.protocol.assign(tok);
  }

  static void details_fields(std::string_view details, std::string_view term, std::string_view utfr, Event& ev) {
    if (!details.empty() && details != "-") ev.fields.add("response_code_details", details);
    if (!term.empty() && term != "-") ev.fields.add("connection_termination_details", term);
    if (!utfr.empty() && utfr != "-") ev.fields.add("upstream_transport_failure_reason", utfr);
    std::string_view src = !utfr.empty() && utfr != "-" ? utfr : details;
    std::string_view reason = boringssl_reason(src);
    if (!reason.empty()) ev.fields.add("tls_reason", reason);
  }

  void app_line(std::string_view l, Emitter& out) {
    // [2019-04-06 06:20:05.972][1][info][main] [source/server/server.cc:456] starting main dispatch loop
    size_t close = l.find(']');
    CivilTime c;
    std::string_view t = l.substr(1, close - 1);
    if (close == std::string_view::npos || parse_iso8601(t, c) != t.size()) {
      out.unparsed("bad Envoy application-log time");
      return;
    }
    Event& ev = out.event();
    ev.role = Role::proxy;
    ev.ts_raw.assign(t);
    ctx_.time->resolve(c, ev);
    std::string_view rest = l.substr(close + 1);
    std::array<std::string_view, 3> parts{};  // thread, level, logger
    for (auto& p : parts) {
      if (rest.empty() || rest[0] != '[') break;
      size_t e = rest.find(']');
      if (e == std::string_view::npos) break;
      p = rest.substr(1, e - 1);
      rest = rest.substr(e + 1);
    }
    ev.severity.assign(parts[1] == "warning" ? std::string_view("warn") : parts[1]);
    if (ev.severity == "critical") ev.severity = "crit";
    if (!parts[2].empty()) ev.fields.add("logger", parts[2]);
    rest = trim(rest);
    if (!rest.empty() && rest[0] == '[') {
      size_t e = rest.find(']');
      if (e != std::string_view::npos) {
        ev.fields.add("source", rest.substr(1, e - 1));
        rest = trim(rest.substr(e + 1));
      }
    }
    ev.message.assign(rest);
    std::string_view cat;
    if (icontains(rest, "caught signal") || icontains(rest, "Caught Segmentation fault") ||
        icontains(rest, "caught Aborted") || starts_with(rest, "Backtrace"))
      cat = "worker-crashed";
    else if (icontains(rest, "starting main dispatch loop") || starts_with(rest, "initializing epoch"))
      cat = "server-start";
    else if (icontains(rest, "exiting") || icontains(rest, "shutting down") || icontains(rest, "main dispatch loop exited"))
      cat = "server-stop";
    ev.category.assign(cat.empty() ? std::string_view(ev.severity) : cat);
    if (ev.category.empty()) ev.category = "info";
  }

  void json_line(std::string_view l, std::string_view cri_time, Emitter& out) {
    buf_.assign(l);
    buf_.append(simdjson::SIMDJSON_PADDING, '\0');
    simdjson::ondemand::document doc;
    if (parser_.iterate(buf_.data(), l.size(), buf_.size()).get(doc)) {
      out.unparsed("invalid JSON");
      return;
    }
    simdjson::ondemand::object obj;
    if (doc.get_object().get(obj)) {
      out.unparsed("JSON line is not an object");
      return;
    }
    // Collect the known keys first (ondemand walks each field once).
    vals_.fill({});
    std::string_view wrapped;
    for (auto field : obj) {
      std::string_view key;
      if (field.unescaped_key().get(key)) break;
      simdjson::ondemand::value val;
      if (field.value().get(val)) break;
      int idx = key_index(key);
      std::string_view sv;
      if (idx == kWrapped) {
        if (!val.get_string().get(sv)) {
          wrapped_.assign(sv);
          wrapped = wrapped_;
        }
        continue;
      }
      if (idx < 0) continue;
      simdjson::ondemand::json_type type;
      if (val.type().get(type)) continue;
      if (type == simdjson::ondemand::json_type::string) {
        if (val.get_string().get(sv)) continue;
        strs_[static_cast<size_t>(idx)].assign(sv);
      } else if (type == simdjson::ondemand::json_type::null) {
        continue;
      } else {
        sv = trim(val.raw_json_token());
        strs_[static_cast<size_t>(idx)].assign(sv);
      }
      vals_[static_cast<size_t>(idx)] = strs_[static_cast<size_t>(idx)];
    }
    if (vals_[kStart].empty() && !wrapped.empty()) {  // docker/shipper envelope around a text line
      std::string_view inner = wrapped;
      while (!inner.empty() && (inner.back() == '\n' || inner.back() == '\r')) inner.remove_suffix(1);
      text_line(inner, cri_time, out);
      return;
    }
    if (vals_[kStart].empty() && vals_[kCode].empty()) {
      out.unparsed("JSON line without start_time/response_code");
      return;
    }
    Event& ev = out.event();
    ev.role = Role::proxy;
    CivilTime c;
    std::string_view t = vals_[kStart];
    if (!t.empty() && parse_iso8601(t, c) == t.size()) {
      ev.ts_raw.assign(t);
      ctx_.time->resolve(c, ev);
    } else if (!cri_time.empty() && parse_iso8601(cri_time, c)) {
      ev.ts_raw.assign(cri_time);
      ctx_.time->resolve(c, ev);
    }
    if (!cri_time.empty()) ev.fields.add("container_ts", cri_time);
    int64_t v;
    if (!vals_[kMethod].empty() && vals_[kMethod] != "-") ev.method.assign(vals_[kMethod]);
    std::string_view path = !vals_[kOrigPath].empty() && vals_[kOrigPath] != "-" ? vals_[kOrigPath] : vals_[kPath];
    if (!path.empty() && path != "-") ev.path.assign(path);
    if (!vals_[kProtocol].empty() && vals_[kProtocol] != "-") ev.protocol.assign(vals_[kProtocol]);
    if (int_of(vals_[kCode], v)) ev.status = v;
    if (int_of(vals_[kRx], v)) ev.fields.add("bytes_received", v);
    if (int_of(vals_[kTx], v)) ev.bytes = v;
    if (int_of(vals_[kDuration], v)) ev.duration_us = v * 1000;
    if (int_of(vals_[kSvcTime], v)) ev.fields.add("upstream_service_time", v);
    if (!vals_[kUa].empty() && vals_[kUa] != "-") ev.fields.add("user_agent", vals_[kUa]);
    if (!vals_[kReqId].empty() && vals_[kReqId] != "-") ev.request_id.assign(vals_[kReqId]);
    if (!vals_[kAuthority].empty() && vals_[kAuthority] != "-") ev.host.assign(vals_[kAuthority]);
    set_upstream(vals_[kUpstream], ev);
    if (!vals_[kCluster].empty()) ev.fields.add("upstream_cluster", vals_[kCluster]);
    if (!vals_[kUpLocal].empty()) ev.fields.add("upstream_local_address", vals_[kUpLocal]);
    if (!vals_[kDownLocal].empty()) ev.fields.add("downstream_local_address", vals_[kDownLocal]);
    if (!vals_[kSni].empty()) ev.fields.add("sni", vals_[kSni]);
    if (!vals_[kRoute].empty()) ev.fields.add("route_name", vals_[kRoute]);
    set_client(vals_[kDownRemote], ev);
    set_xff(vals_[kXff], ev);
    details_fields(vals_[kDetails], vals_[kTerm], vals_[kUtfr], ev);
    apply_flags(vals_[kFlags], ev);
  }

  enum Key : int {
    kStart, kMethod, kPath, kOrigPath, kProtocol, kCode, kFlags, kDetails, kTerm, kUtfr, kRx, kTx, kDuration,
    kSvcTime, kXff, kUa, kReqId, kAuthority, kUpstream, kCluster, kUpLocal, kDownLocal, kDownRemote, kSni,
    kRoute, kCount, kWrapped = 100
  };

  static int key_index(std::string_view k) {
    // Envoy operator names in any case, '-' or '_' (e.g. "START_TIME", "start_time", "x-request-id").
    char low[48];
    if (k.empty() || k.size() >= sizeof low) return -1;
    size_t n = 0;
    for (char ch : k) {
      if (ch == ':' && n == 0) continue;  // ":authority"
      low[n++] = ch == '-' ? '_' : (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch + 32) : ch;
    }
    std::string_view s(low, n);
    struct KV { std::string_view k; int v; };
    static constexpr KV kKeys[] = {
        {"start_time", kStart}, {"method", kMethod}, {"path", kPath}, {"x_envoy_origin_path", kOrigPath},
        {"x_envoy_original_path", kOrigPath}, {"protocol", kProtocol}, {"response_code", kCode},
        {"response_flags", kFlags}, {"response_code_details", kDetails},
        {"connection_termination_details", kTerm}, {"upstream_transport_failure_reason", kUtfr},
        {"bytes_received", kRx}, {"bytes_sent", kTx}, {"duration", kDuration},
        {"x_envoy_upstream_service_time", kSvcTime}, {"upstream_service_time", kSvcTime},
        {"x_forwarded_for", kXff}, {"user_agent", kUa}, {"x_request_id", kReqId}, {"request_id", kReqId},
        {"authority", kAuthority}, {"upstream_host", kUpstream}, {"upstream_cluster", kCluster},
        {"upstream_local_address", kUpLocal}, {"downstream_local_address", kDownLocal},
        {"downstream_remote_address", kDownRemote}, {"requested_server_name", kSni}, {"route_name", kRoute},
        {"log", kWrapped}, {"message", kWrapped},
    };
    for (const KV& kv : kKeys)
      if (kv.k == s) return kv.v;
    return -1;
  }

  ParseContext ctx_;
  simdjson::ondemand::parser parser_;
  std::string buf_, wrapped_;
  std::array<std::string, kCount> strs_;
  std::array<std::string_view, kCount> vals_{};
};

class EnvoyParser : public Parser {
 public:
  std::string_view name() const override { return "envoy"; }
  std::string_view description() const override {
    return "Envoy access logs (default/Istio text, JSON; CRI/Docker wrapped) with RESPONSE_FLAGS decoded, and "
           "Envoy application logs";
  }
  Role role() const override { return Role::proxy; }
  Score sniff(const SniffInput& in) const override {
    int total = 0, hits = 0;
    for (std::string_view l : in.lines) {
      ++total;
      std::string_view cri;
      std::string_view s = strip_cri(l, cri);
      if (looks_access_text(s)) {
        // "[time] "req" code flags" — the flags column is '-' or upper-case codes
        std::string_view rest = s.substr(s.find(']') + 1), a, b, c;
        if (next_token(rest, a) && next_token(rest, b) && next_token(rest, c) &&
            (c == "-" || (c[0] >= 'A' && c[0] <= 'Z' && c.size() <= 24)))
          ++hits;
      } else if (!s.empty() && s[0] == '{' &&
                 ((s.find("\"response_code\"") != std::string_view::npos &&
                   s.find("\"start_time\"") != std::string_view::npos) ||
                  s.find("\"response_flags\"") != std::string_view::npos ||
                  s.find("\"RESPONSE_FLAGS\"") != std::string_view::npos)) {
        ++hits;
      } else if (!s.empty() && s[0] == '{' && s.find("ACCESS [") != std::string_view::npos) {
        ++hits;
      } else if (looks_app_log(s) && (s.find("][envoy") != std::string_view::npos ||
                                      s.find("[source/") != std::string_view::npos)) {
        ++hits;
      }
    }
    if (!total || !hits) return {};
    int score = 45 + 52 * hits / total;
    if (icontains(in.name, "envoy") || icontains(in.name, "istio")) score = std::min(100, score + 3);
    return {score, std::to_string(hits) + " of " + std::to_string(total) + " lines are Envoy access/app log lines"};
  }
  std::unique_ptr<FileParser> open(const ParseContext& ctx) const override {
    return std::make_unique<EnvoyFile>(ctx);
  }
  const std::vector<Sample>& samples() const override {
    static const std::vector<Sample> s = {
        // Envoy docs, default format
        {"[2016-04-15T20:17:00.310Z] \"POST /api/v1/locations HTTP/2\" 204 - 154 0 226 100 \"10.0.35.28\" "
         "\"nsq2http\" \"cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2\" \"locations\" \"tcp://10.0.2.1:80\"",
         {{"ts", "2016-04-15T20:17:00.310Z"}, {"method", "POST"}, {"path", "/api/v1/locations"},
          {"protocol", "HTTP/2"}, {"status", "204"}, {"bytes", "0"}, {"fields.bytes_received", "154"},
          {"duration_us", "226000"}, {"client_ip", "10.0.35.28"}, {"server_ip", "10.0.2.1"},
          {"server_port", "80"}, {"host", "locations"}, {"category", "request"},
          {"request_id", "cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2"}}},
        // beats test (newer revision): TCP proxy, upstream connect failure + retries exhausted
        {"[2019-04-06T06:20:05.972Z] \"- - -\" 0 UF,URX 0 0 0 - \"-\" \"-\" \"-\" \"-\" \"127.0.0.1:9200\"",
         {{"category", "upstream-connect-failed"}, {"fields.response_flags", "UF,URX"},
          {"fields.response_flags_long", "UpstreamConnectionFailure,UpstreamRetryLimitExceeded"},
          {"protocol", "tcp"}, {"status", "0"}, {"server_port", "9200"}}},
        // Istio format (envoyproxy/envoy#29062, shortened)
        {"[2023-08-16T12:12:45.540Z] \"GET / HTTP/1.1\" 503 UC upstream_reset_before_response_started"
         "{connection_termination} - \"-\" 0 95 1 - \"10.30.0.1\" \"Go-http-client/1.1\" \"f6e5d48f\" "
         "\"b.example\" \"172.21.7.131:15443\" outbound|443||b.example 10.30.0.5:40000 10.30.0.5:8080 "
         "10.30.0.1:51234 - default",
         {{"category", "upstream-closed"}, {"client_ip", "10.30.0.1"}, {"client_port", "51234"},
          {"server_ip", "172.21.7.131"}, {"fields.response_code_details",
                                          "upstream_reset_before_response_started{connection_termination}"},
          {"fields.upstream_cluster", "outbound|443||b.example"}}},
        // CRI-wrapped JSON access log (crowdsec hub test)
        {"2025-12-31T17:37:40.493035218+01:00 stdout F {\":authority\":\"www.example.com\",\"bytes_received\":0,"
         "\"bytes_sent\":121258,\"connection_termination_details\":null,\"downstream_local_address\":\"10.42.0.77:"
         "10443\",\"downstream_remote_address\":\"10.0.0.12:59292\",\"duration\":11,\"method\":\"GET\",\"protocol\":"
         "\"HTTP/2\",\"requested_server_name\":null,\"response_code\":200,\"response_code_details\":\"via_upstream\","
         "\"response_flags\":\"-\",\"start_time\":\"2025-12-31T16:37:40.479Z\",\"upstream_host\":\"10.42.0.82:8080\","
         "\"x-envoy-origin-path\":\"/assets/image.webp\",\"x-forwarded-for\":\"10.0.0.12\","
         "\"x-request-id\":\"3bbc0252-2d5c-49fe-bd89-104e9b61770b\"}",
         {{"ts", "2025-12-31T16:37:40.479Z"}, {"client_ip", "10.0.0.12"}, {"client_port", "59292"},
          {"server_port", "8080"}, {"bytes", "121258"}, {"duration_us", "11000"}, {"path", "/assets/image.webp"},
          {"host", "www.example.com"}, {"status", "200"}, {"category", "request"}}},
        {"{\"start_time\":\"2024-05-01T10:00:00.000Z\",\"response_code\":503,\"response_flags\":\"UF\","
         "\"upstream_transport_failure_reason\":\"TLS_error:|268435581:SSL routines:OPENSSL_internal:"
         "CERTIFICATE_VERIFY_FAILED:TLS_error_end\",\"duration\":3}",
         {{"category", "upstream-connect-failed"}, {"fields.tls_reason", "CERTIFICATE_VERIFY_FAILED"}}},
        {"{\"message\":\"ACCESS [2019-02-12T18:37:42.921Z] \\\"GET /httpbin/ip HTTP/1.1\\\" 200 - 0 43 217 216 "
         "\\\"172.17.0.5\\\" \\\"curl/7.59.0\\\" \\\"c62ec130\\\" \\\"httpbin.org\\\" \\\"52.87.35.92:80\\\"\\n\","
         "\"stream\":\"stdout\"}",
         {{"ts", "2019-02-12T18:37:42.921Z"}, {"status", "200"}, {"bytes", "43"}, {"server_ip", "52.87.35.92"}}},
        {"[2019-04-06 06:20:05.972][1][critical][backtrace] [bazel-out/k8-opt/bin/source/server/_virtual_includes/"
         "backtrace_lib/server/backtrace.h:91] Caught Segmentation fault, suspect faulting address 0x0",
         {{"category", "worker-crashed"}, {"severity", "crit"}}},
        {"[2016-04-15T20:17:00.310Z] \"GET / HTTP/1.1\" 0 DC 0 0 5000 - \"-\" \"-\" \"-\" \"-\" \"-\"",
         {{"category", "client-closed"}}},
        {"not envoy at all", {{"unparsed", "1"}}},
    };
    return s;
  }
};

RSTSCOPE_REGISTER_PARSER(EnvoyParser);

}  // namespace
}  // namespace rstscope
