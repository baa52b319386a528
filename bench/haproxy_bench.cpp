// Parse-only speed of the HAProxy parser (issue 4 Speed: >= 2,000,000 lines/s per core for HAProxy
// HTTP). Input: 100k lines shaped like bench/gen_haproxy (syslog prefix, varied clients, timers,
// statuses and termination states).
//   BM_Haproxy/http_syslog   FileParser::record() over pre-split records into one reused Event slot
//   BM_Haproxy/http_bare     the same without the syslog prefix
//   BM_Haproxy/tcp           TCP log lines
//   BM_HaproxyReader         plus LineReader/RecordReader over the bytes (what ingest does per file)
// items/s = lines per second.
#include "bench_support.h"
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>
#include <vector>

#include "rstscope/parser.h"
#include "rstscope/reader.h"

namespace {

using namespace rstscope;

using HaSlotEmitter = bench::SlotEmitter;

constexpr int kHaLines = 100000;

std::string gen_haproxy_lines(int kind) {  // 0 http+syslog, 1 http bare, 2 tcp+syslog
  static const char* states[] = {"----", "----", "----", "----", "----", "----", "SH--", "sH--", "CD--", "SC--"};
  static const int statuses[] = {200, 200, 304, 200, 404, 301, 502, 504, 200, 503};
  static const char* paths[] = {"/", "/api/v1/items/42", "/static/app.js", "/login?next=%2Fhome", "/healthz"};
  std::string out;
  out.reserve(size_t(kHaLines) * 220);
  char buf[1024];
  for (int i = 0; i < kHaLines; ++i) {
    int hh = 20 + (i / 3600000) % 4, mm = (i / 60) % 60, ss = i % 60, ms = (i * 7) % 1000;
    int a = i % 250 + 1, b = (i / 250) % 250 + 1, port = 1024 + i % 60000, k = i % 10;
    int n;
    if (kind == 2) {
      n = std::snprintf(buf, sizeof buf,
                        "<134>Nov 23 %02d:%02d:%02d lb1 haproxy[30981]: 10.1.%d.%d:%d [23/Nov/2026:%02d:%02d:%02d.%03d] "
                        "fe_tcp be_tcp/s%d 0/%d/%d %d %.2s %d/%d/0/0/0 0/0\n",
                        hh, mm, ss, a, b, port, hh, mm, ss, ms, 1 + k % 3, k % 3, 100 + i % 5000, 1000 + i % 90000,
                        states[k], 1 + k, 1 + k);
    } else {
      n = std::snprintf(buf, sizeof buf,
                        "%s10.1.%d.%d:%d [23/Nov/2026:%02d:%02d:%02d.%03d] fe_https~ be_api/s%d %d/0/%d/%d/%d %d %d "
                        "- - %s %d/%d/1/1/0 0/0 \"GET %s HTTP/1.1\"\n",
                        kind == 0 ? "<134>Nov 23 20:19:02 lb1 haproxy[30981]: " : "", a, b, port, hh, mm, ss, ms,
                        1 + k % 4, k % 3, k % 2, k == 6 || k == 7 ? -1 : 3 + k, 5 + i % 300, statuses[k],
                        200 + i % 30000, states[k], 1 + k, 1 + k, paths[k % 5]);
    }
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

std::vector<std::string_view> split_lines(const std::string& text) {
  std::vector<std::string_view> v;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    v.emplace_back(text.data() + pos, nl - pos);
    pos = nl + 1;
  }
  return v;
}

void BM_Haproxy(benchmark::State& state) {
  const Parser* p = find_parser("haproxy");
  if (!p) {
    state.SkipWithError("no haproxy parser");
    return;
  }
  std::string text = gen_haproxy_lines(static_cast<int>(state.range(0)));
  std::vector<std::string_view> lines = split_lines(text);
  TimeResolver tr("");
  ParseContext ctx{"bench.log", nullptr, &tr};
  HaSlotEmitter out;
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
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(text.size()));
}
BENCHMARK(BM_Haproxy)->Arg(0)->Arg(1)->Arg(2)->ArgName("kind")->Unit(benchmark::kMillisecond);

void BM_HaproxyReader(benchmark::State& state) {
  const Parser* p = find_parser("haproxy");
  if (!p) {
    state.SkipWithError("no haproxy parser");
    return;
  }
  std::string text = gen_haproxy_lines(0);
  TimeResolver tr("");
  ParseContext ctx{"bench.log", nullptr, &tr};
  HaSlotEmitter out;
  int64_t n = 0;
  for (auto _ : state) {
    MemorySource src(text);
    LineReader lr(src);
    RecordReader rr(lr, *p);
    auto fp = p->open(ctx);
    Record rec;
    while (rr.next(rec)) {
      fp->record(rec, out);
      ++n;
    }
  }
  state.SetItemsProcessed(n);
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(text.size()));
}
BENCHMARK(BM_HaproxyReader)->Unit(benchmark::kMillisecond);

}  // namespace
