// nginx access log, any log_format: the parser is compiled from the format string.
// Formats come from the bundle's nginx.conf files (log_format directives), --nginx-log-format, and
// the built-in "combined" (and "main" = combined + "$http_x_forwarded_for"). A file starts with the
// first format that parses its first line and switches when a line fits another one.
#include <algorithm>
#include <array>
#include <utility>
#include <memory>
#include <string>
#include <vector>

#include "nginx_common.h"
#include "rstscope/parser.h"
#include "rstscope/text.h"

namespace rstscope {
namespace {

enum class Var : uint8_t {
  other, remote_addr, remote_port, remote_user, time_local, time_iso8601, msec, request, request_method,
  request_uri, server_protocol, status, body_bytes_sent, bytes_sent, request_time, http_referer,
  http_user_agent, host, server_addr, server_port, connection, connection_requests, request_id,
  upstream_addr, upstream_status, upstream_response_time, upstream_connect_time, upstream_header_time,
  ssl_protocol, ssl_cipher, http_x_forwarded_for, request_length, scheme, pipe, server_name,
};

struct VarName {
  std::string_view name;
  Var var;
};
constexpr std::array<VarName, 37> kVars{{
    {"remote_addr", Var::remote_addr}, {"realip_remote_addr", Var::remote_addr}, {"remote_port", Var::remote_port},
    {"remote_user", Var::remote_user}, {"time_local", Var::time_local}, {"time_iso8601", Var::time_iso8601},
    {"msec", Var::msec}, {"request", Var::request}, {"request_method", Var::request_method},
    {"request_uri", Var::request_uri}, {"uri", Var::request_uri}, {"server_protocol", Var::server_protocol},
    {"status", Var::status}, {"body_bytes_sent", Var::body_bytes_sent}, {"bytes_sent", Var::bytes_sent},
    {"request_time", Var::request_time}, {"http_referer", Var::http_referer},
    {"http_user_agent", Var::http_user_agent}, {"host", Var::host}, {"http_host", Var::host},
    {"server_addr", Var::server_addr}, {"server_port", Var::server_port}, {"connection", Var::connection},
    {"connection_requests", Var::connection_requests}, {"request_id", Var::request_id},
    {"http_x_request_id", Var::request_id}, {"upstream_addr", Var::upstream_addr},
    {"upstream_status", Var::upstream_status}, {"upstream_response_time", Var::upstream_response_time},
    {"upstream_connect_time", Var::upstream_connect_time}, {"upstream_header_time", Var::upstream_header_time},
    {"ssl_protocol", Var::ssl_protocol}, {"ssl_cipher", Var::ssl_cipher},
    {"http_x_forwarded_for", Var::http_x_forwarded_for}, {"request_length", Var::request_length},
    {"scheme", Var::scheme}, {"server_name", Var::server_name},
}};

struct Op {
  std::string literal;  // text that must follow (may be empty only for the last variable)
  Var var = Var::other;
  std::string name;     // variable name (for fields of unknown variables)
  bool is_var = false;
};

struct Format {
  std::string name;
  std::vector<Op> ops;
  bool has_time = false;
};

bool var_char(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; }

Format compile(std::string_view name, std::string_view fmt) {
  Format f;
  f.name = name;
  std::string lit;
  size_t i = 0;
  auto flush_lit = [&] {
    if (lit.empty()) return;
    Op op;
    op.literal = lit;
    f.ops.push_back(std::move(op));
    lit.clear();
  };
  while (i < fmt.size()) {
    if (fmt[i] == '$' && i + 1 < fmt.size() && (var_char(fmt[i + 1]) || fmt[i + 1] == '{')) {
      flush_lit();
      size_t j = i + 1;
      std::string_view vn;
      if (fmt[j] == '{') {
        size_t close = fmt.find('}', j);
        if (close == std::string_view::npos) close = fmt.size();
        vn = fmt.substr(j + 1, close - j - 1);
        j = close + 1;
      } else {
        while (j < fmt.size() && var_char(fmt[j])) ++j;
        vn = fmt.substr(i + 1, j - i - 1);
      }
      Op op;
      op.is_var = true;
      op.name = vn;
      for (const auto& v : kVars)
        if (v.name == vn) op.var = v.var;
      if (op.var == Var::time_local || op.var == Var::time_iso8601 || op.var == Var::msec) f.has_time = true;
      f.ops.push_back(std::move(op));
      i = j;
    } else {
      lit.push_back(fmt[i++]);
    }
  }
  flush_lit();
  return f;
}

// Undo nginx's default escaping (\xHH) in place for a field value we keep as text.
void assign_unescaped(std::string& out, std::string_view v) {
  out.clear();
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\\' && i + 3 < v.size() && v[i + 1] == 'x') {
      auto hex = [](char c) { return c >= '0' && c <= '9' ? c - '0' : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10 : -1; };
      int a = hex(v[i + 2]), b = hex(v[i + 3]);
      if (a >= 0 && b >= 0) {
        out.push_back(char(a * 16 + b));
        i += 3;
        continue;
      }
    }
    out.push_back(v[i]);
  }
}

bool seconds_to_us(std::string_view v, int64_t& us) {
  // "0.123" (nginx request_time), possibly "0.001, 0.002" for several upstreams: take the last.
  size_t comma = v.rfind(", ");
  if (comma != std::string_view::npos) v = v.substr(comma + 2);
  double d;
  if (v == "-" || !parse_double(v, d)) return false;
  us = int64_t(d * 1e6 + 0.5);
  return true;
}

// Matches one line against a format; fills ev. Returns false (ev untouched in meaning) on mismatch.
bool apply(const Format& f, std::string_view line, Event& ev, TimeResolver& time, std::string& why) {
  size_t pos = 0;
  int64_t body_bytes = kNull, all_bytes = kNull;
  for (size_t k = 0; k < f.ops.size(); ++k) {
    const Op& op = f.ops[k];
    if (!op.is_var) {
      if (line.compare(pos, op.literal.size(), op.literal) != 0) {
        // Tolerate a missing trailing literal at end of line (e.g. a final quote cut off).
        if (k + 1 == f.ops.size() && pos >= line.size()) break;
        why = "expected '" + op.literal + "' at column " + std::to_string(pos + 1);
        return false;
      }
      pos += op.literal.size();
      continue;
    }
    // Value runs to the next literal (or end of line).
    size_t end;
    if (k + 1 < f.ops.size() && !f.ops[k + 1].is_var) {
      const std::string& next = f.ops[k + 1].literal;
      if (op.var == Var::time_local) {
        end = line.find(next, pos + 20 < line.size() ? pos + 20 : pos);  // the time holds spaces
      } else if (next[0] == '"' && k + 2 == f.ops.size()) {
        end = line.rfind(next);  // last field quoted: take to the last quote
        if (end < pos) end = std::string_view::npos;
      } else {
        end = line.find(next, pos);
      }
      if (end == std::string_view::npos) {
        why = "no '" + next + "' after $" + op.name;
        return false;
      }
    } else if (k + 1 < f.ops.size()) {
      end = line.find(' ', pos);  // two variables back to back: split at a space
      if (end == std::string_view::npos) end = line.size();
    } else {
      end = line.size();
    }
    std::string_view v = line.substr(pos, end - pos);
    pos = end;
    bool dash = v == "-" || v.empty();
    int64_t n;
    switch (op.var) {
      case Var::remote_addr:
        if (!dash) {
          bool list = false;
          for (char c : v) list |= c == ',' || c == ' ' || c == '"';
          if (!list) [[likely]] ev.client_ip.assign(v);
          else nginx::split_remote_addr_list(v, ev);  // X-Forwarded-For list or "$host $remote_addr"
        }
        break;
      case Var::remote_port:
        if (parse_int(v, n)) ev.client_port = n;
        break;
      case Var::remote_user:
        if (!dash) ev.fields.add("user", v);
        break;
      case Var::time_local: {
        CivilTime c;
        if (parse_clf_time(v, c) == 0) {
          why = "bad $time_local '" + std::string(v.substr(0, 40)) + "'";
          return false;
        }
        ev.ts_raw.assign(v);
        time.resolve(c, ev);
        break;
      }
      case Var::time_iso8601: {
        CivilTime c;
        if (parse_iso8601(v, c) == 0) {
          why = "bad $time_iso8601";
          return false;
        }
        ev.ts_raw.assign(v);
        time.resolve(c, ev);
        break;
      }
      case Var::msec: {
        CivilTime c;
        if (parse_epoch(v, c) == 0) {
          why = "bad $msec";
          return false;
        }
        ev.ts_raw.assign(v);
        time.resolve(c, ev);
        break;
      }
      case Var::request: {
        std::string_view r = v, tok;
        if (next_token(r, tok)) ev.method.assign(tok);
        if (next_token(r, tok)) assign_unescaped(ev.path, tok);
        if (next_token(r, tok)) ev.protocol.assign(tok);
        if (dash) ev.method.clear();
        break;
      }
      case Var::request_method:
        if (!dash) ev.method.assign(v);
        break;
      case Var::request_uri:
        if (!dash) assign_unescaped(ev.path, v);
        break;
      case Var::server_protocol:
        if (!dash) ev.protocol.assign(v);
        break;
      case Var::status:
        if (!parse_int(v, n)) {
          why = "status '" + std::string(v.substr(0, 10)) + "' is not a number";
          return false;
        }
        ev.status = n;
        break;
      case Var::body_bytes_sent:
        if (parse_int(v, n)) body_bytes = n;
        break;
      case Var::bytes_sent:
        if (parse_int(v, n)) all_bytes = n;
        break;
      case Var::request_time: {
        int64_t us;
        if (seconds_to_us(v, us)) ev.duration_us = us;
        break;
      }
      case Var::http_referer:
      case Var::http_user_agent:
        // Both stay in raw only (the last quoted fields of combined): rarely evidence, and together
        // half of the bytes of a row, which the timeline writer would otherwise store twice.
        break;
      case Var::host:
      case Var::server_name:
        if (!dash && ev.host.empty()) ev.host.assign(v);
        break;
      case Var::server_addr:
        if (!dash) ev.server_ip.assign(v);
        break;
      case Var::server_port:
        if (parse_int(v, n)) ev.server_port = n;
        break;
      case Var::connection:
        if (!dash) ev.conn_id.assign(v);
        break;
      case Var::request_id:
        if (!dash) ev.request_id.assign(v);
        break;
      case Var::connection_requests:
        if (parse_int(v, n)) ev.fields.add("connection_requests", n);
        break;
      case Var::upstream_addr:
      case Var::upstream_status:
      case Var::ssl_protocol:
      case Var::ssl_cipher:
      case Var::http_x_forwarded_for:
      case Var::scheme:
      case Var::pipe:
        if (!dash) ev.fields.add(op.name, v);
        break;
      case Var::upstream_response_time:
      case Var::upstream_connect_time:
      case Var::upstream_header_time:
      case Var::request_length:
        if (!dash) ev.fields.add(op.name, v);
        break;
      case Var::other:
        if (!dash) ev.fields.add(op.name, v);
        break;
    }
  }
  if (pos < line.size() && !f.ops.empty() && !f.ops.back().is_var) {
    // trailing text after the format: keep it, nginx formats are often extended by hand
    ev.fields.add("trailing", line.substr(pos));
  }
  ev.bytes = body_bytes != kNull ? body_bytes : all_bytes;
  if (all_bytes != kNull && body_bytes != kNull) ev.fields.add("bytes_sent", all_bytes);
  return true;
}

std::vector<Format> formats_of(const BundleInfo* b) {
  std::vector<Format> out;
  if (b)
    for (const auto& [name, fmt] : b->nginx_log_formats)
      if (!fmt.empty()) out.push_back(compile(name, fmt));
  bool has_combined = false, has_main = false;
  for (const auto& f : out) {
    has_combined |= f.name == "combined";
    has_main |= f.name == "main";
  }
  const char* combined =
      "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent \"$http_referer\" "
      "\"$http_user_agent\"";
  if (!has_main) out.push_back(compile("main", std::string(combined) + " \"$http_x_forwarded_for\""));
  if (!has_combined) out.push_back(compile("combined", combined));
  // nginx-proxy-manager's built-in formats (its conf.d/include/log.conf), common in the field.
  out.push_back(compile("npm-proxy",
                        "[$time_local] $upstream_cache_status $upstream_status $status - $request_method $scheme "
                        "$host \"$request_uri\" [Client $remote_addr] [Length $body_bytes_sent] [Gzip $gzip_ratio] "
                        "[Sent-to $server] \"$http_user_agent\" \"$http_referer\""));
  out.push_back(compile("npm-standard",
                        "[$time_local] $status - $request_method $scheme $host \"$request_uri\" [Client $remote_addr] "
                        "[Length $body_bytes_sent] [Gzip $gzip_ratio] \"$http_user_agent\" \"$http_referer\""));
  // Custom (user or bundle) formats first, the built-ins last; "main" before "combined" so the
  // longer one wins when both fit.
  auto builtin = [](const Format& f) { return f.name == "combined" || f.name == "main" || starts_with(f.name, "npm-"); };
  std::stable_partition(out.begin(), out.end(), [&](const Format& f) { return !builtin(f); });
  return out;
}

class NginxAccessFile : public FileParser {
 public:
  explicit NginxAccessFile(const ParseContext& ctx) : ctx_(ctx), formats_(formats_of(ctx.bundle)) {}

  void record(const Record& rec, Emitter& out) override {
    std::string_view l = rec.text;
    if (trim(l).empty()) return;
    // Parse into a scratch event and swap it into a slot only when a format fits (the swap
    // exchanges string buffers, so nothing is allocated in steady state).
    Event& ev = scratch_;
    ev.clear();
    bool ok = try_format(current_, l, ev);
    for (size_t i = 0; !ok && i < formats_.size(); ++i) {
      if (i == current_) continue;
      ev.clear();
      if (try_format(i, l, ev)) {
        current_ = i;
        ok = true;
      }
    }
    if (!ok) {
      // nginx error lines in the same file (containers, nginx-proxy-manager): error events.
      CivilTime t;
      if (nginx::starts_with_error_time(l) && nginx::error_line_problem(l, t).empty()) {
        nginx::parse_error_line(l, t, out.event(), *ctx_.time);
        return;
      }
      out.unparsed("no nginx log_format matches (" + why_ + ")");
      return;
    }
    finish(ev);
    std::swap(out.event(), ev);
  }

 private:
  bool try_format(size_t i, std::string_view l, Event& ev) {
    if (i >= formats_.size()) return false;
    why_.clear();
    if (!apply(formats_[i], l, ev, *ctx_.time, why_)) return false;
    return ev.status != kNull || ev.ts != kNull;
  }
  void finish(Event& ev) {
    ev.role = Role::proxy;
    ev.category.assign(nginx::category_for_status(ev.status));
    // A TLS ClientHello on a plain-HTTP port: nginx logs the binary bytes as the request line.
    if (starts_with(ev.method, "\\x16\\x03"))
      ev.category.assign("tls-to-plain-port");
    if (formats_[current_].name != "combined") ev.fields.add("log_format", formats_[current_].name);
  }
  ParseContext ctx_;
  std::vector<Format> formats_;
  size_t current_ = 0;
  std::string why_;
  Event scratch_;
};

class NginxAccessParser : public Parser {
 public:
  std::string_view name() const override { return "nginx-access"; }
  std::string_view description() const override {
    return "nginx access log in combined, main or any log_format found in the bundle's nginx.conf";
  }
  Role role() const override { return Role::proxy; }
  Score sniff(const SniffInput& in) const override {
    auto formats = formats_of(in.bundle);
    TimeResolver time;
    // A line counts when any format fits it (a file may switch formats, e.g. nginx-proxy-manager's
    // proxy and standard ones); nginx error lines mixed in count too, but an error log stays
    // nginx-error's.
    std::vector<int> hits(formats.size(), 0);
    int fit = 0, errors = 0;
    for (std::string_view l : in.lines) {
      bool any = false;
      for (size_t i = 0; i < formats.size(); ++i) {
        Event ev;
        std::string why;
        if (apply(formats[i], l, ev, time, why) && ev.status != kNull && ev.ts != kNull) {
          ++hits[i];
          any = true;
        }
      }
      if (any) ++fit;
      else if (CivilTime t; nginx::starts_with_error_time(l) && nginx::error_line_problem(l, t).empty()) ++errors;
    }
    if (!fit || errors > fit || in.lines.empty()) return {};
    size_t best = size_t(std::max_element(hits.begin(), hits.end()) - hits.begin());
    const std::string& best_name = formats[best].name;
    int total = int(in.lines.size());
    int score = 30 + 55 * (fit + errors) / total;
    if (best_name != "combined" && best_name != "main") score += 8;  // a format the bundle declared
    if (icontains(in.path, "nginx")) score += 5;
    std::string why = std::to_string(fit) + " of " + std::to_string(total) + " lines fit nginx log_format '" +
                      best_name + "'" + (fit > hits[best] ? " or another" : "");
    if (errors) why += ", " + std::to_string(errors) + " nginx error line" + (errors > 1 ? "s" : "");
    return {std::min(score, 98), why};
  }
  std::unique_ptr<FileParser> open(const ParseContext& ctx) const override {
    return std::make_unique<NginxAccessFile>(ctx);
  }
  const std::vector<Sample>& samples() const override {
    static const std::vector<Sample> s = {
        {"127.0.0.1 - - [23/Nov/2026:20:19:01 +0000] \"GET /ok HTTP/1.1\" 200 3 \"-\" \"python-requests/2.28.1\"",
         {{"ts", "2026-11-23T20:19:01.000Z"}, {"ts_zone", "explicit"}, {"client_ip", "127.0.0.1"},
          {"method", "GET"}, {"path", "/ok"}, {"protocol", "HTTP/1.1"}, {"status", "200"}, {"bytes", "3"},
          {"category", "request"}}},
        {"10.0.0.7 - bob [02/Mar/2026:10:13:48 +0100] \"POST /upload HTTP/1.1\" 413 183 \"-\" \"curl/7.88.1\" \"-\"",
         {{"ts", "2026-03-02T09:13:48.000Z"}, {"status", "413"}, {"category", "body-too-large"},
          {"fields.user", "bob"}, {"fields.log_format", "main"}}},
        {"192.0.2.1 - - [23/Nov/2026:20:19:03 +0000] \"\\x16\\x03\\x01\\x02\\x00\\x01\" 400 157 \"-\" \"-\"",
         {{"status", "400"}, {"category", "tls-to-plain-port"}, {"method", "\\x16\\x03\\x01\\x02\\x00\\x01"}}},
        // corpus beats_nginx_access_test.log: a log_format starting with X-Forwarded-For
        {"10.0.0.2, 10.0.0.1, 127.0.0.1 - - [07/Dec/2016:11:05:07 +0100] \"GET /ocelot HTTP/1.1\" 200 571 \"-\" "
         "\"Mozilla/5.0 (Macintosh; Intel Mac OS X 10.12; rv:49.0) Gecko/20100101 Firefox/49.0\"",
         {{"client_ip", "10.0.0.2"}, {"fields.forwarded_for", "10.0.0.2, 10.0.0.1, 127.0.0.1"},
          {"ts", "2016-12-07T10:05:07.000Z"}, {"status", "200"}}},
        {"\"10.5.102.222, 199.96.1.1, 204.246.1.1\" 10.2.1.185 - - [22/Jan/2016:13:18:29 +0000] \"GET "
         "/assets/xxxx?q=100 HTTP/1.1\" 200 25507 \"-\" \"Amazon CloudFront\"",
         {{"client_ip", "10.5.102.222"}, {"fields.forwarded_for", "10.5.102.222, 199.96.1.1, 204.246.1.1, 10.2.1.185"}}},
        // corpus crowdsec_nginx_http-logs.log: "$host $remote_addr" and an error line in the access file
        {"www.crowdsec11.net:80 192.168.1.1 - - [08/Jun/2020:08:04:43 +0000] \"GET /test/uppercase/extensions.JPG "
         "HTTP/1.1\" 301 0 \"-\" \"Mozilla/5.0\"",
         {{"client_ip", "192.168.1.1"}, {"host", "www.crowdsec11.net"}, {"server_port", "80"},
          {"fields.forwarded_for", ""}}},
        {"2021/12/01 13:53:33 [error] 31#31: *46 \"/usr/share/nginx/html/market/index.html\" is not found (2: No "
         "such file or directory), client: 172.17.0.1, server: localhost, request: \"GET /market/ HTTP/1.1\", host: "
         "\"localhost\"",
         {{"category", "file-not-found"}, {"client_ip", "172.17.0.1"}, {"conn_id", "46"}, {"severity", "error"},
          {"ts", "2021-12-01T13:53:33.000Z"}, {"path", "/market/"}}},
        {"garbage that is not an access log line", {{"unparsed", "1"}}},
    };
    return s;
  }
};

RSTSCOPE_REGISTER_PARSER(NginxAccessParser);

}  // namespace
}  // namespace rstscope
