// Shared by the benchmarks and generators: an Emitter that reuses one Event slot and counts, a
// small deterministic random source, and UTC civil time for writing log timestamps.
#pragma once

#include <cstdint>
#include <string_view>

#include "rstscope/parser.h"

namespace rstscope::bench {

class SlotEmitter : public Emitter {
 public:
  Event& event() override {
    slot_.clear();
    ++events;
    return slot_;
  }
  void unparsed(std::string_view) override { ++bad; }
  void setting(const Setting&) override {}
  void warn(int64_t, std::string_view) override {}
  Event slot_;
  int64_t events = 0, bad = 0;
};

// splitmix64: deterministic for a seed, fast, good enough for synthetic logs.
struct SplitMix {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  int below(int n) { return int(next() % uint64_t(n)); }
  bool chance(double p) { return double(next() >> 11) * 0x1.0p-53 < p; }
};

// UTC civil time of a Unix time in microseconds (proleptic Gregorian, days from 1970-01-01).
struct Civil {
  int year, month, day, hour, minute, second, micro;  // month 1..12
};
inline Civil civil_utc(int64_t unix_us) {
  int64_t s = unix_us / 1'000'000, days = s / 86400, rem = s % 86400;
  int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
  unsigned doe = unsigned(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  unsigned d = doy - (153 * mp + 2) / 5 + 1;
  unsigned m = mp < 10 ? mp + 3 : mp - 9;
  int64_t y = int64_t(yoe) + era * 400 + (m <= 2);
  return {int(y), int(m), int(d), int(rem / 3600), int(rem % 3600 / 60), int(rem % 60), int(unix_us % 1'000'000)};
}
inline const char* month_abbr(int month) {
  static const char* k[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  return k[(month - 1) % 12];
}

}  // namespace rstscope::bench
