// config-apache: server-level values inherited by VirtualHosts, Listen, LogLevel, SSLProtocol.
#include <gtest/gtest.h>

#include "config_test_util.h"

using namespace rstscope;
using namespace rstscope::testing;

TEST(ConfigApache, ServerAndVirtualHost) {
  ParsedText r = parse_config("config-apache", "config/apache/httpd.conf", "apache/httpd.conf");
  auto k80 = find_settings(r, "KeepAliveTimeout", "*:80");
  ASSERT_EQ(k80.size(), 1u);
  EXPECT_EQ(k80[0]->value, 3000);
  EXPECT_EQ(k80[0]->line, 12);
  auto k443 = find_settings(r, "KeepAliveTimeout", "10.0.0.8:443");
  ASSERT_EQ(k443.size(), 1u);
  EXPECT_EQ(k443[0]->value, 15000);
  EXPECT_EQ(k443[0]->scope, "VirtualHost secure.example.com");
  EXPECT_EQ(find_settings(r, "Timeout", "10.0.0.8:443")[0]->value, 60000);  // inherited
  auto p = find_settings(r, "SSLProtocol", "10.0.0.8:443");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0]->text, "TLSv1.2-TLSv1.3");
  auto lvl = find_settings(r, "LogLevel", "10.0.0.8:443");
  ASSERT_EQ(lvl.size(), 1u);
  EXPECT_EQ(lvl[0]->text, "info (ssl)");
  auto lvl80 = find_settings(r, "LogLevel", "*:80");
  ASSERT_EQ(lvl80.size(), 1u);
  EXPECT_NE(lvl80[0]->note.find("NOT logged"), std::string::npos);
  // Directory-scoped limit.
  auto lb = find_settings(r, "LimitRequestBody", "*:80");
  ASSERT_EQ(lb.size(), 1u);
  EXPECT_EQ(lb[0]->value, 1048576);
  EXPECT_EQ(lb[0]->scope, "server Directory \"/var/www/uploads\"");
  // IfModule read through.
  EXPECT_EQ(find_settings(r, "RequestReadTimeout", "*:80").size(), 1u);
  // Listen with protocol.
  auto l = find_settings(r, "Listen", "10.0.0.8:443");
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l[0]->text, "https");
  // The unresolved Include is reported.
  bool warned = false;
  for (auto& w : r.warnings) warned |= w.second.find("conf.modules.d") != std::string::npos;
  EXPECT_TRUE(warned);
}

TEST(ConfigApache, DefaultsWhenUnset) {
  ParsedText r = parse_with("config-apache", "Listen 8080\nServerName x\n");
  auto k = find_settings(r, "KeepAliveTimeout", "*:8080");
  ASSERT_EQ(k.size(), 1u);
  EXPECT_TRUE(k[0]->assumed);
  EXPECT_EQ(k[0]->value, 5000);
  EXPECT_TRUE(find_settings(r, "LogLevel", "*:8080")[0]->assumed);
}

TEST(ConfigApache, BrokenSectionsWarnButKeepValues) {
  ParsedText r = parse_with("config-apache", "Listen 81\n</Directory>\n<VirtualHost *:81>\nKeepAliveTimeout 7\n");
  EXPECT_EQ(r.warnings.size(), 2u);
  auto k = find_settings(r, "KeepAliveTimeout", "*:81");
  ASSERT_EQ(k.size(), 1u);
  EXPECT_EQ(k[0]->value, 7000);
}
