// Tree-based config readers: ingress-nginx (YAML), AWS LB attributes (JSON), client pools.
#include <gtest/gtest.h>

#include "config_test_util.h"

using namespace rstscope;
using namespace rstscope::testing;

TEST(ConfigIngressNginx, ConfigMapAndAnnotations) {
  ParsedText r = parse_config("config-ingress-nginx", "config/k8s/ingress-nginx.yaml", "k8s/ingress-nginx.yaml");
  for (auto& w : r.warnings) ADD_FAILURE() << w.first << ": " << w.second;
  auto ka = find_settings(r, "keep-alive", "*:443");
  ASSERT_EQ(ka.size(), 1u);
  EXPECT_EQ(ka[0]->value, 60000);
  EXPECT_EQ(ka[0]->line, 10);
  auto uka = find_settings(r, "upstream-keepalive-timeout", "*:80");
  ASSERT_EQ(uka.size(), 1u);
  EXPECT_EQ(uka[0]->value, 120000);
  EXPECT_EQ(find_settings(r, "proxy-body-size", "*:443", "configmap ingress-nginx/ingress-nginx-controller")[0]->value,
            8 * 1048576);
  EXPECT_EQ(find_settings(r, "ssl-protocols", "*:443")[0]->text, "TLSv1.2-TLSv1.3");
  auto lvl = find_settings(r, "error-log-level", "*:443");
  ASSERT_EQ(lvl.size(), 1u);
  EXPECT_TRUE(lvl[0]->assumed);
  auto prt = find_settings(r, "nginx.ingress.kubernetes.io/proxy-read-timeout", "*:443");
  ASSERT_EQ(prt.size(), 1u);
  EXPECT_EQ(prt[0]->value, 3600000);
  EXPECT_EQ(prt[0]->scope, "ingress shop/api host api.shop.example.com");
  EXPECT_EQ(prt[0]->line, 23);
}

TEST(ConfigAwsLb, AlbAndClassicAttributes) {
  ParsedText r = parse_config("config-aws-lb", "config/aws/alb-attributes.json", "aws/alb-attributes.json");
  auto idle = find_settings(r, "idle_timeout.timeout_seconds");
  ASSERT_EQ(idle.size(), 1u);
  EXPECT_EQ(idle[0]->component, "aws-alb");
  EXPECT_EQ(idle[0]->value, 60000);
  EXPECT_EQ(idle[0]->line, 8);
  EXPECT_FALSE(idle[0]->assumed);
  EXPECT_EQ(find_settings(r, "routing.http.desync_mitigation_mode")[0]->text, "defensive");
  ParsedText c = parse_config("config-aws-lb", "config/aws/elb-attributes.json", "aws/elb-attributes.json");
  auto ci = find_settings(c, "idle_timeout");
  ASSERT_EQ(ci.size(), 1u);
  EXPECT_EQ(ci[0]->component, "aws-elb");
  EXPECT_EQ(ci[0]->value, 350000);
  EXPECT_EQ(ci[0]->line, 11);
  // No idle timeout in the file: documented default, assumed.
  ParsedText d = parse_with("config-aws-lb", "{\"Attributes\": [{\"Key\": \"deletion_protection.enabled\", \"Value\": \"true\"}]}");
  auto di = find_settings(d, "idle_timeout.timeout_seconds");
  ASSERT_EQ(di.size(), 1u);
  EXPECT_TRUE(di[0]->assumed);
  EXPECT_EQ(di[0]->value, 60000);
  // Not JSON: a warning, nothing invented.
  ParsedText bad = parse_with("config-aws-lb", "{\"Attributes\": [");
  EXPECT_FALSE(bad.warnings.empty());
}

TEST(ConfigClient, AppSettingsJson) {
  ParsedText r = parse_config("config-client", "config/client/appsettings.json", "svc/appsettings.json");
  for (auto& w : r.warnings) ADD_FAILURE() << w.first << ": " << w.second;
  auto idle = find_settings(r, "HttpClients.Orders.PooledConnectionIdleTimeout");
  ASSERT_EQ(idle.size(), 1u);
  EXPECT_EQ(idle[0]->component, "client-dotnet");
  EXPECT_EQ(idle[0]->value, 120000);
  EXPECT_EQ(idle[0]->line, 7);
  EXPECT_EQ(find_settings(r, "HttpClients.Orders.MaxConnectionsPerServer")[0]->value, 50);
  auto kestrel = find_settings(r, "Kestrel.Limits.KeepAliveTimeout");
  ASSERT_EQ(kestrel.size(), 1u);
  EXPECT_EQ(kestrel[0]->component, "kestrel");
  EXPECT_EQ(kestrel[0]->value, 130000);
  EXPECT_TRUE(find_settings(r, "Logging.LogLevel.Default").empty());
}

TEST(ConfigClient, PropertiesYamlAndEnv) {
  ParsedText p = parse_config("config-client", "config/client/application.properties", "svc/application.properties");
  auto jdk = find_settings(p, "jdk.httpclient.keepalive.timeout");
  ASSERT_EQ(jdk.size(), 1u);
  EXPECT_EQ(jdk[0]->component, "client-java");
  EXPECT_EQ(jdk[0]->value, 1200000);
  EXPECT_EQ(jdk[0]->line, 3);
  EXPECT_EQ(find_settings(p, "server.tomcat.keep-alive-timeout")[0]->component, "spring-server");
  EXPECT_EQ(find_settings(p, "spring.cloud.gateway.httpclient.pool.max-idle-time")[0]->value, 300000);
  ParsedText y = parse_config("config-client", "config/client/application.yaml", "svc/application.yaml");
  auto mit = find_settings(y, "spring.cloud.gateway.httpclient.pool.max-idle-time");
  ASSERT_EQ(mit.size(), 1u);
  EXPECT_EQ(mit[0]->value, 90000);
  EXPECT_EQ(mit[0]->line, 7);
  EXPECT_EQ(find_settings(y, "spring.cloud.gateway.httpclient.connect-timeout")[0]->value, 2000);
  ParsedText e = parse_config("config-client", "config/client/.env", "svc/.env");
  EXPECT_EQ(e.warnings.size(), 1u);
  auto fst = find_settings(e, "HTTP_AGENT_FREE_SOCKET_TIMEOUT_MS");
  ASSERT_EQ(fst.size(), 1u);
  EXPECT_EQ(fst[0]->value, 15000);
  EXPECT_EQ(fst[0]->component, "client-node");
  auto go = find_settings(e, "GO_IDLE_CONN_TIMEOUT");
  ASSERT_EQ(go.size(), 1u);
  EXPECT_EQ(go[0]->value, 90000);
  EXPECT_EQ(go[0]->component, "client-go");
  EXPECT_EQ(find_settings(e, "UPSTREAM_KEEPALIVE_TIMEOUT")[0]->value, 4000);
  EXPECT_EQ(find_settings(e, "HTTP_AGENT_KEEPALIVE")[0]->value, 1);
}

TEST(ConfigClient, SniffOnlyApplicationConfigNames) {
  const Parser& pr = parser_named("config-client");
  std::vector<std::string_view> lines = {"{", "\"PooledConnectionIdleTimeout\": \"00:01:00\""};
  EXPECT_GT(pr.sniff({"x/appsettings.Production.json", "appsettings.Production.json", lines}).score, 0);
  EXPECT_EQ(pr.sniff({"x/events.json", "events.json", lines}).score, 0);
}
