// gen_haproxy N [--seed S] [--no-syslog]: writes N realistic HAProxy HTTP log lines (option httplog,
// RFC 3164 syslog prefix as `log stdout format rfc3164` writes it) to stdout, for benchmarks and
// end-to-end ingest timing. The mix follows a busy reverse proxy: mostly 2xx/3xx, some 4xx, and the
// failure shapes rstscope cares about (SH-- 502, sH-- 504, SC-- 503, CD--, cD--, cR-- 408, PR-- 403).
// Deterministic for a given seed.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

uint64_t rng_state = 0x9E3779B97F4A7C15ULL;
uint64_t next() {  // splitmix64
  uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}
int pick(int n) { return static_cast<int>(next() % static_cast<uint64_t>(n)); }

const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
const char* kPaths[] = {"/", "/api/v1/items", "/api/v1/items/42", "/static/app.js", "/static/app.css",
                        "/login", "/healthz", "/api/v2/orders?page=3", "/favicon.ico", "/upload"};
const char* kMethods[] = {"GET", "GET", "GET", "GET", "POST", "PUT", "DELETE", "HEAD"};
const char* kBackends[] = {"be_api", "be_static", "be_auth"};

struct Outcome {
  const char* state;
  int status;
  int weight;
};
const Outcome kOutcomes[] = {
    {"----", 200, 700}, {"----", 304, 80}, {"----", 301, 30}, {"----", 404, 40}, {"----", 500, 5},
    {"SH--", 502, 10},  {"sH--", 504, 8},  {"SC--", 503, 6},  {"CD--", 200, 10}, {"cD--", 200, 5},
    {"cR--", 408, 8},   {"CR--", 400, 4},  {"PR--", 403, 5},  {"SD--", 200, 4},  {"--NI", 200, 20},
};

}  // namespace

int main(int argc, char** argv) {
  long n = argc > 1 ? std::atol(argv[1]) : 1000;
  bool syslog = true;
  for (int i = 2; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--seed") && i + 1 < argc) rng_state = std::strtoull(argv[++i], nullptr, 10);
    else if (!std::strcmp(argv[i], "--no-syslog")) syslog = false;
  }
  if (n < 0) n = 0;
  int total_weight = 0;
  for (const Outcome& o : kOutcomes) total_weight += o.weight;
  int64_t ms = (int64_t(20) * 3600 + 19 * 60) * 1000;  // 20:19:00.000 on Nov 23
  int day = 23, month = 10, year = 2026;
  std::string line;
  char buf[1024];
  for (long i = 0; i < n; ++i) {
    ms += pick(40);
    if (ms >= 86400000) {
      ms -= 86400000;
      ++day;  // good enough for a generator: stays inside a 28-day window
      if (day > 28) day = 1, month = (month + 1) % 12;
    }
    int hh = int(ms / 3600000), mm = int(ms / 60000 % 60), ss = int(ms / 1000 % 60), mss = int(ms % 1000);
    int w = pick(total_weight);
    const Outcome* o = kOutcomes;
    for (const Outcome& c : kOutcomes) {
      if (w < c.weight) {
        o = &c;
        break;
      }
      w -= c.weight;
    }
    int tq = pick(5), tw = 0, tc = pick(3), tr = 2 + pick(120), td = pick(50);
    int bytes = 200 + pick(30000);
    const char* server = "s1";
    char sname[16];
    std::snprintf(sname, sizeof sname, "s%d", 1 + pick(4));
    server = sname;
    switch (o->state[0]) {
      case 'S': tr = -1; if (o->state[1] == 'C') tc = -1, bytes = 217; else bytes = 209; break;
      case 's': tr = -1; td = 2000; bytes = 198; break;
      case 'c': if (o->state[1] == 'R') tq = -1, tw = -1, tc = -1, tr = -1, td = 5000, server = "<NOSRV>", bytes = 0; break;
      case 'C': if (o->state[1] == 'R') tq = -1, tw = -1, tc = -1, tr = -1, server = "<NOSRV>", bytes = 0; break;
      case 'P': tw = -1, tc = -1, tr = -1, server = "<NOSRV>", bytes = 192; break;
      default: break;
    }
    int ta = (tq < 0 ? 0 : tq) + (tw < 0 ? 0 : tw) + (tc < 0 ? 0 : tc) + (tr < 0 ? 0 : tr) + td;
    int c = 1 + pick(200);
    int len = std::snprintf(
        buf, sizeof buf,
        "%s%s10.%d.%d.%d:%d [%02d/%s/%d:%02d:%02d:%02d.%03d] fe_https~ %s/%s %d/%d/%d/%d/%d %d %d - - %s "
        "%d/%d/%d/%d/0 0/0 \"%s %s HTTP/1.1\"\n",
        syslog ? "<134>" : "", "", pick(256), pick(256), 1 + pick(254), 1024 + pick(64000), day, kMonths[month],
        year, hh, mm, ss, mss, kBackends[pick(3)], server, tq, tw, tc, tr, ta, o->status, bytes, o->state, c, c,
        pick(c), pick(20), kMethods[pick(8)], kPaths[pick(10)]);
    if (syslog) {
      // "<134>Nov 23 20:19:02 lb1 haproxy[30981]: " inserted after the PRI
      char pre[96];
      int plen = std::snprintf(pre, sizeof pre, "<134>%s %2d %02d:%02d:%02d lb1 haproxy[30981]: ", kMonths[month], day,
                               hh, mm, ss);
      std::fwrite(pre, 1, static_cast<size_t>(plen), stdout);
      std::fwrite(buf + 5, 1, static_cast<size_t>(len - 5), stdout);
    } else {
      std::fwrite(buf, 1, static_cast<size_t>(len), stdout);
    }
  }
  return 0;
}
