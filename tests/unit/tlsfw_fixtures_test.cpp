// Fixtures built from the exact texts of signatures.md B8-B19 (tests/fixtures/tlsfw/README.md says
// what is verbatim and what is wrapper) for the formats with no corpus file: Schannel (wevtutil text
// and xml, Get-WinEvent CSV), Go/Caddy TLS errors, stunnel errors, pfirewall.log, conntrack, plus the
// reference examples of ASA, PAN-OS, VPC flow and VNet flow logs.
#include <gtest/gtest.h>

#include <map>
#include <tuple>

#include "rstscope/text.h"
#include "test_support.h"

using namespace rstscope;
using namespace rstscope::testing;

namespace {

std::string fixture_path(std::string_view name) {
  return std::string(RSTSCOPE_SOURCE_DIR) + "/tests/fixtures/tlsfw/" + std::string(name);
}

// Parses a fixture with `parser` after checking that sniff picks exactly that parser (or, when
// given, another parser that owns the format, e.g. "caddy" for Caddy's JSON logs).
ParsedText fixture(std::string_view name, std::string_view parser, std::string_view also_ok = "") {
  std::string text = read_file(fixture_path(name));
  std::vector<std::string_view> lines;
  size_t pos = 0;
  while (pos < text.size() && lines.size() < kSniffLines) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string_view l(text.data() + pos, nl - pos);
    if (!trim(l).empty()) lines.push_back(l);
    pos = nl + 1;
  }
  SniffInput in{name, name, lines};
  std::string best;
  int score = 0;
  for (const Parser* p : all_parsers()) {
    Score s = p->sniff(in);
    if (s.score > score) {
      score = s.score;
      best = std::string(p->name());
    }
  }
  EXPECT_TRUE(best == parser || (!also_ok.empty() && best == also_ok))
      << name << ": sniff picked " << best << " (" << score << ")";
  ParsedText r = parse_with(parser, text);
  for (const auto& [line, reason] : r.unparsed) ADD_FAILURE() << name << ":" << line << " unparsed: " << reason;
  return r;
}

std::string f(const Event& ev, std::string_view k) { return event_field(ev, k); }

}  // namespace

TEST(TlsfwFixtures, SchannelWevtutilText) {
  ParsedText r = fixture("schannel_wevtutil.txt", "schannel");
  ASSERT_EQ(r.events.size(), 5u);
  const Event& a = r.events[0];
  EXPECT_EQ(a.line, 1);
  EXPECT_EQ(a.role, Role::tls);
  EXPECT_EQ(f(a, "ts"), "2024-03-01T10:00:01.123Z");
  EXPECT_EQ(f(a, "fields.event_id"), "36887");
  EXPECT_EQ(f(a, "fields.tls_alert"), "46");
  EXPECT_EQ(f(a, "fields.tls_alert_name"), "certificate_unknown");
  EXPECT_EQ(f(a, "fields.alert_from"), "peer");
  EXPECT_EQ(a.category, "tls-handshake-failed");
  const Event& b = r.events[1];
  EXPECT_EQ(b.line, 16);
  EXPECT_EQ(f(b, "fields.tls_alert_name"), "handshake_failure");
  EXPECT_EQ(f(b, "fields.alert_from"), "local");
  EXPECT_EQ(b.host, "api.contoso.local");
  const Event& c = r.events[2];  // pre-2016 wording: "fatal error code ... error state"
  EXPECT_EQ(f(c, "fields.tls_alert"), "40");
  EXPECT_EQ(f(c, "fields.error_state"), "1205");
  EXPECT_EQ(f(c, "fields.meaning"), "no common cipher suite or protocol");
  const Event& d = r.events[3];
  EXPECT_EQ(f(d, "fields.event_id"), "36874");
  EXPECT_EQ(d.protocol, "TLSv1.2");
  EXPECT_EQ(f(d, "fields.tls_class"), "cipher");
  EXPECT_EQ(r.events[4].category, "tls-error");
  EXPECT_EQ(f(r.events[4], "fields.tls_class"), "config");
}

TEST(TlsfwFixtures, SchannelWevtutilXml) {
  ParsedText r = fixture("schannel_wevtutil.xml", "schannel");
  ASSERT_EQ(r.events.size(), 3u);
  EXPECT_EQ(f(r.events[0], "ts"), "2024-03-01T09:00:01.123Z");
  EXPECT_EQ(r.events[0].ts_zone, ZoneSource::explicit_);
  EXPECT_EQ(f(r.events[0], "fields.tls_alert_name"), "unknown_ca");
  EXPECT_EQ(f(r.events[0], "severity"), "error");
  EXPECT_EQ(f(r.events[1], "fields.tls_alert_name"), "protocol_version");
  EXPECT_EQ(f(r.events[1], "fields.error_state"), "105");
  EXPECT_EQ(f(r.events[1], "fields.tls_class"), "version");
  EXPECT_EQ(r.events[2].protocol, "TLSv1");
  EXPECT_EQ(r.events[2].line, 3);
}

TEST(TlsfwFixtures, SchannelGetWinEventCsv) {
  ParsedText r = fixture("schannel_getwinevent.csv", "schannel");
  ASSERT_EQ(r.events.size(), 3u);
  EXPECT_EQ(f(r.events[0], "fields.tls_alert_name"), "bad_record_mac");
  EXPECT_EQ(f(r.events[0], "ts"), "2024-03-01T10:15:04.000Z");
  EXPECT_EQ(r.events[0].line, 3);
  EXPECT_EQ(r.events[1].line, 4);  // its Message spans two lines
  EXPECT_EQ(r.events[1].host, "db.contoso.local");
  EXPECT_EQ(r.events[2].line, 6);
  EXPECT_EQ(r.events[2].protocol, "TLSv1.2");
  EXPECT_EQ(f(r.events[2], "fields.computer"), "app01");
}

TEST(TlsfwFixtures, GoTlsHandshakeErrors) {
  ParsedText r = fixture("go_tls.log", "go-tls");
  ASSERT_EQ(r.events.size(), 16u);
  std::vector<std::pair<std::string, std::string>> want = {
      {"tls-handshake-closed", "eof"},  {"tls-handshake-closed", "eof"},   {"tls-handshake-failed", "cert"},
      {"tls-handshake-failed", "cert"}, {"tls-handshake-failed", "cert"},  {"tls-handshake-failed", "cert"},
      {"tls-handshake-failed", "version"}, {"tls-handshake-failed", "peer-alert"},
      {"tls-handshake-failed", "version"}, {"tls-handshake-failed", "cipher"}, {"protocol-mismatch", "non-tls"},
      {"tls-handshake-failed", "version"}, {"tls-handshake-failed", "alpn"}, {"client-timeout", ""},
      {"tls-handshake-failed", "sni"}};
  for (size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE(r.events[i].raw);
    EXPECT_EQ(r.events[i].category, want[i].first);
    EXPECT_EQ(f(r.events[i], "fields.tls_class"), want[i].second);
    EXPECT_EQ(r.events[i].client_ip, "203.0.113.7");
    EXPECT_EQ(r.events[i].client_port, 51234 + int64_t(i));
  }
  EXPECT_EQ(f(r.events[1], "fields.reset_by"), "client");
  EXPECT_EQ(f(r.events[1], "server_port"), "443");
  EXPECT_EQ(f(r.events[4], "fields.tls_alert"), "48");
  EXPECT_EQ(f(r.events[4], "fields.meaning"), "client rejected the server certificate");
  EXPECT_EQ(f(r.events[8], "fields.client_max_version"), "TLSv1.2");
  EXPECT_EQ(r.events[15].category, "info");
}

TEST(TlsfwFixtures, CaddyJson) {
  ParsedText r = fixture("caddy.log", "go-tls", "caddy");
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(f(r.events[0], "fields.tls_alert_name"), "certificate_unknown");
  EXPECT_EQ(f(r.events[0], "client_port"), "60067");
}

TEST(TlsfwFixtures, StunnelErrors) {
  ParsedText r = fixture("stunnel_errors.log", "stunnel");
  std::map<int64_t, const Event*> by_line;
  for (const Event& ev : r.events) by_line[ev.line] = &ev;
  ASSERT_EQ(r.events.size(), 20u);
  EXPECT_EQ(by_line[2]->category, "tls-handshake-closed");
  EXPECT_EQ(by_line[2]->client_port, 40001);
  EXPECT_EQ(f(*by_line[2], "fields.service"), "https");
  EXPECT_EQ(f(*by_line[4], "fields.reset_by"), "client");
  EXPECT_EQ(f(*by_line[4], "fields.errno"), "104");
  EXPECT_EQ(by_line[6]->category, "plain-http-to-https");
  EXPECT_EQ(f(*by_line[6], "fields.tls_reason"), "http request");
  EXPECT_EQ(by_line[8]->category, "tls-handshake-failed");
  EXPECT_EQ(f(*by_line[8], "fields.tls_function"), "");  // 3.x: no function in ERR_error_string
  EXPECT_EQ(f(*by_line[10], "fields.tls_reason"), "version too low");
  EXPECT_EQ(by_line[11]->category, "client-timeout");
  EXPECT_EQ(by_line[14]->category, "conn-reset");
  EXPECT_EQ(f(*by_line[14], "fields.reset_side"), "tls");
  EXPECT_EQ(f(*by_line[15], "fields.reset_side"), "socket");
  EXPECT_EQ(by_line[16]->category, "request-rejected");
  EXPECT_EQ(by_line[16]->client_ip, "198.51.100.66");
  EXPECT_EQ(by_line[18]->category, "idle-close");
  EXPECT_EQ(f(*by_line[18], "fields.rst"), "true");
  EXPECT_EQ(by_line[18]->client_port, 40011);
  EXPECT_EQ(by_line[19]->category, "conn-reset");
  EXPECT_EQ(by_line[19]->bytes, 120);
  EXPECT_EQ(by_line[20]->category, "tls-handshake-closed");
  EXPECT_EQ(by_line[20]->conn_id, "32");
}

TEST(TlsfwFixtures, WindowsFirewallHeaderDrivesColumns) {
  ParsedText r = fixture("pfirewall.log", "windows-firewall");
  ASSERT_EQ(r.events.size(), 4u);
  EXPECT_EQ(r.events[0].category, "fw-drop");
  EXPECT_EQ(f(r.events[0], "fields.pid"), "0");
  EXPECT_EQ(r.events[1].category, "fw-allow");
  EXPECT_EQ(f(r.events[1], "fields.pid"), "4120");
  EXPECT_EQ(r.events[1].server_port, 443);
  EXPECT_EQ(r.events[2].category, "fw-no-state");
  EXPECT_EQ(f(r.events[2], "fields.tcp_flags"), "ACK RST");
  EXPECT_EQ(f(r.events[3], "fields.events_lost"), "12");
}

TEST(TlsfwFixtures, Conntrack) {
  ParsedText r = fixture("conntrack_events.txt", "conntrack");
  ASSERT_EQ(r.events.size(), 7u);
  EXPECT_EQ(r.events[0].category, "fw-allow");
  EXPECT_EQ(f(r.events[0], "fields.unreplied"), "true");
  EXPECT_EQ(r.events[3].category, "fw-reset");
  EXPECT_EQ(r.events[3].client_port, 45000);
  EXPECT_EQ(r.events[4].category, "fw-teardown");
  EXPECT_EQ(r.events[4].bytes, 13500);
  EXPECT_EQ(r.events[4].conn_id, "3735928559");
  EXPECT_EQ(r.events[5].category, "conn-timeout");
  EXPECT_EQ(f(r.events[5], "ts"), "2024-03-26T16:00:00.345Z");
  EXPECT_EQ(r.events[6].protocol, "tcp");
  EXPECT_EQ(f(r.events[6], "fields.state"), "ESTABLISHED");
}

TEST(TlsfwFixtures, CiscoAsaReferenceExamples) {
  ParsedText r = fixture("asa_b14.log", "cisco-asa");
  ASSERT_EQ(r.events.size(), 9u);
  // Built inbound: OUTSIDE originated.
  EXPECT_EQ(r.events[0].client_ip, "198.51.100.20");
  EXPECT_EQ(r.events[0].server_port, 443);
  EXPECT_EQ(r.events[1].category, "fw-teardown");
  EXPECT_EQ(r.events[2].category, "conn-timeout");
  EXPECT_EQ(r.events[3].category, "fw-reset");
  EXPECT_EQ(f(r.events[3], "fields.reset_by"), "client");
  // Teardown of the Built connection keeps its orientation and names the initiator.
  EXPECT_EQ(r.events[4].client_ip, "198.51.100.20");
  EXPECT_EQ(f(r.events[4], "fields.teardown_initiator"), "INSIDE");
  EXPECT_EQ(r.events[4].duration_us, 125000000);
  EXPECT_EQ(r.events[5].category, "conn-timeout");
  EXPECT_EQ(f(r.events[5], "fields.reason"), "Conn-timeout");
  EXPECT_EQ(r.events[5].client_ip, "10.1.1.7");
  EXPECT_EQ(f(r.events[6], "fields.reset_by"), "server");
  EXPECT_EQ(r.events[7].category, "fw-no-state");
  EXPECT_EQ(f(r.events[7], "fields.tcp_flags"), "ACK FIN");
  EXPECT_EQ(r.events[8].category, "fw-drop");
  EXPECT_EQ(f(r.events[8], "fields.acl"), "outside_in");
}

TEST(TlsfwFixtures, PanosReferenceLine) {
  ParsedText r = fixture("panos_b13.log", "panos");
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].category, "fw-reset");
  EXPECT_EQ(f(r.events[0], "fields.reset_by"), "server");
}

TEST(TlsfwFixtures, VpcFlowVersions) {
  ParsedText v2 = fixture("vpcflow_v2.log", "aws-vpcflow");
  ASSERT_EQ(v2.events.size(), 3u);
  EXPECT_EQ(v2.events[1].category, "fw-drop");
  EXPECT_EQ(v2.events[2].category, "info");
  ParsedText v3 = fixture("vpcflow_v3.log", "aws-vpcflow");
  ASSERT_EQ(v3.events.size(), 1u);
  EXPECT_EQ(f(v3.events[0], "fields.tcp_flags"), "SYN FIN");
  EXPECT_EQ(v3.events[0].bytes, 1260);
  EXPECT_EQ(f(v3.events[0], "fields.packets"), "17");
  ParsedText v5 = fixture("vpcflow_v5.log", "aws-vpcflow");
  ASSERT_EQ(v5.events.size(), 1u);
  EXPECT_EQ(f(v5.events[0], "fields.flow_direction"), "ingress");
  EXPECT_EQ(f(v5.events[0], "fields.pkt_src_aws_service"), "S3");
  EXPECT_EQ(f(v5.events[0], "fields.tcp_flags"), "SYN ACK FIN");
  EXPECT_EQ(v5.events[0].client_port, 80);
}

TEST(TlsfwFixtures, AzureVnetFlowLog) {
  ParsedText r = fixture("azure_vnet.json", "azure-nsg");
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(r.events[0].category, "fw-allow");
  EXPECT_EQ(f(r.events[0], "ts"), "2022-09-14T09:00:03.599Z");
  EXPECT_EQ(r.events[0].line, 20);
  EXPECT_EQ(r.events[1].category, "fw-drop");
  EXPECT_EQ(f(r.events[1], "fields.rule"), "BlockHighRiskTCPPortsFromInternet");
  EXPECT_EQ(r.events[1].line, 31);
}

TEST(TlsfwFixtures, GarbageNeverCrashes) {
  // Every parser of the family on hostile input: no crash, no throw, garbage is unparsed or ignored.
  std::string junk = std::string("\x00\xff\xfe", 3) + "[\"{,,,,\n%ASA-9-:\nLOG9[:\n1,2020/,TRAFFIC\n" +
                     std::string(5000, ',') + "\nIN= OUT= SRC=\n{\"records\":[{\"properties\":{\"flows\":[1]}}]}\n" +
                     "Event[0]:\n  Event ID: x\n#fields\n\t\t\t\n";
  for (const char* p : {"stunnel", "go-tls", "schannel", "netfilter", "conntrack", "pfsense-filterlog",
                        "windows-firewall", "aws-vpcflow", "azure-nsg", "azure-flow-tuples", "panos", "cisco-asa",
                        "zeek-conn"}) {
    SCOPED_TRACE(p);
    ParsedText r = parse_with(p, junk);
    EXPECT_LE(r.events.size() + r.unparsed.size(), 40u);
  }
}

// ASA ICMP denies name their addresses (corpus beats_cisco_asa_additional_messages.log line 21,
// logstash_patterns_core_firewalls.log line 18).
TEST(TlsfwFixtures, CiscoAsaIcmpDeniesCarryAddresses) {
  ParsedText r = parse_with("cisco-asa",
                            "May  5 18:40:50 dev01: %ASA-4-313004: Denied ICMP type=0, from laddr 10.10.10.10 on "
                            "interface fw502 to 192.168.2.2: no matching session\n"
                            "ASA-3-313001: Denied ICMP type=3, code=3 from 10.2.3.5 on interface Outside\n");
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(r.events[0].client_ip, "10.10.10.10");
  EXPECT_EQ(r.events[0].server_ip, "192.168.2.2");
  EXPECT_EQ(r.events[0].protocol, "icmp");
  EXPECT_EQ(f(r.events[0], "fields.interface"), "fw502");
  EXPECT_EQ(r.events[1].client_ip, "10.2.3.5");
  EXPECT_EQ(r.events[1].server_ip, "");
  EXPECT_EQ(f(r.events[1], "fields.interface"), "Outside");
  // the same lines inside the corpus files
  for (const auto& [rel, line, ip] : {std::tuple<const char*, int64_t, const char*>{
                                          "cisco_asa/beats_cisco_asa_additional_messages.log", 21, "10.10.10.10"},
                                      {"cisco_asa/logstash_patterns_core_firewalls.log", 18, "10.2.3.5"}}) {
    ParsedText c = parse_with("cisco-asa", read_file(corpus(rel)));
    bool found = false;
    for (const Event& e : c.events)
      if (e.line == line) {
        found = true;
        EXPECT_EQ(e.client_ip, ip) << rel;
      }
    EXPECT_TRUE(found) << rel << ":" << line;
  }
}

// A netfilter LOG prefix that names a reset (the rule in front of REJECT --reject-with tcp-reset).
TEST(TlsfwFixtures, NetfilterResetPrefix) {
  ParsedText r = parse_with("netfilter",
                            "Nov 23 20:34:33 gw kernel: RESET-IN: IN=eth0 OUT= MAC=00:16:3e:aa:bb:cc:00:16:3e:dd:ee:ff:08:00 "
                            "SRC=203.0.113.9 DST=10.0.0.5 LEN=52 TOS=0x00 PREC=0x00 TTL=57 ID=4242 DF PROTO=TCP SPT=50522 "
                            "DPT=443 WINDOW=501 RES=0x00 ACK PSH URGP=0\n"
                            "Nov 23 20:34:34 gw kernel: [FW REJECT] IN=eth0 OUT= SRC=203.0.113.9 DST=10.0.0.5 LEN=60 "
                            "PROTO=TCP SPT=50523 DPT=443 WINDOW=64240 RES=0x00 SYN URGP=0\n"
                            "Nov 23 20:34:35 gw kernel: PRESETS IN=eth0 OUT= SRC=203.0.113.9 DST=10.0.0.5 LEN=60 "
                            "PROTO=TCP SPT=50524 DPT=443 WINDOW=64240 RES=0x00 SYN URGP=0\n");
  ASSERT_EQ(r.events.size(), 3u);
  EXPECT_EQ(f(r.events[0], "fields.action"), "reset");
  EXPECT_EQ(r.events[0].category, "fw-reset");
  EXPECT_EQ(f(r.events[0], "fields.reset_by"), "firewall");
  EXPECT_EQ(f(r.events[1], "fields.action"), "reject");
  EXPECT_EQ(r.events[1].category, "fw-reject");
  EXPECT_EQ(f(r.events[2], "fields.action"), "");  // "PRESETS" is not the word RESET
  EXPECT_EQ(r.events[2].category, "fw-log");
}
