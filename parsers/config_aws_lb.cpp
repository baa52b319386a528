// AWS load balancer attributes as the CLI prints them (JSON, read with simdjson):
//   elbv2 describe-load-balancer-attributes: {"Attributes": [{"Key": "idle_timeout.timeout_seconds", "Value": "60"}, ...]}
//   elbv2 describe-target-group-attributes:  same shape (deregistration_delay.timeout_seconds, ...)
//   elb describe-load-balancer-attributes:   {"LoadBalancerAttributes": {"ConnectionSettings": {"IdleTimeout": 60}, ...}}
// Every attribute becomes a setting (component aws-alb / aws-nlb / aws-elb by the keys present;
// scope "load balancer" or "target group"); keys ending in seconds are normalised to ms. The
// listener is unknown from these files (left empty). An ALB/ELB file without its idle timeout
// gets the documented 60 s default, assumed.
#include <string>
#include <vector>

#include "config/defaults.h"
#include "config/settings_out.h"
#include "config/tree.h"
#include "rstscope/parser.h"
#include "rstscope/text.h"

namespace rstscope {
namespace {

using config::Node;

class AwsLbConfigFile : public FileParser {
 public:
  void record(const Record& rec, Emitter& out) override {
    config::SettingSink sink(out, rec.text);
    config::TreeDoc doc = config::parse_json_tree(rec.text);
    for (auto& [line, msg] : doc.errors) sink.warn(line, msg);
    if (doc.documents.empty()) return;
    const Node& root = doc.documents[0];
    if (const Node* attrs = root.get("Attributes"); attrs && attrs->is_seq()) {
      std::string component = "aws-alb";
      bool target_group = false;
      for (const Node& a : attrs->seq) {
        std::string_view k = a.str("Key");
        if (starts_with(k, "tcp.") || k == "dns_record.client_routing_policy") component = "aws-nlb";
        if (starts_with(k, "deregistration_delay") || starts_with(k, "stickiness") || starts_with(k, "load_balancing."))
          target_group = true;
      }
      bool idle = false;
      for (const Node& a : attrs->seq) {
        const Node* kn = a.get("Key");
        std::string_view k = a.str("Key"), v = a.str("Value");
        if (k.empty()) continue;
        idle |= k == "idle_timeout.timeout_seconds" || k == "tcp.idle_timeout.seconds";
        emit(component, target_group ? "target group" : "load balancer", std::string(k), std::string(v),
             kn ? kn->line : a.line, sink);
      }
      if (!idle && !target_group) {
        Setting d;
        std::string key = component == "aws-nlb" ? "tcp.idle_timeout.seconds" : "idle_timeout.timeout_seconds";
        if (config::documented_default(component, key, d)) {
          d.scope = "load balancer";
          sink.emit(d);
        }
      }
      return;
    }
    if (const Node* lba = root.get("LoadBalancerAttributes"); lba && lba->is_map()) {
      bool idle = false;
      for (const auto& [group, g] : lba->map) {
        if (!g.is_map()) continue;
        for (const auto& [k, v] : g.map) {
          if (!v.is_scalar()) continue;
          std::string key = group + "." + k;
          idle |= key == "ConnectionSettings.IdleTimeout";
          emit("aws-elb", "load balancer", key == "ConnectionSettings.IdleTimeout" ? "idle_timeout" : key, v.scalar,
               v.line, sink);
        }
      }
      if (!idle) {
        Setting d;
        if (config::documented_default("aws-elb", "idle_timeout", d)) {
          d.scope = "load balancer";
          sink.emit(d);
        }
      }
      return;
    }
    sink.warn(0, "JSON has neither \"Attributes\" nor \"LoadBalancerAttributes\"; not AWS LB attributes");
  }

 private:
  static void emit(const std::string& component, const std::string& scope, const std::string& key,
                   const std::string& value, int64_t line, config::SettingSink& sink) {
    Setting s;
    s.component = component;
    s.scope = scope;
    s.key = key;
    s.raw = value;
    s.line = line;
    bool seconds = ends_with(key, "seconds") || ends_with(key, "Timeout") || key == "idle_timeout" ||
                   ends_with(key, ".timeout");
    int64_t n;
    if (seconds && parse_int(trim(value), n)) {
      s.value = n * 1000;
      s.unit = "ms";
    } else if (config::parse_bool(value, n) && (value == "true" || value == "false")) {
      s.value = n;
      s.unit = "bool";
      s.text = value;
    } else {
      s.text = value;
    }
    if (key == "idle_timeout.timeout_seconds" || key == "idle_timeout")
      s.note = "the load balancer closes idle connections after this; targets' keep-alive must be longer";
    if (key == "tcp.idle_timeout.seconds") s.note = "NLB drops idle flows; later packets get a RST";
    if (key == "routing.http.drop_invalid_header_fields.enabled" || key == "routing.http.desync_mitigation_mode")
      s.note = "can make the ALB reject requests (400) and close";
    sink.emit(s);
  }
};

class AwsLbConfigParser : public Parser {
 public:
  std::string_view name() const override { return "config-aws-lb"; }
  std::string_view description() const override {
    return "AWS ALB/NLB/ELB attributes JSON (aws elbv2/elb describe-*-attributes): idle timeouts and LB behaviour";
  }
  Role role() const override { return Role::config; }
  bool whole_file() const override { return true; }
  Score sniff(const SniffInput& in) const override {
    int score = 0;
    for (std::string_view l : in.lines) {
      if (l.find("\"Attributes\"") != std::string_view::npos) score += 30;
      if (l.find("\"LoadBalancerAttributes\"") != std::string_view::npos) score += 60;
      if (l.find("idle_timeout.timeout_seconds") != std::string_view::npos ||
          l.find("tcp.idle_timeout.seconds") != std::string_view::npos)
        score += 50;
      if (l.find("access_logs.s3.enabled") != std::string_view::npos ||
          l.find("deletion_protection.enabled") != std::string_view::npos ||
          l.find("deregistration_delay.timeout_seconds") != std::string_view::npos)
        score += 30;
    }
    if (score < 60) return {};
    return {std::min(score, 95), "AWS load balancer attributes JSON"};
  }
  std::unique_ptr<FileParser> open(const ParseContext&) const override { return std::make_unique<AwsLbConfigFile>(); }
  const std::vector<Sample>& samples() const override {
    static const std::vector<Sample> s = {
        {"{\n  \"Attributes\": [\n    {\n      \"Key\": \"idle_timeout.timeout_seconds\",\n      \"Value\": \"120\"\n    }\n  ]\n}\n",
         {{"role", "config"}, {"category", "setting"}, {"line", "4"}, {"fields.key", "idle_timeout.timeout_seconds"},
          {"fields.value", "120000"}, {"fields.component", "aws-alb"}}},
    };
    return s;
  }
};

RSTSCOPE_REGISTER_PARSER(AwsLbConfigParser);

}  // namespace
}  // namespace rstscope
