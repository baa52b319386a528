#include "firewall_common.h"

#include <array>
#include <cstring>

#include "rstscope/text.h"

namespace rstscope::fw {

uint8_t flags_from_letters(std::string_view s) {
  uint8_t f = 0;
  for (char c : s) {
    switch (c) {
      case 'S': f |= kSyn; break;
      case 'F': f |= kFin; break;
      case 'R': f |= kRst; break;
      case 'P': f |= kPsh; break;
      case 'A': f |= kAck; break;
      case 'U': f |= kUrg; break;
      case 'E': f |= kEce; break;
      case 'W': case 'C': f |= kCwr; break;
      default: break;
    }
  }
  return f;
}

uint8_t flag_from_word(std::string_view w) {
  if (w.size() != 3) return 0;
  if (w == "SYN") return kSyn;
  if (w == "ACK") return kAck;
  if (w == "RST") return kRst;
  if (w == "FIN") return kFin;
  if (w == "PSH") return kPsh;
  if (w == "URG") return kUrg;
  if (w == "ECE") return kEce;
  if (w == "CWR") return kCwr;
  return 0;
}

std::string_view flags_text(uint8_t flags, char (&buf)[48]) {
  static constexpr std::array<std::pair<uint8_t, std::string_view>, 8> kOrder{{
      {kSyn, "SYN"}, {kAck, "ACK"}, {kPsh, "PSH"}, {kUrg, "URG"},
      {kFin, "FIN"}, {kRst, "RST"}, {kEce, "ECE"}, {kCwr, "CWR"}}};
  size_t n = 0;
  for (const auto& [bit, word] : kOrder) {
    if (!(flags & bit)) continue;
    if (n) buf[n++] = ' ';
    for (char c : word) buf[n++] = c;
  }
  return std::string_view(buf, n);
}

std::string_view ip_proto_name(int64_t n) {
  switch (n) {
    case 1: return "icmp";
    case 2: return "igmp";
    case 4: return "ipip";
    case 6: return "tcp";
    case 17: return "udp";
    case 41: return "ipv6";
    case 47: return "gre";
    case 50: return "esp";
    case 51: return "ah";
    case 58: return "ipv6-icmp";
    case 89: return "ospf";
    case 103: return "pim";
    case 112: return "vrrp";
    case 132: return "sctp";
    default: return {};
  }
}

void set_protocol(Event& ev, std::string_view name) {
  if (iequals(name, "icmpv6") || iequals(name, "ipv6-icmp")) {
    ev.protocol.assign("ipv6-icmp");
    return;
  }
  ev.protocol.assign(name);
  to_lower_inplace(ev.protocol);
}

std::string_view action_name(Action a) {
  switch (a) {
    case Action::allow: return "allow";
    case Action::drop: return "drop";
    case Action::reject: return "reject";
    case Action::reset: return "reset";
    case Action::teardown: return "teardown";
    case Action::timeout: return "teardown";
    default: return {};
  }
}

std::string_view category_for(Action a, uint8_t flags) {
  switch (a) {
    case Action::allow: return (flags & kRst) ? "fw-reset" : "fw-allow";
    case Action::drop: return "fw-drop";
    case Action::reject: return "fw-reject";
    case Action::reset: return "fw-reset";
    case Action::teardown: return "fw-teardown";
    case Action::timeout: return "conn-timeout";
    default: return (flags & kRst) ? "fw-reset" : "fw-log";
  }
}

void add_str(Event& ev, std::string_view key, std::string_view value) {
  char buf[256];
  if (value.size() + 2 > sizeof(buf)) {
    ev.fields.add(key, value);
    return;
  }
  buf[0] = '"';
  size_t n = 1;
  for (char c : value) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f || c == '"' || c == '\\') {
      ev.fields.add(key, value);
      return;
    }
    buf[n++] = c;
  }
  buf[n++] = '"';
  ev.fields.add_raw(key, std::string_view(buf, n));
}

void add_int(Event& ev, std::string_view key, int64_t value) {
  if (value == kNull || value < 0) {
    ev.fields.add(key, value);
    return;
  }
  char buf[24];
  size_t n = sizeof(buf);
  do {
    buf[--n] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value);
  ev.fields.add_raw(key, std::string_view(buf + n, sizeof(buf) - n));
}

void set_action(Event& ev, Action a, uint8_t flags) {
  ev.role = Role::firewall;
  ev.category.assign(category_for(a, flags));
  std::string_view name = action_name(a);
  if (!name.empty()) add_str(ev, "action", name);
  if (flags) {
    char buf[48];
    add_str(ev, "tcp_flags", flags_text(flags, buf));
    if (flags & kRst) ev.fields.add_bool("rst", true);
  }
}

bool FastFields::begin(std::string_view key, size_t need) {
  if (n_ == 0) {
    if (need > sizeof(buf_)) return false;
    first_ = key;
    return true;
  }
  if (n_ + key.size() + 4 + need > sizeof(buf_)) return false;
  buf_[n_++] = ',';
  buf_[n_++] = '"';
  std::memcpy(buf_ + n_, key.data(), key.size());
  n_ += key.size();
  buf_[n_++] = '"';
  buf_[n_++] = ':';
  return true;
}

void FastFields::str(std::string_view key, std::string_view value) {
  bool plain = true;
  for (char c : value) {
    unsigned char u = static_cast<unsigned char>(c);
    plain &= !(u < 0x20 || u >= 0x7f || c == '"' || c == '\\');
  }
  if (!plain) {
    flush();
    ev_.fields.add(key, value);
    return;
  }
  if (!begin(key, value.size() + 2)) {
    flush();
    ev_.fields.add(key, value);
    return;
  }
  buf_[n_++] = '"';
  std::memcpy(buf_ + n_, value.data(), value.size());
  n_ += value.size();
  buf_[n_++] = '"';
}

void FastFields::num(std::string_view key, int64_t value) {
  if (value == kNull || value < 0 || !begin(key, 20)) {
    flush();
    ev_.fields.add(key, value);
    return;
  }
  char tmp[24];
  size_t k = sizeof(tmp);
  do {
    tmp[--k] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value);
  for (; k < sizeof(tmp); ++k) buf_[n_++] = tmp[k];
}

void FastFields::boolean(std::string_view key, bool value) {
  std::string_view v = value ? "true" : "false";
  if (!begin(key, 5)) {
    flush();
    ev_.fields.add_bool(key, value);
    return;
  }
  for (char c : v) buf_[n_++] = c;
}

void FastFields::flush() {
  if (n_ == 0 && first_.empty()) return;
  ev_.fields.add_raw(first_, std::string_view(buf_, n_));
  n_ = 0;
  first_ = {};
}

size_t split_fields(std::string_view s, char delim, std::string_view* out, size_t max) {
  if (s.empty() || max == 0) return 0;
  size_t n = 0, b = 0;
  const char* d = s.data();
  size_t len = s.size();
  for (size_t i = 0; i < len; ++i) {
    if (d[i] == delim) {
      if (n + 1 == max) break;
      out[n++] = std::string_view(d + b, i - b);
      b = i + 1;
    }
  }
  out[n++] = std::string_view(d + b, len - b);
  return n;
}

void set_action(Event& ev, FastFields& ff, Action a, uint8_t flags) {
  ev.role = Role::firewall;
  ev.category.assign(category_for(a, flags));
  std::string_view name = action_name(a);
  if (!name.empty()) ff.str("action", name);
  if (flags) {
    char buf[48];
    ff.str("tcp_flags", flags_text(flags, buf));
    if (flags & kRst) ff.boolean("rst", true);
  }
}

void set_tuple(Event& ev, std::string_view src, std::string_view sport, std::string_view dst,
               std::string_view dport) {
  int64_t v;
  if (!src.empty() && src != "-") ev.client_ip.assign(src);
  if (parse_uint(sport, v)) ev.client_port = v;
  if (!dst.empty() && dst != "-") ev.server_ip.assign(dst);
  if (parse_uint(dport, v)) ev.server_port = v;
}

bool parse_hms_duration(std::string_view s, int64_t& us) {
  size_t c1 = s.find(':');
  if (c1 == std::string_view::npos) return false;
  size_t c2 = s.find(':', c1 + 1);
  if (c2 == std::string_view::npos) return false;
  int64_t h, m, sec;
  if (!parse_uint(s.substr(0, c1), h) || !parse_uint(s.substr(c1 + 1, c2 - c1 - 1), m) ||
      !parse_uint(s.substr(c2 + 1), sec))
    return false;
  us = ((h * 60 + m) * 60 + sec) * 1000000;
  return true;
}

}  // namespace rstscope::fw
