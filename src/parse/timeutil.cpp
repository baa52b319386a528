#include "rstscope/timeutil.h"

#include <date/tz.h>

#include <chrono>
#include <cstdio>
#include <stdexcept>

#include "rstscope/event.h"
#include "rstscope/text.h"

namespace rstscope {
namespace {

inline bool digit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly n digits at s[i]; false if not digits.
inline bool digits(std::string_view s, size_t i, size_t n, int& out) {
  if (i + n > s.size()) return false;
  int v = 0;
  for (size_t k = 0; k < n; ++k) {
    char c = s[i + k];
    if (!digit(c)) return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

// Reads 1 or 2 digits.
inline size_t digits12(std::string_view s, size_t i, int& out) {
  if (i >= s.size() || !digit(s[i])) return 0;
  out = s[i] - '0';
  if (i + 1 < s.size() && digit(s[i + 1])) {
    out = out * 10 + (s[i + 1] - '0');
    return 2;
  }
  return 1;
}

// Fraction after '.' or ','; returns bytes consumed including the separator.
inline size_t fraction(std::string_view s, size_t i, int64_t& micros) {
  micros = 0;
  if (i >= s.size() || (s[i] != '.' && s[i] != ',')) return 0;
  size_t j = i + 1;
  int64_t v = 0;
  int n = 0;
  while (j < s.size() && digit(s[j])) {
    if (n < 6) {
      v = v * 10 + (s[j] - '0');
      ++n;
    }
    ++j;
  }
  if (j == i + 1) return 0;
  while (n < 6) {
    v *= 10;
    ++n;
  }
  micros = v;
  return j - i;
}

bool valid(const CivilTime& c) {
  return c.month >= 1 && c.month <= 12 && c.day >= 1 && c.day <= 31 && c.hour >= 0 &&
         c.hour <= 23 && c.minute >= 0 && c.minute <= 59 && c.second >= 0 && c.second <= 60;
}

}  // namespace

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

int64_t civil_to_us(const CivilTime& c) {
  int64_t days = days_from_civil(c.year, unsigned(c.month), unsigned(c.day));
  int64_t secs = days * 86400 + c.hour * 3600 + c.minute * 60 + c.second;
  return secs * 1000000 + c.micros;
}

static void civil_from_us(int64_t us, int& y, int& mo, int& d, int& h, int& mi, int& s, int64_t& frac) {
  int64_t secs = us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);
  frac = us - secs * 1000000;
  int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
  int64_t rem = secs - days * 86400;
  h = int(rem / 3600);
  mi = int(rem % 3600 / 60);
  s = int(rem % 60);
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = int(doy - (153 * mp + 2) / 5 + 1);
  mo = int(mp < 10 ? mp + 3 : mp - 9);
  y = int(static_cast<int64_t>(yoe) + era * 400 + (mo <= 2));
}

std::string format_iso_ms(int64_t us) {
  if (us == kNull) return {};
  int y, mo, d, h, mi, s;
  int64_t frac;
  civil_from_us(us, y, mo, d, h, mi, s, frac);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", y, mo, d, h, mi, s,
                int(frac / 1000));
  return buf;
}

std::string format_iso(int64_t us) {
  if (us == kNull) return {};
  if (us % 1000 == 0) return format_iso_ms(us);
  int y, mo, d, h, mi, s;
  int64_t frac;
  civil_from_us(us, y, mo, d, h, mi, s, frac);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", y, mo, d, h, mi, s, int(frac));
  return buf;
}

int month_from_abbr(std::string_view t) {
  static const char* names[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                "jul", "aug", "sep", "oct", "nov", "dec"};
  if (t.size() < 3) return 0;
  char a = char(t[0] | 0x20), b = char(t[1] | 0x20), c = char(t[2] | 0x20);
  for (int i = 0; i < 12; ++i)
    if (names[i][0] == a && names[i][1] == b && names[i][2] == c) return i + 1;
  return 0;
}

size_t parse_zone_offset(std::string_view s, int& seconds) {
  seconds = 0;
  if (s.empty()) return 0;
  if (s[0] == 'Z') return 1;
  if (starts_with(s, "UTC") || starts_with(s, "GMT")) {
    if (s.size() > 3 && (s[3] == '+' || s[3] == '-')) {
      size_t n = parse_zone_offset(s.substr(3), seconds);
      return n ? 3 + n : 3;
    }
    return 3;
  }
  if (s[0] != '+' && s[0] != '-') return 0;
  int sign = s[0] == '-' ? -1 : 1;
  int hh, mm = 0;
  if (!digits(s, 1, 2, hh)) return 0;
  size_t n = 3;
  if (n < s.size() && s[n] == ':') {
    if (!digits(s, n + 1, 2, mm)) return 0;
    n += 3;
  } else if (digits(s, n, 2, mm)) {
    n += 2;
  }
  if (hh > 14 || mm > 59) return 0;
  seconds = sign * (hh * 3600 + mm * 60);
  return n;
}

size_t parse_iso8601(std::string_view s, CivilTime& c) {
  c = CivilTime{};
  if (!digits(s, 0, 4, c.year)) return 0;
  if (s.size() < 19 || (s[4] != '-' && s[4] != '/')) return 0;
  if (!digits(s, 5, 2, c.month) || s[7] != s[4] || !digits(s, 8, 2, c.day)) return 0;
  if (s[10] != 'T' && s[10] != ' ') return 0;
  if (!digits(s, 11, 2, c.hour) || s[13] != ':' || !digits(s, 14, 2, c.minute) || s[16] != ':' ||
      !digits(s, 17, 2, c.second))
    return 0;
  size_t n = 19;
  n += fraction(s, n, c.micros);
  size_t z = parse_zone_offset(s.substr(n), c.offset_seconds);
  if (z == 0 && n < s.size() && s[n] == ' ') {
    // "2026-11-23 20:34:33 +0000" / " UTC"
    size_t z2 = parse_zone_offset(s.substr(n + 1), c.offset_seconds);
    if (z2 && (n + 1 + z2 == s.size() || s[n + 1 + z2] == ' ' || s[n + 1 + z2] == ']')) z = z2 + 1;
  }
  if (z) {
    c.has_offset = true;
    n += z;
  }
  return valid(c) ? n : 0;
}

size_t parse_clf_time(std::string_view s, CivilTime& c) {
  // 23/Nov/2026:20:34:33 +0000
  c = CivilTime{};
  if (s.size() < 20) return 0;
  if (!digits(s, 0, 2, c.day) || s[2] != '/') return 0;
  c.month = month_from_abbr(s.substr(3, 3));
  if (!c.month || s[6] != '/' || !digits(s, 7, 4, c.year) || s[11] != ':') return 0;
  if (!digits(s, 12, 2, c.hour) || s[14] != ':' || !digits(s, 15, 2, c.minute) || s[17] != ':' ||
      !digits(s, 18, 2, c.second))
    return 0;
  size_t n = 20;
  n += fraction(s, n, c.micros);
  if (n < s.size() && s[n] == ' ') {
    size_t z = parse_zone_offset(s.substr(n + 1), c.offset_seconds);
    if (z) {
      c.has_offset = true;
      n += 1 + z;
    }
  }
  return valid(c) ? n : 0;
}

size_t parse_syslog_time(std::string_view s, CivilTime& c) {
  // "Nov 23 20:34:33" or "Nov  3 20:34:33"
  c = CivilTime{};
  if (s.size() < 15) return 0;
  c.month = month_from_abbr(s.substr(0, 3));
  if (!c.month || s[3] != ' ') return 0;
  size_t i = 4;
  if (s[i] == ' ') ++i;
  size_t n = digits12(s, i, c.day);
  if (!n) return 0;
  i += n;
  if (i >= s.size() || s[i] != ' ') return 0;
  ++i;
  if (!digits(s, i, 2, c.hour) || i + 8 > s.size() || s[i + 2] != ':' || !digits(s, i + 3, 2, c.minute) ||
      s[i + 5] != ':' || !digits(s, i + 6, 2, c.second))
    return 0;
  i += 8;
  i += fraction(s, i, c.micros);
  // Some syslog variants add the year: "Nov 23 2026 20:34:33" is handled by callers.
  return valid(c) ? i : 0;
}

size_t parse_epoch(std::string_view s, CivilTime& c) {
  c = CivilTime{};
  size_t i = 0;
  while (i < s.size() && digit(s[i])) ++i;
  if (i != 10 && i != 13) return 0;
  if (i < s.size() && (digit(s[i]) || s[i] == ':' || s[i] == '-')) return 0;
  int64_t v = 0;
  for (size_t k = 0; k < i; ++k) v = v * 10 + (s[k] - '0');
  int64_t us;
  size_t n = i;
  if (i == 13) {
    us = v * 1000;
  } else {
    int64_t frac = 0;
    n += fraction(s, i, frac);
    if (n < s.size() && s[n] == ',') return 0;
    us = v * 1000000 + frac;
  }
  int y, mo, d, h, mi, sec;
  int64_t f;
  civil_from_us(us, y, mo, d, h, mi, sec, f);
  c.year = y; c.month = mo; c.day = d; c.hour = h; c.minute = mi; c.second = sec; c.micros = f;
  c.has_offset = true;
  c.offset_seconds = 0;
  return n;
}

static size_t parse_ampm_clock(std::string_view s, size_t i, CivilTime& c) {
  // "8:34:33 PM" / "08:34:33.123 AM" / "20:34:33"
  size_t n = digits12(s, i, c.hour);
  if (!n) return 0;
  i += n;
  if (i + 6 > s.size() || s[i] != ':' || !digits(s, i + 1, 2, c.minute) || s[i + 3] != ':' ||
      !digits(s, i + 4, 2, c.second))
    return 0;
  i += 6;
  i += fraction(s, i, c.micros);
  if (i + 3 <= s.size() && s[i] == ' ' && (s[i + 1] == 'A' || s[i + 1] == 'P' || s[i + 1] == 'a' ||
                                             s[i + 1] == 'p') &&
      (s[i + 2] == 'M' || s[i + 2] == 'm')) {
    bool pm = s[i + 1] == 'P' || s[i + 1] == 'p';
    if (c.hour == 12) c.hour = 0;
    if (pm) c.hour += 12;
    i += 3;
  }
  return i;
}

size_t parse_any_time(std::string_view s, CivilTime& c) {
  if (s.empty()) return 0;
  size_t n;
  if (digit(s[0])) {
    if ((n = parse_iso8601(s, c))) return n;
    if ((n = parse_clf_time(s, c))) return n;
    // .NET "11/23/2026 8:34:33 PM" (month first, US invariant culture)
    c = CivilTime{};
    size_t i = digits12(s, 0, c.month);
    if (i && i < s.size() && s[i] == '/') {
      size_t j = digits12(s, i + 1, c.day);
      if (j && i + 1 + j < s.size() && s[i + 1 + j] == '/' && digits(s, i + 2 + j, 4, c.year) &&
          i + 6 + j < s.size() && s[i + 6 + j] == ' ') {
        size_t k = parse_ampm_clock(s, i + 7 + j, c);
        if (k && valid(c)) return k;
      }
    }
    if ((n = parse_epoch(s, c))) return n;
    return 0;
  }
  if (s[0] == '[') {
    n = parse_any_time(s.substr(1), c);
    if (n && n + 1 < s.size() && s[n + 1] == ']') return n + 2;
    return 0;
  }
  if ((n = parse_syslog_time(s, c))) return n;
  // Java "Nov 23, 2026 8:34:33 PM"
  c = CivilTime{};
  c.month = month_from_abbr(s);
  if (c.month && s.size() > 12 && s[3] == ' ') {
    size_t i = 4;
    size_t k = digits12(s, i, c.day);
    if (k && i + k + 7 < s.size() && s[i + k] == ',' && s[i + k + 1] == ' ' &&
        digits(s, i + k + 2, 4, c.year) && s[i + k + 6] == ' ') {
      size_t e = parse_ampm_clock(s, i + k + 7, c);
      if (e && valid(c)) return e;
    }
  }
  // "Mon Nov 23 20:34:33 2026" / "Mon Nov 23 20:34:33.123456 2026" (Apache error log, ctime)
  if (s.size() > 24 && s[3] == ' ') {
    CivilTime t;
    size_t k = parse_syslog_time(s.substr(4), t);
    if (k && 4 + k + 5 <= s.size() && s[4 + k] == ' ' && digits(s, 5 + k, 4, t.year)) {
      c = t;
      return 9 + k;
    }
  }
  return 0;
}

bool parse_duration_ms(std::string_view s, int64_t& ms, int64_t default_unit_ms) {
  s = trim(s);
  if (s.empty()) return false;
  int64_t total = 0;
  size_t i = 0;
  bool any = false;
  while (i < s.size()) {
    size_t j = i;
    while (j < s.size() && (digit(s[j]) || s[j] == '.')) ++j;
    if (j == i) return false;
    double v;
    if (!parse_double(s.substr(i, j - i), v)) return false;
    size_t k = j;
    while (k < s.size() && ((s[k] >= 'a' && s[k] <= 'z') || (s[k] >= 'A' && s[k] <= 'Z'))) ++k;
    std::string_view unit = s.substr(j, k - j);
    double mult;
    if (unit.empty()) mult = double(default_unit_ms);
    else if (unit == "ms") mult = 1;
    else if (unit == "us") mult = 0.001;
    else if (unit == "s" || unit == "sec") mult = 1000;
    else if (unit == "m" || unit == "min") mult = 60000;
    else if (unit == "h") mult = 3600000;
    else if (unit == "d") mult = 86400000;
    else if (unit == "w") mult = 7 * 86400000.0;
    else if (unit == "M") mult = 30 * 86400000.0;
    else if (unit == "y") mult = 365 * 86400000.0;
    else return false;
    total += int64_t(v * mult + 0.5);
    any = true;
    i = k;
    while (i < s.size() && s[i] == ' ') ++i;
  }
  if (!any) return false;
  ms = total;
  return true;
}

TimeResolver::TimeResolver(std::string_view zone) {
  if (zone.empty() || zone == "UTC" || zone == "utc" || zone == "Z") {
    has_zone_ = !zone.empty();
    fixed_ = true;
    fixed_offset_ = 0;
    return;
  }
  int off;
  size_t n = parse_zone_offset(zone, off);
  if (n && n == zone.size()) {
    has_zone_ = true;
    fixed_ = true;
    fixed_offset_ = off;
    return;
  }
  try {
    tz_ = date::locate_zone(std::string(zone));
  } catch (const std::exception& e) {
    throw std::runtime_error("unknown time zone '" + std::string(zone) +
                             "': use an IANA name such as Europe/Berlin or an offset such as +01:00");
  }
  has_zone_ = true;
}

int TimeResolver::year_for(int month) {
  if (ref_year_ == 0) ref_year_ = 1970;
  if (last_month_ == 0) {
    // First year-less record: a month after the reference month means last year.
    year_shift_ = month > ref_month_ ? -1 : 0;
  } else if (month < last_month_ && last_month_ - month >= 6) {
    ++year_shift_;  // Dec -> Jan inside the file
  } else if (month > last_month_ && month - last_month_ >= 6) {
    --year_shift_;  // out-of-order line from the end of last year
  }
  last_month_ = month;
  return ref_year_ + year_shift_;
}

int64_t TimeResolver::to_utc_us(CivilTime c, bool* assumed) {
  if (c.year == 0) c.year = year_for(c.month);
  int64_t local = civil_to_us(c);
  if (c.has_offset) {
    if (assumed) *assumed = false;
    return local - int64_t(c.offset_seconds) * 1000000;
  }
  if (assumed) *assumed = has_zone_;
  if (fixed_) return local - int64_t(fixed_offset_) * 1000000;
  int64_t hour = local / 3600000000LL;
  if (hour != cached_local_hour_) {
    using namespace std::chrono;
    date::local_seconds ls{seconds{hour * 3600}};
    date::local_info info = tz_->get_info(ls);
    auto off = info.first.offset;  // for ambiguous/nonexistent times take the earlier offset
    cached_offset_us_ = duration_cast<microseconds>(off).count();
    cached_local_hour_ = hour;
  }
  return local - cached_offset_us_;
}

bool TimeResolver::resolve(CivilTime c, Event& ev) {
  if (!valid(c)) return false;
  bool assumed = false;
  ev.ts = to_utc_us(c, &assumed);
  ev.ts_zone = c.has_offset ? ZoneSource::explicit_ : assumed ? ZoneSource::assumed : ZoneSource::inferred;
  return true;
}

}  // namespace rstscope
