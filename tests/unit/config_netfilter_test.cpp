// config-iptables, config-nftables, config-sysctl.
#include <gtest/gtest.h>

#include "config_test_util.h"

using namespace rstscope;
using namespace rstscope::testing;

TEST(ConfigIptables, RejectDropAndPolicies) {
  ParsedText r = parse_config("config-iptables", "config/netfilter/iptables-save.txt", "fw/iptables-save.txt");
  EXPECT_TRUE(r.warnings.empty());
  auto rej = find_settings(r, "REJECT", "10.0.0.5:8443");
  ASSERT_EQ(rej.size(), 1u);
  EXPECT_EQ(rej[0]->line, 10);
  EXPECT_EQ(rej[0]->text, "tcp-reset; -s 198.51.100.0/24 -p tcp");
  EXPECT_NE(rej[0]->note.find("RST"), std::string::npos);
  auto icmp = find_settings(r, "REJECT", "*:9000");
  ASSERT_EQ(icmp.size(), 1u);
  EXPECT_EQ(icmp[0]->text.substr(0, 21), "icmp-port-unreachable");
  auto pol = find_settings(r, "policy DROP");
  ASSERT_EQ(pol.size(), 2u);
  EXPECT_EQ(pol[0]->scope, "table filter chain INPUT");
  auto inv = find_settings(r, "DROP");
  ASSERT_EQ(inv.size(), 1u);
  EXPECT_NE(inv[0]->note.find("conntrack"), std::string::npos);
  EXPECT_TRUE(find_settings(r, "LOG").empty());
}

TEST(ConfigNftables, RulesetReadPerPort) {
  ParsedText r = parse_config("config-nftables", "config/netfilter/nft-ruleset.txt", "fw/nft-ruleset.txt");
  EXPECT_TRUE(r.warnings.empty());
  auto r80 = find_settings(r, "REJECT", "*:80");
  auto r443 = find_settings(r, "REJECT", "*:443");
  ASSERT_EQ(r80.size(), 1u);
  ASSERT_EQ(r443.size(), 1u);
  EXPECT_EQ(r443[0]->line, 12);
  EXPECT_EQ(r443[0]->scope, "table inet filter chain input");
  EXPECT_EQ(r443[0]->text, "tcp reset; ip saddr @blocked tcp dport { 80, 443 }");
  EXPECT_EQ(find_settings(r, "policy DROP").size(), 1u);
  auto inv = find_settings(r, "DROP");
  ASSERT_EQ(inv.size(), 1u);
  EXPECT_EQ(inv[0]->line, 10);
  // Broken: unbalanced braces warn, rules before are kept.
  ParsedText b = parse_with("config-nftables", "table ip t {\n chain c {\n  tcp dport 81 drop\n");
  EXPECT_FALSE(b.warnings.empty());
  EXPECT_EQ(find_settings(b, "DROP", "*:81").size(), 1u);
}

TEST(ConfigSysctl, ConntrackAndKeepalive) {
  ParsedText r = parse_config("config-sysctl", "config/sysctl/sysctl-a.txt", "host/sysctl-a.txt");
  auto est = find_settings(r, "net.netfilter.nf_conntrack_tcp_timeout_established");
  ASSERT_EQ(est.size(), 1u);
  EXPECT_EQ(est[0]->value, 300000);
  EXPECT_EQ(est[0]->line, 14);
  EXPECT_EQ(find_settings(r, "net.ipv4.tcp_keepalive_time")[0]->value, 7200000);
  EXPECT_EQ(find_settings(r, "net.ipv4.tcp_keepalive_probes")[0]->value, 9);
  EXPECT_EQ(find_settings(r, "net.ipv4.ip_local_port_range")[0]->text, "32768\t60999");
  EXPECT_TRUE(find_settings(r, "vm.swappiness").empty());
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0].first, 16);
  const Parser& p = parser_named("config-sysctl");
  std::vector<std::string_view> lines = {"net.core.somaxconn = 4096", "vm.swappiness = 60"};
  EXPECT_GE(p.sniff({"sysctl.txt", "sysctl.txt", lines}).score, 80);
}
