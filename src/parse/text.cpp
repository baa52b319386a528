#include "rstscope/text.h"

#include <charconv>
#include <cstdio>
#include <cstdlib>

namespace rstscope {

static inline char lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c + 32) : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

bool icontains(std::string_view hay, std::string_view needle) {
  if (needle.empty()) return true;
  if (needle.size() > hay.size()) return false;
  for (size_t i = 0; i + needle.size() <= hay.size(); ++i)
    if (iequals(hay.substr(i, needle.size()), needle)) return true;
  return false;
}

std::string_view trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\r' || s[b] == '\n')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r' || s[e - 1] == '\n')) --e;
  return s.substr(b, e - b);
}

void to_lower_inplace(std::string& s) {
  for (char& c : s) c = lower(c);
}

bool parse_int(std::string_view s, int64_t& out) {
  if (s.empty()) return false;
  const char* b = s.data();
  const char* e = b + s.size();
  if (*b == '+') ++b;
  auto r = std::from_chars(b, e, out);
  return r.ec == std::errc() && r.ptr == e;
}

bool parse_double(std::string_view s, double& out) {
  if (s.empty()) return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

bool next_token(std::string_view& s, std::string_view& token) {
  size_t i = 0;
  while (i < s.size() && s[i] == ' ') ++i;
  if (i >= s.size()) {
    s = {};
    return false;
  }
  char c = s[i];
  if (c == '"') {
    size_t j = i + 1;
    while (j < s.size() && s[j] != '"') {
      if (s[j] == '\\' && j + 1 < s.size()) ++j;
      ++j;
    }
    token = s.substr(i + 1, j - i - 1);
    s = j < s.size() ? s.substr(j + 1) : std::string_view{};
    return true;
  }
  if (c == '[') {
    size_t j = s.find(']', i + 1);
    if (j == std::string_view::npos) j = s.size();
    token = s.substr(i + 1, j - i - 1);
    s = j < s.size() ? s.substr(j + 1) : std::string_view{};
    return true;
  }
  size_t j = s.find(' ', i);
  if (j == std::string_view::npos) j = s.size();
  token = s.substr(i, j - i);
  s = s.substr(j);
  return true;
}

bool next_field(std::string_view& s, char delim, std::string_view& field) {
  if (s.data() == nullptr) return false;
  size_t j = s.find(delim);
  if (j == std::string_view::npos) {
    field = s;
    s = std::string_view{};
    return true;
  }
  field = s.substr(0, j);
  s = s.substr(j + 1);
  if (s.empty()) s = std::string_view(field.data() + field.size() + 1, 0);
  return true;
}

void split_host_port(std::string_view s, std::string_view& host, int64_t& port) {
  port = -1;
  host = s;
  if (s.empty()) return;
  if (s.front() == '[') {
    size_t close = s.find(']');
    if (close == std::string_view::npos) return;
    host = s.substr(1, close - 1);
    if (close + 1 < s.size() && s[close + 1] == ':') {
      int64_t p;
      if (parse_int(s.substr(close + 2), p)) port = p;
    }
    return;
  }
  size_t colon = s.rfind(':');
  if (colon == std::string_view::npos) return;
  if (s.find(':') != colon) return;  // bare IPv6
  int64_t p;
  if (parse_int(s.substr(colon + 1), p) && p >= 0 && p <= 65535) {
    host = s.substr(0, colon);
    port = p;
  }
}

bool looks_like_ipv4(std::string_view s) {
  int dots = 0, digits = 0;
  for (char c : s) {
    if (c == '.') {
      if (digits == 0) return false;
      ++dots;
      digits = 0;
    } else if (c >= '0' && c <= '9') {
      if (++digits > 3) return false;
    } else {
      return false;
    }
  }
  return dots == 3 && digits > 0;
}

bool looks_like_ip(std::string_view s) {
  if (looks_like_ipv4(s)) return true;
  int colons = 0;
  for (char c : s) {
    if (c == ':') ++colons;
    else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '.')) return false;
  }
  return colons >= 2;
}

void json_escape_append(std::string& out, std::string_view s) {
  static const char* hex = "0123456789abcdef";
  size_t i = 0;
  while (i < s.size()) {
    // A run of printable ASCII other than '"' and '\\' (nearly all of a log's text) is copied at once.
    size_t run = i;
    while (run < s.size()) {
      unsigned char r = static_cast<unsigned char>(s[run]);
      if (r < 0x20 || r >= 0x7f || r == '"' || r == '\\') break;
      ++run;
    }
    if (run > i) {
      out.append(s.data() + i, run - i);
      i = run;
      if (i == s.size()) break;
    }
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(char(c));
      ++i;
    } else if (c < 0x20 || c == 0x7f) {
      switch (c) {
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        case '\r': out += "\\r"; break;
        default:
          out += "\\u00";
          out.push_back(hex[c >> 4]);
          out.push_back(hex[c & 15]);
      }
      ++i;
    } else if (c < 0x80) {
      out.push_back(char(c));
      ++i;
    } else {
      // Validate one UTF-8 sequence; copy it if valid, else escape the byte.
      int len = (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
      bool ok = len > 0 && i + size_t(len) <= s.size();
      for (int k = 1; ok && k < len; ++k)
        ok = (static_cast<unsigned char>(s[i + size_t(k)]) >> 6) == 2;
      if (ok) {
        out.append(s.substr(i, size_t(len)));
        i += size_t(len);
      } else {
        out += "\\u00";
        out.push_back(hex[c >> 4]);
        out.push_back(hex[c & 15]);
        ++i;
      }
    }
  }
}

}  // namespace rstscope
