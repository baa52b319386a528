// Parse-only speed of the web-server / load-balancer parsers (issue 4 Speed: W3C and ALB are
// hand-split and must reach >= 2,000,000 lines/s per core). Input: 100k generated lines per
// format, shaped like the corpus lines (varied addresses, ports, statuses, times).
//   BM_Web/<parser>        records pre-split, FileParser::record() into one reused Event slot
//   BM_WebReader/<parser>  the same plus LineReader/RecordReader over the bytes (what ingest does)
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

using SlotEmitter = bench::SlotEmitter;

constexpr int kLines = 100000;

std::string gen(const std::string& format) {
  std::string out;
  out.reserve(size_t(kLines) * 420);
  char buf[2048];
  if (format == "iis-w3c") {
    out += "#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n#Date: 2018-01-01 09:10:11\n"
           "#Fields: date time s-sitename s-computername s-ip cs-method cs-uri-stem cs-uri-query s-port "
           "cs-username c-ip cs-version cs(User-Agent) cs(Cookie) cs(Referer) cs-host sc-status sc-substatus "
           "sc-win32-status sc-bytes cs-bytes time-taken\n";
  }
  if (format == "iis-httperr") {
    out += "#Software: Microsoft HTTP API 2.0\n#Version: 1.0\n#Date: 2018-01-01 08:09:10\n"
           "#Fields: date time c-ip c-port s-ip s-port cs-version cs-method cs-uri sc-status s-siteid s-reason "
           "s-queuename\n";
  }
  static const int statuses[] = {200, 200, 200, 304, 404, 502, 504, 460, 200, 301};
  for (int i = 0; i < kLines; ++i) {
    int a = i % 250 + 1, b = (i / 250) % 250 + 1, port = 1024 + i % 60000, st = statuses[i % 10];
    int hh = (i / 3600) % 24, mm = (i / 60) % 60, ss = i % 60;
    int n = 0;
    if (format == "iis-w3c") {
      n = std::snprintf(buf, sizeof buf,
                        "2018-01-01 %02d:%02d:%02d W3SVC1 MACHINE-NAME 10.0.0.5 GET /api/v1/items/%d q=%d 443 - "
                        "81.2.%d.%d HTTP/1.1 Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36 - "
                        "https://example.com/ example.com %d 0 %d %d %d %d\n",
                        hh, mm, ss, i, i % 7, a, b, st, i % 50 == 0 ? 64 : 0, 1000 + i % 5000, 300 + i % 200, i % 900);
    } else if (format == "iis-httperr") {
      static const char* reasons[] = {"Timer_ConnectionIdle", "Connection_Dropped", "Timer_MinBytesPerSecond",
                                      "BadRequest", "Connection_Abandoned_By_ReqQueue"};
      n = std::snprintf(buf, sizeof buf, "2018-01-01 %02d:%02d:%02d 81.2.%d.%d %d 10.0.0.5 443 - - - - - %s -\n",
                        hh, mm, ss, a, b, port, reasons[i % 5]);
    } else if (format == "aws-alb") {
      n = std::snprintf(
          buf, sizeof buf,
          "https 2023-04-26T%02d:%02d:%02d.%06dZ app/my-lb/50dc6c495c0c9188 192.168.%d.%d:%d 10.0.%d.%d:8080 0.000 "
          "0.%03d 0.000 %d %d 34 %d \"GET https://www.example.com:443/api/items/%d HTTP/1.1\" \"curl/7.46.0\" "
          "ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/"
          "my-targets/73e2d6bc24d8a067 \"Root=1-58337262-36d228ad5d99%08d\" \"www.example.com\" \"arn:aws:acm:"
          "us-east-2:123456789012:certificate/12345678-1234-1234-1234-123456789012\" 0 "
          "2023-04-26T%02d:%02d:%02d.000000Z \"forward\" \"-\" \"-\" \"10.0.%d.%d:8080\" \"%d\" \"-\" \"-\" "
          "TID_1234abcd5678ef90\n",
          hh, mm, ss, i % 1000000, a, b, port, b, a, i % 1000, st, st, 366 + i % 1000, i, i, hh, mm, ss, b, a, st);
    } else if (format == "aws-elb") {
      n = std::snprintf(buf, sizeof buf,
                        "2015-05-13T%02d:%02d:%02d.945958Z my-loadbalancer 192.168.%d.%d:%d 10.0.0.1:80 0.000073 "
                        "0.001048 0.000057 %d %d 0 29 \"GET http://www.example.com:80/x/%d HTTP/1.1\" "
                        "\"curl/7.38.0\" - -\n",
                        hh, mm, ss, a, b, port, st, st, i);
    } else if (format == "apache-access") {
      n = std::snprintf(buf, sizeof buf,
                        "83.149.%d.%d - - [17/May/2015:%02d:%02d:%02d +0000] \"GET /presentations/logstash/%d.png "
                        "HTTP/1.1\" %d %d \"http://semicomplete.com/presentations/\" \"Mozilla/5.0 (Macintosh; Intel "
                        "Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36\"\n",
                        a, b, hh, mm, ss, i, st, 1000 + i % 100000);
    } else if (format == "apache-error") {
      n = std::snprintf(buf, sizeof buf,
                        "[Wed Jun 17 %02d:%02d:%02d.089713 2020] [proxy_http:error] [pid 12181:tid 140023206749952] "
                        "(104)Connection reset by peer: [client 10.1.%d.%d:%d] AH01102: error reading status line "
                        "from remote server 127.0.0.1:9001\n",
                        hh, mm, ss, a, b, port);
    } else if (format == "traefik-access") {
      n = std::snprintf(buf, sizeof buf,
                        "172.17.%d.%d - - [08/Dec/2021:%02d:%02d:%02d +0000] \"GET /index?x=%d HTTP/1.1\" %d 352 "
                        "\"-\" \"Nikto\" %d \"test@docker\" \"http://172.17.0.3:80\" %dms\n",
                        a, b, hh, mm, ss, i, st, i, i % 100);
    } else if (format == "traefik-json") {
      n = std::snprintf(
          buf, sizeof buf,
          "{\"ClientAddr\":\"172.17.%d.%d:%d\",\"ClientHost\":\"172.17.%d.%d\",\"ClientPort\":\"%d\","
          "\"ClientUsername\":\"-\",\"DownstreamContentSize\":357,\"DownstreamStatus\":%d,\"Duration\":%d,"
          "\"OriginContentSize\":357,\"OriginDuration\":324669,\"OriginStatus\":%d,\"Overhead\":32644,"
          "\"RequestAddr\":\"test.docker.localhost\",\"RequestContentSize\":0,\"RequestCount\":%d,\"RequestHost\":"
          "\"test.docker.localhost\",\"RequestMethod\":\"GET\",\"RequestPath\":\"/x/%d\",\"RequestPort\":\"-\","
          "\"RequestProtocol\":\"HTTP/1.1\",\"RequestScheme\":\"http\",\"RetryAttempts\":0,\"RouterName\":"
          "\"test@docker\",\"ServiceAddr\":\"172.17.0.3:80\",\"ServiceName\":\"test@docker\",\"StartUTC\":"
          "\"2021-12-08T%02d:%02d:%02d.587782192Z\",\"entryPointName\":\"http\",\"level\":\"info\",\"msg\":\"\","
          "\"time\":\"2021-12-08T14:02:43Z\"}\n",
          a, b, port, a, b, port, st, 357313 + i, st, i, i, hh, mm, ss);
    } else if (format == "caddy") {
      n = std::snprintf(
          buf, sizeof buf,
          "{\"level\":\"info\",\"ts\":%d.7679656,\"logger\":\"http.log.access.log0\",\"msg\":\"handled request\","
          "\"request\":{\"remote_ip\":\"10.1.%d.%d\",\"remote_port\":\"%d\",\"client_ip\":\"10.1.%d.%d\",\"proto\":"
          "\"HTTP/2.0\",\"method\":\"GET\",\"host\":\"www.example.dev\",\"uri\":\"/items/%d\",\"headers\":{"
          "\"Accept\":[\"*/*\"],\"User-Agent\":[\"curl/8.0\"]},\"tls\":{\"resumed\":false,\"version\":772,"
          "\"cipher_suite\":4865,\"proto\":\"h2\",\"server_name\":\"www.example.dev\"}},\"bytes_read\":0,"
          "\"user_id\":\"\",\"duration\":0.058892502,\"size\":39666,\"status\":%d,\"resp_headers\":{"
          "\"Content-Length\":[\"39666\"]}}\n",
          1743353452 + i, a, b, port, a, b, i, st);
    }
    out.append(buf, size_t(n));
  }
  return out;
}

const std::string& input(const std::string& format) {
  static std::vector<std::pair<std::string, std::string>> cache;
  for (auto& [f, s] : cache)
    if (f == format) return s;
  cache.emplace_back(format, gen(format));
  return cache.back().second;
}

void BM_Web(benchmark::State& state, const char* parser_name, const char* format) {
  const Parser* p = find_parser(parser_name);
  if (!p) {
    state.SkipWithError("parser not registered");
    return;
  }
  const std::string& text = input(format);
  std::vector<Record> records;
  size_t pos = 0;
  int64_t line = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    records.push_back(Record{std::string_view(text.data() + pos, nl - pos), ++line, 1, int64_t(pos), false});
    pos = nl + 1;
  }
  SlotEmitter out;
  for (auto _ : state) {
    TimeResolver tz("");
    ParseContext ctx{"bench.log", nullptr, &tz};
    auto fp = p->open(ctx);
    for (const Record& r : records) fp->record(r, out);
    benchmark::DoNotOptimize(out.slot_.ts);
  }
  if (out.bad) state.SkipWithError("unparsed lines in the generated input");
  state.SetItemsProcessed(state.iterations() * int64_t(records.size()));
  state.SetBytesProcessed(state.iterations() * int64_t(text.size()));
}

void BM_WebReader(benchmark::State& state, const char* parser_name, const char* format) {
  const Parser* p = find_parser(parser_name);
  if (!p) {
    state.SkipWithError("parser not registered");
    return;
  }
  const std::string& text = input(format);
  int64_t lines = 0;
  SlotEmitter out;
  for (auto _ : state) {
    MemorySource src(text);
    LineReader lr(src);
    RecordReader rr(lr, *p);
    TimeResolver tz("");
    ParseContext ctx{"bench.log", nullptr, &tz};
    auto fp = p->open(ctx);
    Record rec;
    lines = 0;
    while (rr.next(rec)) {
      ++lines;
      fp->record(rec, out);
      fill_from_record(out.slot_, rec);
    }
    benchmark::DoNotOptimize(out.slot_.ts);
  }
  state.SetItemsProcessed(state.iterations() * lines);
  state.SetBytesProcessed(state.iterations() * int64_t(text.size()));
}

BENCHMARK_CAPTURE(BM_Web, iis_w3c, "iis-w3c", "iis-w3c")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Web, iis_httperr, "iis-httperr", "iis-httperr")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Web, aws_alb, "aws-alb", "aws-alb")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Web, aws_elb, "aws-elb", "aws-elb")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Web, apache_access, "apache-access", "apache-access")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Web, apache_error, "apache-error", "apache-error")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Web, traefik_clf, "traefik-access", "traefik-access")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Web, traefik_json, "traefik-access", "traefik-json")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Web, caddy_json, "caddy", "caddy")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_WebReader, iis_w3c, "iis-w3c", "iis-w3c")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_WebReader, aws_alb, "aws-alb", "aws-alb")->Unit(benchmark::kMillisecond);

}  // namespace
