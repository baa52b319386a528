// Shared by the config parsers (parsers/config_*.cpp): value normalisation and the one way a
// setting leaves a parser (Emitter::setting() plus a role=config event for the directive).
//
// Contract: SettingSink::emit() writes the Setting, and for settings read from the file (not
// assumed) one event per (line, key) with role=config, category "setting", ev.line = s.line,
// ev.raw = that line of the file, ev.server_ip/server_port from the listener and fields
// {component, scope, listener, key, value, unit, text, status}. A directive inherited by many
// listeners therefore gives one event and one setting row per listener.
// Normalisers return false (and leave the output alone) on text they do not understand.
// Not thread-safe (one sink per file).
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rstscope/parser.h"
#include "rstscope/setting.h"

namespace rstscope::config {

// 1-based line access into a whole-file text.
class LineIndex {
 public:
  explicit LineIndex(std::string_view text);
  std::string_view line(int64_t n) const;  // "" out of range; no trailing '\r'
  int64_t line_of_offset(size_t offset) const;
  int64_t count() const { return static_cast<int64_t>(starts_.size()); }

 private:
  std::string_view text_;
  std::vector<size_t> starts_;
};

class SettingSink {
 public:
  SettingSink(Emitter& out, std::string_view text) : out_(out), lines_(text) {}
  void emit(const Setting& s);
  // The setting only, no event (values read from another file of the bundle, e.g. an include).
  void setting_only(const Setting& s) { out_.setting(s); ++emitted_; }
  // An event without a setting (e.g. a rule or a listener that carries no value).
  void event_only(const Setting& s);
  void warn(int64_t line, std::string_view message) { out_.warn(line, message); }
  const LineIndex& lines() const { return lines_; }
  int64_t emitted() const { return emitted_; }

 private:
  void make_event(const Setting& s);
  Emitter& out_;
  LineIndex lines_;
  std::set<std::pair<int64_t, std::string>> seen_;
  int64_t emitted_ = 0;
};

// Durations: nginx/stunnel-like "75s", "1m30s", "500ms", bare numbers in `default_unit_ms`.
bool duration_ms(std::string_view raw, int64_t default_unit_ms, int64_t& ms);
// .NET TimeSpan "00:01:30", "1.00:00:00", "00:00:00.500"; ISO-8601 "PT1M30S"; also plain durations.
bool timespan_ms(std::string_view raw, int64_t default_unit_ms, int64_t& ms);
// Sizes: "1m", "10k", "1g", "512", "10MB", "1Mi", "0" -> bytes.
bool size_bytes(std::string_view raw, int64_t& bytes);
// TLS protocol rank: SSLv2 0, SSLv3 1, TLSv1 2, TLSv1.1 3, TLSv1.2 4, TLSv1.3 5; -1 otherwise.
// Accepts "TLSv1.2", "TLS1.2", "TLSv1_2", "tlsv12", "1.2".
int tls_rank(std::string_view name);
std::string_view tls_name(int rank);
// A protocol range "TLSv1.2-TLSv1.3" ("TLSv1.3" for one) from a rank bitmask; "" when empty.
std::string tls_range(unsigned mask);
std::string tls_range(int min_rank, int max_rank);
// Apache/mod_ssl style list: "all -SSLv3 -TLSv1", "+TLSv1.2 +TLSv1.3", "TLSv1.2 TLSv1.3".
unsigned tls_mask_from_list(std::string_view list);
// "on"/"yes"/"true"/"1" -> 1, "off"/"no"/"false"/"0" -> 0; false otherwise.
bool parse_bool(std::string_view raw, int64_t& v);

// "ADDR:PORT" listener text ("*:443" when addr is empty, "*" or "0.0.0.0"/"[::]" stays as written
// except empty). IPv6 addresses get brackets.
std::string listener_of(std::string_view addr, int64_t port);

}  // namespace rstscope::config
