// stunnel configuration (stunnel.conf) -> settings per service.
//
// Grammar (stunnel(8)): "key = value" lines, "[service]" sections, comments start with ';' or
// '#'. Service-level options written in the global section are defaults for every service.
// Each service's listener is its `accept` address ("*:PORT" for a bare port). Unset idle/close
// timeouts and `reset` get their documented defaults (assumed).
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "config/defaults.h"
#include "config/settings_out.h"
#include "rstscope/parser.h"
#include "rstscope/text.h"

namespace rstscope {
namespace {

struct Opt {
  std::string key, value;
  int64_t line = 0;
};

struct Service {
  std::string name;
  int64_t line = 0;
  std::vector<Opt> opts;
};

bool is_timeout(std::string_view k) { return starts_with(k, "TIMEOUT"); }

bool matters(std::string_view k) {
  static const char* kKeys[] = {"accept", "connect", "sslVersion", "sslVersionMin", "sslVersionMax", "ciphers",
                                "ciphersuites", "TIMEOUTidle", "TIMEOUTbusy", "TIMEOUTclose", "TIMEOUTconnect",
                                "TIMEOUTocsp", "reset", "options", "client", "debug", "verify", "verifyChain",
                                "verifyPeer", "requireCert", "protocol", "delay", "retry", "session", "sessionCacheTimeout"};
  for (const char* x : kKeys)
    if (iequals(k, x)) return true;
  return false;
}

std::string canonical(std::string_view k) {
  static const char* kKeys[] = {"accept", "connect", "sslVersion", "sslVersionMin", "sslVersionMax", "ciphers",
                                "ciphersuites", "TIMEOUTidle", "TIMEOUTbusy", "TIMEOUTclose", "TIMEOUTconnect",
                                "TIMEOUTocsp", "reset", "options", "client", "debug", "verify", "verifyChain",
                                "verifyPeer", "requireCert", "protocol", "delay", "retry", "session", "sessionCacheTimeout"};
  for (const char* x : kKeys)
    if (iequals(k, x)) return x;
  return std::string(k);
}

std::string accept_listener(std::string_view v) {
  v = trim(v);
  int64_t port;
  if (parse_int(v, port)) return config::listener_of("", port);
  std::string_view host;
  split_host_port(v, host, port);
  if (!host.empty() && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host == "0.0.0.0" || host == "::" || host == "*") host = host == "::" ? host : std::string_view{};
  return port >= 0 ? config::listener_of(host, port) : std::string(v);
}

class StunnelConfigFile : public FileParser {
 public:
  void record(const Record& rec, Emitter& out) override {
    config::SettingSink sink(out, rec.text);
    Service global;
    global.name = "global";
    std::vector<Service> services;
    std::string_view text = rec.text;
    size_t pos = 0;
    int64_t n = 0;
    while (pos < text.size()) {
      size_t nl = text.find('\n', pos);
      if (nl == std::string_view::npos) nl = text.size();
      std::string_view l = trim(text.substr(pos, nl - pos));
      pos = nl + 1;
      ++n;
      if (l.empty() || l[0] == ';' || l[0] == '#') continue;
      if (l[0] == '[') {
        size_t close = l.find(']');
        if (close == std::string_view::npos) {
          sink.warn(n, "section header without ']'");
          close = l.size();
        }
        services.push_back({std::string(trim(l.substr(1, close - 1))), n, {}});
        continue;
      }
      size_t eq = l.find('=');
      if (eq == std::string_view::npos) {
        sink.warn(n, "expected \"key = value\"");
        continue;
      }
      Opt o{std::string(trim(l.substr(0, eq))), std::string(trim(l.substr(eq + 1))), n};
      (services.empty() ? global : services.back()).opts.push_back(std::move(o));
    }
    for (const Opt& o : global.opts)
      if (iequals(o.key, "debug") || iequals(o.key, "foreground") || iequals(o.key, "output")) {
        if (!iequals(o.key, "debug")) continue;
        Setting s = make("global", "", o);
        sink.emit(s);
      }
    if (services.empty()) {
      sink.warn(0, "no [service] section: nothing listens");
      return;
    }
    for (const Service& svc : services) {
      std::map<std::string, const Opt*> eff;
      std::map<std::string, bool> inherited;
      for (const Opt& o : global.opts)
        if (matters(o.key) && !iequals(o.key, "debug")) { eff[canonical(o.key)] = &o; inherited[canonical(o.key)] = true; }
      std::vector<const Opt*> options;  // "options" may repeat
      for (const Opt& o : global.opts)
        if (iequals(o.key, "options")) options.push_back(&o);
      for (const Opt& o : svc.opts)
        if (matters(o.key)) {
          eff[canonical(o.key)] = &o;
          inherited[canonical(o.key)] = false;
          if (iequals(o.key, "options")) options.push_back(&o);
        }
      std::vector<std::string> listeners;
      for (const Opt& o : svc.opts)
        if (iequals(o.key, "accept")) listeners.push_back(accept_listener(o.value));
      if (listeners.empty()) {
        sink.warn(svc.line, "service [" + svc.name + "] has no accept; settings kept without a listener");
        listeners.push_back("");
      }
      std::string scope = "service " + svc.name;
      for (const std::string& listener : listeners) {
        std::vector<std::pair<std::string, const Opt*>> ordered(eff.begin(), eff.end());
        std::sort(ordered.begin(), ordered.end(), [](auto& a, auto& b) { return a.second->line < b.second->line; });
        for (auto& [k, o] : ordered) {
          if (k == "options") continue;
          Setting s = make(scope, listener, *o);
          if (inherited[k]) s.note += std::string(s.note.empty() ? "" : "; ") + "set in the global section";
          sink.emit(s);
        }
        for (const Opt* o : options) {
          Setting s = make(scope, listener, *o);
          sink.emit(s);
        }
        all_version_opts_.clear();
        for (const Service* src : std::initializer_list<const Service*>{&global, &svc})
          for (const Opt& o : src->opts)
            if (iequals(o.key, "sslVersion") || iequals(o.key, "sslVersionMin") || iequals(o.key, "sslVersionMax"))
              all_version_opts_.push_back(&o);
        protocol_range(eff, options, scope, listener, sink);
        for (const char* k : {"TIMEOUTidle", "TIMEOUTbusy", "TIMEOUTclose", "reset"}) {
          Setting d;
          if (!eff.count(k) && config::documented_default("stunnel", k, d)) {
            d.scope = scope;
            d.listener = listener;
            sink.emit(d);
          }
        }
      }
    }
  }

 private:
  static Setting make(const std::string& scope, const std::string& listener, const Opt& o) {
    Setting s;
    s.component = "stunnel";
    s.scope = scope;
    s.listener = listener;
    s.key = canonical(o.key);
    s.raw = o.value;
    s.line = o.line;
    if (is_timeout(s.key)) {
      if (config::duration_ms(o.value, 1000, s.value)) s.unit = "ms";
      if (s.key == "TIMEOUTidle")
        s.note = "idle connections are closed after this (both sides); clients reusing them later see a reset/EOF";
    } else if (s.key == "reset") {
      if (config::parse_bool(o.value, s.value)) {
        s.unit = "bool";
        s.text = s.value ? "yes" : "no";
        if (s.value) s.note = "on errors stunnel closes with a TCP RST";
      }
    } else if (s.key == "sslVersion" || s.key == "sslVersionMin" || s.key == "sslVersionMax") {
      s.unit = "protocols";
      s.text = iequals(o.value, "all") ? "SSLv3-TLSv1.3" : std::string(config::tls_name(config::tls_rank(o.value)));
    } else if (s.key == "client") {
      if (config::parse_bool(o.value, s.value)) {
        s.unit = "bool";
        s.text = s.value ? "yes" : "no";
        if (s.value) s.note = "client mode: accepts plain text and connects with TLS";
      }
    } else {
      s.text = o.value;
    }
    return s;
  }

  std::vector<const Opt*> all_version_opts_;

  void protocol_range(std::map<std::string, const Opt*>& eff, const std::vector<const Opt*>& options,
                      const std::string& scope, const std::string& listener, config::SettingSink& sink) {
    int lo = -1, hi = -1;
    int64_t line = 0;
    // Applied in file order (global section first): the last writer of min/max wins.
    std::vector<const Opt*> vers;
    for (const Opt* o : all_version_opts_) vers.push_back(o);
    std::sort(vers.begin(), vers.end(), [](const Opt* a, const Opt* b) { return a->line < b->line; });
    for (const Opt* o : vers) {
      if (iequals(o->key, "sslVersion")) {
        if (iequals(o->value, "all")) { lo = 1; hi = 5; }
        else lo = hi = config::tls_rank(o->value);
      } else if (iequals(o->key, "sslVersionMin")) {
        lo = config::tls_rank(o->value);
      } else {
        hi = config::tls_rank(o->value);
      }
      line = o->line;
    }
    (void)eff;
    unsigned disabled = 0;
    for (const Opt* o : options) {
      std::string v = o->value;
      to_lower_inplace(v);
      for (int r = 1; r <= 5; ++r) {
        std::string name = "no_" + std::string(config::tls_name(r));
        to_lower_inplace(name);
        for (char& c : name)
          if (c == '.') c = '_';
        if (v == name) { disabled |= 1u << r; if (!line) line = o->line; }
      }
    }
    if (lo < 0 && hi < 0 && !disabled) return;
    if (lo < 0) lo = 2;
    if (hi < 0) hi = 5;
    unsigned mask = 0;
    for (int r = lo; r <= hi; ++r) mask |= 1u << r;
    mask &= ~disabled;
    Setting s;
    s.component = "stunnel";
    s.scope = scope;
    s.listener = listener;
    s.key = "protocols";
    s.unit = "protocols";
    s.text = config::tls_range(mask);
    s.raw = s.text;
    s.line = line;
    s.note = "effective range from sslVersion/sslVersionMin/sslVersionMax/options";
    sink.emit(s);
  }
};

class StunnelConfigParser : public Parser {
 public:
  std::string_view name() const override { return "config-stunnel"; }
  std::string_view description() const override {
    return "stunnel configuration (stunnel.conf): services, accept/connect, TLS versions, TIMEOUT*, reset";
  }
  Role role() const override { return Role::config; }
  bool whole_file() const override { return true; }
  Score sniff(const SniffInput& in) const override {
    int score = 0;
    if (in.name == "stunnel.conf" || (icontains(in.name, "stunnel") && ends_with(in.name, ".conf"))) score += 70;
    int keys = 0, sections = 0;
    for (std::string_view l : in.lines) {
      std::string_view t = trim(l);
      if (starts_with(t, "[") && ends_with(t, "]")) ++sections;
      for (std::string_view k : {"accept", "connect", "cert", "TIMEOUTidle", "sslVersion", "client ", "client=",
                                 "foreground", "pid ", "pid="})
        if (starts_with(t, k) && t.find('=') != std::string_view::npos) ++keys;
    }
    if (sections && keys >= 2) score += 30 + std::min(keys, 5) * 5;
    if (score < 40) return {};
    return {std::min(score, 95), "stunnel key = value options with [service] sections"};
  }
  std::unique_ptr<FileParser> open(const ParseContext&) const override { return std::make_unique<StunnelConfigFile>(); }
  const std::vector<Sample>& samples() const override {
    static const std::vector<Sample> s = {
        {"; stunnel in front of the app\n[https]\naccept = 8443\nconnect = 127.0.0.1:8080\nTIMEOUTidle = 30\n",
         {{"role", "config"}, {"category", "setting"}, {"line", "5"}, {"fields.key", "TIMEOUTidle"},
          {"fields.value", "30000"}, {"fields.listener", "*:8443"}, {"fields.scope", "service https"}}},
    };
    return s;
  }
};

RSTSCOPE_REGISTER_PARSER(StunnelConfigParser);

}  // namespace
}  // namespace rstscope
