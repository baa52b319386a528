// Proxy parsers: unit checks beyond the samples (syslog prefix splitting, HAProxy decoding).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "../../parsers/haproxy_common.h"
#include "../../parsers/syslog_common.h"
#include "rstscope/text.h"
#include "test_support.h"

using namespace rstscope;
using rstscope::testing::parse_with;

TEST(Syslog, SplitsRfc3164WithPri) {
  syslog::Prefix p;
  ASSERT_TRUE(syslog::split("<134>Nov 23 20:19:02 localhost haproxy[30981]: hello world", p));
  EXPECT_EQ(p.version, 0);
  EXPECT_EQ(p.facility, 16);
  EXPECT_EQ(p.severity, 6);
  EXPECT_EQ(p.host, "localhost");
  EXPECT_EQ(p.app, "haproxy");
  EXPECT_EQ(p.pid, "30981");
  EXPECT_EQ(p.message, "hello world");
  EXPECT_TRUE(p.has_time);
  EXPECT_EQ(p.time.month, 11);
  EXPECT_EQ(p.time.year, 0);
}

TEST(Syslog, SplitsRfc5424) {
  syslog::Prefix p;
  ASSERT_TRUE(syslog::split(
      "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" "
      "eventSource=\"Application\" eventID=\"1011\"] An application event", p));
  EXPECT_EQ(p.version, 1);
  EXPECT_EQ(p.host, "mymachine.example.com");
  EXPECT_EQ(p.app, "evntslog");
  EXPECT_EQ(p.pid, "");
  EXPECT_EQ(p.msgid, "ID47");
  EXPECT_EQ(p.message, "An application event");
  EXPECT_TRUE(p.time.has_offset);
  EXPECT_EQ(p.time.micros, 3000);
}

TEST(Syslog, IsoTimeAndBareTagAndNoPrefix) {
  syslog::Prefix p;
  ASSERT_TRUE(syslog::split("2021-12-15T16:55:18+01:00 host.example.com haproxy[20560]: x y", p));
  EXPECT_EQ(p.time.offset_seconds, 3600);
  EXPECT_EQ(p.message, "x y");
  ASSERT_TRUE(syslog::split("haproxy[674]: 127.0.0.1:33318 [15/Oct/2003:08:31:57.130] px", p));
  EXPECT_FALSE(p.has_time);
  EXPECT_EQ(p.app, "haproxy");
  EXPECT_FALSE(syslog::split("127.0.0.1:33318 [15/Oct/2003:08:31:57.130] px", p));
  EXPECT_EQ(p.message, "127.0.0.1:33318 [15/Oct/2003:08:31:57.130] px");
  EXPECT_FALSE(syslog::split("", p));
  EXPECT_FALSE(syslog::split("<999>garbage", p));
}

TEST(Syslog, FormatsIsoMs) {
  char buf[32];
  size_t n = syslog::format_iso_ms(1795465173123000LL, buf);
  EXPECT_EQ(std::string(buf, n), format_iso_ms(1795465173123000LL));
}

TEST(Haproxy, TerminationStates) {
  auto t = haproxy::decode_termination("cD--");
  EXPECT_EQ(t.closed_by, "client");
  EXPECT_EQ(t.phase, "data");
  EXPECT_TRUE(t.timeout);
  EXPECT_EQ(haproxy::decode_termination("PR--").closed_by, "proxy");
  EXPECT_EQ(haproxy::decode_termination("KD").closed_by, "killed");
  EXPECT_EQ(haproxy::decode_termination("SL").phase, "last-ack");
  EXPECT_EQ(haproxy::decode_termination("PT").phase, "tarpit");
  EXPECT_EQ(haproxy::category_for("SC--", 503), "upstream-refused");
  EXPECT_EQ(haproxy::category_for("sC--", 503), "upstream-timeout");
  EXPECT_EQ(haproxy::category_for("CD--", 200), "client-closed");
  EXPECT_EQ(haproxy::category_for("cD--", 200), "client-timeout");
  EXPECT_EQ(haproxy::category_for("cR--", 408), "request-timeout");
  EXPECT_EQ(haproxy::category_for("PR--", 403), "request-rejected");
  EXPECT_EQ(haproxy::category_for("PH--", 502), "upstream-invalid");
  EXPECT_EQ(haproxy::category_for("----", 200), "request");
  EXPECT_EQ(haproxy::category_for("----", 503), "unavailable");
  EXPECT_EQ(haproxy::category_for("", 502), "upstream-error");
}

// The parser reuses the previous line's parsed syslog time and resolved accept second when the
// text repeats (per-file caches); every line must get the time it gets when parsed alone.
TEST(Haproxy, RepeatedSecondsGiveTheSameTimesAsLinesParsedAlone) {
  const char* tail = " fe be/s1 0/0/0/1/1 200 10 - - ---- 1/1/0/0/0 0/0 \"GET / HTTP/1.1\"\n";
  std::vector<std::vector<std::string>> files = {
      {
          "<134>Nov 23 20:19:00 lb1 haproxy[1]: 10.0.0.1:1000 [23/Nov/2026:20:19:00.020]",
          "<134>Nov 23 20:19:00 lb1 haproxy[1]: 10.0.0.1:1001 [23/Nov/2026:20:19:00.999]",
          "<134>Nov 23 20:19:01 lb1 haproxy[1]: 10.0.0.1:1002 [23/Nov/2026:20:19:00.500]",
          "<134>Nov 23 20:19:01 lb1 haproxy[1]: 10.0.0.1:1003 [23/Nov/2026:20:19:01.000]",
          "2026-11-23T20:19:01+01:00 lb1 haproxy[1]: 10.0.0.1:1004 [23/Nov/2026:20:19:01.001]",  // zone from syslog
          "2026-11-23T20:19:01-05:00 lb1 haproxy[1]: 10.0.0.1:1005 [23/Nov/2026:20:19:01.002]",
          "<134>Nov 23 20:19:01 lb1 haproxy[1]: 10.0.0.1:1006 [23/Nov/2026:20:19:01.003]",
          "<134>Nov 23 20:19:01 lb1 haproxy[1]: 10.0.0.1:1007 [23/Nov/2026:20:19:01.0x3]",  // not a date: syslog time
          "<134>Nov 23 20:19:01 lb1 haproxy[1]: 10.0.0.1:1008 [23/Nov/2026:20:19:01.5]",
          "10.0.0.1:1009 [23/Nov/2026:20:19:01.004]",
      },
      {  // across the start of summer time in Europe/Berlin
          "<134>Mar 29 01:59:59 lb1 haproxy[1]: 10.0.0.1:1010 [29/Mar/2026:01:59:59.999]",
          "<134>Mar 29 03:00:00 lb1 haproxy[1]: 10.0.0.1:1011 [29/Mar/2026:03:00:00.001]",
          "<134>Mar 29 03:00:00 lb1 haproxy[1]: 10.0.0.1:1012 [29/Mar/2026:03:00:00.002]",
      },
  };
  for (std::string tz : {"", "Europe/Berlin"}) {
    for (const auto& lines : files) {
      std::string all;
      for (const auto& l : lines) all += l + tail;
      ParsedText together = parse_with("haproxy", all, tz);
      ASSERT_EQ(together.events.size(), lines.size()) << tz;
      std::set<int64_t> distinct;
      for (size_t i = 0; i < lines.size(); ++i) {
        ParsedText alone = parse_with("haproxy", lines[i] + tail, tz);
        ASSERT_EQ(alone.events.size(), 1u) << lines[i];
        EXPECT_EQ(together.events[i].ts, alone.events[0].ts) << tz << " " << lines[i];
        EXPECT_EQ(together.events[i].ts_zone, alone.events[0].ts_zone) << tz << " " << lines[i];
        EXPECT_EQ(together.events[i].ts_raw, alone.events[0].ts_raw) << tz << " " << lines[i];
        EXPECT_EQ(together.events[i].fields.lookup("syslog_ts"), alone.events[0].fields.lookup("syslog_ts"))
            << tz << " " << lines[i];
        distinct.insert(together.events[i].ts);
      }
      // Every line its own instant, except .0x3 (falls back to its syslog second, 20:19:01 again).
      EXPECT_EQ(distinct.size(), lines.size() - (lines.size() == 10 ? 1 : 0)) << tz;
    }
  }
  // The millisecond is kept on a cache hit: 20:19:00.020 and .999 are 979 ms apart.
  ParsedText t = parse_with("haproxy", files[0][0] + tail + files[0][1] + tail);
  ASSERT_EQ(t.events.size(), 2u);
  EXPECT_EQ(t.events[1].ts - t.events[0].ts, 979000);
}

TEST(Haproxy, GarbageNeverCrashes) {
  const char* bad[] = {"1.2.3.4:5 [", "1.2.3.4:5 [01/Jan/2020:00:00:00.000]", "1.2.3.4:5 [01/Jan/2020:00:00:00.000] fe",
                       "1.2.3.4:5 [01/Jan/2020:00:00:00.000] fe be/s 1/2/3/4/5", "x - - [", "Connect from",
                       "<134>", "[ALERT]", "1.2.3.4:5 [99/Foo/2020:00:00:00.000] fe be/s 1/2/3 0 -- 0/0/0/0/0 0/0"};
  for (const char* b : bad) {
    ParsedText r = parse_with("haproxy", b);
    EXPECT_EQ(r.events.size() + r.unparsed.size(), 1u) << b;
  }
}

// The local loopback run (shared/corpus/other/local_loopback_scenarios.json): each backend fault
// must come out of the HAProxy and nginx logs as the category the correlation rules look for.
TEST(ProxyLocal, HaproxyFaultsBecomeTheirCategories) {
  std::string text = rstscope::testing::read_file(rstscope::testing::corpus("haproxy/local_scenarios_haproxy.log"));
  ParsedText r = parse_with("haproxy", text);
  ASSERT_EQ(r.events.size(), 17u);
  std::map<std::string, std::string> want = {
      {"/ok", "request"},           {"/rst", "upstream-closed"},   {"/rstnow", "upstream-closed"},
      {"/partial", "upstream-reset"}, {"/noresp", "upstream-closed"}, {"/refused", "upstream-refused"},
      {"/slow", "upstream-timeout"}, {"", "upstream-reset"}};  // "" = the TCP-mode line (SD)
  for (const Event& e : r.events) {
    SCOPED_TRACE(e.raw);
    ASSERT_TRUE(want.count(e.path));
    EXPECT_EQ(e.category, want[e.path]);
    EXPECT_EQ(e.client_ip, "127.0.0.1");
    EXPECT_NE(e.client_port, kNull);
    EXPECT_EQ(e.ts_zone, ZoneSource::inferred);
  }
  // SC-- on /refused: never connected (Tc = -1), closed by the server side during connect.
  const Event& refused = r.events[9];
  EXPECT_EQ(refused.fields.lookup("tc"), "-1");
  EXPECT_EQ(refused.fields.lookup("phase"), "connect");
  EXPECT_EQ(refused.fields.lookup("closed_by"), "server");
  EXPECT_EQ(refused.duration_us, 3006000);
}

TEST(ProxyLocal, NginxErrorFaultsBecomeTheirCategories) {
  std::string text =
      rstscope::testing::read_file(rstscope::testing::corpus("nginx_error/local_scenarios_nginx_error.log"));
  ParsedText r = parse_with("nginx-error", text);
  std::map<std::string, int> count;
  for (const Event& e : r.events) ++count[e.category];
  EXPECT_EQ(count["upstream-reset"], 6);    // recv()/readv()/connect() 104 while talking to upstream
  EXPECT_EQ(count["upstream-closed"], 2);   // upstream prematurely closed
  EXPECT_EQ(count["upstream-refused"], 2);  // connect() 111
  EXPECT_EQ(count["upstream-timeout"], 2);  // upstream timed out 110
  EXPECT_EQ(count["client-closed"], 1);     // epoll_wait() reported that client prematurely closed
  EXPECT_EQ(count["server-start"], 2);
  EXPECT_GE(count["server-stop"], 4);
  EXPECT_EQ(count["client-keepalive-close"], 13);
}

TEST(ProxyLocal, EnvoyFlagsAndNginxIngressLists) {
  ParsedText r = parse_with("envoy",
                            "[2019-04-06T06:20:05.972Z] \"- - -\" 0 UF,URX 0 0 0 - \"-\" \"-\" \"-\" \"-\" "
                            "\"127.0.0.1:9200\"\n[2016-04-15T20:17:00.310Z] \"GET / HTTP/1.1\" 503 UC 0 95 1 - "
                            "\"-\" \"-\" \"-\" \"-\" \"10.0.0.1:80\"\n[2016-04-15T20:17:00.310Z] \"GET / HTTP/1.1\" "
                            "504 UT 0 24 15000 - \"-\" \"-\" \"-\" \"-\" \"10.0.0.1:80\"");
  ASSERT_EQ(r.events.size(), 3u);
  EXPECT_EQ(r.events[0].category, "upstream-connect-failed");
  EXPECT_EQ(r.events[1].category, "upstream-closed");
  EXPECT_EQ(r.events[2].category, "upstream-timeout");
  EXPECT_EQ(r.events[2].duration_us, 15000000);
}

namespace {
// The parser sniff picks for `text` (as ingest picks it), by file name `name`.
std::string sniffed(std::string_view name, const std::string& text) {
  std::vector<std::string_view> lines;
  for (size_t pos = 0; pos < text.size() && lines.size() < kSniffLines;) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string_view l(text.data() + pos, nl - pos);
    if (!trim(l).empty()) lines.push_back(l);
    pos = nl + 1;
  }
  SniffInput in{name, name, lines};
  std::string best;
  int score = 0;
  for (const Parser* p : all_parsers())
    if (int sc = p->sniff(in).score; sc > score) score = sc, best = std::string(p->name());
  return best;
}
}  // namespace

// nginx error lines forwarded through syslog (RFC 3164 and RFC 5424) are nginx-error's, with
// nginx's own time as the event time and the syslog header kept in fields.
TEST(NginxSyslog, Rfc3164And5424PrefixesAreRecognisedAndParsed) {
  std::string text =
      "Nov 23 20:34:33 web1 nginx: 2026/11/23 20:34:33 [error] 123#123: *45 upstream prematurely closed connection "
      "while reading response header from upstream, client: 10.0.0.1, server: api, request: \"GET /v1 HTTP/1.1\", "
      "upstream: \"http://10.0.0.9:8080/v1\", host: \"api\"\n"
      "<163>Nov 23 20:34:35 web1 nginx[123]: 2026/11/23 20:34:35 [info] 123#123: *46 client 10.0.0.2 closed "
      "keepalive connection\n"
      "<171>1 2026-11-23T20:34:36.000000+01:00 web2 nginx - - - 2026/11/23 20:34:36 [error] 7#7: *3 recv() failed "
      "(104: Connection reset by peer) while reading client request line, client: 10.0.0.3, server: 0.0.0.0:443\n";
  EXPECT_EQ(sniffed("messages", text), "nginx-error");
  ParsedText r = parse_with("nginx-error", text);
  EXPECT_TRUE(r.unparsed.empty());
  ASSERT_EQ(r.events.size(), 3u);
  EXPECT_EQ(r.events[0].category, "upstream-closed");
  EXPECT_EQ(r.events[0].conn_id, "45");
  EXPECT_EQ(event_field(r.events[0], "fields.syslog_host"), "web1");
  EXPECT_EQ(event_field(r.events[0], "fields.program"), "nginx");
  EXPECT_EQ(event_field(r.events[0], "ts"), "2026-11-23T20:34:33.000Z");
  EXPECT_EQ(r.events[1].category, "client-keepalive-close");
  EXPECT_EQ(r.events[1].client_ip, "10.0.0.2");
  // RFC 5424 time with an offset: nginx's zone-less time takes it (20:34:36 +01:00 = 19:34:36Z).
  EXPECT_EQ(r.events[2].category, "client-reset");
  EXPECT_EQ(event_field(r.events[2], "ts"), "2026-11-23T19:34:36.000Z");
  EXPECT_EQ(event_field(r.events[2], "fields.syslog_ts"), "2026-11-23T19:34:36.000Z");
  EXPECT_EQ(r.events[2].server_port, 443);
  // the corpus file (pfSense's web GUI nginx, RFC 5424) is sniffed as nginx-error too
  std::string pf = rstscope::testing::read_file(rstscope::testing::corpus("pfsense/crowdsec_pfsense-rfc5424-nginx.log"));
  EXPECT_EQ(sniffed("crowdsec_pfsense-rfc5424-nginx.log", pf), "nginx-error");
}

// The crowdsec nginx files mix access lines (combined, "$host $remote_addr", nginx-proxy-manager)
// with nginx error lines: nginx-access reads them all, not apache-access with 2 unparsed.
TEST(NginxAccess, MixedAccessAndErrorFilesAreNginx) {
  for (const char* rel : {"nginx_access/crowdsec_nginx-proxy-manager-logs.log", "nginx_access/crowdsec_nginx_http-logs.log"}) {
    std::string text = rstscope::testing::read_file(rstscope::testing::corpus(rel));
    EXPECT_EQ(sniffed(rel, text), "nginx-access") << rel;
    ParsedText r = parse_with("nginx-access", text);
    int errors = 0;
    for (const Event& e : r.events)
      if (!e.severity.empty()) {
        ++errors;
        EXPECT_FALSE(e.conn_id.empty()) << rel << " line " << e.line;
        EXPECT_FALSE(e.client_ip.empty()) << rel << " line " << e.line;
      }
    EXPECT_GE(errors, 1) << rel;
    // only crowdsec's hand-made line without a $remote_user column stays unparsed
    EXPECT_LE(r.unparsed.size(), 1u) << rel;
  }
  // X-Forwarded-For lists: the first address is the client, the list is kept.
  ParsedText x = parse_with("nginx-access",
                            "2a03:0000:10ff:f00f:0000:0000:0:8000, 10.225.192.17 10.2.2.121 - - [30/Dec/2016:06:47:09 "
                            "+0000] \"GET /test.html HTTP/1.1\" 404 8571 \"-\" \"Mozilla/5.0\"");
  ASSERT_EQ(x.events.size(), 1u);
  EXPECT_EQ(x.events[0].client_ip, "2a03:0000:10ff:f00f:0000:0000:0:8000");
  EXPECT_EQ(event_field(x.events[0], "fields.forwarded_for"),
            "2a03:0000:10ff:f00f:0000:0000:0:8000, 10.225.192.17, 10.2.2.121");
  // An nginx error log with one stray access line stays nginx-error's.
  std::string err =
      "2026/11/23 20:34:33 [error] 1#1: *1 upstream timed out (110: Connection timed out), client: 1.2.3.4, server: x\n"
      "2026/11/23 20:34:34 [error] 1#1: *2 upstream timed out (110: Connection timed out), client: 1.2.3.4, server: x\n"
      "1.2.3.4 - - [23/Nov/2026:20:34:35 +0000] \"GET / HTTP/1.1\" 504 0 \"-\" \"curl\"\n";
  EXPECT_EQ(sniffed("nginx/error.log", err), "nginx-error");
}

// Kestrel's own connection log (Microsoft.Extensions.Logging console layout): resets, minimum
// data rate aborts and bad requests are role=server events, and the file sniffs as server-signals.
TEST(ServerSignals, KestrelConnectionLog) {
  std::string text = rstscope::testing::read_file(std::string(RSTSCOPE_SOURCE_DIR) + "/tests/fixtures/server/kestrel_console.log");
  EXPECT_EQ(sniffed("app.log", text), "server-signals");
  ParsedText r = parse_with("server-signals", text);
  EXPECT_TRUE(r.unparsed.empty());
  ASSERT_EQ(r.events.size(), 9u);  // one per "level: Category[Id]" record
  std::map<std::string, const Event*> by_cat;
  for (const Event& e : r.events) {
    EXPECT_EQ(e.role, Role::server);
    by_cat.emplace(e.category, &e);
  }
  ASSERT_TRUE(by_cat.count("client-reset"));
  const Event& reset = *by_cat["client-reset"];
  EXPECT_EQ(reset.conn_id, "0HN7F3K2L1ABC");
  EXPECT_EQ(reset.message, "Connection id \"0HN7F3K2L1ABC\" reset.");
  EXPECT_EQ(reset.severity, "debug");
  EXPECT_EQ(event_field(reset, "fields.logger"), "Microsoft.AspNetCore.Server.Kestrel.Connections");
  EXPECT_EQ(event_field(reset, "fields.event_id"), "19");
  EXPECT_EQ(r.events[4].category, "client-reset");
  EXPECT_EQ(r.events[6].category, "client-timeout");
  EXPECT_EQ(r.events[6].request_id, "0HN7F3K2L1ABD:00000004");
  EXPECT_EQ(r.events[7].category, "bad-request");
  EXPECT_EQ(r.events[7].conn_id, "0HN7F3K2L1ABE");
  EXPECT_EQ(r.events[8].category, "client-timeout");
  EXPECT_EQ(r.events[0].category, "server-start");
  EXPECT_EQ(r.events[2].category, "debug");  // "accepted." is no signal: its level
  // An ASP.NET service that also logs its HttpClient failures is a client's log.
  std::string mixed = text +
                      "fail: System.Net.Http.HttpClient.orders.LogicalHandler[102]\n"
                      "      Request failed\n"
                      "      System.Net.Http.HttpRequestException: An error occurred while sending the request.\n";
  EXPECT_EQ(sniffed("app.log", mixed), "client-app-log");
}

// Every prefix of every sample line of the proxy parsers (a truncated or cut-off line) parses to
// events or unparsed records without crashing; run under ASan+UBSan this is a small fuzz pass.
TEST(ProxyGarbage, TruncatedSamplesNeverCrash) {
  for (std::string_view name :
       {"haproxy", "envoy", "nginx-json", "nginx-ingress", "nginx-error", "nginx-access", "server-signals"}) {
    const Parser& p = rstscope::testing::parser_named(name);
    size_t runs = 0;
    for (const Sample& s : p.samples()) {
      std::string_view text = s.text;
      for (size_t cut = 0; cut <= text.size(); cut += 5) {
        ParsedText r;
        try {
          r = parse_text(p, text.substr(0, cut));
        } catch (const std::exception& e) {
          ADD_FAILURE() << name << " threw on a cut at " << cut << ": " << e.what() << " | " << text.substr(0, cut);
          continue;
        }
        size_t lines = 1 + static_cast<size_t>(std::count(text.begin(), text.begin() + long(cut), '\n'));
        EXPECT_LE(r.events.size() + r.unparsed.size(), lines) << name << " cut " << cut;
        ++runs;
      }
    }
    EXPECT_GT(runs, 50u) << name;
  }
}
