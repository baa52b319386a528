// config-haproxy: defaults inheritance, bind TLS, timeouts, options, reject rules, backends.
#include <gtest/gtest.h>

#include "config_test_util.h"

using namespace rstscope;
using namespace rstscope::testing;

TEST(ConfigHaproxy, DefaultsInheritanceAndOverrides) {
  ParsedText r = parse_config("config-haproxy", "config/haproxy/haproxy.cfg", "haproxy/haproxy.cfg");
  auto tc = find_settings(r, "timeout client", "10.0.0.5:443");
  ASSERT_EQ(tc.size(), 1u);
  EXPECT_EQ(tc[0]->value, 50000);
  EXPECT_EQ(tc[0]->line, 13);
  EXPECT_NE(tc[0]->note.find("inherited from defaults"), std::string::npos);
  EXPECT_EQ(tc[0]->scope, "frontend fe_main");
  auto ka = find_settings(r, "timeout http-keep-alive", "*:80");
  ASSERT_EQ(ka.size(), 1u);
  EXPECT_EQ(ka[0]->value, 2000);
  EXPECT_EQ(ka[0]->line, 21);
  // Backend timeout server overrides defaults (90s) and is tied to the frontend's listeners.
  auto ts = find_settings(r, "timeout server", "10.0.0.5:443", "backend be_app");
  ASSERT_EQ(ts.size(), 1u);
  EXPECT_EQ(ts[0]->value, 90000);
  // Bare numbers are milliseconds in HAProxy.
  ParsedText b = parse_with("config-haproxy", "defaults\n  timeout server 50000\nlisten x\n  bind :81\n  mode tcp\n");
  auto bs = find_settings(b, "timeout server", "*:81");
  ASSERT_EQ(bs.size(), 1u);
  EXPECT_EQ(bs[0]->value, 50000);
  // Options with their meaning.
  auto nl = find_settings(r, "option nolinger", "10.0.0.5:443");
  ASSERT_EQ(nl.size(), 1u);
  EXPECT_EQ(nl[0]->value, 1);
  EXPECT_NE(nl[0]->note.find("RST"), std::string::npos);
  EXPECT_EQ(find_settings(r, "option http-server-close", "*:80", "frontend fe_main").size(), 1u);
  EXPECT_EQ(find_settings(r, "maxconn", "*:80")[0]->value, 3000);
  EXPECT_EQ(find_settings(r, "global maxconn")[0]->value, 20000);
}

TEST(ConfigHaproxy, BindTlsRange) {
  ParsedText r = parse_config("config-haproxy", "config/haproxy/haproxy.cfg", "haproxy/haproxy.cfg");
  auto p = find_settings(r, "ssl-min-ver/ssl-max-ver", "10.0.0.5:443");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0]->text, "TLSv1.2-TLSv1.3");  // min from global ssl-default-bind-options
  EXPECT_EQ(p[0]->unit, "protocols");
  EXPECT_EQ(p[0]->line, 5);
  EXPECT_TRUE(find_settings(r, "ssl-min-ver/ssl-max-ver", "*:80").empty());
  auto c = find_settings(r, "ciphers", "10.0.0.5:443");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0]->text, "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256");
  ParsedText f = parse_with("config-haproxy", "frontend f\n  bind :443 ssl crt x.pem force-tlsv12\n");
  EXPECT_EQ(find_settings(f, "ssl-min-ver/ssl-max-ver", "*:443")[0]->text, "TLSv1.2");
}

TEST(ConfigHaproxy, RejectRulesWithConditions) {
  ParsedText r = parse_config("config-haproxy", "config/haproxy/haproxy.cfg", "haproxy/haproxy.cfg");
  auto rej = find_settings(r, "tcp-request connection reject", "10.0.0.5:443");
  ASSERT_EQ(rej.size(), 1u);
  EXPECT_EQ(rej[0]->text, "if { src -f /etc/haproxy/blocklist.lst }");
  EXPECT_EQ(rej[0]->line, 23);
  auto deny = find_settings(r, "http-request deny", "*:80");
  ASSERT_EQ(deny.size(), 1u);
  EXPECT_EQ(deny[0]->text, "if { sc_http_req_rate(0) gt 100 }");
  EXPECT_EQ(find_settings(r, "http-request silent-drop", "*:80").size(), 1u);
}

TEST(ConfigHaproxy, UnsetKeepAliveFallsBackAndIsAssumed) {
  ParsedText r = parse_config("config-haproxy", "config/haproxy/haproxy.cfg", "haproxy/haproxy.cfg");
  auto ka = find_settings(r, "timeout http-keep-alive", "127.0.0.1:8404");
  ASSERT_EQ(ka.size(), 1u);
  EXPECT_TRUE(ka[0]->assumed);
  EXPECT_EQ(ka[0]->value, 10000);  // falls back to timeout http-request from defaults
  EXPECT_NE(ka[0]->note.find("timeout http-request"), std::string::npos);
  // No timeouts at all: infinite, assumed.
  ParsedText n = parse_with("config-haproxy", "frontend f\n  mode http\n  bind :8080\n");
  auto tc = find_settings(n, "timeout client", "*:8080");
  ASSERT_EQ(tc.size(), 1u);
  EXPECT_TRUE(tc[0]->assumed);
  EXPECT_EQ(tc[0]->text, "infinite");
}

TEST(ConfigHaproxy, BrokenConfigKeepsTheRest) {
  ParsedText r = parse_with("config-haproxy",
                            "timeout client 5s\nfrontend f\n  bind :80\n  timeout client \"30s\n  maxconn 100\n");
  EXPECT_GE(r.warnings.size(), 2u);
  EXPECT_EQ(find_settings(r, "maxconn", "*:80")[0]->value, 100);
}
