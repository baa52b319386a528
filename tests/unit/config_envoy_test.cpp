// config-envoy: YAML (subset reader) and JSON (simdjson) Envoy configs.
#include <gtest/gtest.h>

#include "config_test_util.h"

using namespace rstscope;
using namespace rstscope::testing;

TEST(ConfigEnvoy, YamlListenersClustersAndDefaults) {
  ParsedText r = parse_config("config-envoy", "config/envoy/envoy.yaml", "envoy/envoy.yaml");
  for (auto& w : r.warnings) ADD_FAILURE() << w.first << ": " << w.second;
  auto idle = find_settings(r, "idle_timeout", "*:8443");
  ASSERT_EQ(idle.size(), 1u);
  EXPECT_EQ(idle[0]->value, 50000);
  EXPECT_EQ(idle[0]->line, 29);
  EXPECT_EQ(idle[0]->scope, "listener listener_https");
  auto sit = find_settings(r, "stream_idle_timeout", "*:8443");
  ASSERT_EQ(sit.size(), 1u);
  EXPECT_EQ(sit[0]->value, 120000);
  auto rt = find_settings(r, "route timeout", "*:8443");
  ASSERT_EQ(rt.size(), 1u);
  EXPECT_EQ(rt[0]->value, 500);
  auto tls = find_settings(r, "tls_params", "*:8443");
  ASSERT_EQ(tls.size(), 1u);
  EXPECT_EQ(tls[0]->text, "TLSv1.2-TLSv1.3");
  // request_timeout unset on an HCM listener: documented default, assumed.
  auto req = find_settings(r, "request_timeout", "*:8443");
  ASSERT_EQ(req.size(), 1u);
  EXPECT_TRUE(req[0]->assumed);
  // tcp_proxy idle timeout.
  auto tcp = find_settings(r, "tcp_proxy idle_timeout", "10.0.0.3:5432");
  ASSERT_EQ(tcp.size(), 1u);
  EXPECT_EQ(tcp[0]->value, 600000);
  // Clusters.
  auto ct = find_settings(r, "connect_timeout", "", "cluster service_app");
  ASSERT_EQ(ct.size(), 1u);
  EXPECT_EQ(ct[0]->value, 250);
  auto cit = find_settings(r, "cluster idle_timeout", "", "cluster service_app");
  ASSERT_EQ(cit.size(), 1u);
  EXPECT_EQ(cit[0]->value, 3600000);
  EXPECT_FALSE(cit[0]->assumed);
  auto dbct = find_settings(r, "connect_timeout", "", "cluster service_db");
  ASSERT_EQ(dbct.size(), 1u);
  EXPECT_TRUE(dbct[0]->assumed);
  EXPECT_EQ(dbct[0]->value, 5000);
}

TEST(ConfigEnvoy, JsonWithSecondsObjects) {
  ParsedText r = parse_config("config-envoy", "config/envoy/envoy.json", "envoy/envoy.json");
  EXPECT_TRUE(r.warnings.empty());
  auto req = find_settings(r, "request_timeout", "*:8080");
  ASSERT_EQ(req.size(), 1u);
  EXPECT_EQ(req[0]->value, 30000);
  EXPECT_EQ(req[0]->line, 12);
  auto idle = find_settings(r, "idle_timeout", "*:8080");
  ASSERT_EQ(idle.size(), 1u);
  EXPECT_TRUE(idle[0]->assumed);
  EXPECT_EQ(idle[0]->value, 3600000);
}

TEST(ConfigEnvoy, BrokenJsonKeepsEarlierValues) {
  ParsedText r = parse_with("config-envoy",
                            "{\"static_resources\": {\"clusters\": [{\"name\": \"a\", \"connect_timeout\": \"2s\"}, {\"name\": ]}}");
  EXPECT_FALSE(r.warnings.empty());
}

TEST(ConfigEnvoy, BootstrapInsideAConfigMap) {
  ParsedText r = parse_config("config-envoy", "config/envoy/envoy-configmap.yaml", "k8s/envoy-configmap.yaml");
  for (auto& w : r.warnings) ADD_FAILURE() << w.first << ": " << w.second;
  auto idle = find_settings(r, "idle_timeout", "*:15001");
  ASSERT_EQ(idle.size(), 1u);
  EXPECT_EQ(idle[0]->value, 3600000);
  EXPECT_EQ(idle[0]->line, 18);  // line in the ConfigMap file, not in the embedded document
  const Parser& p = parser_named("config-envoy");
  std::vector<std::string_view> lines = {"apiVersion: v1", "kind: ConfigMap", "data:", "  envoy.yaml: |",
                                         "    static_resources:", "      listeners:"};
  EXPECT_GT(p.sniff({"k8s/envoy-configmap.yaml", "envoy-configmap.yaml", lines}).score,
            parser_named("config-ingress-nginx").sniff({"k8s/envoy-configmap.yaml", "envoy-configmap.yaml", lines}).score);
}
