// config-stunnel: services, global defaults, TLS ranges, TIMEOUT* and documented defaults.
#include <gtest/gtest.h>

#include "config_test_util.h"

using namespace rstscope;
using namespace rstscope::testing;

TEST(ConfigStunnel, ServicesGlobalsAndDefaults) {
  ParsedText r = parse_config("config-stunnel", "config/stunnel/stunnel.conf", "stunnel/stunnel.conf");
  auto idle = find_settings(r, "TIMEOUTidle", "*:443");
  ASSERT_EQ(idle.size(), 1u);
  EXPECT_EQ(idle[0]->value, 300000);
  EXPECT_EQ(idle[0]->line, 17);
  EXPECT_EQ(idle[0]->scope, "service https");
  // legacy has no TIMEOUTidle: documented default 43200 s, assumed.
  auto lidle = find_settings(r, "TIMEOUTidle", "10.0.0.7:8443");
  ASSERT_EQ(lidle.size(), 1u);
  EXPECT_TRUE(lidle[0]->assumed);
  EXPECT_EQ(lidle[0]->value, 43200000);
  // Global service-level option inherited.
  auto close = find_settings(r, "TIMEOUTclose", "10.0.0.7:8443");
  ASSERT_EQ(close.size(), 1u);
  EXPECT_EQ(close[0]->value, 0);
  EXPECT_EQ(close[0]->line, 10);
  EXPECT_FALSE(close[0]->assumed);
  // reset
  EXPECT_EQ(find_settings(r, "reset", "*:443")[0]->value, 0);
  EXPECT_TRUE(find_settings(r, "reset", "10.0.0.7:8443")[0]->assumed);
  // Protocol ranges.
  EXPECT_EQ(find_settings(r, "protocols", "*:443")[0]->text, "TLSv1.2-TLSv1.3");
  EXPECT_EQ(find_settings(r, "protocols", "10.0.0.7:8443")[0]->text, "TLSv1");
  EXPECT_EQ(find_settings(r, "debug")[0]->text, "info");
}

TEST(ConfigStunnel, BrokenLinesWarn) {
  ParsedText r = parse_with("config-stunnel", "[svc\naccept = 9000\nthis is garbage\nTIMEOUTidle = 5\n");
  EXPECT_EQ(r.warnings.size(), 2u);
  auto idle = find_settings(r, "TIMEOUTidle", "*:9000");
  ASSERT_EQ(idle.size(), 1u);
  EXPECT_EQ(idle[0]->value, 5000);
}
