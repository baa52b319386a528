// config-nginx: inheritance http -> server -> location, listeners, defaults, error_log level,
// includes through the bundle resolver, broken files.
#include <gtest/gtest.h>

#include "config/bundle_files.h"
#include "config_test_util.h"

using namespace rstscope;
using namespace rstscope::testing;

namespace {
const Setting* one(const ParsedText& r, std::string_view key, std::string_view listener, std::string_view scope = "") {
  auto v = find_settings(r, key, listener, scope);
  EXPECT_EQ(v.size(), 1u) << key << " @ " << listener << " " << scope;
  return v.empty() ? nullptr : v[0];
}
}  // namespace

TEST(ConfigNginx, InheritanceAndListeners) {
  ParsedText r = parse_config("config-nginx", "config/nginx/nginx.conf", "nginx/nginx.conf");
  // http-level keepalive_timeout 65 governs the port-80 server; the API server overrides it.
  const Setting* k80 = one(r, "keepalive_timeout", "*:80");
  ASSERT_TRUE(k80);
  EXPECT_EQ(k80->value, 65000);
  EXPECT_EQ(k80->line, 16);
  EXPECT_FALSE(k80->assumed);
  EXPECT_EQ(k80->scope, "server *:80");
  const Setting* k443 = one(r, "keepalive_timeout", "10.0.0.9:443");
  ASSERT_TRUE(k443);
  EXPECT_EQ(k443->value, 30000);
  EXPECT_EQ(k443->line, 47);
  EXPECT_EQ(k443->scope, "server api.example.com");
  const Setting* hdr = one(r, "keepalive_timeout header", "10.0.0.9:443");
  ASSERT_TRUE(hdr);
  EXPECT_EQ(hdr->value, 25000);
  // IPv6 listener.
  EXPECT_TRUE(one(r, "listen", "[::]:80"));
  const Setting* l443 = one(r, "listen", "10.0.0.9:443");
  ASSERT_TRUE(l443);
  EXPECT_EQ(l443->text, "ssl http2");
  // ssl_protocols: http says 1.2-1.3, the server narrows it.
  EXPECT_EQ(one(r, "ssl_protocols", "*:80")->text, "TLSv1.2-TLSv1.3");
  const Setting* p443 = one(r, "ssl_protocols", "10.0.0.9:443");
  EXPECT_EQ(p443->text, "TLSv1.3");
  EXPECT_EQ(p443->unit, "protocols");
  // client_max_body_size: http 10m, location /upload 100m.
  EXPECT_EQ(one(r, "client_max_body_size", "10.0.0.9:443", "server api.example.com")->value, 10 * 1048576);
  const Setting* up = one(r, "client_max_body_size", "10.0.0.9:443", "server api.example.com location /upload");
  ASSERT_TRUE(up);
  EXPECT_EQ(up->value, 100 * 1048576);
  EXPECT_EQ(up->line, 52);
  // location return 444 and limit_req.
  const Setting* r444 = one(r, "return", "10.0.0.9:443", "server api.example.com location = /wp-login.php");
  ASSERT_TRUE(r444);
  EXPECT_EQ(r444->value, 444);
  EXPECT_EQ(one(r, "limit_req", "10.0.0.9:443")->text, "zone=perip burst=20 nodelay");
  // reset_timedout_connection on says RST.
  const Setting* rt = one(r, "reset_timedout_connection", "10.0.0.9:443");
  EXPECT_EQ(rt->value, 1);
  EXPECT_NE(rt->note.find("RST"), std::string::npos);
  // Unset keys get the documented default, assumed.
  const Setting* ch = one(r, "client_header_timeout", "10.0.0.9:443");
  ASSERT_TRUE(ch);
  EXPECT_TRUE(ch->assumed);
  EXPECT_EQ(ch->value, 60000);
  EXPECT_EQ(ch->line, 0);
  EXPECT_NE(ch->note.find("ngx_http_core_module.c"), std::string::npos);
  // proxy_read_timeout default only where the server proxies; location override read.
  EXPECT_TRUE(find_settings(r, "proxy_read_timeout", "*:80").empty());
  EXPECT_EQ(one(r, "proxy_read_timeout", "10.0.0.9:443", "server api.example.com location /upload")->value, 300000);
  // log formats and upstream keepalive.
  EXPECT_EQ(find_settings(r, "log_format main").size(), 1u);
  EXPECT_EQ(find_settings(r, "upstream keepalive").size(), 1u);
  auto ukt = find_settings(r, "upstream keepalive_timeout");
  ASSERT_EQ(ukt.size(), 1u);
  EXPECT_TRUE(ukt[0]->assumed);
  EXPECT_EQ(ukt[0]->value, 60000);
  // The include could not be resolved (no bundle): a warning, not silence.
  bool warned = false;
  for (auto& w : r.warnings) warned |= w.second.find("conf.d/*.conf") != std::string::npos;
  EXPECT_TRUE(warned);
}

TEST(ConfigNginx, ErrorLogLevelAndWhatItHides) {
  ParsedText r = parse_config("config-nginx", "config/nginx/nginx.conf", "nginx/nginx.conf");
  const Setting* lvl = one(r, "error_log_level", "10.0.0.9:443");
  ASSERT_TRUE(lvl);
  EXPECT_EQ(lvl->text, "error");
  EXPECT_EQ(lvl->line, 5);
  EXPECT_NE(lvl->note.find("never logs client resets"), std::string::npos);
  // A file with no error_log: the default level is assumed, with the same warning.
  ParsedText d = parse_with("config-nginx", "http { server { listen 8080; } }\n");
  auto v = find_settings(d, "error_log_level", "*:8080");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_TRUE(v[0]->assumed);
  EXPECT_EQ(v[0]->text, "error");
  EXPECT_NE(v[0]->note.find("NOT in the log"), std::string::npos);
  // info shows them.
  ParsedText i = parse_with("config-nginx", "http { error_log /x info; server { listen 81; } }\n");
  auto iv = find_settings(i, "error_log_level", "*:81");
  ASSERT_EQ(iv.size(), 1u);
  EXPECT_EQ(iv[0]->text, "info");
  EXPECT_FALSE(iv[0]->assumed);
}

TEST(ConfigNginx, EventsPointAtDirectiveLines) {
  ParsedText r = parse_config("config-nginx", "config/nginx/nginx.conf", "nginx/nginx.conf");
  ASSERT_FALSE(r.events.empty());
  bool saw = false;
  for (const Event& ev : r.events) {
    EXPECT_EQ(to_string(ev.role), "config");
    EXPECT_EQ(ev.category, "setting");
    EXPECT_GT(ev.line, 0);
    if (ev.line == 16) {
      saw = true;
      EXPECT_EQ(ev.raw, "keepalive_timeout 65;");
    }
  }
  EXPECT_TRUE(saw);
  // One event per directive, even when several listeners inherit it.
  int count16 = 0;
  for (const Event& ev : r.events) count16 += ev.line == 16;
  EXPECT_EQ(count16, 1);
}

TEST(ConfigNginx, IncludesThroughTheBundleResolver) {
  std::string main = read_fixture("config/nginx/nginx.conf");
  BundleInfo bundle{{{"combined", ""}}};
  config::attach_bundle_resolver(&bundle, config::make_bundle_resolver(
      {"edge/nginx/nginx.conf", "edge/nginx/conf.d/admin.conf"},
      [](const std::string& p) { return read_fixture("config/nginx/conf.d/" + p.substr(p.rfind('/') + 1)); }));
  ParsedText r = parse_text(parser_named("config-nginx"), main, "", &bundle, "edge/nginx/nginx.conf");
  config::detach_bundle_resolver(&bundle);
  // The included server inherits http's keepalive_timeout (65s) and sets its own send_timeout.
  auto ka = find_settings(r, "keepalive_timeout", "*:8443");
  ASSERT_EQ(ka.size(), 1u);
  EXPECT_EQ(ka[0]->value, 65000);
  auto st = find_settings(r, "send_timeout", "*:8443");
  ASSERT_EQ(st.size(), 1u);
  EXPECT_EQ(st[0]->value, 5000);
  EXPECT_EQ(st[0]->line, 6);
  EXPECT_NE(st[0]->note.find("edge/nginx/conf.d/admin.conf:6"), std::string::npos);
  auto lvl = find_settings(r, "error_log_level", "*:8443");
  ASSERT_EQ(lvl.size(), 1u);
  EXPECT_EQ(lvl[0]->text, "info");
  EXPECT_EQ(find_settings(r, "server_name").size(), 0u);
  for (auto& w : r.warnings) EXPECT_EQ(w.second.find("not found in the bundle"), std::string::npos) << w.second;
  // Events only for lines of this file (an included line number would point into another file).
  for (const Event& ev : r.events) EXPECT_NE(ev.raw, "send_timeout 5s;");
}

TEST(ConfigNginx, ConfDFileAloneIsReadAsHttpContext) {
  ParsedText r = parse_config("config-nginx", "config/nginx/conf.d/admin.conf", "nginx/conf.d/admin.conf");
  auto ch = find_settings(r, "client_header_timeout", "*:8443");
  ASSERT_EQ(ch.size(), 1u);
  EXPECT_EQ(ch[0]->value, 10000);
  EXPECT_EQ(find_settings(r, "proxy_connect_timeout", "*:8443", "server admin.example.com location /")[0]->value, 2000);
  EXPECT_TRUE(find_settings(r, "keepalive_timeout", "*:8443")[0]->assumed);
}

TEST(ConfigNginx, BrokenConfigYieldsWhatItCanAndWarns) {
  ParsedText r = parse_config("config-nginx", "config/broken/nginx-broken.conf", "nginx/nginx.conf");
  EXPECT_FALSE(r.warnings.empty());
  bool line_warning = false;
  for (auto& w : r.warnings) line_warning |= w.first > 0;
  EXPECT_TRUE(line_warning);
  auto ka = find_settings(r, "keepalive_timeout", "*:8080");
  ASSERT_EQ(ka.size(), 1u);
  EXPECT_EQ(ka[0]->value, 15000);
  EXPECT_FALSE(find_settings(r, "client_body_timeout", "*:8080").empty());
}

TEST(ConfigNginx, SniffsByNameAndContent) {
  const Parser& p = parser_named("config-nginx");
  std::vector<std::string_view> lines = {"server {", "    listen 80;", "    server_name x;", "}"};
  EXPECT_GE(p.sniff({"etc/nginx/sites-enabled/default.conf", "default.conf", lines}).score, 50);
  std::vector<std::string_view> cfg = {"user nginx;", "worker_processes 1;", "http {"};
  EXPECT_GE(p.sniff({"nginx.conf", "nginx.conf", cfg}).score, 80);
  std::vector<std::string_view> log = {"127.0.0.1 - - [23/Nov/2026:20:34:33 +0000] \"GET / HTTP/1.1\" 200 5"};
  EXPECT_EQ(p.sniff({"access.log", "access.log", log}).score, 0);
}
