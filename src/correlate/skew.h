// Clock-skew pairs of one client or firewall source (docs/rules.md "Clock skew"): every client
// event that names its local port (a firewall line: its client port and server port), against every
// proxy, server and TLS event with the same client port, the same server port (or an unknown one on
// either side) and the same client address (or an unknown one on either side) within 10 minutes.
// The estimate is the median of the differences (server - client) and their median absolute
// deviation.
//
// Cost: server events are sorted once by (client port, server port, client address, time); each
// client event is a few binary searches giving sorted runs of differences, so pairs are counted,
// never enumerated.
// A busy keep-alive connection makes every one of its requests pair with every other one within
// 10 minutes (10,000 requests: 10^8 pairs); when there are more than kCollect pairs the median and
// the deviation are found by bisection on the value, counting with one binary search per run, and
// only the last few million pairs are materialised. Exact: the same values as sorting every pair.
// Not thread-safe; holds a copy of the server times (8 bytes per event).
#pragma once

#include <cstdint>
#include <vector>

namespace rstscope::correlate {

struct SkewEvent {
  int32_t client_port = -1;
  int32_t server_port = -1;  // as the log wrote it; -1 when it does not say
  int64_t ts = 0;
  uint32_t client_ip = 0;    // interned client address; 0 when unknown (matches any)
};

struct SkewEstimate {
  int64_t pairs = 0;
  int64_t median = 0;  // microseconds to add to the client's times
  int64_t mad = 0;     // median absolute deviation of the differences
};

class SkewPairs {
 public:
  static constexpr int64_t kWindowUs = 600'000'000;  // 10 minutes either side
  static constexpr int64_t kCollect = 16'000'000;    // pairs materialised at most (128 MB)

  // `collect`: pairs materialised at most (smaller in tests, to exercise the bisection).
  explicit SkewPairs(std::vector<SkewEvent> server_side, int64_t collect = kCollect);
  // The pairs of these client events (one source); median and mad are 0 when there are none.
  SkewEstimate estimate(const std::vector<SkewEvent>& client) const;

 private:
  struct Group {
    int32_t client_port, server_port;
    uint32_t client_ip;
    uint32_t begin, end;  // into ts_
  };
  struct Run {
    uint32_t lo, hi;  // ts_[lo, hi): differences ts_[i] - base, ascending
    int64_t base;
  };
  int64_t count_le(const std::vector<Run>& runs, int64_t x) const;   // differences <= x
  // k-th smallest (0-based) of the differences, or of |difference - center| when `dev`.
  int64_t select(const std::vector<Run>& runs, int64_t n, int64_t k, bool dev, int64_t center) const;
  void collect(const std::vector<Run>& runs, int64_t from, int64_t to, std::vector<int64_t>& out,
               bool dev, int64_t center) const;  // differences in [from, to]

  int64_t collect_;
  std::vector<int64_t> ts_;
  std::vector<Group> groups_;  // sorted by (client_port, server_port, client_ip)
};

}  // namespace rstscope::correlate
