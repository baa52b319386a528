// nginx configuration (nginx.conf, conf.d/*.conf, sites-enabled/*) -> settings per listener.
//
// Reads the file with config::parse_nginx_conf (includes resolved inside the bundle when ingest
// attached a resolver, see config/bundle_files.h), then walks http -> server -> location applying
// nginx's inheritance: a directive set at an inner level replaces the outer value for that level.
// For every listener of every server it emits the effective value of each setting the
// correlation engine uses, with the line of the directive that set it, and the documented
// default (assumed) where nothing sets it. A file holding bare `server { }` blocks (a conf.d file
// read alone) is read as if inside `http { }`.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "config/bundle_files.h"
#include "config/defaults.h"
#include "config/nginx_conf.h"
#include "config/settings_out.h"
#include "rstscope/parser.h"
#include "rstscope/text.h"

namespace rstscope {
namespace {

using config::NginxDirective;

enum class Kind { duration, size, count, flag, text, protocols, level };

struct Key {
  const char* name;
  Kind kind;
  bool server_level_default;  // emit the documented default per listener when unset
};

// The directives that matter for resets, and how to normalise them.
const Key kKeys[] = {
    {"keepalive_timeout", Kind::duration, true},
    {"keepalive_requests", Kind::count, true},
    {"keepalive_time", Kind::duration, true},
    {"client_header_timeout", Kind::duration, true},
    {"client_body_timeout", Kind::duration, true},
    {"send_timeout", Kind::duration, true},
    {"lingering_close", Kind::text, false},
    {"lingering_time", Kind::duration, false},
    {"lingering_timeout", Kind::duration, true},
    {"reset_timedout_connection", Kind::flag, true},
    {"client_max_body_size", Kind::size, true},
    {"large_client_header_buffers", Kind::text, false},
    {"proxy_connect_timeout", Kind::duration, false},
    {"proxy_read_timeout", Kind::duration, false},
    {"proxy_send_timeout", Kind::duration, false},
    {"ssl_protocols", Kind::protocols, false},
    {"ssl_ciphers", Kind::text, false},
    {"ssl_prefer_server_ciphers", Kind::flag, false},
    {"ssl_reject_handshake", Kind::flag, false},
    {"ssl_verify_client", Kind::text, false},
    {"ssl_session_timeout", Kind::duration, false},
    {"limit_req", Kind::text, false},
    {"limit_conn", Kind::text, false},
    {"http2", Kind::flag, false},
    {"error_log", Kind::level, true},
};

const Key* find_key(std::string_view name) {
  for (const Key& k : kKeys)
    if (name == k.name) return &k;
  return nullptr;
}

std::string join_args(const NginxDirective& d, size_t from = 0) {
  std::string out;
  for (size_t i = from; i < d.args.size(); ++i) {
    if (!out.empty()) out += ' ';
    out += d.args[i];
  }
  return out;
}

// The level of an error_log directive: "error" unless given; "stderr"/"syslog:" targets too.
std::string_view error_log_level(const NginxDirective& d) {
  if (d.args.size() >= 2) return d.args[1];
  return "error";
}

std::string_view level_note(std::string_view level) {
  if (level == "debug" || level == "info")
    return "at this level nginx logs client resets (104), client-closed connections and SSL handshake failures";
  if (level == "notice" || level == "warn")
    return "at this level nginx does NOT log client resets (104), prematurely closed client connections or "
           "SSL_do_handshake() failures (they are info); absence of those lines is not evidence";
  return "at error level (the default) nginx never logs client resets (104), client-closed connections or "
         "SSL handshake failures (they are info); absence of those lines is not evidence";
}

// Effective values at one level: directive name -> the directive that set it.
using Values = std::map<std::string, const NginxDirective*>;

struct Listen {
  std::string listener;  // "ADDR:PORT"
  std::string flags;     // "ssl http2 default_server ..."
  const NginxDirective* d = nullptr;
  bool ssl = false;
};

Listen parse_listen(const NginxDirective& d) {
  Listen l;
  l.d = &d;
  if (d.args.empty()) return l;
  std::string_view a = d.args[0];
  if (starts_with(a, "unix:")) {
    l.listener.assign(a);
  } else {
    std::string_view host;
    int64_t port = -1;
    int64_t bare;
    if (parse_int(a, bare)) {
      host = "";
      port = bare;
    } else {
      split_host_port(a, host, port);
      if (port < 0) port = 80;  // "listen 127.0.0.1;" means port 80
      if (!host.empty() && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    }
    if (host == "*") host = "";
    l.listener = config::listener_of(host, port);
  }
  for (size_t i = 1; i < d.args.size(); ++i) {
    if (!l.flags.empty()) l.flags += ' ';
    l.flags += d.args[i];
    if (d.args[i] == "ssl") l.ssl = true;
  }
  return l;
}

class NginxConfigFile : public FileParser {
 public:
  explicit NginxConfigFile(const ParseContext& ctx) : ctx_(ctx), path_(ctx.path) {}

  void record(const Record& rec, Emitter& out) override {
    config::SettingSink sink(out, rec.text);
    config::NginxConf conf = config::parse_nginx_conf(rec.text, path_, config::bundle_resolver(ctx_.bundle));
    for (const config::NginxConfError& e : conf.errors)
      sink.warn(e.file == path_ ? e.line : 0,
                e.file == path_ ? e.message : e.file + ":" + std::to_string(e.line) + ": " + e.message);
    for (const std::string& inc : conf.unresolved_includes)
      sink.warn(0, "include " + inc + " not found in the bundle; settings it holds are unknown");

    Values main;
    bool saw_http = false;
    bool bare_servers = false;
    for (const NginxDirective& d : conf.directives) {
      if (d.name == "error_log") main["error_log"] = &d;
      if (d.name == "http" && d.block) saw_http = true;
      if (d.name == "server" && d.block) bare_servers = true;
    }
    for (const NginxDirective& d : conf.directives)
      if (d.name == "http" && d.block) http_block(d.children, main, sink);
    if (!saw_http && bare_servers) http_block(conf.directives, main, sink);  // conf.d file read alone
    if (!saw_http && !bare_servers) {
      // A fragment (e.g. an included snippet of directives): report what it sets, unscoped.
      Values v;
      collect(conf.directives, v);
      for (auto& [name, d] : v) emit_value(sink, *d, "", "snippet", false);
    }
  }

 private:
  static void collect(const std::vector<NginxDirective>& ds, Values& v) {
    for (const NginxDirective& d : ds)
      if (!d.block && find_key(d.name)) v[d.name] = &d;
  }

  void http_block(const std::vector<NginxDirective>& ds, const Values& main, config::SettingSink& sink) {
    Values http = main;
    collect(ds, http);
    for (const NginxDirective& d : ds) {
      if (d.name == "log_format" && !d.args.empty()) {
        Setting s = base(d, "", "http");
        s.key = "log_format " + d.args[0];
        std::string fmt;
        for (size_t i = 1; i < d.args.size(); ++i)
          if (!(i == 1 && starts_with(d.args[i], "escape="))) fmt += d.args[i];
        s.raw = fmt;
        s.text = fmt;
        put(sink, s, d);
      } else if (d.name == "limit_req_zone" || d.name == "limit_conn_zone") {
        Setting s = base(d, "", "http");
        s.key = d.name;
        s.raw = join_args(d);
        s.text = s.raw;
        put(sink, s, d);
      } else if (d.name == "upstream" && d.block) {
        upstream_block(d, sink);
      }
    }
    for (const NginxDirective& d : ds)
      if (d.name == "server" && d.block) server_block(d, http, sink);
  }

  void upstream_block(const NginxDirective& u, config::SettingSink& sink) {
    std::string scope = "upstream " + (u.args.empty() ? std::string("?") : u.args[0]);
    bool keepalive = false;
    for (const NginxDirective& d : u.children) {
      if (d.name == "keepalive" || d.name == "keepalive_timeout" || d.name == "keepalive_requests" ||
          d.name == "keepalive_time") {
        Setting s = base(d, "", scope);
        s.key = "upstream " + d.name;
        s.raw = join_args(d);
        if (d.name == "keepalive" || d.name == "keepalive_requests") {
          int64_t n;
          if (!d.args.empty() && parse_int(d.args[0], n)) { s.value = n; s.unit = "count"; }
        } else if (!d.args.empty() && config::duration_ms(d.args[0], 1000, s.value)) {
          s.unit = "ms";
        }
        if (d.name == "keepalive") {
          keepalive = true;
          s.note = "idle keep-alive connections kept to this upstream; the backend's own idle timeout must be longer "
                   "than upstream keepalive_timeout";
        }
        put(sink, s, d);
      }
    }
    if (keepalive && !has_child(u, "keepalive_timeout")) {
      Setting s;
      if (config::documented_default("nginx", "upstream keepalive_timeout", s)) {
        s.scope = scope;
        sink.emit(s);
      }
    }
  }

  static bool has_child(const NginxDirective& b, std::string_view name) {
    for (const NginxDirective& d : b.children)
      if (d.name == name) return true;
    return false;
  }

  void server_block(const NginxDirective& srv, const Values& http, config::SettingSink& sink) {
    Values sv = http;
    collect(srv.children, sv);
    std::vector<Listen> listens;
    std::string name;
    bool proxies = false;
    for (const NginxDirective& d : srv.children) {
      if (d.name == "listen") listens.push_back(parse_listen(d));
      if (d.name == "server_name" && !d.args.empty() && name.empty()) name = d.args[0];
      if (d.name == "proxy_pass") proxies = true;
      if (d.name == "location" && d.block && tree_has(d, "proxy_pass")) proxies = true;
    }
    std::string scope = "server " + (name.empty() || name == "_" ? std::string() : name);
    bool assumed_listen = false;
    if (listens.empty()) {
      Listen l;
      l.listener = "*:80";
      listens.push_back(l);
      assumed_listen = true;
    }
    for (const Listen& l : listens) {
      std::string sc = scope == "server " ? "server " + l.listener : scope;
      // The listen directive itself.
      Setting ls;
      ls.component = "nginx";
      ls.scope = sc;
      ls.listener = l.listener;
      ls.key = "listen";
      if (assumed_listen) {
        ls.raw = "*:80";
        ls.assumed = true;
        ls.note = "server without listen: nginx listens on *:80 (or *:8000 when not run as root)";
        sink.emit(ls);
      } else {
        ls.raw = join_args(*l.d);
        ls.text = l.flags;
        ls.line = l.d->line;
        put(sink, ls, *l.d);
      }
      for (const Key& k : kKeys) {
        auto it = sv.find(k.name);
        if (it != sv.end()) {
          emit_value(sink, *it->second, l.listener, sc, false);
        } else if (k.server_level_default ||
                   (l.ssl && std::string_view(k.name) == "ssl_protocols") ||
                   (proxies && starts_with(k.name, "proxy_"))) {
          Setting s;
          std::string_view key = std::string_view(k.name) == "error_log" ? "error_log_level" : k.name;
          if (config::documented_default("nginx", key, s)) {
            s.scope = sc;
            s.listener = l.listener;
            sink.emit(s);
          }
        }
      }
      // Locations: values that differ from the server's, and `return 444`.
      for (const NginxDirective& d : srv.children)
        if (d.name == "location" && d.block) location_block(d, sv, l.listener, sc, sink, 0);
    }
  }

  static bool tree_has(const NginxDirective& b, std::string_view name, int depth = 0) {
    if (depth > 32) return false;
    for (const NginxDirective& d : b.children)
      if (d.name == name || (d.block && tree_has(d, name, depth + 1))) return true;
    return false;
  }

  void location_block(const NginxDirective& loc, const Values& outer, const std::string& listener,
                      const std::string& server_scope, config::SettingSink& sink, int depth) {
    if (depth > 16) return;
    Values lv = outer;
    collect(loc.children, lv);
    std::string scope = server_scope + " location " + join_args(loc);
    for (const NginxDirective& d : loc.children) {
      if (!d.block && find_key(d.name)) emit_value(sink, d, listener, scope, false);
      if (d.name == "return" && !d.args.empty() && d.args[0] == "444") {
        Setting s = base(d, listener, scope);
        s.key = "return";
        s.raw = "444";
        s.value = 444;
        s.unit = "count";
        s.text = "close-without-response";
        s.note = "nginx closes the connection without any response (client sees EOF/reset; access log status 444)";
        put(sink, s, d);
      }
      if ((d.name == "deny" && !d.args.empty()) || d.name == "limit_except") {
        Setting s = base(d, listener, scope);
        s.key = d.name;
        s.raw = join_args(d);
        s.text = s.raw;
        s.note = d.name == "deny" ? "requests from these addresses get 403" : "";
        put(sink, s, d);
      }
      if (d.name == "location" && d.block) location_block(d, lv, listener, server_scope, sink, depth + 1);
    }
  }

  Setting base(const NginxDirective& d, const std::string& listener, const std::string& scope) const {
    Setting s;
    s.component = "nginx";
    s.scope = scope;
    s.listener = listener;
    s.key = d.name;
    s.line = d.line;
    if (d.file != path_) s.note = "read from " + d.file + ":" + std::to_string(d.line);
    return s;
  }

  void put(config::SettingSink& sink, Setting& s, const NginxDirective& d) {
    if (d.file != path_) {
      if (s.note.find("read from ") == std::string::npos)
        s.note = "read from " + d.file + ":" + std::to_string(d.line) + (s.note.empty() ? "" : "; " + s.note);
      s.file = d.file;  // stored under the included file's source (s.line is a line of that file)
      sink.setting_only(s);
    } else {
      sink.emit(s);
    }
  }

  void emit_value(config::SettingSink& sink, const NginxDirective& d, const std::string& listener,
                  const std::string& scope, bool) {
    const Key* k = find_key(d.name);
    if (!k) return;
    Setting s = base(d, listener, scope);
    s.raw = join_args(d);
    switch (k->kind) {
      case Kind::duration:
        if (!d.args.empty() && config::duration_ms(d.args[0], 1000, s.value)) s.unit = "ms";
        else sink.warn(d.file == path_ ? d.line : 0, d.name + ": \"" + s.raw + "\" is not a duration");
        if (d.name == "keepalive_timeout") {
          if (s.value == 0) s.text = "keep-alive disabled";
          if (d.args.size() >= 2) {
            Setting h = s;
            h.key = "keepalive_timeout header";
            h.raw = d.args[1];
            h.value = kNull;
            h.unit.clear();
            if (config::duration_ms(d.args[1], 1000, h.value)) h.unit = "ms";
            h.note = "value nginx sends in the \"Keep-Alive: timeout=N\" response header";
            put(sink, h, d);
          }
        }
        break;
      case Kind::size:
        if (!d.args.empty() && config::size_bytes(d.args[0], s.value)) {
          s.unit = "bytes";
          if (s.value == 0) s.text = "unlimited";
        }
        break;
      case Kind::count: {
        int64_t n;
        if (!d.args.empty() && parse_int(d.args[0], n)) { s.value = n; s.unit = "count"; }
        break;
      }
      case Kind::flag: {
        int64_t b;
        if (!d.args.empty() && config::parse_bool(d.args[0], b)) {
          s.value = b;
          s.unit = "bool";
          s.text = b ? "on" : "off";
        }
        if (d.name == "reset_timedout_connection" && s.value == 1)
          s.note = "timed-out connections are closed with RST (clients see a reset, not EOF)";
        break;
      }
      case Kind::protocols: {
        unsigned mask = config::tls_mask_from_list(s.raw);
        s.text = config::tls_range(mask);
        s.unit = "protocols";
        break;
      }
      case Kind::level: {
        s.key = "error_log_level";
        s.text.assign(error_log_level(d));
        s.note.append(s.note.empty() ? "" : "; ").append(level_note(s.text));
        break;
      }
      case Kind::text:
        s.text = s.raw;
        if (d.name == "limit_req") s.note = "requests over the rate get 503 (or limit_req_status)";
        if (d.name == "limit_conn") s.note = "connections over the limit get 503 (or limit_conn_status)";
        break;
    }
    put(sink, s, d);
  }

  ParseContext ctx_;
  std::string path_;
};

class NginxConfigParser : public Parser {
 public:
  std::string_view name() const override { return "config-nginx"; }
  std::string_view description() const override {
    return "nginx configuration (nginx.conf, conf.d, sites-enabled): timeouts, limits, TLS, listeners per server";
  }
  Role role() const override { return Role::config; }
  bool whole_file() const override { return true; }
  Score sniff(const SniffInput& in) const override {
    std::string text;
    for (std::string_view l : in.lines) {
      text.append(l);
      text.push_back('\n');
    }
    int score = config::nginx_conf_score(in.name, text);
    bool nginx_dir = in.path.find("nginx") != std::string_view::npos ||
                     in.path.find("sites-enabled") != std::string_view::npos ||
                     in.path.find("sites-available") != std::string_view::npos ||
                     in.path.find("conf.d/") != std::string_view::npos;
    if (nginx_dir && ends_with(in.name, ".conf")) score += 20;
    if (!ends_with(in.name, ".conf") && in.name != "nginx.conf" && !nginx_dir) score -= 30;
    if (score > 95) score = 95;
    if (score < 30) return {};
    return {score, "nginx configuration syntax (blocks and nginx directive names)"};
  }
  std::unique_ptr<FileParser> open(const ParseContext& ctx) const override {
    return std::make_unique<NginxConfigFile>(ctx);
  }
  const std::vector<Sample>& samples() const override {
    static const std::vector<Sample> s = {
        {"http {\n"
         "    keepalive_timeout 30s 25s;\n"
         "    server {\n"
         "        listen 443 ssl http2;\n"
         "        server_name api.example.com;\n"
         "        ssl_protocols TLSv1.2 TLSv1.3;\n"
         "    }\n"
         "}\n",
         {{"role", "config"}, {"category", "setting"}, {"line", "6"}, {"fields.key", "ssl_protocols"},
          {"fields.text", "TLSv1.2-TLSv1.3"}, {"fields.listener", "*:443"}, {"server_port", "443"},
          {"fields.scope", "server api.example.com"}}},
        {"server {\n  listen 10.0.0.9:8080;\n  location /old { return 444; }\n}\n",
         {{"line", "3"}, {"fields.key", "return"}, {"fields.value", "444"},
          {"fields.listener", "10.0.0.9:8080"}, {"server_ip", "10.0.0.9"}}},
        {"error_log /var/log/nginx/error.log warn;\nhttp {\n  server { listen 80; }\n}\n",
         {{"line", "1"}, {"fields.key", "error_log_level"}, {"fields.text", "warn"}}},
    };
    return s;
  }
};

RSTSCOPE_REGISTER_PARSER(NginxConfigParser);

}  // namespace
}  // namespace rstscope
