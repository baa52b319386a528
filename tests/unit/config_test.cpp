// Config readers: nginx.conf tokenizer/parser, log formats, defaults, value normalisation,
// YAML subset and JSON trees. Parser-level tests for each config kind are in config_*_test.cpp.
#include <gtest/gtest.h>

#include "config/bundle_files.h"
#include "config/defaults.h"
#include "config/nginx_conf.h"
#include "config/settings_out.h"
#include "config/tree.h"
#include "config_test_util.h"

using namespace rstscope;
using namespace rstscope::config;

TEST(NginxConf, TokenizesQuotesEscapesCommentsAndBlocks) {
  NginxConf c = parse_nginx_conf(
      "# comment\nhttp {\n  add_header X-A \"a \\\"quoted\\\" ; value\" always; # trailing\n"
      "  server { listen 80; location ~ \\.php$ { return 444; } }\n}\n");
  ASSERT_TRUE(c.errors.empty()) << c.errors[0].message;
  ASSERT_EQ(c.directives.size(), 1u);
  const NginxDirective& http = c.directives[0];
  EXPECT_EQ(http.name, "http");
  EXPECT_TRUE(http.block);
  ASSERT_EQ(http.children.size(), 2u);
  EXPECT_EQ(http.children[0].args[1], "a \"quoted\" ; value");
  EXPECT_EQ(http.children[0].line, 3);
  const NginxDirective& loc = http.children[1].children[1];
  EXPECT_EQ(loc.name, "location");
  EXPECT_EQ(loc.args[1], ".php$");  // backslash escape outside quotes keeps the char
  EXPECT_EQ(loc.children[0].args[0], "444");
  EXPECT_EQ(loc.line, 4);
}

TEST(NginxConf, VariablesWithBracesStayInTheWord) {
  NginxConf c = parse_nginx_conf("set $x ${host}_a;\n");
  ASSERT_EQ(c.directives.size(), 1u);
  EXPECT_EQ(c.directives[0].args[1], "${host}_a");
}

TEST(NginxConf, BrokenInputKeepsWhatCouldBeRead) {
  NginxConf c = parse_nginx_conf("http {\n  keepalive_timeout 10\n  send_timeout 5s;\n  server {\n    listen 80;\n}\n");
  EXPECT_FALSE(c.errors.empty());
  ASSERT_EQ(c.directives.size(), 1u);
  const auto& kids = c.directives[0].children;
  ASSERT_GE(kids.size(), 3u);
  EXPECT_EQ(kids[0].name, "keepalive_timeout");
  EXPECT_EQ(kids[1].name, "send_timeout");
  bool unclosed = false;
  for (auto& e : c.errors)
    if (e.message.find("not closed") != std::string::npos) unclosed = e.line == 1;
  EXPECT_TRUE(unclosed);
  NginxConf c2 = parse_nginx_conf("}\nlisten 80;\nlog_format x 'unterminated\n");
  EXPECT_GE(c2.errors.size(), 2u);
  EXPECT_EQ(c2.directives[0].name, "listen");
}

TEST(NginxConf, IncludesAreResolvedAndLoopsStopped) {
  IncludeResolver r = [](std::string_view pattern, std::string_view) -> std::vector<IncludedFile> {
    if (pattern == "conf.d/*.conf") return {{"conf.d/b.conf", "send_timeout 5s;\n"}, {"conf.d/a.conf", "include conf.d/*.conf;\n"}};
    return {};
  };
  NginxConf c = parse_nginx_conf("http {\n  include conf.d/*.conf;\n  include mime.types;\n}\n", "nginx.conf", r);
  const auto& kids = c.directives[0].children;
  bool found = false;
  for (const auto& d : kids)
    if (d.name == "send_timeout") {
      found = true;
      EXPECT_EQ(d.file, "conf.d/b.conf");
      EXPECT_EQ(d.line, 1);
    }
  EXPECT_TRUE(found);
  ASSERT_EQ(c.unresolved_includes.size(), 1u);
  EXPECT_EQ(c.unresolved_includes[0], "mime.types");
  bool loop = false;
  for (auto& e : c.errors) loop |= e.message.find("loop") != std::string::npos;
  EXPECT_TRUE(loop);
}

TEST(NginxConf, LogFormatsAreConcatenated) {
  auto f = nginx_log_formats(rstscope::testing::read_fixture("config/nginx/nginx.conf"));
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].first, "main");
  EXPECT_EQ(f[0].second,
            "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent \"$http_referer\" "
            "\"$http_user_agent\" rt=$request_time uct=\"$upstream_connect_time\"");
  EXPECT_EQ(f[1].first, "json");
  EXPECT_EQ(f[1].second, "{\"time\":\"$time_iso8601\",\"status\":$status}");
  EXPECT_TRUE(nginx_log_formats("garbage { { ;;; '").empty());
}

TEST(NginxConf, IncludeMatchesByTail) {
  EXPECT_TRUE(include_matches("/etc/nginx/conf.d/*.conf", "edge/nginx/conf.d/admin.conf"));
  EXPECT_TRUE(include_matches("mime.types", "nginx/mime.types"));
  EXPECT_FALSE(include_matches("/etc/nginx/conf.d/*.conf", "edge/nginx/sites-enabled/admin.conf"));
  EXPECT_TRUE(include_matches("sites-enabled/*", "b.tar!/etc/nginx/sites-enabled/default"));
  EXPECT_TRUE(glob_match("a[0-9]?.c*", "a1x.conf"));
  EXPECT_FALSE(glob_match("*.conf", "dir/x.conf"));
}

TEST(Defaults, AreMarkedAssumedWithASource) {
  auto d = documented_defaults("nginx");
  ASSERT_FALSE(d.empty());
  for (const Setting& s : d) {
    EXPECT_TRUE(s.assumed);
    EXPECT_EQ(s.line, 0);
    EXPECT_FALSE(s.note.empty()) << s.key;
  }
  Setting s;
  ASSERT_TRUE(documented_default("nginx", "keepalive_timeout", s));
  EXPECT_EQ(s.value, 75000);
  ASSERT_TRUE(documented_default("stunnel", "TIMEOUTidle", s));
  EXPECT_EQ(s.value, 43200000);
  ASSERT_TRUE(documented_default("apache", "KeepAliveTimeout", s));
  EXPECT_EQ(s.value, 5000);
  ASSERT_TRUE(documented_default("aws-alb", "idle_timeout.timeout_seconds", s));
  EXPECT_EQ(s.value, 60000);
  ASSERT_TRUE(documented_default("envoy", "idle_timeout", s));
  EXPECT_EQ(s.value, 3600000);
  ASSERT_TRUE(documented_default("haproxy", "timeout http-keep-alive", s));
  EXPECT_NE(s.note.find("http-request"), std::string::npos);
  EXPECT_TRUE(documented_defaults("no-such-thing").empty());
}

TEST(Defaults, ComponentOfParser) {
  EXPECT_EQ(component_of_parser("nginx-access"), "nginx");
  EXPECT_EQ(component_of_parser("haproxy-http"), "haproxy");
  EXPECT_EQ(component_of_parser("stunnel"), "stunnel");
  EXPECT_EQ(component_of_parser("apache-error"), "apache");
  EXPECT_EQ(component_of_parser("envoy-access"), "envoy");
  EXPECT_EQ(component_of_parser("traefik-json"), "traefik");
  EXPECT_EQ(component_of_parser("iis-w3c"), "iis");
  EXPECT_EQ(component_of_parser("aws-alb"), "aws-alb");
  EXPECT_EQ(component_of_parser("aws-elb"), "aws-elb");
  EXPECT_EQ(component_of_parser("zeek-conn"), "");
  // Every component a parser maps to that has defaults returns them.
  for (std::string_view p : {"nginx-error", "haproxy-tcp", "stunnel", "apache-access", "envoy-access", "aws-alb"})
    EXPECT_FALSE(documented_defaults(component_of_parser(p)).empty()) << p;
}

TEST(Values, Normalisation) {
  int64_t v = 0;
  EXPECT_TRUE(duration_ms("75s", 1000, v)); EXPECT_EQ(v, 75000);
  EXPECT_TRUE(duration_ms("65", 1000, v)); EXPECT_EQ(v, 65000);
  EXPECT_TRUE(duration_ms("50000", 1, v)); EXPECT_EQ(v, 50000);
  EXPECT_TRUE(duration_ms("1m30s", 1000, v)); EXPECT_EQ(v, 90000);
  EXPECT_FALSE(duration_ms("soon", 1000, v));
  EXPECT_TRUE(timespan_ms("00:01:30", 1000, v)); EXPECT_EQ(v, 90000);
  EXPECT_TRUE(timespan_ms("1.00:00:00", 1000, v)); EXPECT_EQ(v, 86400000);
  EXPECT_TRUE(timespan_ms("PT2M", 1000, v)); EXPECT_EQ(v, 120000);
  EXPECT_TRUE(size_bytes("10m", v)); EXPECT_EQ(v, 10485760);
  EXPECT_TRUE(size_bytes("512k", v)); EXPECT_EQ(v, 524288);
  EXPECT_TRUE(size_bytes("0", v)); EXPECT_EQ(v, 0);
  EXPECT_FALSE(size_bytes("lots", v));
  EXPECT_EQ(tls_range(tls_mask_from_list("TLSv1.2 TLSv1.3")), "TLSv1.2-TLSv1.3");
  EXPECT_EQ(tls_range(tls_mask_from_list("all -SSLv3 -TLSv1 -TLSv1.1")), "TLSv1.2-TLSv1.3");
  EXPECT_EQ(tls_range(tls_mask_from_list("TLSv1.3")), "TLSv1.3");
  EXPECT_EQ(tls_range(tls_rank("TLSv1"), tls_rank("TLSv1.2")), "TLSv1-TLSv1.2");
  EXPECT_EQ(listener_of("", 443), "*:443");
  EXPECT_EQ(listener_of("::1", 8443), "[::1]:8443");
}

TEST(Yaml, SubsetReadsMappingsSequencesScalarsAndFlow) {
  TreeDoc d = parse_yaml(
      "# comment\n"
      "static_resources:\n"
      "  listeners:\n"
      "  - name: https\n"
      "    address:\n"
      "      socket_address: { address: 0.0.0.0, port_value: 443 }\n"
      "    tags: [a, \"b c\"]\n"
      "  - name: 'plain'  # trailing comment\n"
      "    script: |\n"
      "      line one\n"
      "      line two\n"
      "    after: x\n"
      "---\n"
      "kind: ConfigMap\n");
  ASSERT_EQ(d.documents.size(), 2u) << (d.errors.empty() ? "" : d.errors[0].second);
  EXPECT_TRUE(d.errors.empty()) << d.errors[0].first << ": " << d.errors[0].second;
  const Node* ls = d.documents[0].get("static_resources")->get("listeners");
  ASSERT_TRUE(ls && ls->is_seq());
  ASSERT_EQ(ls->seq.size(), 2u);
  EXPECT_EQ(ls->seq[0].str("name"), "https");
  EXPECT_EQ(ls->seq[0].line, 4);
  const Node* sa = ls->seq[0].get("address")->get("socket_address");
  ASSERT_TRUE(sa && sa->is_map());
  EXPECT_EQ(sa->str("port_value"), "443");
  EXPECT_EQ(ls->seq[0].get("tags")->seq[1].scalar, "b c");
  EXPECT_EQ(ls->seq[1].str("name"), "plain");
  EXPECT_EQ(ls->seq[1].str("script"), "line one\nline two\n");
  EXPECT_EQ(ls->seq[1].str("after"), "x");
  EXPECT_EQ(ls->seq[1].get("after")->line, 12);
  EXPECT_EQ(d.documents[1].str("kind"), "ConfigMap");
}

TEST(Yaml, BadLinesAreReportedAndSkipped) {
  TreeDoc d = parse_yaml("a: 1\n  b: 2\nc: [1, 2\nd: 4\n\tbad: tab\n");
  ASSERT_EQ(d.documents.size(), 1u);
  EXPECT_FALSE(d.errors.empty());
  EXPECT_EQ(d.documents[0].str("a"), "1");
}

TEST(Json, TreeKeepsKeyLinesAndSurvivesErrors) {
  TreeDoc d = parse_json_tree("{\n  // comment\n  \"a\": {\n    \"b\": 5,\n    \"c\": [\"x\", true]\n  }\n}\n");
  ASSERT_TRUE(d.errors.empty()) << d.errors[0].second;
  const Node* a = d.documents[0].get("a");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->line, 3);
  EXPECT_EQ(a->get("b")->line, 4);
  EXPECT_EQ(a->str("b"), "5");
  EXPECT_EQ(a->get("c")->seq[1].scalar, "true");
  TreeDoc bad = parse_json_tree("{\n \"a\": 1,\n \"b\": }\n");
  EXPECT_FALSE(bad.errors.empty());
  EXPECT_EQ(bad.documents[0].str("a"), "1");
}

TEST(ConfigParsers, HostileInputNeverThrowsOrCrashes) {
  std::vector<std::string> inputs = {
      "", "{", "}}}}", "\"", "'", "- - - :", "[", "a: [", "key: {a: [1, {b: ", ";;;;", "[svc]\n=\n", "=",
      "\xff\xfe\x00garbage\x01", "frontend\nbind\nbind :\nbind :x-\ntimeout\noption\nhttp-request\n",
      "server { listen ; location { return; } }", "<VirtualHost>\n</VirtualHost>\n</X>\n", "*filter\n-A\n:\nCOMMIT\n",
      "table {\n chain {\n type policy drop\n reject\n tcp dport { drop\n}}}}\n",
      "{\"Attributes\": [{\"Key\": 5}, 3, null]}", "{\"LoadBalancerAttributes\": {\"X\": [1]}}",
      "static_resources:\n  listeners:\n  - address: 5\n    idle_timeout: {seconds: x}\n",
      "kind: ConfigMap\ndata: [1]\n---\nkind: Ingress\nmetadata: 3\n"};
  std::string deep_json(20000, '[');
  inputs.push_back(deep_json);
  std::string deep_flow = "a: " + std::string(20000, '[');
  inputs.push_back(deep_flow);
  std::string deep_yaml;
  for (int i = 0; i < 3000; ++i) deep_yaml += std::string(static_cast<size_t>(i), ' ') + "k:\n";
  inputs.push_back(deep_yaml);
  std::string deep_nginx;
  for (int i = 0; i < 5000; ++i) deep_nginx += "location / {\n";
  inputs.push_back(deep_nginx);
  int parsers = 0;
  for (const Parser* p : all_parsers()) {
    if (p->name().substr(0, 7) != "config-") continue;
    ++parsers;
    for (const std::string& in : inputs) {
      SCOPED_TRACE(std::string(p->name()) + " <- " + in.substr(0, 40));
      EXPECT_NO_THROW({
        ParsedText r = parse_text(*p, in, "", nullptr, "x/application.yaml");
        for (const Setting& s : r.settings) EXPECT_FALSE(s.key.empty());
      });
    }
  }
  EXPECT_EQ(parsers, 11);
}
