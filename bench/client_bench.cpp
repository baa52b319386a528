// Parse-only speed of the client parsers: bytes in memory -> LineReader -> RecordReader (line
// joining) -> FileParser::record() -> a reused Event slot, plus the framework's fill-in. No SQLite.
// items/s = input lines per second. Input: bench/gen_client.cpp's generator.
#include "bench_support.h"
#include <benchmark/benchmark.h>

#include <string>

#define RSTSCOPE_GEN_CLIENT_NO_MAIN
#include "gen_client.cpp"

#include "../parsers/client_common.h"
#include "rstscope/parser.h"
#include "rstscope/reader.h"

namespace {

using namespace rstscope;

using CountingEmitter = bench::SlotEmitter;

const std::string& input(const std::string& mode) {
  static std::string app, json, single;
  std::string& s = mode == "json" ? json : mode == "single" ? single : app;
  if (s.empty()) gen::generate(s, 200000, mode);
  return s;
}

void run(benchmark::State& state, const char* parser_name, const char* mode) {
  const Parser* p = find_parser(parser_name);
  if (!p) {
    state.SkipWithError("parser not registered");
    return;
  }
  const std::string& text = input(mode);
  int64_t lines = 0;
  for (char c : text) lines += c == '\n';
  int64_t events = 0;
  for (auto _ : state) {
    MemorySource src(text);
    LineReader lr(src);
    RecordReader rr(lr, *p);
    TimeResolver tz("");
    ParseContext ctx{"bench.log", nullptr, &tz};
    auto fp = p->open(ctx);
    CountingEmitter out;
    Record rec;
    while (rr.next(rec)) {
      int64_t before = out.events;
      fp->record(rec, out);
      if (out.events != before) fill_from_record(out.slot_, rec);
    }
    fp->finish(out);
    events = out.events;
    benchmark::DoNotOptimize(out.slot_.kind.data());
  }
  state.SetItemsProcessed(state.iterations() * lines);
  state.SetBytesProcessed(state.iterations() * int64_t(text.size()));
  state.counters["events"] = double(events);
}

void BM_ClientAppLog_SingleLine(benchmark::State& s) { run(s, "client-app-log", "single"); }
void BM_ClientAppLog_WithTraces(benchmark::State& s) { run(s, "client-app-log", "app"); }
void BM_ClientJson(benchmark::State& s) { run(s, "client-json", "json"); }

void BM_ClientClassify_RequestLine(benchmark::State& state) {
  const std::string line =
      "2026-11-23 20:34:33,123 INFO [http-client-3] com.example.ApiClient - GET https://api.example.com/v1/orders -> "
      "200 in 8 ms local=51234";
  client::Classification c;
  for (auto _ : state) benchmark::DoNotOptimize(client::classify(line, c));
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_ClientAppLog_SingleLine)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ClientAppLog_WithTraces)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ClientJson)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ClientClassify_RequestLine);

}  // namespace
