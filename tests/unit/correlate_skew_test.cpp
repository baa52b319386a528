// SkewPairs (src/correlate/skew.h) against the definition: every pair enumerated, sorted, median and
// median absolute deviation taken as the SQL self-joins it replaces did (client sources, and
// firewall sources whose lines also compare the client address).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <random>

#include "correlate/skew.h"

using rstscope::correlate::SkewEstimate;
using rstscope::correlate::SkewEvent;
using rstscope::correlate::SkewPairs;

namespace {

int64_t median_of(std::vector<int64_t> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

SkewEstimate brute(const std::vector<SkewEvent>& server, const std::vector<SkewEvent>& client) {
  std::vector<int64_t> d;
  for (const SkewEvent& c : client)
    for (const SkewEvent& s : server)
      if (s.client_port == c.client_port &&
          (s.server_port < 0 || c.server_port < 0 || s.server_port == c.server_port) &&
          (!s.client_ip || !c.client_ip || s.client_ip == c.client_ip) &&
          s.ts >= c.ts - SkewPairs::kWindowUs && s.ts <= c.ts + SkewPairs::kWindowUs)
        d.push_back(s.ts - c.ts);
  SkewEstimate e;
  e.pairs = int64_t(d.size());
  if (d.empty()) return e;
  e.median = median_of(d);
  std::vector<int64_t> dev;
  for (int64_t x : d) dev.push_back(std::llabs(x - e.median));
  e.mad = median_of(dev);
  return e;
}

// A few busy connections (many pairs each) among random one-off ones; server clock `offset` ahead.
void make(std::mt19937_64& rng, int64_t offset, std::vector<SkewEvent>& server, std::vector<SkewEvent>& client) {
  const int64_t t0 = 1'795'500'000'000'000;
  for (int i = 0; i < 400; ++i) {
    int32_t port = 40000 + int32_t(rng() % 60), sport = int32_t(rng() % 3) == 0 ? -1 : 8080 + int32_t(rng() % 2);
    int64_t t = t0 + int64_t(rng() % 3'000'000'000);
    client.push_back({port, int32_t(rng() % 4) == 0 ? -1 : sport, t});
    server.push_back({port, sport, t + offset + int64_t(rng() % 2'000'000) - 1'000'000});
  }
  for (int i = 0; i < 300; ++i)  // other clients' lines on the same ports, and exact duplicates
    server.push_back({40000 + int32_t(rng() % 60), int32_t(rng() % 2) ? -1 : 8080,
                      t0 + int64_t(rng() % 3'000'000'000)});
  server.push_back(server.front());
}

}  // namespace

TEST(SkewPairs, SameAsEveryPairSorted) {
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    std::mt19937_64 rng(seed);
    std::vector<SkewEvent> server, client;
    make(rng, int64_t(seed % 3) * 2'500'000 - 2'000'000, server, client);
    SkewEstimate want = brute(server, client);
    ASSERT_GT(want.pairs, 1000);
    // Everything materialised, and bisection down to a few hundred (or a few) pairs.
    for (int64_t collect : {int64_t(1) << 40, int64_t(500), int64_t(3), int64_t(0)}) {
      SkewEstimate got = SkewPairs(server, collect).estimate(client);
      EXPECT_EQ(got.pairs, want.pairs) << "seed " << seed << " collect " << collect;
      EXPECT_EQ(got.median, want.median) << "seed " << seed << " collect " << collect;
      EXPECT_EQ(got.mad, want.mad) << "seed " << seed << " collect " << collect;
    }
  }
}

TEST(SkewPairs, EvenCountsWindowEdgesAndNoPairs) {
  const int64_t t = 1'795'500'000'000'000, w = SkewPairs::kWindowUs;
  std::vector<SkewEvent> server = {{5000, 443, t - w}, {5000, 443, t + w}, {5000, -1, t + w + 1}, {5000, 80, t},
                                   {5001, 443, t - 7}};
  std::vector<SkewEvent> client = {{5000, 443, t}, {5001, -1, t}, {5002, 443, t}};
  for (int64_t collect : {int64_t(1) << 40, int64_t(1)}) {
    SkewEstimate got = SkewPairs(server, collect).estimate(client);
    SkewEstimate want = brute(server, client);
    EXPECT_EQ(want.pairs, 3);  // -w and +w are inside, +w+1 and port 80 are not
    EXPECT_EQ(got.pairs, want.pairs);
    EXPECT_EQ(got.median, want.median);
    EXPECT_EQ(got.mad, want.mad);
  }
  EXPECT_EQ(SkewPairs(server).estimate({{6000, 443, t}}).pairs, 0);
  EXPECT_EQ(SkewPairs({}).estimate(client).pairs, 0);
}

// Firewall lines: the client address must agree when both sides say it (0: unknown, matches any).
TEST(SkewPairs, ClientAddressWhenBothSay) {
  for (uint64_t seed = 21; seed <= 26; ++seed) {
    std::mt19937_64 rng(seed);
    std::vector<SkewEvent> server, client;
    make(rng, 3'000'000, server, client);
    for (SkewEvent& e : server) e.client_ip = uint32_t(rng() % 4);  // 0: the log does not say
    for (SkewEvent& e : client) e.client_ip = uint32_t(rng() % 4);
    SkewEstimate want = brute(server, client);
    ASSERT_GT(want.pairs, 100);
    for (int64_t collect : {int64_t(1) << 40, int64_t(50), int64_t(0)}) {
      SkewEstimate got = SkewPairs(server, collect).estimate(client);
      EXPECT_EQ(got.pairs, want.pairs) << "seed " << seed << " collect " << collect;
      EXPECT_EQ(got.median, want.median) << "seed " << seed << " collect " << collect;
      EXPECT_EQ(got.mad, want.mad) << "seed " << seed << " collect " << collect;
    }
  }
  const int64_t t = 1'795'500'000'000'000;
  std::vector<SkewEvent> server = {{5000, 443, t + 1, 7}, {5000, 443, t + 2, 8}, {5000, 443, t + 3, 0}};
  EXPECT_EQ(SkewPairs(server).estimate({{5000, 443, t, 7}}).pairs, 2);  // 7 and unknown, not 8
  EXPECT_EQ(SkewPairs(server).estimate({{5000, 443, t, 0}}).pairs, 3);
}
