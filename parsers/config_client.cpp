// Client-side connection-pool settings from application configuration:
//   appsettings*.json (.NET; JSON with comments, read with simdjson), application*.properties /
//   *.properties (Java/Spring), application*.yml / .yaml (Spring; YAML subset reader), .env files.
// Nested keys are flattened with '.' (JSON/YAML) and matched case-insensitively, ignoring '.', '_',
// '-' and ':' (so "PooledConnectionIdleTimeout", "pooled-connection-idle-timeout" and
// "HTTP_POOLED_CONNECTION_IDLE_TIMEOUT" are the same). Only keys that govern how long idle pooled
// connections live or how the client times out are kept (table kRules). Values: .NET TimeSpan
// ("00:01:30"), ISO-8601 ("PT90S"), Go/Spring durations ("90s", "5m"), or bare numbers whose unit
// comes from the key (…Ms/…Millis → ms, …Seconds/…Sec → s) or else the rule's default unit, which
// the note then states.
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

struct Rule {
  const char* contains;  // normalised (lower-case, no separators) substring of the key
  const char* component;
  int64_t default_unit_ms;  // for bare numbers; 0 = a count
  const char* note;
};

// First match wins; more specific entries first.
const Rule kRules[] = {
    {"pooledconnectionidletimeout", "client-dotnet", 1000,
     ".NET SocketsHttpHandler: idle pooled connections are closed after this; must be shorter than every server/LB idle timeout"},
    {"pooledconnectionlifetime", "client-dotnet", 1000, ".NET SocketsHttpHandler: maximum lifetime of a pooled connection"},
    {"maxconnectionsperserver", "client-dotnet", 0, ".NET SocketsHttpHandler: connection limit per server"},
    {"maxservicepointidletime", "client-dotnet", 1, ".NET Framework ServicePointManager idle time (ms)"},
    {"jdkhttpclientkeepalivetimeout", "client-java", 1000, "Java HttpClient idle pooled connection timeout (seconds)"},
    {"httpkeepalive", "client-java", 0, "Java HttpURLConnection keep-alive switch"},
    {"okhttp", "client-okhttp", 1000, "OkHttp connection pool setting"},
    {"idleconntimeout", "client-go", 1000, "Go http.Transport IdleConnTimeout: idle connections closed after this"},
    {"keepalivemsecs", "client-node", 1, "Node.js http.Agent keepAliveMsecs (TCP keep-alive probe delay)"},
    {"freesockettimeout", "client-node", 1, "Node agentkeepalive freeSocketTimeout: idle sockets closed after this"},
    {"keepalivetimeout", "client", 1000, "client keep-alive / idle timeout"},
    {"keepalivetime", "client", 1000, "client keep-alive time"},
    {"maxidletime", "client", 1000, "pool: idle connections closed after this"},
    {"idletimeout", "client", 1000, "idle timeout"},
    {"evictidle", "client", 1000, "pool idle eviction"},
    {"validateafterinactivity", "client-java", 1, "Apache HttpClient stale-connection check after inactivity (ms)"},
    {"timetolive", "client", 1000, "pooled connection time-to-live"},
    {"connectionttl", "client", 1000, "pooled connection time-to-live"},
    {"maxlifetime", "client", 1000, "pooled connection maximum lifetime"},
    {"keepalive", "client", 0, "keep-alive switch or setting"},
    {"poolmaxidle", "client", 0, "pool: maximum idle connections"},
    {"connecttimeout", "client", 1000, "connect timeout"},
    {"readtimeout", "client", 1000, "read timeout"},
    {"sockettimeout", "client", 1, "socket read timeout"},
    {"requesttimeout", "client", 1000, "request timeout"},
};

std::string normalise_key(std::string_view k) {
  std::string out;
  for (char c : k)
    if (c != '.' && c != '_' && c != '-' && c != ':' && c != ' ')
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return out;
}

int64_t unit_from_key(const std::string& nk, int64_t fallback) {
  if (ends_with(nk, "ms") || ends_with(nk, "millis") || ends_with(nk, "milliseconds") || ends_with(nk, "msecs")) return 1;
  if (ends_with(nk, "seconds") || ends_with(nk, "secs") || ends_with(nk, "sec")) return 1000;
  if (ends_with(nk, "minutes") || ends_with(nk, "mins")) return 60000;
  return fallback;
}

struct Flat {
  std::string key, value;
  int64_t line = 0;
};

void flatten(const Node& n, const std::string& prefix, std::vector<Flat>& out, int depth) {
  if (depth > 32) return;
  if (n.is_map()) {
    for (const auto& [k, v] : n.map) flatten(v, prefix.empty() ? k : prefix + "." + k, out, depth + 1);
  } else if (n.is_seq()) {
    for (size_t i = 0; i < n.seq.size(); ++i) flatten(n.seq[i], prefix + "[" + std::to_string(i) + "]", out, depth + 1);
  } else if (n.is_scalar()) {
    out.push_back({prefix, n.scalar, n.line});
  }
}

enum class Syntax { json, yaml, properties, env };

Syntax syntax_of(std::string_view path, std::string_view text) {
  std::string_view t = trim(text);
  if (ends_with(path, ".json") || (!t.empty() && t[0] == '{')) return Syntax::json;
  if (ends_with(path, ".yml") || ends_with(path, ".yaml")) return Syntax::yaml;
  if (ends_with(path, ".properties")) return Syntax::properties;
  return Syntax::env;
}

class ClientConfigFile : public FileParser {
 public:
  explicit ClientConfigFile(const ParseContext& ctx) : path_(ctx.path) {}

  void record(const Record& rec, Emitter& out) override {
    config::SettingSink sink(out, rec.text);
    std::vector<Flat> flat;
    Syntax syn = syntax_of(path_, rec.text);
    if (syn == Syntax::json || syn == Syntax::yaml) {
      config::TreeDoc doc = syn == Syntax::json ? config::parse_json_tree(rec.text) : config::parse_yaml(rec.text);
      for (auto& [line, msg] : doc.errors) sink.warn(line, msg);
      for (const Node& d : doc.documents) flatten(d, "", flat, 0);
    } else {
      lines(rec.text, syn, flat, sink);
    }
    for (const Flat& f : flat) classify(f, sink);
  }

 private:
  void lines(std::string_view text, Syntax syn, std::vector<Flat>& flat, config::SettingSink& sink) {
    size_t pos = 0;
    int64_t n = 0;
    std::string joined;
    int64_t start = 0;
    while (pos < text.size()) {
      size_t nl = text.find('\n', pos);
      if (nl == std::string_view::npos) nl = text.size();
      std::string_view l = text.substr(pos, nl - pos);
      pos = nl + 1;
      ++n;
      if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
      if (joined.empty()) start = n;
      if (syn == Syntax::properties && !l.empty() && l.back() == '\\') {
        joined.append(trim(l.substr(0, l.size() - 1)));
        continue;
      }
      joined.append(joined.empty() ? l : trim(l));
      std::string_view t = trim(joined);
      if (t.empty() || t[0] == '#' || t[0] == '!') {
        joined.clear();
        continue;
      }
      if (syn == Syntax::env && starts_with(t, "export ")) t = trim(t.substr(7));
      size_t eq = t.find('=');
      if (syn == Syntax::properties) {
        size_t colon = t.find(':');
        if (colon != std::string_view::npos && (eq == std::string_view::npos || colon < eq)) eq = colon;
      }
      if (eq == std::string_view::npos) {
        sink.warn(start, "expected KEY=VALUE");
        joined.clear();
        continue;
      }
      std::string_view k = trim(t.substr(0, eq)), v = trim(t.substr(eq + 1));
      if (syn == Syntax::env) {
        if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front()) v = v.substr(1, v.size() - 2);
        else if (size_t hash = v.find(" #"); hash != std::string_view::npos) v = trim(v.substr(0, hash));
      }
      flat.push_back({std::string(k), std::string(v), start});
      joined.clear();
    }
  }

  void classify(const Flat& f, config::SettingSink& sink) {
    std::string nk = normalise_key(f.key);
    const Rule* rule = nullptr;
    for (const Rule& r : kRules)
      if (nk.find(r.contains) != std::string::npos) {
        rule = &r;
        break;
      }
    if (!rule) return;
    // Server-side keys in the same files (Spring server.*, Kestrel Limits) are servers, not clients.
    std::string component = rule->component;
    std::string lk = f.key;
    to_lower_inplace(lk);
    if (starts_with(lk, "server.")) component = "spring-server";
    if (lk.find("kestrel") != std::string::npos) component = "kestrel";
    Setting s;
    s.component = component;
    s.scope = f.key.find('.') != std::string::npos ? f.key.substr(0, f.key.rfind('.')) : "app";
    s.key = f.key;
    s.raw = f.value;
    s.line = f.line;
    s.note = rule->note;
    int64_t unit = unit_from_key(nk, rule->default_unit_ms);
    int64_t b;
    if (config::parse_bool(f.value, b) && (iequals(f.value, "true") || iequals(f.value, "false"))) {
      s.value = b;
      s.unit = "bool";
      s.text = b ? "true" : "false";
    } else if (rule->default_unit_ms == 0 && unit == 0) {
      int64_t n;
      if (parse_int(trim(f.value), n)) {
        s.value = n;
        s.unit = "count";
      } else if (config::timespan_ms(f.value, 1000, s.value)) {
        s.unit = "ms";
      } else {
        s.text = f.value;
      }
    } else if (iequals(f.value, "infinite") || f.value == "-1" || iequals(f.value, "InfiniteTimeSpan")) {
      s.text = "infinite";
      s.unit = "ms";
    } else if (config::timespan_ms(f.value, unit ? unit : 1000, s.value)) {
      s.unit = "ms";
      int64_t n;
      if (parse_int(trim(f.value), n))
        s.note += unit == 1 ? "; bare number read as milliseconds" : unit == 1000 ? "; bare number read as seconds" : "";
    } else {
      s.text = f.value;
    }
    sink.emit(s);
  }

  std::string path_;
};

class ClientConfigParser : public Parser {
 public:
  std::string_view name() const override { return "config-client"; }
  std::string_view description() const override {
    return "client pool settings in appsettings.json, application.properties/.yaml, .env (idle timeouts, keep-alive)";
  }
  Role role() const override { return Role::config; }
  bool whole_file() const override { return true; }
  Score sniff(const SniffInput& in) const override {
    std::string n(in.name);
    to_lower_inplace(n);
    bool named = (starts_with(n, "appsettings") && ends_with(n, ".json")) ||
                 (starts_with(n, "application") && (ends_with(n, ".properties") || ends_with(n, ".yml") || ends_with(n, ".yaml"))) ||
                 (starts_with(n, "bootstrap") && (ends_with(n, ".yml") || ends_with(n, ".yaml"))) ||
                 n == ".env" || ends_with(n, ".env") || starts_with(n, ".env.") ||
                 ends_with(n, ".properties");
    int hits = 0;
    for (std::string_view l : in.lines) {
      std::string nk = normalise_key(l);
      for (const Rule& r : kRules)
        if (nk.find(r.contains) != std::string::npos) {
          ++hits;
          break;
        }
    }
    if (!named) return {};
    return {std::min(60 + hits * 10, 90), "application configuration file (appsettings/application/.env)"};
  }
  std::unique_ptr<FileParser> open(const ParseContext& ctx) const override {
    return std::make_unique<ClientConfigFile>(ctx);
  }
  const std::vector<Sample>& samples() const override {
    static const std::vector<Sample> s = {
        {"{\n  \"HttpClient\": {\n    \"PooledConnectionIdleTimeout\": \"00:02:00\"\n  }\n}\n",
         {{"role", "config"}, {"category", "setting"}, {"line", "3"}, {"fields.key", "HttpClient.PooledConnectionIdleTimeout"},
          {"fields.value", "120000"}, {"fields.component", "client-dotnet"}}},
    };
    return s;
  }
};

RSTSCOPE_REGISTER_PARSER(ClientConfigParser);

}  // namespace
}  // namespace rstscope
