// Time helpers shared by all parsers: fast hand-written parsers for the common timestamp shapes
// and TimeResolver, which turns a broken-down local time into UTC microseconds.
//
// Contract: the parse_* functions take the text at the start of `s`, return the number of bytes
// consumed (0 = no match) and never allocate. TimeResolver is per file, not thread-safe; it
// caches the zone offset per local hour, so a lookup costs a compare in steady state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace date { class time_zone; }

namespace rstscope {

struct Event;

struct CivilTime {
  int year = 0;  // 0 = the text had no year (syslog): TimeResolver supplies it
  int month = 0, day = 0, hour = 0, minute = 0, second = 0;
  int64_t micros = 0;          // fraction of the second
  bool has_offset = false;     // the text carried a zone ("Z", "+0100", "+01:00")
  int offset_seconds = 0;      // east of UTC
};

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);
// UTC microseconds for a civil time read as UTC (ignores offset fields).
int64_t civil_to_us(const CivilTime& c);
// "2026-11-23T20:34:33.123Z" (milliseconds, always UTC).
std::string format_iso_ms(int64_t us);
// "2026-11-23T20:34:33.123456Z" when there is a sub-millisecond part, else as format_iso_ms.
std::string format_iso(int64_t us);

int month_from_abbr(std::string_view three);  // "Jan".."Dec" (any case) -> 1..12, else 0

// ISO-8601 and close relatives: "2026-11-23T20:34:33", "2026-11-23 20:34:33,123",
// "2026-11-23T20:34:33.123456+01:00", "2026-11-23T20:34:33Z", "2026/11/23 20:34:33".
size_t parse_iso8601(std::string_view s, CivilTime& out);
// Common log format: "23/Nov/2026:20:34:33 +0000" (without the brackets).
size_t parse_clf_time(std::string_view s, CivilTime& out);
// Syslog RFC 3164: "Nov 23 20:34:33" / "Nov  3 20:34:33" (year = 0), optional ".123456" fraction.
size_t parse_syslog_time(std::string_view s, CivilTime& out);
// Epoch seconds ("1700000000", "1700000000.123") or milliseconds (13 digits) -> civil UTC.
size_t parse_epoch(std::string_view s, CivilTime& out);
// Any of the above, tried in a sensible order, plus .NET "11/23/2026 8:34:33 PM" and Java
// "Nov 23, 2026 8:34:33 PM".
size_t parse_any_time(std::string_view s, CivilTime& out);
// Parses "+0100", "+01:00", "-05", "Z", "UTC", "GMT" into seconds east; returns bytes consumed.
size_t parse_zone_offset(std::string_view s, int& seconds);

// Parses a duration such as "75s", "1m30s", "500ms", "2h", "75" (seconds by default) into ms.
// Returns false when the text is not a duration. `default_unit_ms` applies to bare numbers.
bool parse_duration_ms(std::string_view s, int64_t& ms, int64_t default_unit_ms = 1000);

class TimeResolver {
 public:
  // zone: IANA name ("Europe/Berlin"), fixed offset ("+01:00"), or "" for UTC-inferred.
  // Throws std::runtime_error for an unknown zone name.
  explicit TimeResolver(std::string_view zone = "");
  // Year for year-less times: the year of the file's mtime, adjusted per record (a month
  // after the mtime month belongs to the previous year; Dec -> Jan inside a file rolls over).
  void set_reference_year(int year, int month) { ref_year_ = year; ref_month_ = month; }
  // Sets ev.ts and ev.ts_zone from c (explicit offset, else the zone, else UTC "inferred").
  // Returns false (and leaves ts null) for an impossible date.
  bool resolve(CivilTime c, Event& ev);
  int64_t to_utc_us(CivilTime c, bool* assumed = nullptr);
  bool has_zone() const { return has_zone_; }

 private:
  int year_for(int month);
  bool has_zone_ = false;
  bool fixed_ = false;
  int fixed_offset_ = 0;
  const date::time_zone* tz_ = nullptr;
  int64_t cached_local_hour_ = INT64_MIN;
  int64_t cached_offset_us_ = 0;
  int ref_year_ = 0, ref_month_ = 12;
  int last_month_ = 0, year_shift_ = 0;
};

}  // namespace rstscope
