#include "syslog_common.h"

#include <cstring>

#include <array>

#include "rstscope/text.h"

namespace rstscope::syslog {
namespace {

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

inline bool is_tag_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' || c == '-' || c == '.' ||
         c == '/' || c == '@';
}

// "TAG[PID]: " or "TAG: " at the start of s. With require_pid only the bracketed form counts.
// Returns bytes consumed (including ": " / ":"), 0 when s does not start with a tag.
size_t parse_tag(std::string_view s, Prefix& p, bool require_pid) {
  size_t i = 0;
  while (i < s.size() && i < 64 && is_tag_char(s[i])) ++i;
  if (i == 0 || i >= s.size()) return 0;
  std::string_view app = s.substr(0, i);
  std::string_view pid;
  if (s[i] == '[') {
    size_t j = i + 1;
    while (j < s.size() && j < i + 24 && s[j] != ']') ++j;
    if (j >= s.size() || s[j] != ']' || j == i + 1) return 0;
    pid = s.substr(i + 1, j - i - 1);
    i = j + 1;
  } else if (require_pid) {
    return 0;
  }
  if (i >= s.size() || s[i] != ':') return 0;
  ++i;
  if (i < s.size() && s[i] == ' ') ++i;
  else if (i < s.size()) return 0;  // "a:b" is not a tag
  p.app = app;
  p.pid = pid;
  return i;
}

size_t parse_pri(std::string_view s, Prefix& p) {
  if (s.size() < 3 || s[0] != '<') return 0;
  int v = 0;
  size_t i = 1;
  while (i < s.size() && i <= 4 && is_digit(s[i])) v = v * 10 + (s[i++] - '0');
  if (i == 1 || i >= s.size() || s[i] != '>' || v > 191) return 0;
  p.facility = v / 8;
  p.severity = v % 8;
  return i + 1;
}

// One space-delimited RFC 5424 header field.
bool field(std::string_view& s, std::string_view& out) {
  if (s.empty()) return false;
  size_t sp = s.find(' ');
  out = s.substr(0, sp);
  s = sp == std::string_view::npos ? std::string_view{} : s.substr(sp + 1);
  return !out.empty();
}

bool split_5424(std::string_view s, Prefix& p) {
  std::string_view ts, host, app, procid, msgid;
  if (!field(s, ts) || !field(s, host) || !field(s, app) || !field(s, procid) || !field(s, msgid)) return false;
  if (ts != "-") {
    if (parse_iso8601(ts, p.time) != ts.size()) return false;
    p.has_time = true;
    p.time_text = ts;
  }
  p.host = host == "-" ? std::string_view{} : host;
  p.app = app == "-" ? std::string_view{} : app;
  p.pid = procid == "-" ? std::string_view{} : procid;
  p.msgid = msgid == "-" ? std::string_view{} : msgid;
  // STRUCTURED-DATA: "-" or one or more [id k="v" ...] elements (']' and '"' escaped by '\').
  if (starts_with(s, "-")) {
    p.structured = s.substr(0, 1);
    s.remove_prefix(1);
  } else if (!s.empty() && s[0] == '[') {
    size_t i = 0;
    while (i < s.size() && s[i] == '[') {
      bool quoted = false;
      ++i;
      for (; i < s.size(); ++i) {
        char c = s[i];
        if (c == '\\') { ++i; continue; }
        if (c == '"') quoted = !quoted;
        else if (c == ']' && !quoted) break;
      }
      if (i < s.size()) ++i;
    }
    p.structured = s.substr(0, i);
    s.remove_prefix(i);
  }
  if (!s.empty() && s[0] == ' ') s.remove_prefix(1);
  if (starts_with(s, "\xEF\xBB\xBF")) s.remove_prefix(3);  // BOM before an UTF-8 MSG
  p.message = s;
  p.version = 1;
  return true;
}

}  // namespace

bool split(std::string_view line, Prefix& p, TimeCache* cache) {
  p = Prefix{};
  p.message = line;
  std::string_view s = line;
  size_t n = parse_pri(s, p);
  if (n) {
    s.remove_prefix(n);
    if (s.size() > 2 && s[0] == '1' && s[1] == ' ') {
      Prefix q = p;
      if (split_5424(s.substr(2), q)) {
        p = q;
        return true;
      }
    }
  }
  // Time: BSD "Mmm dd HH:MM:SS" or ISO-8601 (rsyslog RSYSLOG_FileFormat, journald short-iso).
  size_t t = 0;
  if (!s.empty() && is_digit(s[0])) {
    t = parse_iso8601(s, p.time);
    // ISO without 'T' needs a zone or fraction to be told from other formats; accept as is.
  } else if (!s.empty()) {
    if (cache && cache->len && s.size() > cache->len && s[cache->len] == ' ' &&
        std::memcmp(s.data(), cache->text, cache->len) == 0) {
      p.time = cache->time;
      t = cache->len;
    } else {
      t = parse_syslog_time(s, p.time);
      if (cache && t && t <= sizeof cache->text) {
        std::memcpy(cache->text, s.data(), t);
        cache->len = t;
        cache->time = p.time;
      }
    }
    // "Nov 23 2026 20:34:33" (some appliances) is not handled here.
  }
  if (t) {
    if (t >= s.size() || s[t] != ' ') {
      p = Prefix{};
      p.message = line;
      return false;
    }
    p.has_time = true;
    p.time_text = s.substr(0, t);
    s.remove_prefix(t + 1);
    while (!s.empty() && s[0] == ' ') s.remove_prefix(1);
    // HOST TAG: or TAG: directly (no host).
    size_t tag = parse_tag(s, p, false);
    if (!tag) {
      size_t sp = s.find(' ');
      if (sp == std::string_view::npos || sp == 0) {
        p = Prefix{};
        p.message = line;
        return false;
      }
      p.host = s.substr(0, sp);
      s.remove_prefix(sp + 1);
      tag = parse_tag(s, p, false);
    }
    s.remove_prefix(tag);
    p.message = s;
    p.version = 0;
    return true;
  }
  // Bare "tag[pid]: " (syslog forwarded without header, systemd-cat, docker).
  size_t tag = parse_tag(s, p, true);
  if (tag) {
    p.message = s.substr(tag);
    p.version = 0;
    return true;
  }
  if (n) {  // "<PRI>message" alone
    p.message = s;
    p.version = 0;
    return true;
  }
  p = Prefix{};
  p.message = line;
  return false;
}

std::string_view severity_name(int severity) {
  static constexpr std::array<std::string_view, 8> kNames{"emerg", "alert", "crit", "error",
                                                          "warn",  "notice", "info", "debug"};
  return severity >= 0 && severity < 8 ? kNames[static_cast<size_t>(severity)] : std::string_view{};
}

size_t format_iso_ms(int64_t us, char (&buf)[32]) {
  int64_t ms = us >= 0 ? us / 1000 : -((-us + 999) / 1000);
  int64_t days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
  int64_t rem = ms - days * 86400000;
  // civil_from_days (Howard Hinnant)
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  auto put = [&](size_t at, int64_t v, int width) {
    for (int i = width - 1; i >= 0; --i) {
      buf[at + static_cast<size_t>(i)] = static_cast<char>('0' + v % 10);
      v /= 10;
    }
  };
  if (y < 0 || y > 9999) y = 0;
  put(0, y, 4);
  buf[4] = '-';
  put(5, m, 2);
  buf[7] = '-';
  put(8, d, 2);
  buf[10] = 'T';
  put(11, rem / 3600000, 2);
  buf[13] = ':';
  put(14, rem / 60000 % 60, 2);
  buf[16] = ':';
  put(17, rem / 1000 % 60, 2);
  buf[19] = '.';
  put(20, rem % 1000, 3);
  buf[23] = 'Z';
  return 24;
}

}  // namespace rstscope::syslog
