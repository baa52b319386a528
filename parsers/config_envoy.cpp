// Envoy bootstrap / config dump (YAML or JSON) -> settings per listener and cluster.
//
// YAML goes through config::parse_yaml (the documented subset, tree.h), JSON through simdjson.
// Listeners are maps with `address.socket_address` under a `listeners` list; clusters are maps
// under `clusters`. Inside a listener: HCM `common_http_protocol_options.idle_timeout` (key
// "idle_timeout"), `stream_idle_timeout`, `request_timeout`, `request_headers_timeout`,
// `drain_timeout`, `delayed_close_timeout`, `max_connection_duration`, route `timeout`
// ("route timeout"), tcp_proxy `idle_timeout` ("tcp_proxy idle_timeout") and downstream
// `tls_params` (unit protocols). Inside a cluster: `connect_timeout` and the upstream pool
// `idle_timeout` ("cluster idle_timeout"). Durations: "300s", "0.5s", or {seconds, nanos}.
// Documented defaults (B3.4) are added per listener / cluster when unset.
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

bool envoy_duration(const Node& n, int64_t& ms, std::string& raw) {
  if (n.is_scalar()) {
    raw = n.scalar;
    return config::duration_ms(n.scalar, 1000, ms);
  }
  if (n.is_map()) {
    int64_t s = 0, nanos = 0;
    std::string_view sv = n.str("seconds"), nv = n.str("nanos");
    if (sv.empty() && nv.empty()) return false;
    if (!sv.empty() && !parse_int(sv, s)) return false;
    if (!nv.empty() && !parse_int(nv, nanos)) return false;
    ms = s * 1000 + nanos / 1000000;
    raw = std::string("{seconds: ") + std::string(sv.empty() ? "0" : sv) + (nv.empty() ? "" : ", nanos: " + std::string(nv)) + "}";
    return true;
  }
  return false;
}

std::string listener_from(const Node& l) {
  const Node* addr = l.get("address");
  const Node* sa = addr ? addr->get("socket_address") : nullptr;
  if (!sa) return {};
  std::string_view host = sa->str("address");
  int64_t port = -1;
  if (!parse_int(sa->str("port_value"), port)) port = -1;
  if (host == "0.0.0.0" || host == "::" || host == "*") host = host == "::" ? host : std::string_view{};
  return config::listener_of(host, port);
}

struct Ctx {
  std::string listener;
  std::string scope;
  bool cluster = false;
  bool saw_hcm = false;
  std::vector<std::string> keys_seen;
};

class EnvoyConfigFile : public FileParser {
 public:
  void record(const Record& rec, Emitter& out) override {
    config::SettingSink sink(out, rec.text);
    std::string_view t = trim(rec.text);
    config::TreeDoc doc = (!t.empty() && t[0] == '{') ? config::parse_json_tree(rec.text) : config::parse_yaml(rec.text);
    for (auto& [line, msg] : doc.errors) sink.warn(line, msg);
    for (const Node& d : doc.documents) {
      if (d.str("kind") == "ConfigMap") {
        configmap(d, sink);
        continue;
      }
      walk(d, "", nullptr, nullptr, sink, 0);
    }
  }

 private:
  void walk(const Node& n, std::string_view key, const Node* parent, Ctx* ctx, config::SettingSink& sink, int depth) {
    if (depth > 64) return;
    if (n.is_seq()) {
      for (const Node& item : n.seq) {
        if ((key == "listeners" || key == "dynamic_listeners" || key == "static_listeners") && item.is_map()) {
          const Node* l = &item;
          if (const Node* al = item.get("active_state")) l = al->get("listener") ? al->get("listener") : l;
          if (const Node* ll = item.get("listener")) l = ll;
          listener(*l, sink, depth);
        } else if ((key == "clusters" || key == "static_clusters" || key == "dynamic_active_clusters") && item.is_map()) {
          const Node* c = item.get("cluster") ? item.get("cluster") : &item;
          cluster(*c, sink, depth);
        } else {
          walk(item, key, &n, ctx, sink, depth + 1);
        }
      }
      return;
    }
    if (!n.is_map()) return;
    for (const auto& [k, v] : n.map) {
      if (ctx) setting(k, v, n, *ctx, sink);
      walk(v, k, &n, ctx, sink, depth + 1);
    }
    (void)parent;
  }

  // An Envoy bootstrap embedded in a Kubernetes ConfigMap (`data: {envoy.yaml: |\n ...}`): the
  // block scalar is parsed on its own and its lines shifted to lines of this file.
  void configmap(const Node& d, config::SettingSink& sink) {
    const Node* data = d.get("data");
    if (!data || !data->is_map()) return;
    for (const auto& [k, v] : data->map) {
      if (!v.is_scalar() || v.scalar.find("static_resources") == std::string::npos) continue;
      std::string_view t = trim(v.scalar);
      config::TreeDoc inner = (!t.empty() && t[0] == '{') ? config::parse_json_tree(v.scalar) : config::parse_yaml(v.scalar);
      for (auto& [line, msg] : inner.errors) sink.warn(line ? line + v.line : v.line, "in data." + k + ": " + msg);
      for (Node& n : inner.documents) {
        shift(n, v.line, 0);
        walk(n, "", nullptr, nullptr, sink, 0);
      }
    }
  }

  static void shift(Node& n, int64_t by, int depth) {
    if (depth > 200) return;
    if (n.line) n.line += by;
    for (auto& [k, v] : n.map) shift(v, by, depth + 1);
    for (Node& c : n.seq) shift(c, by, depth + 1);
  }

  void listener(const Node& l, config::SettingSink& sink, int depth) {
    Ctx c;
    c.listener = listener_from(l);
    std::string name(l.str("name"));
    c.scope = "listener " + (name.empty() ? c.listener : name);
    walk_in(l, c, sink, depth);
    if (c.saw_hcm)
      for (const char* k : {"idle_timeout", "stream_idle_timeout", "request_timeout"})
        add_default(c, k, k, sink);
  }

  void cluster(const Node& cl, config::SettingSink& sink, int depth) {
    Ctx c;
    c.cluster = true;
    c.scope = "cluster " + std::string(cl.str("name"));
    walk_in(cl, c, sink, depth);
    add_default(c, "connect_timeout", "connect_timeout", sink);
    add_default(c, "cluster idle_timeout", "idle_timeout", sink);
  }

  void walk_in(const Node& n, Ctx& c, config::SettingSink& sink, int depth) {
    if (depth > 64) return;
    if (n.is_seq()) {
      for (const Node& item : n.seq) walk_in(item, c, sink, depth + 1);
      return;
    }
    if (!n.is_map()) return;
    if (n.get("http_filters") || n.get("route_config") || n.get("rds")) c.saw_hcm = true;
    for (const auto& [k, v] : n.map) {
      setting(k, v, n, c, sink);
      walk_in(v, c, sink, depth + 1);
    }
  }

  void add_default(Ctx& c, const std::string& key, const char* default_key, config::SettingSink& sink) {
    for (const std::string& k : c.keys_seen)
      if (k == key) return;
    Setting d;
    std::string dk = default_key;
    if (key == "cluster idle_timeout") dk = "idle_timeout";
    if (!config::documented_default("envoy", dk, d)) return;
    d.key = key;
    d.scope = c.scope;
    d.listener = c.listener;
    sink.emit(d);
  }

  void setting(const std::string& k, const Node& v, const Node& parent, Ctx& c, config::SettingSink& sink) {
    static const char* kDurations[] = {"idle_timeout", "stream_idle_timeout", "request_timeout",
                                       "request_headers_timeout", "drain_timeout", "delayed_close_timeout",
                                       "max_connection_duration", "connect_timeout", "timeout", "max_stream_duration"};
    Setting s;
    s.component = "envoy";
    s.scope = c.scope;
    s.listener = c.listener;
    s.line = v.line;
    bool dur = false;
    for (const char* d : kDurations) dur |= k == d;
    if (dur) {
      std::string key = k;
      if (k == "timeout") {
        if (!parent.get("cluster") && !parent.get("weighted_clusters") && !parent.get("cluster_header")) return;
        key = "route timeout";
      } else if (k == "idle_timeout") {
        if (c.cluster) key = "cluster idle_timeout";
        else if (parent.get("stat_prefix") && parent.get("cluster")) key = "tcp_proxy idle_timeout";
      }
      if (!envoy_duration(v, s.value, s.raw)) return;
      s.key = key;
      s.unit = "ms";
      if (s.value == 0) s.text = "disabled";
      if (key == "idle_timeout")
        s.note = "downstream HCM idle timeout: idle client connections are closed (drained for HTTP/2)";
      if (key == "cluster idle_timeout")
        s.note = "upstream pool idle timeout: must be shorter than the backend's keep-alive timeout";
      c.keys_seen.push_back(key);
      sink.emit(s);
      return;
    }
    if (k == "per_connection_buffer_limit_bytes" || k == "max_request_headers_kb") {
      int64_t n;
      if (!v.is_scalar() || !parse_int(v.scalar, n)) return;
      s.key = k;
      s.raw = v.scalar;
      s.value = k == "max_request_headers_kb" ? n * 1024 : n;
      s.unit = "bytes";
      sink.emit(s);
      return;
    }
    if (k == "tls_params" && v.is_map()) {
      std::string_view lo = v.str("tls_minimum_protocol_version"), hi = v.str("tls_maximum_protocol_version");
      int l = lo.empty() || lo == "TLS_AUTO" ? (c.cluster ? 4 : 4) : config::tls_rank(lo);
      int h = hi.empty() || hi == "TLS_AUTO" ? (c.cluster ? 4 : 5) : config::tls_rank(hi);
      s.key = "tls_params";
      s.raw = std::string(lo.empty() ? "TLS_AUTO" : lo) + " - " + std::string(hi.empty() ? "TLS_AUTO" : hi);
      s.unit = "protocols";
      s.text = config::tls_range(l, h);
      if (lo.empty() || hi.empty()) s.note = "TLS_AUTO: Envoy downstream default TLSv1.2-TLSv1.3 (not re-verified)";
      if (const Node* cs = v.get("cipher_suites")) {
        Setting cc = s;
        cc.key = "cipher_suites";
        cc.unit.clear();
        cc.note.clear();
        for (const Node& x : cs->seq) cc.text += (cc.text.empty() ? "" : ":") + x.scalar;
        cc.raw = cc.text;
        cc.line = cs->line;
        sink.emit(cc);
      }
      sink.emit(s);
    }
  }
};

class EnvoyConfigParser : public Parser {
 public:
  std::string_view name() const override { return "config-envoy"; }
  std::string_view description() const override {
    return "Envoy bootstrap or config dump (YAML/JSON): idle/stream/request timeouts, route and connect timeouts, TLS";
  }
  Role role() const override { return Role::config; }
  bool whole_file() const override { return true; }
  Score sniff(const SniffInput& in) const override {
    int score = 0;
    bool yaml_or_json = ends_with(in.name, ".yaml") || ends_with(in.name, ".yml") || ends_with(in.name, ".json");
    int content = 0;
    for (std::string_view l : in.lines) {
      if (l.find("static_resources") != std::string_view::npos || l.find("type.googleapis.com/envoy.") != std::string_view::npos ||
          l.find("listeners:") != std::string_view::npos || l.find("\"listeners\"") != std::string_view::npos ||
          l.find("clusters:") != std::string_view::npos || l.find("\"clusters\"") != std::string_view::npos)
        ++content;
    }
    if (!content) return {};  // an Envoy *log* (even a JSON one named envoy.json) is not config
    if (icontains(in.name, "envoy") && yaml_or_json) score += 20;
    for (std::string_view l : in.lines) {
      if (l.find("static_resources") != std::string_view::npos) score += 40;
      if (l.find("type.googleapis.com/envoy.") != std::string_view::npos) score += 30;
      if (l.find("envoy.filters.network.http_connection_manager") != std::string_view::npos) score += 30;
      if (l.find("socket_address") != std::string_view::npos) score += 10;
      if (l.find("\"configs\"") != std::string_view::npos || l.find("ConfigDump") != std::string_view::npos) score += 20;
    }
    if (!yaml_or_json && score < 60) return {};
    if (score < 40) return {};
    return {std::min(score, 95), "Envoy configuration (static_resources / envoy type URLs)"};
  }
  std::unique_ptr<FileParser> open(const ParseContext&) const override { return std::make_unique<EnvoyConfigFile>(); }
  const std::vector<Sample>& samples() const override {
    static const std::vector<Sample> s = {
        {"static_resources:\n"
         "  listeners:\n"
         "  - name: ingress\n"
         "    address:\n"
         "      socket_address: { address: 0.0.0.0, port_value: 10000 }\n"
         "    filter_chains:\n"
         "    - filters:\n"
         "      - name: envoy.filters.network.http_connection_manager\n"
         "        typed_config:\n"
         "          stat_prefix: ingress_http\n"
         "          common_http_protocol_options:\n"
         "            idle_timeout: 30s\n",
         {{"role", "config"}, {"category", "setting"}, {"line", "12"}, {"fields.key", "idle_timeout"},
          {"fields.value", "30000"}, {"fields.listener", "*:10000"}, {"fields.scope", "listener ingress"}}},
    };
    return s;
  }
};

RSTSCOPE_REGISTER_PARSER(EnvoyConfigParser);

}  // namespace
}  // namespace rstscope
