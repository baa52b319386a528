#include "correlate/skew.h"

#include <algorithm>
#include <cstdlib>
#include <tuple>

namespace rstscope::correlate {

SkewPairs::SkewPairs(std::vector<SkewEvent> s, int64_t collect) : collect_(collect) {
  std::sort(s.begin(), s.end(), [](const SkewEvent& a, const SkewEvent& b) {
    return std::tie(a.client_port, a.server_port, a.client_ip, a.ts) <
           std::tie(b.client_port, b.server_port, b.client_ip, b.ts);
  });
  ts_.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (i == 0 || s[i].client_port != s[i - 1].client_port || s[i].server_port != s[i - 1].server_port ||
        s[i].client_ip != s[i - 1].client_ip)
      groups_.push_back({s[i].client_port, s[i].server_port, s[i].client_ip, uint32_t(i), uint32_t(i)});
    ts_.push_back(s[i].ts);
    groups_.back().end = uint32_t(i + 1);
  }
}

int64_t SkewPairs::count_le(const std::vector<Run>& runs, int64_t x) const {
  int64_t n = 0;
  const int64_t* t = ts_.data();
  for (const Run& r : runs) n += std::upper_bound(t + r.lo, t + r.hi, r.base + x) - (t + r.lo);
  return n;
}

void SkewPairs::collect(const std::vector<Run>& runs, int64_t from, int64_t to, std::vector<int64_t>& out, bool dev,
                        int64_t center) const {
  if (from > to) return;
  const int64_t* t = ts_.data();
  for (const Run& r : runs) {
    const int64_t* b = std::lower_bound(t + r.lo, t + r.hi, r.base + from);
    const int64_t* e = std::upper_bound(b, t + r.hi, r.base + to);
    for (; b != e; ++b) out.push_back(dev ? std::llabs(*b - r.base - center) : *b - r.base);
  }
}

int64_t SkewPairs::select(const std::vector<Run>& runs, int64_t n, int64_t k, bool dev, int64_t center) const {
  // How many values are <= v: differences, or deviations |difference - center| (integers, so
  // "< c - v" is "<= c - v - 1").
  auto count = [&](int64_t v) -> int64_t {
    if (!dev) return count_le(runs, v);
    if (v < 0) return 0;
    return count_le(runs, center + v) - count_le(runs, center - v - 1);
  };
  // Invariant: count(lo) <= k < count(hi); the answer lies in (lo, hi].
  int64_t lo = dev ? -1 : -kWindowUs - 1, hi = dev ? 2 * kWindowUs : kWindowUs;
  int64_t count_lo = 0, count_hi = n;
  std::vector<int64_t> values;
  while (hi - lo > 1) {
    if (count_hi - count_lo <= collect_) {
      values.reserve(size_t(count_hi - count_lo));
      if (!dev) {
        collect(runs, lo + 1, hi, values, false, 0);
      } else {
        collect(runs, center - hi, center - lo - 1, values, true, center);
        collect(runs, std::max(center + lo + 1, center - lo), center + hi, values, true, center);
      }
      auto nth = values.begin() + (k - count_lo);
      std::nth_element(values.begin(), nth, values.end());
      return *nth;
    }
    int64_t mid = lo + (hi - lo) / 2, c = count(mid);
    if (c > k) hi = mid, count_hi = c;
    else lo = mid, count_lo = c;
  }
  return hi;
}

SkewEstimate SkewPairs::estimate(const std::vector<SkewEvent>& client) const {
  std::vector<Run> runs;
  SkewEstimate est;
  for (const SkewEvent& c : client) {
    auto g = std::lower_bound(groups_.begin(), groups_.end(), c.client_port,
                              [](const Group& x, int32_t port) { return x.client_port < port; });
    for (; g != groups_.end() && g->client_port == c.client_port; ++g) {
      if (g->server_port >= 0 && c.server_port >= 0 && g->server_port != c.server_port) continue;
      if (g->client_ip && c.client_ip && g->client_ip != c.client_ip) continue;
      const int64_t *b = ts_.data() + g->begin, *e = ts_.data() + g->end;
      uint32_t lo = uint32_t(std::lower_bound(b, e, c.ts - kWindowUs) - ts_.data());
      uint32_t hi = uint32_t(std::upper_bound(b, e, c.ts + kWindowUs) - ts_.data());
      if (hi > lo) {
        runs.push_back({lo, hi, c.ts});
        est.pairs += hi - lo;
      }
    }
  }
  if (est.pairs == 0) return est;
  int64_t n = est.pairs;
  auto median = [&](bool dev, int64_t center) {
    if (n % 2) return select(runs, n, n / 2, dev, center);
    return (select(runs, n, n / 2 - 1, dev, center) + select(runs, n, n / 2, dev, center)) / 2;
  };
  est.median = median(false, 0);
  est.mad = median(true, est.median);
  return est;
}

}  // namespace rstscope::correlate
