// client-curl: what the curl and wget command-line tools write to stderr: curl -v / -sS
// ("*   Trying IP:PORT...", "* Connected to H (IP) port N", "> GET /p", "< HTTP/1.1 502",
// "curl: (56) Recv failure: ..."), curl --trace-time (every line prefixed "HH:MM:SS.ffffff "),
// and wget ("--YYYY-MM-DD HH:MM:SS--  URL", "Connecting to ...", "Read error ...").
// One event per transfer: client-failure at the "curl: (N)" line (kind from the exit code and
// the "* connect to ... failed: REASON" detail, one RE2::Set pass), or, for a transfer that
// ended without an error, client-request (client-failure/http-error for 408/413/429/5xx) at the
// line that closed it. curl gives no date, only --trace-time's time of day: curl events are
// dated from the file's last dated line (the calling script's log line, or a `< date:` header),
// else ts is null; wget events carry the time of their "--date time--" line.
#include <string>

#include <date/date.h>

#include "client_common.h"
#include "rstscope/parser.h"
#include "rstscope/text.h"

namespace rstscope {
namespace {

// "20:34:33.123456 " (--trace-time); returns its length including the space, or 0.
size_t trace_time_prefix(std::string_view l) {
  if (l.size() < 16 || l[2] != ':' || l[5] != ':' || l[8] != '.') return 0;
  for (size_t i : {0, 1, 3, 4, 6, 7})
    if (l[i] < '0' || l[i] > '9') return 0;
  size_t i = 9;
  while (i < l.size() && l[i] >= '0' && l[i] <= '9') ++i;
  return i < l.size() && l[i] == ' ' ? i + 1 : 0;
}

struct Transfer {
  bool active = false;
  std::string host, ip, method, path, detail, time_raw, url;
  int64_t port = kNull, status = kNull;
  CivilTime wget_time;
  bool have_wget_time = false;
  bool wget = false;
  void reset() {
    active = true;
    host.clear(); ip.clear(); method.clear(); path.clear(); detail.clear(); time_raw.clear(); url.clear();
    port = status = kNull;
    have_wget_time = wget = false;
  }
};

class ClientCurlFile : public FileParser {
 public:
  explicit ClientCurlFile(const ParseContext& ctx) : ctx_(ctx) {}

  void record(const Record& rec, Emitter& out) override {
    std::string_view l = rec.text;
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    size_t tp = trace_time_prefix(l);
    std::string_view tod = tp ? l.substr(0, tp - 1) : std::string_view{};
    l = l.substr(tp);
    if (tp) last_tod_.assign(tod);
    // A failure waits one line for curl's -w summary ("... local=IP:PORT ...") to learn its local port.
    if (fail_.pending) {
      if (l.find("local=") != std::string_view::npos && (starts_with(l, "curl-result:") || l.find("remote=") != std::string_view::npos)) {
        size_t lp = l.find("local=") + 6;
        std::string_view addr = l.substr(lp, l.find(' ', lp) - lp);
        std::string_view h;
        int64_t port;
        split_host_port(addr, h, port);
        fail_.local_ip.assign(h);
        fail_.local_port = port;
        // "url=https://host:port/path": the scheme says whether the client spoke TLS at all.
        size_t up = l.find("url=");
        if (cur_.url.empty() && up != std::string_view::npos) {
          std::string_view u = l.substr(up + 4);
          cur_.url.assign(u.substr(0, u.find(' ')));
        }
        emit_pending_failure(out);
        return;
      }
      emit_pending_failure(out);
    }
    // The date for --trace-time stamps (time of day only): any dated line before them, e.g. the
    // calling script's log line, or the server's Date header.
    if (l.size() >= 19 && l[4] == '-' && l[0] >= '0' && l[0] <= '9') {
      CivilTime d;
      if (parse_iso8601(l.substr(0, 23), d)) {
        date_ = d;
        have_date_ = true;
      }
    } else if (starts_with(l, "< date: ") || starts_with(l, "< Date: ")) {
      // "< date: Tue, 24 Nov 2026 10:24:15 GMT"
      std::string_view v = l.substr(8);
      size_t comma = v.find(", ");
      if (comma != std::string_view::npos && v.size() > comma + 13) {
        std::string_view dm = v.substr(comma + 2);
        int64_t day, year;
        int month = month_from_abbr(dm.substr(3, 3));
        if (parse_int(dm.substr(0, 2), day) && month && parse_int(dm.substr(7, 4), year)) {
          date_ = CivilTime{};
          date_.year = int(year);
          date_.month = month;
          date_.day = int(day);
          have_date_ = true;
        }
      }
    }
    if (starts_with(l, "*   Trying ") || starts_with(l, "* Trying ")) {
      flush_pending(out);
      if (!(cur_.active && cur_.port == kNull && !cur_.wget)) cur_.reset();
      cur_.active = true;
      std::string_view ep = trim(l.substr(l.find("Trying ") + 7));
      if (ends_with(ep, "...")) ep.remove_suffix(3);
      std::string_view h;
      int64_t port = -1;
      split_host_port(ep, h, port);
      cur_.ip.assign(h);
      if (port >= 0) cur_.port = port;
      cur_.time_raw.assign(tod);
      return;
    }
    if (starts_with(l, "--") && l.size() > 24 && l[2] >= '0' && l[2] <= '9') {
      // wget: "--2026-11-23 20:19:56--  http://127.0.0.1:18086/noresp"
      flush_pending(out);
      cur_.reset();
      cur_.wget = true;
      CivilTime t;
      size_t n = parse_iso8601(l.substr(2), t);
      if (n) {
        cur_.wget_time = t;
        cur_.have_wget_time = true;
        cur_.time_raw.assign(l.substr(2, n));
      }
      size_t u = l.find("://");
      if (u != std::string_view::npos) {
        size_t b = l.rfind(' ', u);
        cur_.url.assign(trim(l.substr(b == std::string_view::npos ? 0 : b)));
      }
      return;
    }
    if (starts_with(l, "* Connected to ")) {
      // "* Connected to 127.0.0.1 (127.0.0.1) port 18086 (#0)"
      std::string_view s = l.substr(15), tok;
      if (next_token(s, tok)) cur_.host.assign(tok);
      size_t op = s.find('('), cp = s.find(')');
      if (op != std::string_view::npos && cp != std::string_view::npos && cp > op) cur_.ip.assign(s.substr(op + 1, cp - op - 1));
      size_t pp = s.find("port ");
      int64_t port;
      if (pp != std::string_view::npos) {
        std::string_view ps = s.substr(pp + 5);
        if (parse_int(ps.substr(0, ps.find(' ')), port)) cur_.port = port;
      }
      return;
    }
    if (starts_with(l, "> ") && cur_.method.empty()) {
      std::string_view s = l.substr(2), tok;
      if (next_token(s, tok) && client::is_http_method(tok)) {
        cur_.method.assign(tok);
        if (next_token(s, tok)) cur_.path.assign(tok);
      }
      return;
    }
    if (starts_with(l, "> Host: ")) {
      std::string_view h;
      int64_t port;
      split_host_port(trim(l.substr(8)), h, port);
      cur_.host.assign(h);
      return;
    }
    if (starts_with(l, "< HTTP/")) {
      std::string_view s = l.substr(2), tok;
      int64_t st;
      if (next_token(s, tok) && next_token(s, tok) && parse_int(tok, st)) cur_.status = st;
      return;
    }
    if (starts_with(l, "* connect to ") || starts_with(l, "* Recv failure") || starts_with(l, "* OpenSSL ") ||
        starts_with(l, "* Failed to connect")) {
      if (cur_.detail.size() < 1024) {
        cur_.detail.append(l.substr(2));
        cur_.detail.push_back('\n');
      }
      return;
    }
    if (starts_with(l, "* Connection #") && l.find("left intact") != std::string_view::npos) {
      flush_pending(out);
      emit_done(out, nullptr);
      return;
    }
    if (starts_with(l, "* Closing connection")) {
      // Either the end of a good transfer (Connection: close) or the step before "curl: (N)".
      flush_pending(out);
      pending_ = true;
      pending_line_ = rec.line;
      pending_offset_ = rec.offset;
      pending_raw_.assign(rec.text);
      return;
    }
    if (starts_with(l, "curl: (")) {
      pending_ = false;
      fail_.pending = true;
      fail_.line = rec.line;
      fail_.offset = rec.offset;
      fail_.raw.assign(rec.text);
      fail_.text.assign(l);
      // curl prints "curl: (N)" without a --trace-time stamp: the transfer's last stamp is its time.
      fail_.tod.assign(tod.empty() ? std::string_view(last_tod_) : tod);
      fail_.local_ip.clear();
      fail_.local_port = -1;
      return;
    }
    if (cur_.wget) {
      wget_line(l, out);
      return;
    }
  }

  void finish(Emitter& out) override {
    if (fail_.pending) emit_pending_failure(out);
    flush_pending(out);
  }

 private:
  void wget_line(std::string_view l, Emitter& out) {
    size_t resp = l.find("awaiting response... ");
    if (resp != std::string_view::npos) {
      std::string_view r = l.substr(resp + 21);
      int64_t st;
      if (r.size() >= 3 && parse_int(r.substr(0, 3), st) && (r.size() == 3 || r[3] == ' ')) {
        cur_.status = st;
        return;
      }
      if (starts_with(r, "No data received") || starts_with(r, "Read error")) emit_failure(out, r, {});
      return;
    }
    if (starts_with(l, "Connecting to ")) {
      std::string_view s = l.substr(14);
      size_t dots = s.find("...");
      std::string_view ep = s.substr(0, dots);
      size_t pipe = ep.find('|');  // "host (host)|1.2.3.4|:443"
      if (pipe == std::string_view::npos) {
        std::string_view h;
        int64_t port = -1;
        split_host_port(ep, h, port);
        cur_.ip.assign(h);
        if (port >= 0) cur_.port = port;
      }
      size_t f = l.find("failed: ");
      if (f != std::string_view::npos) emit_failure(out, l.substr(f), {});
      return;
    }
    if (l.find("Read error") != std::string_view::npos || starts_with(l, "ERROR ")) {
      emit_failure(out, l, {});
      return;
    }
    if (l.find("saved [") != std::string_view::npos) emit_done(out, nullptr);
  }

  void fill_common(Event& ev, std::string_view tod) {
    ev.role = Role::client;
    if (cur_.wget && cur_.have_wget_time) {
      ev.ts_raw.assign(cur_.time_raw);
      ctx_.time->resolve(cur_.wget_time, ev);
    } else if (!tod.empty()) {
      ev.ts_raw.assign(tod);  // time of day only: dated from the file's last dated line, else null
      resolve_tod(ev, tod);
    } else if (!cur_.time_raw.empty()) {
      ev.ts_raw.assign(cur_.time_raw);
      resolve_tod(ev, cur_.time_raw);
    }
    if (!cur_.url.empty()) client::apply_url(cur_.url, ev);
    if (!cur_.host.empty() && ev.host.empty()) ev.host.assign(cur_.host);
    if (!cur_.ip.empty() && ev.server_ip.empty()) {
      std::string_view ip = cur_.ip;
      if (looks_like_ipv4(ip) || ip.find(':') != std::string_view::npos) ev.server_ip.assign(ip);
      if (ev.host.empty()) ev.host.assign(ip);
    }
    if (cur_.port != kNull) ev.server_port = cur_.port;
    if (!cur_.method.empty()) ev.method.assign(cur_.method);
    if (!cur_.path.empty()) ev.path.assign(cur_.path);
    if (cur_.status != kNull) ev.status = cur_.status;
    ev.fields.add("runtime", cur_.wget ? "wget" : "curl");
  }

  // A --trace-time stamp (time of day) dated from the file's last dated line; a stamp more than
  // 12 hours before that line's time of day is the next day (the transfer ran past midnight).
  void resolve_tod(Event& ev, std::string_view tod) {
    CivilTime t;
    if (!have_date_ || !parse_iso8601("2000-01-01T" + std::string(tod), t)) return;
    int64_t tod_s = t.hour * 3600 + t.minute * 60 + t.second;
    int64_t date_s = date_.hour * 3600 + date_.minute * 60 + date_.second;
    t.year = date_.year;
    t.month = date_.month;
    t.day = date_.day;
    t.offset_seconds = date_.offset_seconds;
    t.has_offset = date_.has_offset;
    if (tod_s + 12 * 3600 < date_s) {
      date::year_month_day next{date::sys_days{date::year{t.year} / t.month / t.day} + date::days{1}};
      t.year = int(next.year());
      t.month = int(unsigned(next.month()));
      t.day = int(unsigned(next.day()));
    }
    ctx_.time->resolve(t, ev);
  }

  void emit_failure(Emitter& out, std::string_view line, std::string_view tod) {
    text_.assign(cur_.detail);
    text_.append(line);
    client::Classification c;
    Event& ev = out.event();
    fill_common(ev, tod);
    if (!client::classify(text_, c)) c.kind = "other";
    client::apply_failure(c, ev, cur_.wget ? "wget" : "curl");
    ev.message.assign(line);
    int64_t code;
    if (starts_with(line, "curl: (")) {
      std::string_view n = line.substr(7, line.find(')') - 7);
      if (parse_int(n, code)) ev.fields.add("exit_code", code);
    }
    client::extract_from_text(text_, ev);
    if (fail_.line) {
      ev.line = fail_.line;
      ev.line_count = 1;
      ev.offset = fail_.offset;
      ev.raw.assign(fail_.raw);
      if (fail_.local_port >= 0) {
        ev.client_port = fail_.local_port;
        ev.client_ip.assign(fail_.local_ip);
      }
      fail_.line = 0;
    }
    cur_.active = false;
    cur_.status = kNull;
  }

  void emit_done(Emitter& out, const std::string* raw) {
    if (!cur_.active && cur_.status == kNull) return;
    Event& ev = out.event();
    fill_common(ev, {});
    if (cur_.status != kNull && client::is_http_error_status(cur_.status)) {
      ev.category.assign("client-failure");
      ev.kind.assign("http-error");
    } else {
      ev.category.assign("client-request");
    }
    ev.message.assign("transfer complete");
    if (raw) {
      ev.line = pending_line_;
      ev.line_count = 1;
      ev.offset = pending_offset_;
      ev.raw.assign(*raw);
    }
    cur_.active = false;
    cur_.status = kNull;
  }

  void emit_pending_failure(Emitter& out) {
    fail_.pending = false;
    emit_failure(out, fail_.text, fail_.tod);
  }

  void flush_pending(Emitter& out) {
    if (!pending_) return;
    pending_ = false;
    emit_done(out, &pending_raw_);
  }

  struct PendingFailure {
    bool pending = false;
    int64_t line = 0, offset = 0, local_port = -1;
    std::string raw, text, tod, local_ip;
  };
  ParseContext ctx_;
  Transfer cur_;
  PendingFailure fail_;
  CivilTime date_;
  bool have_date_ = false;
  bool pending_ = false;
  int64_t pending_line_ = 0, pending_offset_ = 0;
  std::string pending_raw_, text_, last_tod_;
};

class ClientCurlParser : public Parser {
 public:
  std::string_view name() const override { return "client-curl"; }
  std::string_view description() const override {
    return "curl (-v, -sS, --trace-time) and wget stderr: one event per transfer, failures by exit code and detail";
  }
  Role role() const override { return Role::client; }
  Score sniff(const SniffInput& in) const override {
    int hits = 0;
    for (std::string_view l : in.lines) {
      l = l.substr(trace_time_prefix(l));
      if (starts_with(l, "*   Trying ") || starts_with(l, "* Connected to ") || starts_with(l, "curl: (") ||
          starts_with(l, "* Closing connection") || (starts_with(l, "--") && l.find("--  http") != std::string_view::npos) ||
          (starts_with(l, "Connecting to ") && l.find("...") != std::string_view::npos) ||
          starts_with(l, "HTTP request sent, awaiting response"))
        ++hits;
    }
    if (!hits) return {};
    return {std::min(95, 60 + 15 * hits), std::to_string(hits) + " curl/wget transfer lines"};
  }
  std::unique_ptr<FileParser> open(const ParseContext& ctx) const override {
    return std::make_unique<ClientCurlFile>(ctx);
  }
  const std::vector<Sample>& samples() const override {
    // Real output: shared/corpus/client_curl (curl 7.88.1, GNU Wget 1.21.3).
    static const std::vector<Sample> s = {
        {"*   Trying 127.0.0.1:18081...\n"
         "* Connected to 127.0.0.1 (127.0.0.1) port 18081 (#0)\n"
         "> GET /rst HTTP/1.1\n"
         "> Host: 127.0.0.1:18081\n"
         "> User-Agent: curl/7.88.1\n"
         "> Accept: */*\n"
         "> \n"
         "* Recv failure: Connection reset by peer\n"
         "* Closing connection 0\n"
         "curl: (56) Recv failure: Connection reset by peer",
         {{"count", "1"},
          {"category", "client-failure"},
          {"kind", "reset"},
          {"line", "10"},
          {"host", "127.0.0.1"},
          {"server_ip", "127.0.0.1"},
          {"server_port", "18081"},
          {"method", "GET"},
          {"path", "/rst"},
          {"fields.exit_code", "56"},
          {"fields.runtime", "curl"},
          {"ts", ""}}},
        {"*   Trying 127.0.0.1:18082...\n"
         "* connect to 127.0.0.1 port 18082 failed: Connection reset by peer\n"
         "* Failed to connect to 127.0.0.1 port 18082 after 1 ms: Couldn't connect to server\n"
         "* Closing connection 0\n"
         "curl: (7) Failed to connect to 127.0.0.1 port 18082 after 1 ms: Couldn't connect to server",
         {{"count", "1"}, {"kind", "reset"}, {"server_port", "18082"}, {"fields.exit_code", "7"}}},
        {"*   Trying 127.0.0.1:18099...\n"
         "* connect to 127.0.0.1 port 18099 failed: Connection refused\n"
         "curl: (7) Failed to connect to 127.0.0.1 port 18099 after 0 ms: Couldn't connect to server",
         {{"count", "1"}, {"kind", "refused"}}},
        {"*   Trying 127.0.0.1:18090...\n"
         "* Connected to 127.0.0.1 (127.0.0.1) port 18090 (#0)\n"
         "> GET /rst HTTP/1.1\n"
         "< HTTP/1.1 502 Bad Gateway\n"
         "< Server: nginx/1.22.1\n"
         "* Connection #0 to host 127.0.0.1 left intact",
         {{"count", "1"}, {"category", "client-failure"}, {"kind", "http-error"}, {"status", "502"}, {"line", "6"}}},
        {"*   Trying 127.0.0.1:18445...\n"
         "> GET / HTTP/1.1\n"
         "< HTTP/1.1 200 OK\n"
         "< Connection: close\n"
         "* Closing connection 0\n",
         {{"count", "1"}, {"category", "client-request"}, {"status", "200"}, {"line", "5"}}},
        {"20:34:33.123456 *   Trying 10.0.0.8:443...\n"
         "20:34:33.125001 * Connected to api.example.com (10.0.0.8) port 443 (#0)\n"
         "20:34:33.130000 * OpenSSL SSL_connect: Connection reset by peer in connection to api.example.com:443 \n"
         "20:34:33.130100 curl: (35) OpenSSL SSL_connect: Connection reset by peer in connection to api.example.com:443 ",
         {{"kind", "tls"}, {"host", "api.example.com"}, {"server_ip", "10.0.0.8"}, {"ts_raw", "20:34:33.130100"}}},
        {"curl: (28) Operation timed out after 30001 milliseconds with 0 bytes received", {{"kind", "timeout"}}},
        {"--2026-11-23 20:19:32--  http://127.0.0.1:18081/rst\n"
         "Connecting to 127.0.0.1:18081... connected.\n"
         "HTTP request sent, awaiting response... Read error (Connection reset by peer) in headers.\n"
         "Giving up.\n",
         {{"count", "1"}, {"kind", "reset"}, {"ts", "2026-11-23T20:19:32.000Z"}, {"server_port", "18081"},
          {"path", "/rst"}, {"fields.runtime", "wget"}}},
    };
    return s;
  }
};

RSTSCOPE_REGISTER_PARSER(ClientCurlParser);

}  // namespace
}  // namespace rstscope
