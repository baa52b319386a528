#include "report/format.h"

#include <cctype>
#include <cinttypes>
#include <cmath>
#include <cstdio>

#include "rstscope/timeutil.h"

namespace rstscope::report {

std::string iso_ms(int64_t us) { return us == kNull ? std::string() : format_iso_ms(us); }

std::string human_time(int64_t us) {
  if (us == kNull) return "-";
  std::string s = format_iso_ms(us);  // 2026-03-02T10:15:04.118Z
  if (s.size() >= 24) {
    s[10] = ' ';
    s.pop_back();
  }
  return s;
}

namespace {
int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
}  // namespace

std::string short_time(int64_t us, int64_t ref) {
  if (us == kNull) return "-";
  constexpr int64_t kDay = 86400LL * 1000000;
  std::string s = human_time(us);
  if (ref != kNull && floor_div(us, kDay) == floor_div(ref, kDay) && s.size() > 11) return s.substr(11);
  return s;
}

std::string human_duration_us(int64_t us) {
  if (us == kNull) return "-";
  char buf[64];
  bool neg = us < 0;
  uint64_t a = neg ? uint64_t(0) - uint64_t(us) : uint64_t(us);
  const char* sign = neg ? "-" : "";
  if (a < 1000) {
    std::snprintf(buf, sizeof buf, "%s%" PRIu64 " us", sign, a);
  } else if (a < 1000000) {
    std::snprintf(buf, sizeof buf, "%s%" PRIu64 " ms", sign, a / 1000);
  } else if (a < 120000000) {  // up to 2 min in seconds: "75 s" reads like the configs
    uint64_t ms = a / 1000;
    if (ms % 1000 == 0)
      std::snprintf(buf, sizeof buf, "%s%" PRIu64 " s", sign, ms / 1000);
    else
      std::snprintf(buf, sizeof buf, "%s%.1f s", sign, double(ms) / 1000.0);
  } else {
    uint64_t s = a / 1000000;
    if (s < 3600)
      std::snprintf(buf, sizeof buf, "%s%" PRIu64 " min %" PRIu64 " s", sign, s / 60, s % 60);
    else if (s < 86400)
      std::snprintf(buf, sizeof buf, "%s%" PRIu64 " h %" PRIu64 " min", sign, s / 3600, (s % 3600) / 60);
    else
      std::snprintf(buf, sizeof buf, "%s%" PRIu64 " d %" PRIu64 " h", sign, s / 86400, (s % 86400) / 3600);
    std::string r = buf;
    // "1 min 0 s" -> "1 min"
    if (r.size() > 4 && r.compare(r.size() - 4, 4, " 0 s") == 0) r.resize(r.size() - 4);
    if (r.size() > 6 && r.compare(r.size() - 6, 6, " 0 min") == 0) r.resize(r.size() - 6);
    if (r.size() > 4 && r.compare(r.size() - 4, 4, " 0 h") == 0) r.resize(r.size() - 4);
    return r;
  }
  return buf;
}

std::string signed_duration_us(int64_t us) {
  if (us == kNull) return "-";
  char buf[48];
  if (us == 0) return "0 s";
  uint64_t a = us < 0 ? uint64_t(0) - uint64_t(us) : uint64_t(us);
  const char* sign = us < 0 ? "-" : "+";
  if (a < 1000000)
    std::snprintf(buf, sizeof buf, "%s%.1f ms", sign, double(a) / 1000.0);
  else
    std::snprintf(buf, sizeof buf, "%s%.3f s", sign, double(a) / 1e6);
  return buf;
}

std::string setting_value(const SettingRow& s) {
  if (s.value != kNull) {
    if (s.unit == "ms") return human_duration_us(s.value * 1000);
    if (s.unit == "bytes") {
      char buf[48];
      double v = double(s.value);
      if (s.value >= (1LL << 30) && s.value % (1LL << 30) == 0)
        std::snprintf(buf, sizeof buf, "%.0f GiB", v / double(1LL << 30));
      else if (s.value >= (1LL << 20))
        std::snprintf(buf, sizeof buf, "%g MiB", std::round(v / double(1LL << 20) * 10) / 10);
      else if (s.value >= 1024)
        std::snprintf(buf, sizeof buf, "%g KiB", std::round(v / 1024.0 * 10) / 10);
      else
        std::snprintf(buf, sizeof buf, "%" PRId64 " bytes", s.value);
      return buf;
    }
    if (s.unit == "bool") return s.value ? "on" : "off";
    if (s.text.empty() && s.raw.empty()) return std::to_string(s.value);
  }
  if (!s.text.empty()) return s.text;
  return s.raw;
}

std::string setting_location(const SettingRow& s) {
  if (s.source.empty()) return "assumed default";
  if (s.line == kNull || s.line <= 0) return s.source;
  return s.source + ":" + std::to_string(s.line);
}

std::string event_location(const EventRow& e) {
  if (e.line == kNull) return e.source;
  return e.source + ":" + std::to_string(e.line);
}

std::string confidence_str(double c) {
  if (c < 0 || std::isnan(c)) return "-";
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.2f", c > 1 ? 1.0 : c);
  return buf;
}

const char* confidence_word(double c) {
  if (c < 0 || std::isnan(c)) return "unknown";
  if (c >= 0.8) return "high";
  if (c >= 0.5) return "medium";
  return "low";
}

std::string clean_text(std::string_view s) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '\t') {
      out.push_back(' ');
      ++i;
    } else if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
      ++i;
    } else if (c < 0x80) {
      out.push_back(char(c));
      ++i;
    } else {
      int len = (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
      bool ok = len > 0 && i + size_t(len) <= s.size();
      for (int k = 1; ok && k < len; ++k)
        ok = (static_cast<unsigned char>(s[i + size_t(k)]) >> 6) == 2;
      if (ok && len == 2) ok = c >= 0xc2;  // overlong
      if (ok && len == 3) {
        unsigned char c1 = static_cast<unsigned char>(s[i + 1]);
        ok = !(c == 0xe0 && c1 < 0xa0) && !(c == 0xed && c1 >= 0xa0);  // overlong, surrogates
      }
      if (ok && len == 4) {
        unsigned char c1 = static_cast<unsigned char>(s[i + 1]);
        ok = c <= 0xf4 && !(c == 0xf0 && c1 < 0x90) && !(c == 0xf4 && c1 >= 0x90);
      }
      // C1 controls (U+0080..U+009F) can act as terminal escapes (CSI = U+009B).
      if (ok && len == 2 && c == 0xc2 && static_cast<unsigned char>(s[i + 1]) < 0xa0) {
        unsigned char c1 = static_cast<unsigned char>(s[i + 1]);
        out += "\\u00";
        out.push_back(hex[c1 >> 4]);
        out.push_back(hex[c1 & 15]);
        i += 2;
        continue;
      }
      // Bidirectional overrides (U+202A..U+202E, U+2066..U+2069) could reorder what is shown.
      if (ok && len == 3 && c == 0xe2) {
        unsigned char c1 = static_cast<unsigned char>(s[i + 1]);
        unsigned char c2 = static_cast<unsigned char>(s[i + 2]);
        if ((c1 == 0x80 && c2 >= 0xaa && c2 <= 0xae) || (c1 == 0x81 && c2 >= 0xa6 && c2 <= 0xa9)) {
          out += "\\u20";
          unsigned v = c1 == 0x80 ? (c2 - 0x80) : (0x40 + (c2 - 0x80));
          out.push_back(hex[v >> 4]);
          out.push_back(hex[v & 15]);
          i += 3;
          continue;
        }
      }
      if (ok) {
        out.append(s.substr(i, size_t(len)));
        i += size_t(len);
      } else {
        out += "\xef\xbf\xbd";
        ++i;
      }
    }
  }
  return out;
}

std::string html_escape(std::string_view s) {
  std::string c = clean_text(s);
  std::string out;
  out.reserve(c.size() + c.size() / 8);
  for (char ch : c) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(ch);
    }
  }
  return out;
}

std::string md_escape(std::string_view s) {
  std::string c = clean_text(s);
  std::string out;
  out.reserve(c.size() + c.size() / 8);
  for (char ch : c) {
    switch (ch) {
      case '\\': case '`': case '*': case '_': case '[': case ']': case '<': case '>':
      case '|': case '#': case '~': case '&': case '!':
        out.push_back('\\');
        out.push_back(ch);
        break;
      default: out.push_back(ch);
    }
  }
  return out;
}

std::string md_code_block(const std::vector<std::string>& lines) {
  size_t longest = 0;
  std::vector<std::string> clean;
  clean.reserve(lines.size());
  for (const auto& l : lines) {
    clean.push_back(clean_text(l));
    size_t run = 0;
    for (char ch : clean.back()) {
      run = ch == '`' ? run + 1 : 0;
      if (run > longest) longest = run;
    }
  }
  std::string fence(longest >= 3 ? longest + 1 : 3, '`');
  std::string out = fence + "text\n";
  for (const auto& l : clean) out += l + "\n";
  out += fence + "\n";
  return out;
}

std::string shell_quote(std::string_view s) {
  bool plain = !s.empty();
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (!(std::isalnum(u) || c == '/' || c == '.' || c == '_' || c == '-' || c == ':' || c == '+' ||
          c == ',' || c == '@' || c == '=')) {
      plain = false;
      break;
    }
  }
  if (plain) return std::string(s);
  std::string out = "'";
  for (char c : clean_text(s)) {
    if (c == '\'')
      out += "'\\''";
    else
      out.push_back(c);
  }
  out += "'";
  return out;
}

size_t columns(std::string_view s) {
  size_t n = 0;
  for (char c : s)
    if ((static_cast<unsigned char>(c) & 0xc0) != 0x80) ++n;
  return n;
}

std::string truncate_cols(std::string_view s, size_t cols) {
  if (columns(s) <= cols) return std::string(s);
  size_t keep = cols >= 3 ? cols - 3 : 0;
  size_t n = 0, i = 0;
  for (; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xc0) != 0x80) {
      if (n == keep) break;
      ++n;
    }
  }
  return std::string(s.substr(0, i)) + std::string("...").substr(0, cols - keep);
}

std::vector<std::string> wrap(std::string_view s, size_t width) {
  std::vector<std::string> lines;
  if (width < 8) width = 8;
  std::string cur;
  size_t cur_cols = 0;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\n')) ++i;
    size_t j = i;
    while (j < s.size() && s[j] != ' ' && s[j] != '\n') ++j;
    if (j == i) break;
    std::string_view word = s.substr(i, j - i);
    i = j;
    size_t wc = columns(word);
    if (cur_cols > 0 && cur_cols + 1 + wc <= width) {
      cur += ' ';
      cur += word;
      cur_cols += 1 + wc;
      continue;
    }
    if (cur_cols > 0) {
      lines.push_back(std::move(cur));
      cur.clear();
      cur_cols = 0;
    }
    if (wc <= width) {
      cur.assign(word);
      cur_cols = wc;
    } else {
      lines.push_back(truncate_cols(word, width));
    }
  }
  if (cur_cols > 0) lines.push_back(std::move(cur));
  return lines;
}

}  // namespace rstscope::report
