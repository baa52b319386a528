// Kubernetes manifests for ingress-nginx: the controller ConfigMap (`data:` keys such as
// keep-alive, upstream-keepalive-timeout, proxy-read-timeout, proxy-body-size, ssl-protocols,
// error-log-level) and Ingress annotations (nginx.ingress.kubernetes.io/proxy-read-timeout ...).
//
// YAML through config::parse_yaml (subset, tree.h); several documents per file ("---") and
// `kind: List` items are read. ConfigMap values govern the controller's listeners, "*:80" and
// "*:443"; annotations govern the Ingress hosts (scope "ingress NS/NAME host H"). Values are in
// ingress-nginx units: timeouts in seconds, sizes nginx-style ("8m").
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

enum class Unit { seconds, size, count, text, protocols, level };

struct Key {
  const char* name;
  Unit unit;
  const char* nginx;  // the nginx directive it becomes
};

const Key kKeys[] = {
    {"keep-alive", Unit::seconds, "keepalive_timeout"},
    {"keep-alive-requests", Unit::count, "keepalive_requests"},
    {"upstream-keepalive-timeout", Unit::seconds, "upstream keepalive_timeout"},
    {"upstream-keepalive-connections", Unit::count, "upstream keepalive"},
    {"upstream-keepalive-requests", Unit::count, "upstream keepalive_requests"},
    {"upstream-keepalive-time", Unit::seconds, "upstream keepalive_time"},
    {"client-header-timeout", Unit::seconds, "client_header_timeout"},
    {"client-body-timeout", Unit::seconds, "client_body_timeout"},
    {"proxy-connect-timeout", Unit::seconds, "proxy_connect_timeout"},
    {"proxy-read-timeout", Unit::seconds, "proxy_read_timeout"},
    {"proxy-send-timeout", Unit::seconds, "proxy_send_timeout"},
    {"proxy-body-size", Unit::size, "client_max_body_size"},
    {"ssl-protocols", Unit::protocols, "ssl_protocols"},
    {"ssl-ciphers", Unit::text, "ssl_ciphers"},
    {"error-log-level", Unit::level, "error_log_level"},
    {"limit-rps", Unit::count, "limit_req"},
    {"limit-connections", Unit::count, "limit_conn"},
    {"worker-shutdown-timeout", Unit::seconds, "worker_shutdown_timeout"},
    {"use-http2", Unit::text, "http2"},
    {"reset-timedout-connection", Unit::text, "reset_timedout_connection"},
};

const Key* find_key(std::string_view k) {
  for (const Key& x : kKeys)
    if (k == x.name) return &x;
  return nullptr;
}

class K8sConfigFile : public FileParser {
 public:
  void record(const Record& rec, Emitter& out) override {
    config::SettingSink sink(out, rec.text);
    config::TreeDoc doc = config::parse_yaml(rec.text);
    for (auto& [line, msg] : doc.errors) sink.warn(line, msg);
    for (const Node& d : doc.documents) object(d, sink, 0);
  }

 private:
  void object(const Node& d, config::SettingSink& sink, int depth) {
    if (!d.is_map() || depth > 4) return;
    std::string_view kind = d.str("kind");
    if (kind == "List")
      if (const Node* items = d.get("items"))
        for (const Node& i : items->seq) object(i, sink, depth + 1);
    const Node* meta = d.get("metadata");
    std::string name(meta ? meta->str("name") : "");
    std::string ns(meta ? meta->str("namespace") : "");
    std::string full = ns.empty() ? name : ns + "/" + name;
    if (kind == "ConfigMap") {
      const Node* data = d.get("data");
      if (!data || !data->is_map()) return;
      bool any = false;
      for (const auto& [k, v] : data->map) any |= find_key(k) != nullptr;
      if (!any) return;
      bool level_set = false, ka_set = false;
      for (const char* listener : {"*:80", "*:443"}) {
        for (const auto& [k, v] : data->map) {
          const Key* key = find_key(k);
          if (!key || !v.is_scalar()) continue;
          level_set |= key->unit == Unit::level;
          ka_set |= std::string_view(key->name) == "keep-alive";
          emit(*key, k, v, "configmap " + full, listener, sink);
        }
        if (!ka_set) {
          Setting s;
          if (config::documented_default("nginx", "keepalive_timeout", s)) {
            s.key = "keep-alive";
            s.scope = "configmap " + full;
            s.listener = listener;
            s.note = "ingress-nginx default keep-alive 75 s (ingress-nginx ConfigMap docs, not re-verified)";
            sink.emit(s);
          }
        }
        if (!level_set) {
          Setting s;
          s.component = "nginx";
          s.scope = "configmap " + full;
          s.listener = listener;
          s.key = "error-log-level";
          s.raw = s.text = "notice";
          s.assumed = true;
          s.note = "ingress-nginx default error-log-level notice: client resets and SSL handshake failures (info) are "
                   "NOT logged (ingress-nginx ConfigMap docs, not re-verified)";
          sink.emit(s);
        }
      }
    } else if (kind == "Ingress") {
      const Node* ann = meta ? meta->get("annotations") : nullptr;
      if (!ann || !ann->is_map()) return;
      std::vector<std::string> hosts;
      bool tls = false;
      if (const Node* spec = d.get("spec")) {
        if (const Node* rules = spec->get("rules"))
          for (const Node& r : rules->seq)
            if (!r.str("host").empty()) hosts.emplace_back(r.str("host"));
        tls = spec->get("tls") != nullptr;
      }
      if (hosts.empty()) hosts.emplace_back("*");
      static constexpr std::string_view kPrefix = "nginx.ingress.kubernetes.io/";
      for (const std::string& h : hosts)
        for (const auto& [k, v] : ann->map) {
          if (!starts_with(k, kPrefix) || !v.is_scalar()) continue;
          std::string_view short_key = std::string_view(k).substr(kPrefix.size());
          const Key* key = find_key(short_key);
          if (!key) continue;
          emit(*key, k, v, "ingress " + full + " host " + h, tls ? "*:443" : "*:80", sink);
        }
    }
  }

  void emit(const Key& key, const std::string& written, const Node& v, const std::string& scope,
            const std::string& listener, config::SettingSink& sink) {
    Setting s;
    s.component = "nginx";
    s.scope = scope;
    s.listener = listener;
    s.key = written;
    s.raw = v.scalar;
    s.line = v.line;
    s.note = std::string("ingress-nginx; becomes nginx ") + key.nginx;
    switch (key.unit) {
      case Unit::seconds:
        if (config::duration_ms(v.scalar, 1000, s.value)) s.unit = "ms";
        break;
      case Unit::size:
        if (config::size_bytes(v.scalar, s.value)) s.unit = "bytes";
        break;
      case Unit::count: {
        int64_t n;
        if (parse_int(trim(v.scalar), n)) { s.value = n; s.unit = "count"; }
        break;
      }
      case Unit::protocols:
        s.unit = "protocols";
        s.text = config::tls_range(config::tls_mask_from_list(v.scalar));
        break;
      case Unit::level: {
        s.text = v.scalar;
        bool shows = s.text == "info" || s.text == "debug";
        s.note += shows ? "; client resets and SSL handshake failures are logged"
                        : "; below info: client resets (104) and SSL handshake failures are NOT logged";
        break;
      }
      case Unit::text:
        s.text = v.scalar;
        break;
    }
    sink.emit(s);
  }
};

class K8sConfigParser : public Parser {
 public:
  std::string_view name() const override { return "config-ingress-nginx"; }
  std::string_view description() const override {
    return "Kubernetes ingress-nginx ConfigMap and Ingress annotations (YAML): keep-alive, proxy timeouts, body size, TLS";
  }
  Role role() const override { return Role::config; }
  bool whole_file() const override { return true; }
  Score sniff(const SniffInput& in) const override {
    bool yaml = ends_with(in.name, ".yaml") || ends_with(in.name, ".yml");
    int score = 0;
    bool kind = false, ingress_keys = false;
    for (std::string_view l : in.lines) {
      std::string_view t = trim(l);
      if (starts_with(t, "kind: ConfigMap") || starts_with(t, "kind: Ingress")) kind = true;
      if (t.find("nginx.ingress.kubernetes.io/") != std::string_view::npos || starts_with(t, "upstream-keepalive") ||
          starts_with(t, "keep-alive:") || starts_with(t, "proxy-read-timeout") || starts_with(t, "proxy-body-size") ||
          t.find("ingress-nginx") != std::string_view::npos)
        ingress_keys = true;
    }
    if (kind) score += 40;
    if (ingress_keys) score += 40;
    if (yaml) score += 10;
    if (!kind || score < 50) return {};
    return {std::min(score, 90), "Kubernetes ConfigMap/Ingress with ingress-nginx keys"};
  }
  std::unique_ptr<FileParser> open(const ParseContext&) const override { return std::make_unique<K8sConfigFile>(); }
  const std::vector<Sample>& samples() const override {
    static const std::vector<Sample> s = {
        {"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ingress-nginx-controller\n  namespace: ingress-nginx\n"
         "data:\n  upstream-keepalive-timeout: \"30\"\n",
         {{"role", "config"}, {"category", "setting"}, {"line", "7"}, {"fields.key", "upstream-keepalive-timeout"},
          {"fields.value", "30000"}, {"fields.listener", "*:80"}}},
    };
    return s;
  }
};

RSTSCOPE_REGISTER_PARSER(K8sConfigParser);

}  // namespace
}  // namespace rstscope
