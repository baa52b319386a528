// Parse-only speed of the nginx parsers (issue 4 Speed: >= 2,000,000 lines/s per core for nginx
// combined). Input: 100k generated lines per format.
//   BM_Nginx/combined   nginx-access with the built-in "combined" log_format
//   BM_Nginx/ingress    nginx-ingress (upstreaminfo)
//   BM_Nginx/json       nginx-json (escape=json)
//   BM_Nginx/error      nginx-error (upstream failures and client resets)
// items/s = lines per second; FileParser::record() over pre-split records into one reused Event slot.
#include "bench_support.h"
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>
#include <vector>

#include "rstscope/parser.h"
#include "rstscope/reader.h"

namespace {

using namespace rstscope;

using NgSlotEmitter = bench::SlotEmitter;

constexpr int kNgLines = 100000;

const char* kFormats[] = {"combined", "ingress", "json", "error"};
const char* kParsers[] = {"nginx-access", "nginx-ingress", "nginx-json", "nginx-error"};

std::string gen_nginx(int kind) {
  static const int statuses[] = {200, 200, 304, 200, 404, 301, 502, 504, 499, 200};
  static const char* paths[] = {"/", "/api/v1/items/42", "/static/app.js", "/login?next=%2Fhome", "/healthz"};
  std::string out;
  out.reserve(size_t(kNgLines) * 300);
  char buf[1024];
  for (int i = 0; i < kNgLines; ++i) {
    int hh = (i / 3600) % 24, mm = (i / 60) % 60, ss = i % 60, k = i % 10;
    int a = i % 250 + 1, b = (i / 250) % 250 + 1;
    int n = 0;
    switch (kind) {
      case 0:
        n = std::snprintf(buf, sizeof buf,
                          "10.2.%d.%d - - [23/Nov/2026:%02d:%02d:%02d +0000] \"GET %s HTTP/1.1\" %d %d \"-\" "
                          "\"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 "
                          "Safari/537.36\"\n",
                          a, b, hh, mm, ss, paths[k % 5], statuses[k], 200 + i % 30000);
        break;
      case 1:
        n = std::snprintf(buf, sizeof buf,
                          "10.2.%d.%d - - [23/Nov/2026:%02d:%02d:%02d +0000] \"GET %s HTTP/1.1\" %d %d \"-\" "
                          "\"curl/7.88.1\" %d 0.%03d [default-web-8080] [] 172.17.%d.%d:8080 %d 0.%03d %d "
                          "%032x\n",
                          a, b, hh, mm, ss, paths[k % 5], statuses[k], 200 + i % 30000, 80 + k, i % 1000, b, a,
                          200 + i % 30000, i % 900, statuses[k], i);
        break;
      case 2:
        n = std::snprintf(buf, sizeof buf,
                          "{\"time_local\":\"23/Nov/2026:%02d:%02d:%02d +0000\",\"remote_addr\":\"10.2.%d.%d\","
                          "\"request\":\"GET %s HTTP/1.1\",\"status\":\"%d\",\"body_bytes_sent\":\"%d\","
                          "\"request_time\":\"0.%03d\",\"upstream_addr\":\"172.17.%d.%d:8080\","
                          "\"upstream_status\":\"%d\",\"http_user_agent\":\"curl/7.88.1\"}\n",
                          hh, mm, ss, a, b, paths[k % 5], statuses[k], 200 + i % 30000, i % 1000, b, a, statuses[k]);
        break;
      default:
        n = std::snprintf(buf, sizeof buf,
                          "2026/11/23 %02d:%02d:%02d [error] 30977#30977: *%d %s, client: 10.2.%d.%d, server: , "
                          "request: \"GET %s HTTP/1.1\", upstream: \"http://127.0.0.1:18081%s\", host: "
                          "\"127.0.0.1:18090\"\n",
                          hh, mm, ss, i,
                          k < 4   ? "recv() failed (104: Connection reset by peer) while reading response header from "
                                    "upstream"
                          : k < 7 ? "upstream prematurely closed connection while reading response header from upstream"
                                  : "upstream timed out (110: Connection timed out) while reading response header "
                                    "from upstream",
                          a, b, paths[k % 5], paths[k % 5]);
    }
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

void BM_Nginx(benchmark::State& state) {
  int kind = static_cast<int>(state.range(0));
  state.SetLabel(kFormats[kind]);
  const Parser* p = find_parser(kParsers[kind]);
  if (!p) {
    state.SkipWithError("parser not linked");
    return;
  }
  std::string text = gen_nginx(kind);
  std::vector<std::string_view> lines;
  for (size_t pos = 0; pos < text.size();) {
    size_t nl = text.find('\n', pos);
    lines.emplace_back(text.data() + pos, nl - pos);
    pos = nl + 1;
  }
  BundleInfo bundle;
  bundle.nginx_log_formats.emplace_back(
      "combined",
      "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent \"$http_referer\" "
      "\"$http_user_agent\"");
  TimeResolver tr("");
  ParseContext ctx{"bench.log", &bundle, &tr};
  NgSlotEmitter out;
  for (auto _ : state) {
    auto fp = p->open(ctx);
    Record rec;
    for (size_t i = 0; i < lines.size(); ++i) {
      rec.text = lines[i];
      rec.line = int64_t(i) + 1;
      fp->record(rec, out);
    }
    benchmark::DoNotOptimize(out.slot_.ts);
  }
  if (out.bad) state.SkipWithError("unparsed lines in generated input");
  state.SetItemsProcessed(int64_t(state.iterations()) * int64_t(lines.size()));
}
BENCHMARK(BM_Nginx)->DenseRange(0, 3)->ArgName("fmt")->Unit(benchmark::kMillisecond);

}  // namespace
