#include "config/settings_out.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "rstscope/text.h"
#include "rstscope/timeutil.h"

namespace rstscope::config {

LineIndex::LineIndex(std::string_view text) : text_(text) {
  starts_.push_back(0);
  for (size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n' && i + 1 < text.size()) starts_.push_back(i + 1);
}

std::string_view LineIndex::line(int64_t n) const {
  if (n < 1 || n > count()) return {};
  size_t b = starts_[n - 1];
  size_t e = text_.find('\n', b);
  if (e == std::string_view::npos) e = text_.size();
  std::string_view l = text_.substr(b, e - b);
  if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
  return l;
}

int64_t LineIndex::line_of_offset(size_t offset) const {
  auto it = std::upper_bound(starts_.begin(), starts_.end(), offset);
  return static_cast<int64_t>(it - starts_.begin());
}

void SettingSink::make_event(const Setting& s) {
  if (s.assumed || s.line <= 0) return;
  if (!seen_.insert({s.line, s.key}).second) return;
  Event& ev = out_.event();
  ev.role = Role::config;
  ev.category = "setting";
  ev.line = s.line;
  ev.line_count = 1;
  ev.raw.assign(trim(lines_.line(s.line)));
  ev.message = s.key;
  ev.message += " = ";
  ev.message += s.raw;
  if (!s.scope.empty()) {
    ev.message += " (";
    ev.message += s.scope;
    ev.message += ")";
  }
  if (!s.listener.empty()) {
    std::string_view host;
    int64_t port = -1;
    split_host_port(s.listener, host, port);
    if (host != "*") ev.server_ip.assign(host);
    if (port >= 0) ev.server_port = port;
  }
  ev.fields.add("component", s.component);
  ev.fields.add("scope", s.scope);
  if (!s.listener.empty()) ev.fields.add("listener", s.listener);
  ev.fields.add("key", s.key);
  ev.fields.add("raw", s.raw);
  if (s.value != kNull) ev.fields.add("value", s.value);
  if (!s.unit.empty()) ev.fields.add("unit", s.unit);
  if (!s.text.empty()) ev.fields.add("text", s.text);
  if (!s.note.empty()) ev.fields.add("note", s.note);
}

void SettingSink::emit(const Setting& s) {
  out_.setting(s);
  ++emitted_;
  make_event(s);
}

void SettingSink::event_only(const Setting& s) { make_event(s); }

bool duration_ms(std::string_view raw, int64_t default_unit_ms, int64_t& ms) {
  raw = trim(raw);
  if (raw.empty()) return false;
  if (raw[0] == '-') {  // "-1" style "disabled" values
    int64_t v;
    if (parse_int(raw, v)) { ms = v; return true; }
    return false;
  }
  return parse_duration_ms(raw, ms, default_unit_ms);
}

bool timespan_ms(std::string_view raw, int64_t default_unit_ms, int64_t& ms) {
  raw = trim(raw);
  if (raw.empty()) return false;
  if (raw.size() > 2 && (raw[0] == 'P' || raw[0] == 'p')) {  // ISO-8601 duration PnDTnHnMnS
    double total = 0, num = 0;
    bool in_time = false, have = false;
    size_t i = 1;
    while (i < raw.size()) {
      char c = raw[i];
      if (c == 'T' || c == 't') { in_time = true; ++i; continue; }
      size_t j = i;
      while (j < raw.size() && (std::isdigit(static_cast<unsigned char>(raw[j])) || raw[j] == '.')) ++j;
      if (j == i || j >= raw.size() || !parse_double(raw.substr(i, j - i), num)) return false;
      char u = static_cast<char>(std::toupper(static_cast<unsigned char>(raw[j])));
      if (u == 'D') total += num * 86400000;
      else if (u == 'H' && in_time) total += num * 3600000;
      else if (u == 'M' && in_time) total += num * 60000;
      else if (u == 'S' && in_time) total += num * 1000;
      else return false;
      have = true;
      i = j + 1;
    }
    if (!have) return false;
    ms = static_cast<int64_t>(std::llround(total));
    return true;
  }
  if (raw.find(':') != std::string_view::npos) {  // [d.]hh:mm:ss[.fff]
    int64_t days = 0;
    std::string_view rest = raw;
    size_t colon = rest.find(':');
    size_t dot = rest.substr(0, colon).find('.');
    if (dot != std::string_view::npos) {
      if (!parse_int(rest.substr(0, dot), days)) return false;
      rest = rest.substr(dot + 1);
    }
    std::string_view h, m, s;
    if (!next_field(rest, ':', h) || !next_field(rest, ':', m)) return false;
    s = rest;
    int64_t hh, mm;
    double ss = 0;
    if (!parse_int(h, hh) || !parse_int(m, mm) || (!s.empty() && !parse_double(s, ss))) return false;
    ms = days * 86400000 + hh * 3600000 + mm * 60000 + static_cast<int64_t>(std::llround(ss * 1000));
    return true;
  }
  return duration_ms(raw, default_unit_ms, ms);
}

bool size_bytes(std::string_view raw, int64_t& bytes) {
  raw = trim(raw);
  if (raw.empty()) return false;
  size_t j = 0;
  while (j < raw.size() && (std::isdigit(static_cast<unsigned char>(raw[j])) || raw[j] == '.')) ++j;
  double v;
  if (j == 0 || !parse_double(raw.substr(0, j), v)) return false;
  std::string unit(raw.substr(j));
  to_lower_inplace(unit);
  while (!unit.empty() && unit.front() == ' ') unit.erase(0, 1);
  double mult;
  if (unit.empty() || unit == "b") mult = 1;
  else if (unit == "k" || unit == "kb" || unit == "ki" || unit == "kib") mult = 1024;
  else if (unit == "m" || unit == "mb" || unit == "mi" || unit == "mib") mult = 1024.0 * 1024;
  else if (unit == "g" || unit == "gb" || unit == "gi" || unit == "gib") mult = 1024.0 * 1024 * 1024;
  else return false;
  bytes = static_cast<int64_t>(std::llround(v * mult));
  return true;
}

int tls_rank(std::string_view n) {
  std::string s;
  for (char c : n)
    if (c != '_' && c != '.' && c != ' ' && c != '-') s.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (s == "sslv2" || s == "ssl2") return 0;
  if (s == "sslv3" || s == "ssl3") return 1;
  if (s == "tlsv1" || s == "tls1" || s == "tlsv10" || s == "tls10" || s == "10") return 2;
  if (s == "tlsv11" || s == "tls11" || s == "11") return 3;
  if (s == "tlsv12" || s == "tls12" || s == "12") return 4;
  if (s == "tlsv13" || s == "tls13" || s == "13") return 5;
  return -1;
}

std::string_view tls_name(int rank) {
  static constexpr std::string_view k[] = {"SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"};
  return rank >= 0 && rank <= 5 ? k[rank] : std::string_view{};
}

std::string tls_range(unsigned mask) {
  int lo = -1, hi = -1;
  for (int r = 0; r <= 5; ++r)
    if (mask & (1u << r)) {
      if (lo < 0) lo = r;
      hi = r;
    }
  if (lo < 0) return {};
  std::string out = tls_range(lo, hi);
  for (int r = lo; r <= hi; ++r)  // a hole in the middle (rare): list them
    if (!(mask & (1u << r))) {
      out.clear();
      for (int q = lo; q <= hi; ++q)
        if (mask & (1u << q)) {
          if (!out.empty()) out += ",";
          out += tls_name(q);
        }
      break;
    }
  return out;
}

std::string tls_range(int lo, int hi) {
  if (lo < 0 || hi < 0 || lo > hi) return {};
  std::string out(tls_name(lo));
  if (hi != lo) {
    out += "-";
    out += tls_name(hi);
  }
  return out;
}

unsigned tls_mask_from_list(std::string_view list) {
  unsigned mask = 0;
  std::string_view tok;
  while (next_token(list, tok)) {
    char op = 0;
    if (!tok.empty() && (tok[0] == '+' || tok[0] == '-')) {
      op = tok[0];
      tok.remove_prefix(1);
    }
    unsigned bits = 0;
    if (iequals(tok, "all")) bits = 0x3e;  // SSLv3..TLSv1.3 (mod_ssl "all" = +SSLv3 +TLSv1 ... where built)
    else {
      int r = tls_rank(tok);
      if (r >= 0) bits = 1u << r;
    }
    if (op == '-') mask &= ~bits;
    else mask |= bits;
  }
  return mask;
}

bool parse_bool(std::string_view raw, int64_t& v) {
  raw = trim(raw);
  if (iequals(raw, "on") || iequals(raw, "yes") || iequals(raw, "true") || raw == "1") { v = 1; return true; }
  if (iequals(raw, "off") || iequals(raw, "no") || iequals(raw, "false") || raw == "0") { v = 0; return true; }
  return false;
}

std::string listener_of(std::string_view addr, int64_t port) {
  std::string out;
  if (addr.empty()) out = "*";
  else if (addr.find(':') != std::string_view::npos && addr.front() != '[') {
    out = "[";
    out += addr;
    out += "]";
  } else {
    out.assign(addr);
  }
  if (port >= 0) {
    out += ":";
    out += std::to_string(port);
  }
  return out;
}

}  // namespace rstscope::config
