// Small, allocation-free text helpers for hand-written field splitting on hot paths.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace rstscope {

inline bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
inline bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}
bool iequals(std::string_view a, std::string_view b);
bool icontains(std::string_view hay, std::string_view needle);
std::string_view trim(std::string_view s);
void to_lower_inplace(std::string& s);

// Integer parsing; false on empty, sign-only, overflow or trailing garbage.
bool parse_int(std::string_view s, int64_t& out);
// Decimal seconds/ms parsing ("0.001", "12", "-1"); false on garbage.
bool parse_double(std::string_view s, double& out);

// Takes the next token from `s` (skipping leading spaces). A token is "quoted" (quotes removed,
// backslash escapes left as written), [bracketed] (brackets removed), or runs to the next space.
// Returns false when s holds no more tokens.
bool next_token(std::string_view& s, std::string_view& token);
// Takes text up to `delim` (not included); consumes the delimiter. False when s is empty.
bool next_field(std::string_view& s, char delim, std::string_view& field);

// "1.2.3.4:5678", "[2001:db8::1]:443", "host:80", "1.2.3.4" -> host and port (kNull-like -1 if none).
// A bare IPv6 address without brackets is all host.
void split_host_port(std::string_view s, std::string_view& host, int64_t& port);
bool looks_like_ipv4(std::string_view s);
// An IPv4 address, or an IPv6 one (hex digits, ':' and dots, at least two ':'); no allocation.
bool looks_like_ip(std::string_view s);

// Appends s to out as the inside of a JSON string (escapes quotes, backslash, control bytes;
// invalid UTF-8 bytes become \u00XX of the byte so the JSON stays valid).
void json_escape_append(std::string& out, std::string_view s);

}  // namespace rstscope
