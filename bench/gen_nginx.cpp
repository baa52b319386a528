// Writes N realistic nginx `combined` access-log lines to stdout (bench/run.sh uses it).
// Usage: gen_nginx N [seed]   ~200 bytes a line: 2,000,000 lines is about 400 MB.
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

int main(int argc, char** argv) {
  long n = argc > 1 ? std::atol(argv[1]) : 1000000;
  unsigned seed = argc > 2 ? unsigned(std::atol(argv[2])) : 42u;
  std::mt19937_64 rng(seed);
  const char* methods[] = {"GET", "GET", "GET", "GET", "POST", "PUT", "DELETE", "HEAD"};
  const char* paths[] = {"/api/v1/orders", "/api/v1/orders/", "/api/v1/customers/", "/static/app.", "/healthz",
                         "/api/v2/inventory/items/", "/login", "/search?q=", "/images/product/", "/api/v1/payments/"};
  const char* uas[] = {
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
      "python-requests/2.31.0", "curl/7.88.1", "okhttp/4.12.0", "Go-http-client/1.1",
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148"};
  // A production-like mix (per 1000): mostly 2xx/3xx, ~4% 404, ~1.5% errors that matter here.
  struct Weighted { int status, per_mille; };
  const Weighted mix[] = {{200, 850}, {201, 10}, {204, 10}, {301, 10}, {304, 50}, {401, 10}, {404, 40},
                          {400, 5}, {499, 6}, {502, 4}, {504, 3}, {413, 1}, {500, 1}};
  auto pick_status = [&](uint64_t x) {
    int r = int(x % 1000);
    for (const auto& w : mix) {
      if (r < w.per_mille) return w.status;
      r -= w.per_mille;
    }
    return 200;
  };
  const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  long t = 1763928000;  // 2025-11-23T20:00:00Z
  std::string buf;
  buf.reserve(1 << 20);
  for (long i = 0; i < n; ++i) {
    if (rng() % 8 == 0) ++t;
    long s = t;
    long days = s / 86400, rem = s % 86400;
    // civil from days
    long z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = unsigned(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long y = long(yoe) + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1;
    unsigned m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    char line[768];
    uint64_t r = rng();
    int len = std::snprintf(
        line, sizeof line,
        "%u.%u.%u.%u - %s [%02u/%s/%ld:%02ld:%02ld:%02ld +0000] \"%s %s%lu HTTP/1.1\" %d %lu \"%s\" \"%s\"\n",
        unsigned(10 + r % 200), unsigned((r >> 8) % 256), unsigned((r >> 16) % 256), unsigned(1 + (r >> 24) % 254),
        (r >> 32) % 20 == 0 ? "alice" : "-", d, months[m - 1], y, rem / 3600, rem % 3600 / 60, rem % 60,
        methods[(r >> 36) % 8], paths[(r >> 40) % 10], (unsigned long)((r >> 44) % 100000), pick_status(r >> 20),
        (unsigned long)(r % 50000), (r >> 50) % 3 == 0 ? "https://shop.example.com/cart" : "-", uas[(r >> 53) % 7]);
    buf.append(line, size_t(len));
    if (buf.size() > (1u << 20) - 1024) {
      std::fwrite(buf.data(), 1, buf.size(), stdout);
      buf.clear();
    }
  }
  std::fwrite(buf.data(), 1, buf.size(), stdout);
  return 0;
}
