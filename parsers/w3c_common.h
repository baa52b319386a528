// W3C extended log format engine shared by iis-w3c and iis-httperr (signatures.md B6):
// directives (#Fields:, #Date:, #GMT-Offset:, #Software:) drive the field layout; the layout may
// change mid-file (a new #Fields: line); lines whose field count does not match the current
// layout (or files without any #Fields:) fall back to the well-known IIS / HTTP.sys layouts of
// the same field count. Values are space separated (runs of spaces collapse), "quoted" values
// may hold spaces ("" escapes a quote), '-' means empty.
//
// Contract: W3cFile is a FileParser for one file (not thread-safe). Directive lines produce no
// event and are not "unparsed"; a data line yields exactly one Event or one unparsed record.
// Cost: one pass to split a line into at most kMaxW3cFields views, one switch per field; no
// allocation per record (field names of unknown columns are kept per layout, not per line).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rstscope/parser.h"

namespace rstscope::w3c {

inline constexpr size_t kMaxW3cFields = 64;

enum class Field : uint8_t {
  other,
  date,
  time,
  date_local,
  time_local,
  c_ip,
  c_port,
  s_ip,
  s_port,
  cs_method,
  cs_uri_stem,
  cs_uri_query,
  cs_uri,
  cs_version,
  sc_status,
  sc_substatus,
  sc_win32_status,
  sc_bytes,
  cs_bytes,
  time_taken_ms,
  cs_host,
  user_agent,
  referer,
  cookie,
  username,
  sitename,
  computername,
  s_reason,
  s_queuename,
  s_siteid,
  streamid,
  x_forwarded_for,
};

Field field_from_name(std::string_view name);

// Which well-known layouts to fall back to when a line does not fit the header.
enum class Flavor : uint8_t { iis, httperr };

// Category of an HTTP.sys s-reason (Timer_ConnectionIdle -> idle-close, Connection_Dropped ->
// conn-dropped, ...); "" when unknown.
std::string_view httperr_category(std::string_view reason);
// Category of an IIS sc-win32-status (64 -> client-closed, 1236 -> server-abort, ...); "" for 0/unknown.
std::string_view win32_category(int64_t code);

// True when the line starts "YYYY-MM-DD HH:MM:SS".
bool starts_with_date_time(std::string_view l);
// Splits a data line (see the header comment); returns the number of values.
size_t split_values(std::string_view l, std::array<std::string_view, kMaxW3cFields>& out);
// Does a headerless line fit a well-known layout of this flavor (by count and content)?
bool fits_default_layout(std::string_view l, Flavor flavor);

class W3cFile : public FileParser {
 public:
  W3cFile(const ParseContext& ctx, Flavor flavor, Role role);
  void record(const Record& rec, Emitter& out) override;

 private:
  struct Layout {
    std::vector<Field> kinds;
    std::vector<std::string> names;
  };
  void directive(std::string_view l);
  void set_layout(Layout& lay, std::string_view spec);
  const Layout* layout_for(size_t count) const;

  ParseContext ctx_;
  Flavor flavor_;
  Role role_;
  Layout header_;
  bool has_header_ = false;
  std::vector<Layout> defaults_;
  int date_y_ = 0, date_m_ = 0, date_d_ = 0;  // from #Date: for layouts without a date field
  bool has_gmt_offset_ = false;
  int gmt_offset_ = 0;
  std::array<std::string_view, kMaxW3cFields> vals_{};
};

}  // namespace rstscope::w3c
