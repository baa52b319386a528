// Probe without servers: error vocabulary, HTTP framing, log lines and their parser, refused and
// DNS failures, the CLI's help and exit codes.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "probe/http_reader.h"
#include "probe/probe.h"
#include "rstscope/reader.h"
#include "test_support.h"

using namespace rstscope;
using namespace rstscope::probe;

namespace {

// A loopback port with nothing listening: bind, read the port, close.
int closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

std::string run_cmd(const std::string& cmd, int& rc) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) {
    rc = -1;
    return out;
  }
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int st = ::pclose(p);
  rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return out;
}

}  // namespace

TEST(ProbeErrors, ErrnoNamesAndWindowsTwins) {
  EXPECT_EQ(errno_name(ECONNRESET), "ECONNRESET");
  EXPECT_EQ(wsa_code(ECONNRESET), 10054);
  EXPECT_EQ(wsa_code(ECONNREFUSED), 10061);
  EXPECT_EQ(wsa_code(ETIMEDOUT), 10060);
  EXPECT_EQ(wsa_code(ECONNABORTED), 10053);
  EXPECT_EQ(wsa_code(EPIPE), 0);  // no Winsock twin
  EXPECT_EQ(errno_name(EPIPE), "EPIPE");
  EXPECT_EQ(wsa_message(10054), "An existing connection was forcibly closed by the remote host.");
  EXPECT_EQ(kind_for_errno(ECONNRESET), "reset");
  EXPECT_EQ(kind_for_errno(ECONNREFUSED), "refused");
  EXPECT_EQ(kind_for_errno(EPIPE), "broken-pipe");
  EXPECT_EQ(kind_for_errno(ECONNABORTED), "aborted");
  EXPECT_EQ(kind_for_errno(ETIMEDOUT), "timeout");
  EXPECT_EQ(kind_for_errno(EHOSTUNREACH), "other");
  EXPECT_EQ(tls_alert_name(70), "protocol_version");
  EXPECT_EQ(tls_alert_name(40), "handshake_failure");
  EXPECT_EQ(tls_alert_name(112), "unrecognized_name");
  EXPECT_EQ(tls_alert_name(7), "");
}

TEST(ProbeHttpReader, ContentLengthChunkedAndCutOff) {
  {
    HttpResponseReader r;
    std::string resp = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
    for (char c : resp) r.feed(std::string_view(&c, 1));  // byte by byte
    EXPECT_TRUE(r.complete());
    EXPECT_EQ(r.status(), 200);
    EXPECT_EQ(r.body_bytes(), 5);
    EXPECT_FALSE(r.connection_close());
  }
  {
    HttpResponseReader r;
    r.feed("HTTP/1.1 502 Bad Gateway\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n4\r\nab");
    EXPECT_FALSE(r.complete());
    r.feed("cd\r\n3;x=y\r\nxyz\r\n0\r\n\r\n");
    EXPECT_TRUE(r.complete());
    EXPECT_EQ(r.body_bytes(), 7);
    EXPECT_TRUE(r.connection_close());
    EXPECT_EQ(r.framing(), "chunked");
  }
  {
    HttpResponseReader r;
    r.feed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
    r.close();
    EXPECT_TRUE(r.failed());
    EXPECT_NE(r.error().find("cut off"), std::string::npos);
  }
  {
    HttpResponseReader r;
    r.feed("HTTP/1.0 200 OK\r\n\r\nbody until close");
    EXPECT_FALSE(r.complete());
    r.close();
    EXPECT_TRUE(r.complete());
    EXPECT_EQ(r.framing(), "until-close");
  }
  {
    HttpResponseReader r;
    r.feed("SSH-2.0-OpenSSH_9.2\r\n\r\n");
    EXPECT_TRUE(r.failed());
  }
}

TEST(ProbeLog, LineRoundTripsThroughTheParser) {
  Step s;
  s.conn = 3;
  s.name = "reuse-response";
  s.result = "fail";
  s.wall_us = 1795940400123000;  // 2026-11-29T08:20:00.123Z
  s.elapsed_ms = 12.5;
  s.local = "[::1]:51234";
  s.remote = "[::1]:8443";
  s.kind = "reset";
  s.err = ECONNRESET;
  s.error_name = "ECONNRESET";
  s.wsa = 10054;
  s.close = "rst";
  s.info.emplace_back("tls_reason", "a \"quoted\" reason = odd\\");
  s.message = "Connection reset by peer while reading the response";
  std::string line = format_log_line(s, "run1", "[::1]:8443");
  EXPECT_EQ(line.substr(0, 40), "2026-11-29T08:20:00.123Z rstscope-probe ");
  ParsedText r = rstscope::testing::parse_with("probe-log", line);
  ASSERT_EQ(r.events.size(), 1u);
  ASSERT_TRUE(r.unparsed.empty());
  const Event& ev = r.events[0];
  EXPECT_EQ(event_field(ev, "ts"), "2026-11-29T08:20:00.123Z");
  EXPECT_EQ(event_field(ev, "role"), "client");
  EXPECT_EQ(ev.category, "client-failure");
  EXPECT_EQ(ev.kind, "reset");
  EXPECT_EQ(ev.host, "::1");
  EXPECT_EQ(ev.server_port, 8443);
  EXPECT_EQ(ev.client_ip, "::1");
  EXPECT_EQ(ev.client_port, 51234);
  EXPECT_EQ(ev.conn_id, "run1#3");
  EXPECT_EQ(ev.duration_us, 12500);
  EXPECT_EQ(ev.message, s.message);
  EXPECT_EQ(event_field(ev, "fields.errno"), "104");
  EXPECT_EQ(event_field(ev, "fields.error_name"), "ECONNRESET");
  EXPECT_EQ(event_field(ev, "fields.close"), "rst");
  EXPECT_EQ(event_field(ev, "fields.step"), "reuse-response");
  EXPECT_EQ(event_field(ev, "fields.elapsed_ms"), "12.500");
  // The JSON stays valid with quotes and backslashes inside values.
  EXPECT_NE(std::string(const_cast<Event&>(ev).fields.json()).find("a \\\"quoted\\\" reason = odd\\\\"),
            std::string::npos);
}

TEST(ProbeLog, SniffPicksTheProbeParserOverEveryOther) {
  std::vector<std::string> lines = {
      "2026-11-24T10:18:44.634Z rstscope-probe run=d10a619-19597 conn=1 step=resolve target=127.0.0.1:28443 "
      "result=ok elapsed_ms=0.088 addresses=127.0.0.1 msg=\"127.0.0.1 -> 127.0.0.1\"",
      "2026-11-24T10:18:44.634Z rstscope-probe run=d10a619-19597 conn=1 step=connect target=127.0.0.1:28443 "
      "result=ok elapsed_ms=0.174 local=127.0.0.1:33392 remote=127.0.0.1:28443 msg=\"connected\""};
  std::vector<std::string_view> views(lines.begin(), lines.end());
  SniffInput in{"client/probe.log", "probe.log", views};
  const Parser* best = nullptr;
  int best_score = 0;
  for (const Parser* p : all_parsers()) {
    Score sc = p->sniff(in);
    if (sc.score > best_score) {
      best_score = sc.score;
      best = p;
    }
  }
  ASSERT_NE(best, nullptr);
  EXPECT_EQ(best->name(), "probe-log");
  EXPECT_GE(best_score, 95);
}

TEST(ProbeRun, RefusedPortNamesTheErrno) {
  Options o;
  o.host = "127.0.0.1";
  o.port = closed_port();
  o.timeout_s = 3;
  std::vector<std::string> seen;
  Result r = run_probe(o, [&](const Step& s) { seen.push_back(s.name); });
  EXPECT_FALSE(r.ok);
  ASSERT_EQ(r.steps.size(), 2u);
  EXPECT_EQ(seen, (std::vector<std::string>{"resolve", "connect"}));
  const Step& c = r.steps[1];
  EXPECT_EQ(c.result, "fail");
  EXPECT_EQ(c.kind, "refused");
  EXPECT_EQ(c.err, ECONNREFUSED);
  EXPECT_EQ(c.error_name, "ECONNREFUSED");
  EXPECT_EQ(c.wsa, 10061);
  EXPECT_NE(c.message.find("refused"), std::string::npos);
  EXPECT_EQ(c.remote, "127.0.0.1:" + std::to_string(o.port));
  EXPECT_LT(c.elapsed_ms, 1000);
  // The text line names the local address:port of the attempt, as the log line does.
  ASSERT_EQ(c.local.rfind("127.0.0.1:", 0), 0u) << c.local;
  EXPECT_NE(c.message.find("connection from " + c.local + " refused by " + c.remote), std::string::npos) << c.message;
  EXPECT_NE(format_text_line(c).find(c.local), std::string::npos) << format_text_line(c);
  EXPECT_NE(format_log_line(c, "r", c.remote).find("local=" + c.local), std::string::npos);
}

TEST(ProbeRun, DnsFailureIsClearAndBounded) {
  Options o;
  o.host = "no-such-host.invalid";
  o.port = 443;
  o.timeout_s = 5;
  auto t0 = std::chrono::steady_clock::now();
  Result r = run_probe(o);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_LT(secs, 6.5);  // bounded by the timeout even when the resolver hangs
  ASSERT_EQ(r.steps.size(), 1u);
  const Step& s = r.steps[0];
  EXPECT_EQ(s.name, "resolve");
  EXPECT_EQ(s.result, "fail");
  EXPECT_TRUE(s.error_name == "EAI_NONAME" || s.error_name == "EAI_AGAIN" || s.error_name == "EAI_NODATA" ||
              s.error_name == "EAI_CANCELED")
      << s.error_name;
  EXPECT_NE(s.message.find("DNS lookup of 'no-such-host.invalid'"), std::string::npos) << s.message;
  if (s.error_name == "EAI_NONAME") {
    EXPECT_EQ(s.wsa, 11001);
  }
}

TEST(ProbeCli, HelpHasExamplesAndRefusedExitsTwo) {
  int rc = 0;
  std::string help = run_cmd(std::string(RSTSCOPE_BINARY) + " probe --help 2>&1", rc);
  EXPECT_EQ(rc, 0);
  EXPECT_NE(help.find("Examples:"), std::string::npos);
  EXPECT_NE(help.find("--find-idle-timeout"), std::string::npos);
  EXPECT_NE(help.find("--reuse-after"), std::string::npos);

  std::string log = (std::filesystem::temp_directory_path() / ("probe_cli_" + std::to_string(getpid()) + ".log")).string();
  std::string out = run_cmd(std::string(RSTSCOPE_BINARY) + " probe 127.0.0.1:" + std::to_string(closed_port()) +
                                " --timeout 2 --log " + log + " 2>&1",
                            rc);
  EXPECT_EQ(rc, 2) << out;
  EXPECT_NE(out.find("ECONNREFUSED 111"), std::string::npos) << out;
  EXPECT_NE(out.find("10061"), std::string::npos) << out;
  std::string text = rstscope::testing::read_file(log);
  std::filesystem::remove(log);
  ParsedText r = rstscope::testing::parse_with("probe-log", text);
  ASSERT_EQ(r.events.size(), 2u) << text;
  EXPECT_TRUE(r.unparsed.empty());
  EXPECT_EQ(r.events[1].category, "client-failure");
  EXPECT_EQ(r.events[1].kind, "refused");
  EXPECT_EQ(event_field(r.events[1], "fields.error_name"), "ECONNREFUSED");
  // The terminal line has the same local address:port as the log line.
  std::string local = "127.0.0.1:" + std::to_string(r.events[1].client_port);
  EXPECT_NE(out.find("connection from " + local + " refused by"), std::string::npos) << out;

  out = run_cmd(std::string(RSTSCOPE_BINARY) + " probe not-a-target 2>&1", rc);
  EXPECT_EQ(rc, 1) << out;
}
