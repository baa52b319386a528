// Parse-only speed of the firewall / flow-log parsers (issue 5 Speed: >= 2,000,000 lines/s per core
// for the CSV-like flow and firewall formats). Input: 100k generated lines per format, shaped like
// the corpus (varied addresses, ports, flags, actions, end reasons).
//   BM_Firewall/<parser>        FileParser::record() over pre-split records into one reused Event
//                               slot, plus the framework's fill-in (line, raw)
//   BM_FirewallReader/<parser>  the same behind LineReader/RecordReader over the bytes (per-file cost)
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

using FwEmitter = bench::SlotEmitter;

constexpr int kLines = 100000;

std::string gen(const std::string& kind) {
  std::string out;
  out.reserve(kLines * 400);
  char buf[1024];
  static const char* pf_flags[] = {"S", "SA", "A", "PA", "FA", "R", "RA"};
  static const char* pf_act[] = {"block", "pass", "pass", "reject"};
  static const char* pan_reason[] = {"tcp-fin", "aged-out", "tcp-rst-from-client", "tcp-rst-from-server", "policy-deny"};
  static const char* asa_reason[] = {"TCP FINs", "TCP Reset-I", "TCP Reset-O", "Conn-timeout", "SYN Timeout"};
  if (kind == "aws-vpcflow") out += "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status tcp-flags\n";
  for (int i = 0; i < kLines; ++i) {
    int a = i % 250 + 1, b = (i * 7) % 250 + 1, port = 1024 + (i * 13) % 60000;
    int n = 0;
    if (kind == "aws-vpcflow") {
      n = std::snprintf(buf, sizeof buf,
                        "2 123456789010 eni-1235b8ca123456789 172.31.%d.%d 10.0.%d.%d %d 443 6 %d %d %d %d %s OK %d\n",
                        a, b, b, a, port, 10 + i % 90, 4000 + i % 9000, 1418530010 + i, 1418530070 + i,
                        i % 5 ? "ACCEPT" : "REJECT", (i % 7 == 0) ? 4 : (i % 3 ? 19 : 2));
    } else if (kind == "pfsense-filterlog") {
      n = std::snprintf(buf, sizeof buf,
                        "Jan 15 10:%02d:%02d fw filterlog[1234]: 5,,,1000000103,igb0,match,%s,in,4,0x0,,64,%d,0,DF,6,"
                        "tcp,60,203.0.%d.%d,192.0.2.%d,%d,443,0,%s,%d,,64240,,mss;sackOK;TS;nop;wscale\n",
                        (i / 60) % 60, i % 60, pf_act[i % 4], i % 65535, a, b, a, port, pf_flags[i % 7], 100000 + i);
    } else if (kind == "panos") {
      n = std::snprintf(
          buf, sizeof buf,
          "Nov 30 16:%02d:%02d PA-220 1,2018/11/30 16:%02d:%02d,012801096514,TRAFFIC,end,2049,2018/11/30 16:%02d:%02d,"
          "192.168.15.%d,184.51.%d.%d,192.168.1.63,184.51.253.152,new_outbound_from_trust,,,ssl,vsys1,trust,untrust,"
          "ethernet1/2,ethernet1/1,send_to_mac,2018/11/30 16:09:07,%d,1,%d,443,16418,443,0x400053,tcp,allow,%d,1758,5976,"
          "36,2018/11/30 15:59:04,586,computer-and-internet-info,0,32091112,0x0,192.168.0.0-192.168.255.255,United States,"
          "0,16,20,%s,0,0,0,0,,PA-220,from-policy,,,0,,0,,N/A,0,0,0,0\n",
          (i / 60) % 60, i % 60, (i / 60) % 60, i % 60, (i / 60) % 60, i % 60, a, b, a, 20000 + i, port, 7000 + i % 999,
          pan_reason[i % 5]);
    } else if (kind == "cisco-asa") {
      n = std::snprintf(buf, sizeof buf,
                        "Oct 10 2018 12:%02d:%02d localhost CiscoASA[999]: %%ASA-6-302014: Teardown TCP connection %d for "
                        "outside:100.66.%d.%d/80 to inside:172.31.98.%d/%d duration 0:01:07 bytes %d %s\n",
                        (i / 60) % 60, i % 60, 10000 + i, a, b, a, port, 1000 + i, asa_reason[i % 5]);
    } else if (kind == "netfilter") {
      n = std::snprintf(buf, sizeof buf,
                        "Jun 23 08:%02d:%02d server1 kernel: [486938.916177] [UFW BLOCK] IN=eth1 OUT= "
                        "MAC=00:00:00:00:00:00:00:00:00:00:00:00:08:00 SRC=86.101.%d.%d DST=10.1.2.%d LEN=60 TOS=0x00 "
                        "PREC=0x00 TTL=50 ID=%d DF PROTO=TCP SPT=%d DPT=443 WINDOW=7300 RES=0x00 %s URGP=0\n",
                        (i / 60) % 60, i % 60, a, b, a, i % 65535, port, i % 4 ? "SYN" : "ACK RST");
    } else if (kind == "zeek-conn") {
      if (i == 0) out += "#separator \\x09\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents\n";
      n = std::snprintf(buf, sizeof buf,
                        "%d.%06d\tC%08dx\t192.168.%d.%d\t%d\t75.126.%d.%d\t443\ttcp\tssl\t0.%06d\t%d\t%d\t%s\tT\tF\t0\t%s\t6\t1038\t4\t335\t-\n",
                        1320279567 + i, i % 1000000, i, a, b, port, b, a, i % 999999, 700 + i % 100, 100 + i % 50,
                        i % 3 ? "SF" : "RSTR", i % 3 ? "ShADadFf" : "ShADadr");
    }
    out.append(buf, static_cast<size_t>(n > 0 ? n : 0));
  }
  return out;
}

const std::string& input(const std::string& kind) {
  static std::vector<std::pair<std::string, std::string>> cache;
  for (auto& [k, v] : cache)
    if (k == kind) return v;
  cache.emplace_back(kind, gen(kind));
  return cache.back().second;
}

void BM_Firewall(benchmark::State& state, const char* parser_name) {
  const Parser* p = find_parser(parser_name);
  if (!p) {
    state.SkipWithError("parser not registered");
    return;
  }
  const std::string& text = input(parser_name);
  std::vector<Record> recs;
  size_t pos = 0;
  int64_t line = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    Record r;
    r.text = std::string_view(text).substr(pos, nl - pos);
    r.line = ++line;
    r.offset = static_cast<int64_t>(pos);
    recs.push_back(r);
    pos = nl + 1;
  }
  int64_t events = 0, bad = 0;
  for (auto _ : state) {
    TimeResolver tz("");
    tz.set_reference_year(2026, 12);
    ParseContext ctx{"bench.log", nullptr, &tz};
    auto fp = p->open(ctx);
    FwEmitter out;
    for (const Record& r : recs) {
      int64_t before = out.events;
      fp->record(r, out);
      if (out.events != before) fill_from_record(out.slot_, r);
    }
    events = out.events;
    bad = out.bad;
    benchmark::DoNotOptimize(out.slot_.client_port);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(recs.size()));
  state.counters["events"] = static_cast<double>(events);
  state.counters["unparsed"] = static_cast<double>(bad);
}

void BM_FirewallReader(benchmark::State& state, const char* parser_name) {
  const Parser* p = find_parser(parser_name);
  if (!p) {
    state.SkipWithError("parser not registered");
    return;
  }
  const std::string& text = input(parser_name);
  int64_t lines = 0;
  for (char c : text) lines += c == '\n';
  for (auto _ : state) {
    MemorySource src(text);
    LineReader lr(src);
    RecordReader rr(lr, *p);
    TimeResolver tz("");
    ParseContext ctx{"bench.log", nullptr, &tz};
    auto fp = p->open(ctx);
    FwEmitter out;
    Record rec;
    while (rr.next(rec)) {
      int64_t before = out.events;
      fp->record(rec, out);
      if (out.events != before) fill_from_record(out.slot_, rec);
    }
    benchmark::DoNotOptimize(out.events);
  }
  state.SetItemsProcessed(state.iterations() * lines);
}

BENCHMARK_CAPTURE(BM_Firewall, vpcflow, "aws-vpcflow")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Firewall, pfsense, "pfsense-filterlog")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Firewall, panos, "panos")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Firewall, cisco_asa, "cisco-asa")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Firewall, netfilter, "netfilter")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Firewall, zeek_conn, "zeek-conn")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_FirewallReader, vpcflow, "aws-vpcflow")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_FirewallReader, pfsense, "pfsense-filterlog")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_FirewallReader, panos, "panos")->Unit(benchmark::kMillisecond);

}  // namespace
