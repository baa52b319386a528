// Apache httpd configuration (httpd.conf, apache2.conf, sites-enabled/*.conf) -> settings.
//
// Grammar: one directive per line (trailing '\' continues it), '#' comments at line start,
// <Section args> ... </Section> blocks; directive names are case-insensitive. <IfModule>,
// <IfDefine> and <IfVersion> are read through (we cannot know what is loaded). Server-level
// values are inherited by every <VirtualHost>, which may override them; LimitRequestBody inside
// <Directory>/<Location> is reported with that scope. Listeners: each VirtualHost address, and
// each `Listen` port not taken by a VirtualHost for the main server. Include/IncludeOptional are
// followed through the bundle resolver when ingest attached one (config/bundle_files.h).
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "config/bundle_files.h"
#include "config/defaults.h"
#include "config/settings_out.h"
#include "rstscope/parser.h"
#include "rstscope/text.h"

namespace rstscope {
namespace {

struct Directive {
  std::string name;  // canonical spelling from kKeys when known
  std::vector<std::string> args;
  std::string raw;   // arguments as written
  int64_t line = 0;
  std::string file;
  bool section = false;
  std::vector<Directive> children;
};

const char* const kKeys[] = {"Listen", "KeepAlive", "KeepAliveTimeout", "MaxKeepAliveRequests", "Timeout",
                             "SSLProtocol", "SSLCipherSuite", "SSLEngine", "LimitRequestBody", "RequestReadTimeout",
                             "ProxyTimeout", "LogLevel", "LimitRequestFields", "LimitRequestFieldSize",
                             "LimitRequestLine", "MaxRequestWorkers", "SSLHonorCipherOrder", "H2Direct", "Protocols"};

std::string canonical(std::string_view n) {
  for (const char* k : kKeys)
    if (iequals(n, k)) return k;
  return std::string(n);
}

bool matters(std::string_view n) {
  for (const char* k : kKeys)
    if (n == k) return true;
  return false;
}

void split_args(std::string_view s, std::vector<std::string>& out) {
  std::string_view tok;
  while (next_token(s, tok)) out.emplace_back(tok);
}

class Reader {
 public:
  Reader(const config::IncludeResolver& resolve, std::vector<std::pair<int64_t, std::string>>& warnings,
         const std::string& main_path)
      : resolve_(resolve), warnings_(warnings), main_(main_path) {}

  void read(std::string_view text, const std::string& path, std::vector<Directive>& into, int depth) {
    std::vector<std::vector<Directive>*> stack{&into};
    std::vector<std::pair<std::string, int64_t>> open;
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
      if (!l.empty() && l.back() == '\\') {
        joined.append(l.substr(0, l.size() - 1));
        joined.push_back(' ');
        continue;
      }
      joined.append(l);
      std::string_view t = trim(joined);
      if (t.empty() || t[0] == '#') {
        joined.clear();
        continue;
      }
      if (starts_with(t, "</")) {
        std::string_view name = trim(t.substr(2, t.find('>') == std::string_view::npos ? std::string_view::npos : t.find('>') - 2));
        if (open.empty() || !iequals(open.back().first, name)) {
          warn(path, start, "</" + std::string(name) + "> does not close an open section");
        } else {
          open.pop_back();
          stack.pop_back();
        }
        joined.clear();
        continue;
      }
      Directive d;
      d.line = start;
      d.file = path;
      if (t[0] == '<') {
        size_t close = t.rfind('>');
        if (close == std::string_view::npos) {
          warn(path, start, "section start without '>'");
          close = t.size();
        }
        std::string_view inner = t.substr(1, close - 1);
        std::string_view name, rest = inner;
        next_token(rest, name);
        d.name.assign(name);
        d.section = true;
        d.raw.assign(trim(rest));
        split_args(rest, d.args);
        stack.back()->push_back(std::move(d));
        open.emplace_back(stack.back()->back().name, start);
        stack.push_back(&stack.back()->back().children);
        joined.clear();
        continue;
      }
      std::string_view name, rest = t;
      next_token(rest, name);
      d.name = canonical(name);
      d.raw.assign(trim(rest));
      split_args(rest, d.args);
      joined.clear();
      if ((iequals(d.name, "Include") || iequals(d.name, "IncludeOptional")) && !d.args.empty()) {
        include(d, path, *stack.back(), depth);
        continue;
      }
      stack.back()->push_back(std::move(d));
    }
    for (auto& [name, line] : open) warn(path, line, "<" + name + "> is never closed");
  }

 private:
  void include(const Directive& d, const std::string& path, std::vector<Directive>& into, int depth) {
    std::vector<config::IncludedFile> files;
    if (resolve_ && depth < config::kMaxIncludeDepth) files = resolve_(d.args[0], path);
    if (files.empty()) {
      if (iequals(d.name, "Include"))
        warn(main_, 0, "Include " + d.args[0] + " not found in the bundle; settings it holds are unknown");
      return;
    }
    std::sort(files.begin(), files.end(), [](auto& a, auto& b) { return a.path < b.path; });
    for (const auto& f : files) {
      if (f.path == path || f.path == main_) continue;
      read(f.text, f.path, into, depth + 1);
    }
  }
  void warn(const std::string& file, int64_t line, const std::string& msg) {
    if (file == main_) warnings_.emplace_back(line, msg);
    else warnings_.emplace_back(0, file + ":" + std::to_string(line) + ": " + msg);
  }
  const config::IncludeResolver& resolve_;
  std::vector<std::pair<int64_t, std::string>>& warnings_;
  std::string main_;
};

using Values = std::map<std::string, const Directive*>;

// Walks sections that are read through (IfModule, IfDefine, IfVersion, ...), collecting values.
void collect(const std::vector<Directive>& ds, Values& v, std::vector<const Directive*>* vhosts,
             std::vector<const Directive*>* listens, std::vector<std::pair<std::string, const Directive*>>* dirs,
             const std::string& where) {
  for (const Directive& d : ds) {
    if (d.section) {
      if (iequals(d.name, "VirtualHost")) {
        if (vhosts) vhosts->push_back(&d);
      } else if (iequals(d.name, "Directory") || iequals(d.name, "Location") || iequals(d.name, "Files") ||
                 iequals(d.name, "DirectoryMatch") || iequals(d.name, "LocationMatch") ||
                 iequals(d.name, "FilesMatch") || iequals(d.name, "Proxy")) {
        if (dirs) dirs->emplace_back(where + std::string(where.empty() ? "" : " ") + d.name + " " + d.raw, &d);
      } else {
        collect(d.children, v, vhosts, listens, dirs, where);  // IfModule and friends
      }
      continue;
    }
    if (d.name == "Listen" && listens) listens->push_back(&d);
    if (matters(d.name) && d.name != "Listen") v[d.name] = &d;
  }
}

std::string vhost_listener(std::string_view addr) {
  std::string_view host;
  int64_t port = -1;
  split_host_port(addr, host, port);
  if (!host.empty() && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host == "*" || host == "_default_" || host == "0.0.0.0") host = {};
  return config::listener_of(host, port < 0 ? 80 : port);
}

std::string listen_listener(const Directive& d) {
  if (d.args.empty()) return {};
  std::string_view a = d.args[0];
  int64_t port;
  if (parse_int(a, port)) return config::listener_of("", port);
  return vhost_listener(a);
}

class ApacheConfigFile : public FileParser {
 public:
  explicit ApacheConfigFile(const ParseContext& ctx) : ctx_(ctx), path_(ctx.path) {}

  void record(const Record& rec, Emitter& out) override {
    config::SettingSink sink(out, rec.text);
    std::vector<std::pair<int64_t, std::string>> warnings;
    std::vector<Directive> top;
    config::IncludeResolver resolve = config::bundle_resolver(ctx_.bundle);
    Reader reader(resolve, warnings, path_);
    reader.read(rec.text, path_, top, 0);
    for (auto& [line, msg] : warnings) sink.warn(line, msg);

    Values server;
    std::vector<const Directive*> vhosts, listens;
    std::vector<std::pair<std::string, const Directive*>> dirs;
    collect(top, server, &vhosts, &listens, &dirs, "");
    // Listeners of the main server: Listen ports not covered by a VirtualHost.
    std::vector<std::string> vhost_ports;
    for (const Directive* v : vhosts)
      for (const std::string& a : v->args) vhost_ports.push_back(vhost_listener(a));
    auto port_of = [](const std::string& l) { return l.substr(l.rfind(':') + 1); };
    for (const Directive* l : listens) {
      std::string listener = listen_listener(*l);
      Setting s = base(*l, listener, "server");
      s.key = "Listen";
      s.raw = l->raw;
      s.text = l->args.size() >= 2 ? l->args[1] : "";
      put(sink, s, *l);
      bool covered = false;
      for (const std::string& vp : vhost_ports) covered |= port_of(vp) == port_of(listener);
      if (!covered) emit_scope(sink, server, listener, "server", dirs, /*ssl_hint=*/s.text == "https");
    }
    if (listens.empty() && vhosts.empty()) emit_scope(sink, server, "", "server", dirs, false);
    for (const Directive* v : vhosts) {
      Values vv = server;
      std::vector<std::pair<std::string, const Directive*>> vdirs = dirs;
      std::string name;
      for (const Directive& d : v->children)
        if (iequals(d.name, "ServerName") && !d.args.empty()) name = d.args[0];
      std::string scope = "VirtualHost " + (name.empty() ? v->raw : name);
      collect(v->children, vv, nullptr, nullptr, &vdirs, "");
      for (const std::string& a : v->args) emit_scope(sink, vv, vhost_listener(a), scope, vdirs, false);
    }
  }

 private:
  Setting base(const Directive& d, const std::string& listener, const std::string& scope) const {
    Setting s;
    s.component = "apache";
    s.scope = scope;
    s.listener = listener;
    s.key = d.name;
    s.raw = d.raw;
    s.line = d.line;
    return s;
  }

  void put(config::SettingSink& sink, Setting& s, const Directive& d) {
    if (d.file != path_) {
      s.note = "read from " + d.file + ":" + std::to_string(d.line) + (s.note.empty() ? "" : "; " + s.note);
      s.file = d.file;  // stored under the included file's source (s.line is a line of that file)
      sink.setting_only(s);
    } else {
      sink.emit(s);
    }
  }

  void normalise(Setting& s, const Directive& d) {
    const std::string& k = d.name;
    std::string_view a0 = d.args.empty() ? std::string_view{} : std::string_view(d.args[0]);
    if (k == "KeepAliveTimeout" || k == "Timeout" || k == "ProxyTimeout") {
      if (config::duration_ms(a0, 1000, s.value)) s.unit = "ms";
    } else if (k == "KeepAlive" || k == "SSLEngine" || k == "SSLHonorCipherOrder" || k == "H2Direct") {
      if (config::parse_bool(a0, s.value)) {
        s.unit = "bool";
        s.text = s.value ? "on" : "off";
      }
      if (k == "KeepAlive" && s.value == 0) s.note = "keep-alive off: every response closes the connection";
    } else if (k == "MaxKeepAliveRequests" || k == "LimitRequestFields" || k == "LimitRequestFieldSize" ||
               k == "LimitRequestLine" || k == "MaxRequestWorkers") {
      int64_t n;
      if (parse_int(a0, n)) {
        s.value = n;
        s.unit = k == "LimitRequestFieldSize" || k == "LimitRequestLine" ? "bytes" : "count";
      }
    } else if (k == "LimitRequestBody") {
      int64_t n;
      if (parse_int(a0, n)) {
        s.value = n;
        s.unit = "bytes";
        if (n == 0) s.text = "unlimited";
      }
      s.note = "larger bodies get 413 and the connection is closed";
    } else if (k == "SSLProtocol") {
      s.unit = "protocols";
      s.text = config::tls_range(config::tls_mask_from_list(d.raw));
    } else if (k == "LogLevel") {
      std::string lvl(a0);
      // "LogLevel warn ssl:info": the ssl module level decides for handshake failures.
      for (const std::string& x : d.args)
        if (starts_with(x, "ssl:")) lvl = x.substr(4) + " (ssl)";
      s.text = lvl;
      bool shows = starts_with(lvl, "info") || starts_with(lvl, "debug") || starts_with(lvl, "trace");
      s.note = shows ? "mod_ssl handshake failures and client resets (info level) are logged"
                     : "below info: mod_ssl handshake failures and client connection resets are NOT logged; absence of "
                       "those lines is not evidence";
    } else {
      s.text = d.raw;
    }
  }

  void emit_scope(config::SettingSink& sink, const Values& v, const std::string& listener, const std::string& scope,
                  const std::vector<std::pair<std::string, const Directive*>>& dirs, bool ssl_hint) {
    bool ssl = ssl_hint;
    auto it = v.find("SSLEngine");
    if (it != v.end() && !it->second->args.empty() && iequals(it->second->args[0], "on")) ssl = true;
    for (auto& [k, d] : v) {
      Setting s = base(*d, listener, scope);
      normalise(s, *d);
      put(sink, s, *d);
    }
    for (const char* k : {"KeepAlive", "KeepAliveTimeout", "Timeout", "MaxKeepAliveRequests", "LogLevel"}) {
      Setting d;
      if (!v.count(k) && config::documented_default("apache", k, d)) {
        d.scope = scope;
        d.listener = listener;
        sink.emit(d);
      }
    }
    Setting d;
    if (ssl && !v.count("SSLProtocol") && config::documented_default("apache", "SSLProtocol", d)) {
      d.scope = scope;
      d.listener = listener;
      sink.emit(d);
    }
    for (auto& [where, sec] : dirs)
      for (const Directive& c : sec->children)
        if (!c.section && (c.name == "LimitRequestBody" || c.name == "ProxyTimeout" || c.name == "Timeout")) {
          Setting s = base(c, listener, scope + " " + where);
          normalise(s, c);
          put(sink, s, c);
        }
  }

  ParseContext ctx_;
  std::string path_;
};

class ApacheConfigParser : public Parser {
 public:
  std::string_view name() const override { return "config-apache"; }
  std::string_view description() const override {
    return "Apache httpd configuration: Listen, VirtualHost, KeepAlive*, Timeout, SSLProtocol, LimitRequestBody";
  }
  Role role() const override { return Role::config; }
  bool whole_file() const override { return true; }
  Score sniff(const SniffInput& in) const override {
    int score = 0;
    if (in.name == "httpd.conf" || in.name == "apache2.conf" || in.name == "ssl.conf") score += 60;
    if (in.path.find("apache") != std::string_view::npos || in.path.find("httpd") != std::string_view::npos) score += 15;
    int hits = 0;
    for (std::string_view l : in.lines) {
      std::string_view t = trim(l);
      for (std::string_view k : {"<VirtualHost", "</VirtualHost>", "<Directory", "<IfModule", "ServerRoot", "DocumentRoot",
                                 "KeepAliveTimeout", "LoadModule", "SSLEngine", "ServerName", "ErrorLog", "Listen "})
        if (starts_with(t, k)) ++hits;
    }
    score += std::min(hits, 6) * 10;
    if (score < 30) return {};
    return {std::min(score, 95), "Apache directives and <VirtualHost>/<Directory> sections"};
  }
  std::unique_ptr<FileParser> open(const ParseContext& ctx) const override {
    return std::make_unique<ApacheConfigFile>(ctx);
  }
  const std::vector<Sample>& samples() const override {
    static const std::vector<Sample> s = {
        {"KeepAliveTimeout 5\n<VirtualHost *:443>\n  ServerName shop.example.com\n  SSLEngine on\n"
         "  SSLProtocol all -SSLv3 -TLSv1 -TLSv1.1\n</VirtualHost>\n",
         {{"role", "config"}, {"category", "setting"}, {"line", "5"}, {"fields.key", "SSLProtocol"},
          {"fields.text", "TLSv1.2-TLSv1.3"}, {"fields.listener", "*:443"},
          {"fields.scope", "VirtualHost shop.example.com"}}},
    };
    return s;
  }
};

RSTSCOPE_REGISTER_PARSER(ApacheConfigParser);

}  // namespace
}  // namespace rstscope
