// HAProxy logs (signatures.md B2): HTTP log (`option httplog`, also with `httpslog` extras and
// custom fields between backend/server and the timers), TCP log (`option tcplog`), CLF
// (`option httplog clf`), connection-error lines (§8.2.5), `Connect from` lines, and the
// administrative lines (proxy start/stop, server UP/DOWN, master-worker); with or without a
// syslog prefix (RFC 3164, rsyslog ISO, RFC 5424, bare `haproxy[pid]:`).
//
// Time: the bracketed accept/request date (ms) is the event time; it has no zone, so the zone
// comes from the syslog timestamp when that carries an offset, else from --tz (else UTC,
// inferred). The syslog time is kept as fields.syslog_ts (ISO UTC). Timers stay as written
// (-1 = never happened); Ta (HTTP) / Tt (TCP) give duration_us. Termination state ->
// fields.closed_by / fields.phase and the category (haproxy_common.h).
#include <array>
#include <cstring>

#include "haproxy_common.h"
#include "rstscope/parser.h"
#include "rstscope/text.h"
#include "syslog_common.h"
#include "tls_common.h"

namespace rstscope {
namespace {

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

// "123", "-1", "+30" (logasap) -> the integer text without '+'; false on anything else.
[[gnu::always_inline]] inline bool int_text(std::string_view t, std::string_view& out, bool* plus = nullptr) {
  if (!t.empty() && t[0] == '+') {
    t.remove_prefix(1);
    if (plus) *plus = true;
  }
  if (t.empty() || t.size() > 18) return false;
  size_t i = t[0] == '-' ? 1 : 0;
  if (i == t.size()) return false;
  for (size_t j = i; j < t.size(); ++j)
    if (!is_digit(t[j])) return false;
  out = t;
  return true;
}

int64_t to_int(std::string_view t) {  // t validated by int_text
  bool neg = !t.empty() && t[0] == '-';
  int64_t v = 0;
  for (size_t i = neg ? 1 : 0; i < t.size(); ++i) v = v * 10 + (t[i] - '0');
  return neg ? -v : v;
}

// Builds several fields of ev.fields with a single FieldWriter call: FieldWriter::add_raw(k1, text)
// appends `"k1":text`, so text = `v1,"k2":v2,...` yields the same JSON as one add() per field
// without escaping every key and value byte by byte. Keys are literals of this file (plain
// ASCII); string values are escaped only when they hold a byte that needs it.
class FieldRun {
 public:
  [[gnu::always_inline]] void add(std::string_view k, std::string_view v) {
    bool plain = true;
    for (char c : v) {
      unsigned char u = static_cast<unsigned char>(c);
      if (u < 0x20 || u >= 0x7f || c == '"' || c == '\\') {
        plain = false;
        break;
      }
    }
    if (!plain || !key(k, v.size() + 2)) {  // rare: escape through the FieldWriter itself
      escaped_.clear();
      escaped_.push_back('"');
      json_escape_append(escaped_, v);
      escaped_.push_back('"');
      add_raw(k, escaped_);
      return;
    }
    buf_[n_++] = '"';
    put(v);
    buf_[n_++] = '"';
  }
  [[gnu::always_inline]] void add_raw(std::string_view k, std::string_view json) {
    if (!key(k, json.size())) {
      flush();
      if (out_) out_->add_raw(k, json);
      return;
    }
    put(json);
  }
  void add_bool(std::string_view k, bool v) { add_raw(k, v ? "true" : "false"); }
  void begin(FieldWriter& w) {
    flush();
    out_ = &w;
  }
  void flush() {
    if (out_ && !first_.empty()) out_->add_raw(first_, std::string_view(buf_, n_));
    first_ = {};
    n_ = 0;
  }
  void end() {
    flush();
    out_ = nullptr;
  }

 private:
  // Writes the separator and key; false when the field would not fit (the caller falls back).
  [[gnu::always_inline]] bool key(std::string_view k, size_t value_len) {
    if (n_ + k.size() + value_len + 8 > sizeof buf_) {
      flush();
      if (value_len + 8 > sizeof buf_) return false;
    }
    if (first_.empty()) {
      first_ = k;
      return true;
    }
    buf_[n_++] = ',';
    buf_[n_++] = '"';
    put(k);
    buf_[n_++] = '"';
    buf_[n_++] = ':';
    return true;
  }
  void put(std::string_view v) {
    if (v.empty()) return;  // memcpy from a null data() is undefined even for 0 bytes
    std::memcpy(buf_ + n_, v.data(), v.size());
    n_ += v.size();
  }
  FieldWriter* out_ = nullptr;
  std::string_view first_;
  char buf_[2048];
  size_t n_ = 0;
  std::string escaped_;
};

// next_token() for the short unquoted tokens of a traffic line: a byte loop beats memchr here.
inline bool take(std::string_view& s, std::string_view& t) {
  size_t i = 0, n = s.size();
  while (i < n && s[i] == ' ') ++i;
  if (i >= n) {
    s = {};
    return false;
  }
  if (s[i] == '"' || s[i] == '[') return next_token(s, t);
  size_t j = i;
  while (j < n && s[j] != ' ') ++j;
  t = s.substr(i, j - i);
  s.remove_prefix(j);
  return true;
}

// Timer block "10/0/30/69/109" or "0/0/5007": returns the number of '/' (0 when not timers).
int timer_slashes(std::string_view t) {
  if (t.empty()) return 0;
  int slashes = 0;
  for (char c : t) {
    if (c == '/') ++slashes;
    else if (!is_digit(c) && c != '-' && c != '+') return 0;
  }
  return t.front() == '/' || t.back() == '/' ? 0 : slashes;
}

// Splits "a/b/c" into at most N parts.
template <size_t N>
size_t split_slash(std::string_view s, std::array<std::string_view, N>& parts) {
  size_t n = 0, start = 0;
  for (size_t i = 0; i <= s.size() && n < N; ++i) {
    if (i == s.size() || (s[i] == '/' && n + 1 < N)) {
      parts[n++] = s.substr(start, i - start);
      start = i + 1;
    }
  }
  return n;
}

// HAProxy writes %ci:%cp without brackets, also for IPv6 ("2001:db8::1:443"): the port is after
// the last ':'. "unix" and "-" have no port.
void client_addr(std::string_view tok, Event& ev) {
  std::string_view host = tok;
  int64_t port = kNull;
  if (!tok.empty() && tok.front() == '[') {
    int64_t p;
    split_host_port(tok, host, p);
    if (p >= 0) port = p;
  } else {
    size_t c = tok.rfind(':');
    std::string_view ptxt;
    if (c != std::string_view::npos && int_text(tok.substr(c + 1), ptxt)) {
      host = tok.substr(0, c);
      port = to_int(ptxt);
    }
  }
  if (host != "-") ev.client_ip.assign(host);
  ev.client_port = port;
}

// Accept-date/request-date start: "IP:PORT [dd/" — the shape of traffic and connection-error lines.
bool looks_traffic(std::string_view b) {
  size_t sp = b.find(' ');
  return sp != std::string_view::npos && sp > 0 && sp < 64 && sp + 4 < b.size() && b[sp + 1] == '[' &&
         is_digit(b[sp + 2]) && is_digit(b[sp + 3]) && b[sp + 4] == '/';
}

// CLF mode: "IP - - [dd/Mon/yyyy:HH:MM:SS +zone] "request" status bytes "" "" cport ms "fe" ..."
bool looks_clf(std::string_view b) {
  size_t sp = b.find(' ');
  return sp != std::string_view::npos && sp < 48 && starts_with(b.substr(sp), " - - [") &&
         b.find("] \"", sp) != std::string_view::npos;
}

[[gnu::always_inline]] inline void add_int_field(FieldRun& f, std::string_view key, std::string_view text) {
  std::string_view v;
  if (int_text(text, v)) f.add_raw(key, v);
  else if (!text.empty()) f.add(key, text);
}

void set_request(std::string_view r, Event& ev, FieldRun& f) {
  if (r == "<BADREQ>") {
    f.add_bool("badreq", true);
    return;
  }
  std::string_view tok;
  if (next_token(r, tok)) ev.method.assign(tok);
  if (next_token(r, tok)) ev.path.assign(tok);
  if (next_token(r, tok)) ev.protocol.assign(tok);
}

void add_termination(std::string_view tsc, FieldRun& f) {
  f.add("termination_state", tsc);
  haproxy::Termination t = haproxy::decode_termination(tsc);
  if (!t.closed_by.empty()) f.add("closed_by", t.closed_by);
  if (!t.phase.empty()) f.add("phase", t.phase);
  if (t.timeout) f.add_bool("timeout", true);
}

class HaproxyFile : public FileParser {
 public:
  explicit HaproxyFile(const ParseContext& ctx) : ctx_(ctx) {}

  void record(const Record& rec, Emitter& out) override {
    if (trim(rec.text).empty()) return;  // a blank line holds nothing to keep
    dispatch(rec, out);
    run_.end();  // fields collected by the handler go into its event

  }

 private:
  void dispatch(const Record& rec, Emitter& out) {
    syslog::Prefix p;
    syslog::split(rec.text, p, &syslog_cache_);
    std::string_view body = p.message;
    while (!body.empty() && body.back() == ' ') body.remove_suffix(1);
    if (body.empty()) {
      out.unparsed(p.version < 0 ? "empty line" : "syslog prefix without a message");
      return;
    }
    if (looks_traffic(body)) {
      traffic(body, p, out);
      return;
    }
    if (looks_clf(body)) {
      clf(body, p, out);
      return;
    }
    if (starts_with(body, "Connect from ")) {
      connect_from(body, p, out);
      return;
    }
    admin(body, p, out);
  }

  // Common start of every event: role, syslog fields.
  Event& start(const syslog::Prefix& p, Emitter& out) {
    Event& ev = out.event();
    run_.begin(ev.fields);
    ev.role = Role::proxy;
    if (p.has_time) {
      // Syslog times have 1 s resolution: consecutive lines mostly repeat the same one.
      if (p.time_text != std::string_view(last_syslog_text_)) {
        last_syslog_text_.assign(p.time_text);
        char iso[32];
        size_t n = syslog::format_iso_ms(ctx_.time->to_utc_us(p.time), iso);
        last_syslog_json_[0] = '"';  // ISO digits and punctuation: nothing to escape
        std::memcpy(last_syslog_json_ + 1, iso, n);
        last_syslog_json_[n + 1] = '"';
        last_syslog_json_len_ = n + 2;
      }
      run_.add_raw("syslog_ts", std::string_view(last_syslog_json_, last_syslog_json_len_));
    }
    if (!p.host.empty()) run_.add("syslog_host", p.host);
    if (!p.pid.empty()) {
      bool digits = true;
      for (char c : p.pid) digits = digits && is_digit(c);
      run_.add_raw("pid", digits ? p.pid : std::string_view("null"));
    }
    return ev;
  }

  // The syslog time as event time (lines without their own date).
  void syslog_time(const syslog::Prefix& p, Event& ev) {
    if (!p.has_time) return;
    ev.ts_raw.assign(p.time_text);
    ctx_.time->resolve(p.time, ev);
  }

  // Bracketed date: "06/Feb/2009:12:14:14.655". The zone comes from the syslog prefix if it has one.
  bool accept_time(std::string_view date, const syslog::Prefix& p, Event& ev, int64_t extra_ms = 0) {
    // Consecutive lines mostly share the accept second: "dd/Mon/yyyy:HH:MM:SS.mmm" whose first 20
    // bytes (and the syslog offset that may apply) equal the previous line's reuse its resolved
    // second, plus the milliseconds. The same text always resolves to the same instant, so this is
    // exact; anything else takes the full path below, which refreshes the cache.
    bool syslog_off = p.has_time && p.time.has_offset;
    int off = syslog_off ? p.time.offset_seconds : 0;
    bool ms_shape = date.size() == 24 && date[20] == '.' && is_digit(date[21]) && is_digit(date[22]) &&
                    is_digit(date[23]);
    if (ms_shape && extra_ms == 0 && sec_valid_ && syslog_off == sec_syslog_off_ && off == sec_off_ &&
        std::memcmp(date.data(), sec_text_, 20) == 0) {
      ev.ts_raw.assign(date);
      ev.ts = sec_us_ + millis(date) * 1000;
      ev.ts_zone = sec_zone_;
      return true;
    }
    bool ok = accept_time_full(date, p, ev, extra_ms);
    sec_valid_ = ok && ms_shape && extra_ms == 0;
    if (sec_valid_) {
      std::memcpy(sec_text_, date.data(), 20);
      sec_syslog_off_ = syslog_off;
      sec_off_ = off;
      sec_us_ = ev.ts - millis(date) * 1000;
      sec_zone_ = ev.ts_zone;
    }
    return ok;
  }
  static int64_t millis(std::string_view date) {  // the "mmm" of a 24-byte accept date
    return int64_t((date[21] - '0') * 100 + (date[22] - '0') * 10 + (date[23] - '0'));
  }

  bool accept_time_full(std::string_view date, const syslog::Prefix& p, Event& ev, int64_t extra_ms) {
    CivilTime c;
    if (parse_clf_time(date, c) != date.size()) return false;
    if (!c.has_offset && p.has_time && p.time.has_offset) {
      c.has_offset = true;
      c.offset_seconds = p.time.offset_seconds;
    }
    c.micros += extra_ms * 1000;
    ev.ts_raw.assign(date);
    return ctx_.time->resolve(c, ev);
  }

  void traffic(std::string_view b, const syslog::Prefix& p, Emitter& out) {
    size_t sp = b.find(' ');
    std::string_view client = b.substr(0, sp);
    size_t close = b.find(']', sp);
    if (close == std::string_view::npos) {
      out.unparsed("unterminated [date]");
      return;
    }
    std::string_view date = b.substr(sp + 2, close - sp - 2);
    std::string_view rest = b.substr(close + 1);
    std::string_view fe;
    if (!take(rest, fe)) {
      out.unparsed("nothing after the date");
      return;
    }
    if (fe.back() == ':') {  // connection error: "fe/bind: message"
      conn_error(client, date, fe.substr(0, fe.size() - 1), trim(rest), p, out);
      return;
    }
    std::string_view be_srv, tok, extra_host, extras_begin, extras_end;
    if (!take(rest, be_srv)) {
      out.unparsed("no backend/server after the frontend");
      return;
    }
    int slashes = 0;
    for (int i = 0; i < 4; ++i) {  // custom fields between backend/server and the timers
      if (!take(rest, tok)) break;
      slashes = timer_slashes(tok);
      if (slashes) break;
      if (extra_host.empty()) extra_host = tok;
    }
    if (slashes != 4 && slashes != 2) {
      out.unparsed("no HAProxy timers (TR/Tw/Tc/Tr/Ta or Tw/Tc/Tt)");
      return;
    }
    Event& ev = start(p, out);
    if (!accept_time(date, p, ev)) {
      run_.add("date", date);
      syslog_time(p, ev);
    }
    client_addr(client, ev);
    bool tls = fe.back() == '~';
    run_.add("frontend", tls ? fe.substr(0, fe.size() - 1) : fe);
    if (tls) run_.add_bool("frontend_tls", true);
    size_t sl = be_srv.find('/');
    run_.add("backend", be_srv.substr(0, sl));
    if (sl != std::string_view::npos) run_.add("server", be_srv.substr(sl + 1));
    if (!extra_host.empty()) ev.host.assign(extra_host);
    bool logasap = false;
    std::array<std::string_view, 5> t{};
    split_slash(tok, t);
    std::string_view total;
    if (slashes == 4) {
      ev.protocol.clear();
      add_int_field(run_, "tq", t[0]);
      add_int_field(run_, "tw", t[1]);
      add_int_field(run_, "tc", t[2]);
      add_int_field(run_, "tr", t[3]);
      int_text(t[4], total, &logasap);
      add_int_field(run_, "ta", t[4]);
      std::string_view status, bytes, cc, cs, tsc, conns, queues;
      if (!take(rest, status) || !take(rest, bytes) || !take(rest, cc) ||
          !take(rest, cs) || !take(rest, tsc) || !take(rest, conns) || !take(rest, queues)) {
        run_.add_bool("truncated", true);
      }
      std::string_view v;
      if (int_text(status, v) && v[0] != '-') ev.status = to_int(v);
      if (int_text(bytes, v, &logasap)) ev.bytes = to_int(v);
      if (!cc.empty() && cc != "-") run_.add("captured_request_cookie", cc);
      if (!cs.empty() && cs != "-") run_.add("captured_response_cookie", cs);
      add_termination(tsc, run_);
      ev.category.assign(haproxy::category_for(tsc, ev.status == kNull ? -1 : ev.status));
      counters(conns, queues, run_);
      http_tail(rest, ev, run_);
    } else {
      ev.protocol.assign("tcp");
      add_int_field(run_, "tw", t[0]);
      add_int_field(run_, "tc", t[1]);
      int_text(t[2], total, &logasap);
      add_int_field(run_, "tt", t[2]);
      std::string_view bytes, tsc, conns, queues, v;
      if (!take(rest, bytes) || !take(rest, tsc) || !take(rest, conns) ||
          !take(rest, queues))
        run_.add_bool("truncated", true);
      if (int_text(bytes, v, &logasap)) ev.bytes = to_int(v);
      add_termination(tsc, run_);
      ev.category.assign(haproxy::category_for(tsc, -1));
      counters(conns, queues, run_);
      rest = trim(rest);
      if (!rest.empty()) run_.add("extra", rest);
    }
    if (!total.empty() && total[0] != '-') ev.duration_us = to_int(total) * 1000;
    if (logasap) run_.add_bool("logasap", true);
  }

  static void counters(std::string_view conns, std::string_view queues, FieldRun& run_) {
    std::array<std::string_view, 5> c{};
    size_t n = split_slash(conns, c);
    if (n == 5) {
      add_int_field(run_, "actconn", c[0]);
      add_int_field(run_, "feconn", c[1]);
      add_int_field(run_, "beconn", c[2]);
      add_int_field(run_, "srv_conn", c[3]);
      if (!c[4].empty() && c[4][0] == '+') {
        run_.add_bool("redispatched", true);
        c[4].remove_prefix(1);
      }
      add_int_field(run_, "retries", c[4]);
    }
    std::array<std::string_view, 2> q{};
    if (split_slash(queues, q) == 2) {
      add_int_field(run_, "srv_queue", q[0]);
      add_int_field(run_, "backend_queue", q[1]);
    }
  }

  // After the counters: [{req headers}] [{resp headers}] "request" [httpslog fields] [anything].
  static void http_tail(std::string_view rest, Event& ev, FieldRun& run_) {
    int blocks = 0;
    while (true) {
      while (!rest.empty() && rest[0] == ' ') rest.remove_prefix(1);
      if (rest.empty()) return;
      if (rest[0] == '{') {
        size_t close = rest.find('}');
        if (close == std::string_view::npos) close = rest.size();
        run_.add(blocks++ == 0 ? "captured_request_headers" : "captured_response_headers",
                      rest.substr(1, close - 1));
        rest = close < rest.size() ? rest.substr(close + 1) : std::string_view{};
        continue;
      }
      break;
    }
    if (rest[0] == '"') {
      size_t close = rest.find('"', 1);
      if (close == std::string_view::npos) {
        set_request(rest.substr(1), ev, run_);
        run_.add_bool("truncated", true);
        return;
      }
      set_request(rest.substr(1, close - 1), ev, run_);
      rest = trim(rest.substr(close + 1));
    }
    if (rest.empty()) return;
    // option httpslog: "fc_err/ssl_fc_err/ssl_c_err/ssl_c_ca_err/resumed sni/version/cipher"
    std::string_view r = rest, a, b;
    if (next_token(r, a) && timer_slashes(a) == 4 && next_token(r, b) && trim(r).empty()) {
      std::array<std::string_view, 5> e{};
      split_slash(a, e);
      add_int_field(run_, "fc_err", e[0]);
      if (!e[1].empty() && e[1] != "0") {
        run_.add("ssl_fc_err", e[1]);
        uint32_t code = 0;
        for (char ch : e[1]) {
          int d = is_digit(ch) ? ch - '0' : (ch | 0x20) >= 'a' && (ch | 0x20) <= 'f' ? (ch | 0x20) - 'a' + 10 : -1;
          if (d < 0) { code = 0; break; }
          code = code * 16 + static_cast<uint32_t>(d);
        }
        std::string_view reason = code ? tls::openssl_reason_for_code(code) : std::string_view{};
        if (!reason.empty()) run_.add("tls_reason", reason);
      }
      add_int_field(run_, "ssl_c_err", e[2]);
      add_int_field(run_, "ssl_c_ca_err", e[3]);
      std::array<std::string_view, 3> s{};
      split_slash(b, s);
      if (!s[0].empty() && s[0] != "-") {
        run_.add("sni", s[0]);
        if (ev.host.empty()) ev.host.assign(s[0]);
      }
      if (!s[1].empty()) run_.add("tls_version", s[1]);
      if (!s[2].empty()) run_.add("tls_cipher", s[2]);
      return;
    }
    run_.add("extra", rest);
  }

  void conn_error(std::string_view client, std::string_view date, std::string_view fe_bind, std::string_view msg,
                  const syslog::Prefix& p, Emitter& out) {
    Event& ev = start(p, out);
    if (!accept_time(date, p, ev)) syslog_time(p, ev);
    client_addr(client, ev);
    size_t sl = fe_bind.find('/');
    run_.add("frontend", fe_bind.substr(0, sl));
    if (sl != std::string_view::npos) run_.add("bind", fe_bind.substr(sl + 1));
    ev.message.assign(msg);
    std::string_view cat = haproxy::conn_error_category(msg);
    ev.category.assign(cat.empty() ? std::string_view("error") : cat);
    if (starts_with(msg, "Timeout during SSL")) run_.add("tls_reason", "timeout");
    run_.flush();  // tls::add_openssl_fields writes ev.fields directly
    tls::OpenSslError e;
    if (tls::find_openssl_error(msg, e)) tls::add_openssl_fields(ev, e);
  }

  void clf(std::string_view b, const syslog::Prefix& p, Emitter& out) {
    // %{+Q}o %{-Q}ci - - [%trg] %r %ST %B "" "" %cp %ms %ft %b %s %TR %Tw %Tc %Tr %Ta %tsc
    // %ac %fc %bc %sc %rc %sq %bq %CC %CS %hrl %hsl
    std::string_view rest = b, client, tok, date, request, status, bytes;
    next_token(rest, client);
    next_token(rest, tok);
    next_token(rest, tok);
    if (!next_token(rest, date) || !next_token(rest, request) || !next_token(rest, status) ||
        !next_token(rest, bytes)) {
      out.unparsed("short HAProxy CLF line");
      return;
    }
    std::array<std::string_view, 22> f{};  // "" "" cport ms fe be srv TR Tw Tc Tr Ta tsc ac fc bc sc rc sq bq CC CS
    size_t n = 0;
    while (n < f.size() && next_token(rest, f[n])) ++n;
    if (n < 13) {
      out.unparsed("short HAProxy CLF line");
      return;
    }
    Event& ev = start(p, out);
    std::string_view v;
    int64_t ms = int_text(f[3], v) ? to_int(v) : 0;
    if (!accept_time(date, p, ev, ms)) syslog_time(p, ev);
    ev.client_ip.assign(client);
    if (int_text(f[2], v)) ev.client_port = to_int(v);
    set_request(request, ev, run_);
    if (int_text(status, v) && v[0] != '-') ev.status = to_int(v);
    if (int_text(bytes, v)) ev.bytes = to_int(v);
    run_.add("frontend", f[4]);
    run_.add("backend", f[5]);
    run_.add("server", f[6]);
    add_int_field(run_, "tq", f[7]);
    add_int_field(run_, "tw", f[8]);
    add_int_field(run_, "tc", f[9]);
    add_int_field(run_, "tr", f[10]);
    add_int_field(run_, "ta", f[11]);
    if (int_text(f[11], v) && v[0] != '-') ev.duration_us = to_int(v) * 1000;
    add_termination(f[12], run_);
    ev.category.assign(haproxy::category_for(f[12], ev.status == kNull ? -1 : ev.status));
    if (n >= 18) {
      add_int_field(run_, "actconn", f[13]);
      add_int_field(run_, "feconn", f[14]);
      add_int_field(run_, "beconn", f[15]);
      add_int_field(run_, "srv_conn", f[16]);
      add_int_field(run_, "retries", f[17]);
    }
  }

  void connect_from(std::string_view b, const syslog::Prefix& p, Emitter& out) {
    // "Connect from 10.0.1.2:33312 to 10.0.3.31:8012 (www/HTTP)"
    std::string_view rest = b.substr(13), from, to, word, fe;
    if (!next_token(rest, from) || !next_token(rest, word) || word != "to" || !next_token(rest, to)) {
      out.unparsed("malformed 'Connect from' line");
      return;
    }
    Event& ev = start(p, out);
    syslog_time(p, ev);
    client_addr(from, ev);
    std::string_view host;
    int64_t port;
    split_host_port(to, host, port);
    ev.server_ip.assign(host);
    if (port >= 0) ev.server_port = port;
    rest = trim(rest);
    if (rest.size() > 2 && rest.front() == '(' && rest.back() == ')') {
      std::string_view inner = rest.substr(1, rest.size() - 2);
      size_t sl = inner.find('/');
      run_.add("frontend", inner.substr(0, sl));
      if (sl != std::string_view::npos) run_.add("mode", inner.substr(sl + 1));
    }
    ev.category.assign("conn-accepted");
    ev.message.assign(b);
  }

  void admin(std::string_view b, const syslog::Prefix& p, Emitter& out) {
    std::string_view level;
    std::string_view msg = b;
    // "[NOTICE]   (30981) : msg" (2.x) or "[WARNING] 310/123456 (1234) : msg" (1.x)
    if (msg.size() > 3 && msg[0] == '[') {
      size_t close = msg.find(']');
      if (close != std::string_view::npos && close < 12) {
        level = msg.substr(1, close - 1);
        size_t colon = msg.find(" : ", close);
        msg = colon != std::string_view::npos && colon < close + 40 ? msg.substr(colon + 3) : trim(msg.substr(close + 1));
      }
    }
    std::string_view cat = haproxy::admin_category(msg);
    if (cat.empty() && level.empty() && p.version < 0) {
      out.unparsed("not a HAProxy log line");
      return;
    }
    Event& ev = start(p, out);
    syslog_time(p, ev);
    if (!level.empty()) {
      ev.severity.assign(level);
      to_lower_inplace(ev.severity);
      if (ev.severity == "warning") ev.severity = "warn";
    } else if (p.severity >= 0) {
      ev.severity.assign(syslog::severity_name(p.severity));
    }
    ev.message.assign(msg);
    if (cat.empty()) cat = ev.severity.empty() ? std::string_view("info") : std::string_view(ev.severity);
    ev.category.assign(cat);
    // Names: "Server be/srv is ...", "Health check for server be/srv ...", "backend be has ...",
    // "Proxy px started.", "Stopping frontend fe in 0 ms."
    std::string_view rest = msg, w;
    if (starts_with(rest, "Health check for ")) rest.remove_prefix(17);
    if (starts_with(rest, "backup ")) rest.remove_prefix(7);
    if (next_token(rest, w)) {
      std::string_view name;
      if ((w == "Server" || w == "server") && next_token(rest, name)) {
        size_t sl = name.find('/');
        run_.add("backend", name.substr(0, sl));
        if (sl != std::string_view::npos) run_.add("server", name.substr(sl + 1));
      } else if ((w == "backend" || w == "Backend") && next_token(rest, name)) {
        run_.add("backend", name);
      } else if ((w == "Proxy" || w == "Frontend") && next_token(rest, name)) {
        run_.add("proxy", name);
      } else if ((w == "Stopping" || w == "Pausing" || w == "Enabling") && next_token(rest, name) &&
                 next_token(rest, name)) {
        if (!name.empty() && name.back() == '.') name.remove_suffix(1);
        run_.add("proxy", name);
      }
    }
    size_t r = msg.find("reason: ");
    if (r != std::string_view::npos) {
      std::string_view reason = msg.substr(r + 8);
      reason = reason.substr(0, reason.find(", "));
      run_.add("reason", reason);
    }
    size_t i = msg.find("info: \"");
    if (i != std::string_view::npos) {
      std::string_view info = msg.substr(i + 7);
      run_.add("info", info.substr(0, info.find('"')));
    }
  }

  ParseContext ctx_;
  FieldRun run_;
  syslog::TimeCache syslog_cache_;
  // accept_time()'s cache: the previous accept date's second and what it resolved to.
  bool sec_valid_ = false, sec_syslog_off_ = false;
  int sec_off_ = 0;
  char sec_text_[20] = {};
  int64_t sec_us_ = 0;
  ZoneSource sec_zone_ = ZoneSource::none;
  std::string last_syslog_text_;
  char last_syslog_json_[40] = {};  // the syslog time as a JSON string, quotes included
  size_t last_syslog_json_len_ = 0;
};

class HaproxyParser : public Parser {
 public:
  std::string_view name() const override { return "haproxy"; }
  std::string_view description() const override {
    return "HAProxy HTTP/TCP/CLF logs, connection errors, server up/down and start/stop (syslog prefix optional)";
  }
  Role role() const override { return Role::proxy; }
  Score sniff(const SniffInput& in) const override {
    int total = 0, traffic = 0, tagged = 0;
    for (std::string_view l : in.lines) {
      ++total;
      syslog::Prefix p;
      syslog::split(l, p);
      if (p.app == "haproxy" || starts_with(p.app, "haproxy")) ++tagged;
      std::string_view b = p.message;
      if (looks_traffic(b)) {
        // the timers make it HAProxy: a token like 0/0/1/0/2 or 0/0/5007
        std::string_view rest = b, tok;
        for (int i = 0; i < 12 && next_token(rest, tok); ++i) {
          int s = timer_slashes(tok);
          if (s == 4 || s == 2) {
            ++traffic;
            break;
          }
        }
        if (b.find(": ", b.find(']')) != std::string_view::npos && b.find("SSL") != std::string_view::npos) ++traffic;
      }
    }
    if (!total || (!traffic && !tagged)) return {};
    int hits = std::max(traffic, tagged);
    int score = 50 + 48 * hits / total;
    if (icontains(in.name, "haproxy")) score = std::min(100, score + 2);
    return {score, std::to_string(traffic) + " of " + std::to_string(total) + " lines are HAProxy traffic lines, " +
                       std::to_string(tagged) + " carry the haproxy syslog tag"};
  }
  std::unique_ptr<FileParser> open(const ParseContext& ctx) const override {
    return std::make_unique<HaproxyFile>(ctx);
  }
  const std::vector<Sample>& samples() const override {
    static const std::vector<Sample> s = {
        // local run (HAProxy 2.6.12, log stdout format rfc3164): backend RST before the response
        {"<134>Nov 23 20:20:33 localhost haproxy[30981]: 127.0.0.1:50492 [23/Nov/2026:20:20:33.873] fe_http "
         "be_rst/s1 0/0/1/-1/2 502 209 - - SH-- 1/1/0/0/0 0/0 \"GET /rst HTTP/1.1\"",
         {{"ts", "2026-11-23T20:20:33.873Z"},
          {"role", "proxy"},
          {"client_ip", "127.0.0.1"},
          {"client_port", "50492"},
          {"status", "502"},
          {"bytes", "209"},
          {"duration_us", "2000"},
          {"method", "GET"},
          {"path", "/rst"},
          {"category", "upstream-closed"},
          {"fields.frontend", "fe_http"},
          {"fields.backend", "be_rst"},
          {"fields.server", "s1"},
          {"fields.closed_by", "server"},
          {"fields.phase", "headers"},
          {"fields.tr", "-1"},
          {"fields.tc", "1"},
          {"fields.syslog_ts", "2026-11-23T20:20:33.000Z"}}},
        // server timeout before headers -> 504
        {"<134>Nov 23 20:20:49 localhost haproxy[30981]: 127.0.0.1:55118 [23/Nov/2026:20:20:47.934] fe_http "
         "be_slow/s1 0/0/0/-1/2001 504 198 - - sH-- 1/1/0/0/0 0/0 \"GET /slow HTTP/1.1\"",
         {{"category", "upstream-timeout"}, {"fields.closed_by", "server"}, {"fields.timeout", "true"},
          {"duration_us", "2001000"}, {"status", "504"}}},
        // TCP log, server reset during data
        {"<134>Nov 23 20:21:13 localhost haproxy[30981]: 127.0.0.1:48784 [23/Nov/2026:20:21:13.731] fe_tcp "
         "be_tcp_rst/s1 1/0/1 0 SD 1/1/0/0/0 0/0",
         {{"category", "upstream-reset"}, {"protocol", "tcp"}, {"fields.phase", "data"}, {"fields.tt", "1"},
          {"duration_us", "1000"}, {"bytes", "0"}}},
        // doc §8.9: client aborted before sending a full request
        {"haproxy[18113]: 127.0.0.1:34548 [15/Oct/2003:15:18:55.798] px-http px-http/<NOSRV> -1/-1/-1/-1/8490 -1 "
         "0 - - CR-- 2/2/2/0/0 0/0 \"\"",
         {{"category", "client-closed"}, {"status", ""}, {"fields.closed_by", "client"},
          {"fields.phase", "request"}, {"fields.tq", "-1"}, {"fields.server", "<NOSRV>"},
          {"ts", "2003-10-15T15:18:55.798Z"}}},
        // rsyslog ISO timestamp: the accept date borrows its +01:00 offset; httpslog-like extras
        {"2021-12-15T16:55:18+01:00 host.example.com haproxy[20560]: 1.2.3.4:27368 [15/Dec/2021:16:55:17.995] "
         "frontendname~ backendname/server1 24/0/0/3/27 304 453 - - ---- 27/1/1/0/0 0/0 {|Mozilla/5.0} \"GET "
         "/image.png HTTP/1.1\" TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256",
         {{"ts", "2021-12-15T15:55:17.995Z"}, {"ts_zone", "explicit"}, {"fields.frontend", "frontendname"},
          {"fields.frontend_tls", "true"}, {"category", "request"}, {"protocol", "HTTP/1.1"},
          {"fields.syslog_ts", "2021-12-15T15:55:18.000Z"}}},
        // connection-error line with an OpenSSL reason (crowdsec hub test)
        {"192.168.1.4:50033 [28/Feb/2025:02:43:10.123] frontend/backend: SSL handshake failure "
         "(error:0A0000C1:SSL routines::no shared cipher)",
         {{"category", "tls-handshake-failed"}, {"fields.tls_reason", "no shared cipher"},
          {"fields.tls_code", "0A0000C1"}, {"client_port", "50033"}, {"fields.bind", "backend"}}},
        {"Dec  3 18:27:14 localhost haproxy[6103]: 127.0.0.1:56059 [03/Dec/2012:17:35:10.380] frt/f1: Connection "
         "closed during SSL handshake",
         {{"category", "tls-handshake-closed"}, {"fields.frontend", "frt"}, {"ts", "2012-12-03T17:35:10.380Z"}}},
        {"Sep 20 15:42:59 1.2.3.4 haproxy[24551]: Connect from 1.2.3.4:40780 to 1.2.3.4:5000 (main/HTTP)",
         {{"category", "conn-accepted"}, {"client_port", "40780"}, {"server_ip", "1.2.3.4"},
          {"server_port", "5000"}, {"fields.mode", "HTTP"}}},
        {"Feb 25 16:19:38 192.168.4.2 haproxy[1]: Proxy prod_http_in started.",
         {{"category", "server-start"}, {"fields.proxy", "prod_http_in"}}},
        {"<129>Nov 23 20:19:40 localhost haproxy[30981]: Server be_ok/s1 is DOWN, reason: Layer4 connection "
         "problem, info: \"Connection refused\", check duration: 0ms. 0 active and 0 backup servers left. 0 "
         "sessions active, 0 requeued, 0 remaining in queue.",
         {{"category", "server-down"}, {"fields.backend", "be_ok"}, {"fields.server", "s1"},
          {"fields.reason", "Layer4 connection problem"}, {"fields.info", "Connection refused"},
          {"severity", "alert"}}},
        {"<128>Nov 23 20:19:40 localhost haproxy[30981]: backend be_ok has no server available!",
         {{"category", "upstream-unavailable"}, {"fields.backend", "be_ok"}}},
        {"[ALERT]    (30979) : Current worker (30981) exited with code 139 (Segmentation fault)",
         {{"category", "worker-crashed"}, {"severity", "alert"}}},
        // CLF mode (option httplog clf)
        {"Feb  6 12:14:14 localhost haproxy[14389]: 10.0.1.2 - - [06/Feb/2009:12:14:14 +0100] \"GET /index.html "
         "HTTP/1.1\" 200 2750 \"\" \"\" 33317 655 \"http-in\" \"static\" \"srv1\" 10 0 30 69 109 \"SD--\" 1 1 1 1 "
         "0 0 0 \"\" \"\" \"\" \"\"",
         {{"ts", "2009-02-06T11:14:14.655Z"}, {"client_port", "33317"}, {"category", "upstream-reset"},
          {"fields.server", "srv1"}, {"duration_us", "109000"}, {"status", "200"}}},
        {"this is not haproxy", {{"unparsed", "1"}}},
    };
    return s;
  }
};

RSTSCOPE_REGISTER_PARSER(HaproxyParser);

}  // namespace
}  // namespace rstscope
