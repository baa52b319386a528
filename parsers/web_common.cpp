#include "web_common.h"

#include <array>
#include <cstring>
#include <utility>

#include "rstscope/text.h"

namespace rstscope::web {

std::string_view category_for_status(int64_t status) {
  switch (status) {
    case 400: return "bad-request";
    case 408: return "request-timeout";
    case 413: return "body-too-large";
    case 414:
    case 431:
    case 494: return "request-too-large";
    case 429: return "rate-limited";
    case 460:
    case 499: return "client-closed";
    case 463: return "request-rejected";
    case 500: return "server-error";
    case 502: return "upstream-error";
    case 503: return "unavailable";
    case 504: return "upstream-timeout";
    default: return "request";
  }
}

bool looks_like_tls_hello(std::string_view req) {
  // Apache escapes non-printable bytes as \xHH; nginx too. 0x16 0x03 = TLS handshake record.
  return starts_with(req, "\\x16\\x03") || starts_with(req, "\x16\x03");
}

bool split_request_line(std::string_view req, Event& ev) {
  if (req.empty() || req == "-") return true;
  if (looks_like_tls_hello(req)) {
    ev.fields.add("request", req);
    return false;
  }
  size_t sp1 = req.find(' ');
  if (sp1 == std::string_view::npos) {
    ev.fields.add("request", req);
    return false;
  }
  std::string_view method = req.substr(0, sp1);
  for (char c : method)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' || c == '_')) {
      ev.fields.add("request", req);
      return false;
    }
  ev.method.assign(method);
  std::string_view rest = req.substr(sp1 + 1);
  size_t sp2 = rest.rfind(' ');
  if (sp2 != std::string_view::npos && starts_with(rest.substr(sp2 + 1), "HTTP/")) {
    ev.path.assign(rest.substr(0, sp2));
    ev.protocol.assign(rest.substr(sp2 + 1));
  } else {
    ev.path.assign(rest);
  }
  return true;
}

bool parse_int_or_dash(std::string_view s, int64_t& out) {
  if (s == "-" || s.empty()) {
    out = kNull;
    return true;
  }
  return parse_int(s, out);
}

bool seconds_to_us(std::string_view s, int64_t& us, bool& never) {
  never = false;
  if (s == "-1") {
    never = true;
    us = -1;
    return true;
  }
  // Hand-rolled: "SSS.ffffff" without going through double (exact for up to 6 decimals).
  if (s.empty()) return false;
  int64_t whole = 0, frac = 0;
  size_t i = 0;
  bool any = false;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    whole = whole * 10 + (s[i] - '0');
    ++i;
    any = true;
    if (whole > (int64_t(1) << 40)) return false;
  }
  int digits = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (digits < 6) {
        frac = frac * 10 + (s[i] - '0');
        ++digits;
      }
      ++i;
      any = true;
    }
  }
  if (!any || i != s.size()) return false;
  while (digits < 6) {
    frac *= 10;
    ++digits;
  }
  us = whole * 1000000 + frac;
  return true;
}

void split_addr(std::string_view s, std::string& ip, int64_t& port) {
  port = kNull;
  if (s.empty() || s == "-") return;
  std::string_view h;
  int64_t p = -1;
  split_host_port(s, h, p);
  ip.assign(h);
  if (p >= 0) port = p;
}

bool plain_ascii(std::string_view s) {
  const char* p = s.data();
  size_t n = s.size(), i = 0;
  constexpr uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    if (w & kHigh) return false;                     // a byte >= 0x80
    if ((w - 0x20 * kOnes) & ~w & kHigh) return false;  // a byte < 0x20
    if ((w + kOnes) & kHigh) return false;           // 0x7f
    uint64_t q = w ^ (0x22 * kOnes), b = w ^ (0x5c * kOnes);
    if (((q - kOnes) & ~q & kHigh) | ((b - kOnes) & ~b & kHigh)) return false;  // '"' or '\\'
  }
  for (; i < n; ++i) {
    unsigned char c = static_cast<unsigned char>(p[i]);
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') return false;
  }
  return true;
}

void add_text(FieldWriter& f, std::string_view key, std::string_view value) {
  if (!plain_ascii(value)) {
    f.add(key, value);
    return;
  }
  thread_local std::string scratch;
  scratch.clear();
  scratch.push_back('"');
  scratch.append(value);
  scratch.push_back('"');
  f.add_raw(key, scratch);
}

void add_quoted(FieldWriter& f, std::string_view key, std::string_view inner) {
  if (!plain_ascii(inner)) {
    f.add(key, inner);
    return;
  }
  f.add_raw(key, std::string_view(inner.data() - 1, inner.size() + 2));
}

void add_number_token(FieldWriter& f, std::string_view key, std::string_view digits) {
  bool num = !digits.empty() && digits.size() < 19 && digits[0] != '0';
  for (char c : digits) num &= c >= '0' && c <= '9';
  if (num || digits == "0") f.add_raw(key, digits);
  else add_text(f, key, digits);
}

void FieldBatch::key(std::string_view k) {
  if (first_.empty()) {
    first_ = k;
    return;
  }
  buf_ += ",\"";
  buf_ += k;
  buf_ += "\":";
}

void FieldBatch::text(std::string_view k, std::string_view v) {
  key(k);
  buf_.push_back('"');
  if (plain_ascii(v)) buf_.append(v);
  else json_escape_append(buf_, v);
  buf_.push_back('"');
}

void FieldBatch::raw(std::string_view k, std::string_view json) {
  key(k);
  buf_.append(json);
}

void FieldBatch::number_token(std::string_view k, std::string_view digits) {
  bool num = !digits.empty() && digits.size() < 19 && (digits[0] != '0' || digits.size() == 1);
  for (char c : digits) num &= c >= '0' && c <= '9';
  if (num) raw(k, digits);
  else text(k, digits);
}

void FieldBatch::flush(FieldWriter& f) {
  if (!first_.empty()) f.add_raw(first_, buf_);
  buf_.clear();
  first_ = {};
}

bool path_mentions(std::string_view path, std::string_view needle) { return icontains(path, needle); }

static bool is_status(std::string_view t) {
  return t == "-" || (t.size() == 3 && t[0] >= '0' && t[0] <= '9' && t[1] >= '0' && t[1] <= '9' && t[2] >= '0' &&
                      t[2] <= '9');
}

bool split_clf(std::string_view line, ClfParts& p, std::string_view& rest) {
  std::string_view s = line;
  if (!next_token(s, p.host) || p.host.empty()) return false;
  // ident and user; tolerate a line that lacks them ("HOST [TIME] ...", lnav's bad_access_log).
  size_t i = 0;
  while (i < s.size() && s[i] == ' ') ++i;
  if (i < s.size() && s[i] == '[') {
    p.ident = {};
    p.user = {};
  } else {
    if (!next_token(s, p.ident) || !next_token(s, p.user)) return false;
    i = 0;
    while (i < s.size() && s[i] == ' ') ++i;
    if (i >= s.size() || s[i] != '[') return false;
  }
  if (!next_token(s, p.time)) return false;
  i = 0;
  while (i < s.size() && s[i] == ' ') ++i;
  if (i >= s.size() || s[i] != '"') return false;
  std::string_view at_request = s.substr(i);
  if (!next_token(s, p.request)) return false;
  if (!next_token(s, p.status)) return false;
  if (!is_status(p.status)) {
    // Unescaped quotes inside the request (seen in plaso's fixture): the request ends at the first
    // '"' that is followed by " STATUS ".
    size_t j = 1;
    bool found = false;
    while ((j = at_request.find("\" ", j)) != std::string_view::npos) {
      std::string_view after = at_request.substr(j + 2);
      size_t sp = after.find(' ');
      if (is_status(after.substr(0, sp))) {
        p.request = at_request.substr(1, j - 1);
        s = at_request.substr(j + 1);
        next_token(s, p.status);
        found = true;
        break;
      }
      ++j;
    }
    if (!found) return false;
  }
  if (!next_token(s, p.bytes)) p.bytes = {};
  rest = s;
  return true;
}

std::string_view tls_version_name(int64_t v) {
  switch (v) {
    case 0x0300: return "SSLv3";
    case 0x0301: return "TLSv1";
    case 0x0302: return "TLSv1.1";
    case 0x0303: return "TLSv1.2";
    case 0x0304: return "TLSv1.3";
    default: return {};
  }
}

std::string_view tls_cipher_name(int64_t id) {
  static constexpr std::array<std::pair<int, std::string_view>, 17> kCiphers{{
      {0x002F, "AES128-SHA"},
      {0x0035, "AES256-SHA"},
      {0x009C, "AES128-GCM-SHA256"},
      {0x009D, "AES256-GCM-SHA384"},
      {0x1301, "TLS_AES_128_GCM_SHA256"},
      {0x1302, "TLS_AES_256_GCM_SHA384"},
      {0x1303, "TLS_CHACHA20_POLY1305_SHA256"},
      {0xC009, "ECDHE-ECDSA-AES128-SHA"},
      {0xC00A, "ECDHE-ECDSA-AES256-SHA"},
      {0xC013, "ECDHE-RSA-AES128-SHA"},
      {0xC014, "ECDHE-RSA-AES256-SHA"},
      {0xC02B, "ECDHE-ECDSA-AES128-GCM-SHA256"},
      {0xC02C, "ECDHE-ECDSA-AES256-GCM-SHA384"},
      {0xC02F, "ECDHE-RSA-AES128-GCM-SHA256"},
      {0xC030, "ECDHE-RSA-AES256-GCM-SHA384"},
      {0xCCA8, "ECDHE-RSA-CHACHA20-POLY1305"},
      {0xCCA9, "ECDHE-ECDSA-CHACHA20-POLY1305"},
  }};
  for (const auto& [n, name] : kCiphers)
    if (n == id) return name;
  return {};
}

}  // namespace rstscope::web
