// HAProxy configuration (haproxy.cfg) -> settings per listener.
//
// Sections: global, defaults [NAME], frontend, backend, listen (others are skipped). A proxy
// inherits timeouts, options, maxconn and log-format from the defaults section in force where it
// is declared (or the one named by `from`). Frontend/listen settings are emitted for each `bind`
// address; backend settings for every listener of a frontend that routes to the backend
// (default_backend / use_backend), or unscoped when none does. Where `timeout http-keep-alive`
// is unset the effective fallback (timeout http-request, then timeout client) is emitted as an
// assumed value naming what it fell back to.
// Words follow HAProxy's rules: "double" and 'single' quotes, backslash escapes, '#' comments.
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "config/defaults.h"
#include "config/settings_out.h"
#include "rstscope/parser.h"
#include "rstscope/text.h"

namespace rstscope {
namespace {

struct Line {
  int64_t number = 0;
  std::vector<std::string> words;
  std::string text() const {
    std::string out;
    for (const std::string& w : words) {
      if (!out.empty()) out += ' ';
      out += w;
    }
    return out;
  }
};

bool split_words(std::string_view l, std::vector<std::string>& words, std::string& error) {
  words.clear();
  size_t i = 0;
  while (i < l.size()) {
    while (i < l.size() && (l[i] == ' ' || l[i] == '\t' || l[i] == '\r')) ++i;
    if (i >= l.size() || l[i] == '#') break;
    std::string w;
    char q = 0;
    while (i < l.size()) {
      char c = l[i];
      if (q) {
        if (c == q) { q = 0; ++i; continue; }
        if (c == '\\' && q == '"' && i + 1 < l.size()) { w.push_back(l[i + 1]); i += 2; continue; }
        w.push_back(c);
        ++i;
        continue;
      }
      if (c == ' ' || c == '\t' || c == '\r') break;
      if (c == '#') break;
      if (c == '"' || c == '\'') { q = c; ++i; continue; }
      if (c == '\\' && i + 1 < l.size()) { w.push_back(l[i + 1]); i += 2; continue; }
      w.push_back(c);
      ++i;
    }
    if (q) {
      error = "unterminated quote";
      words.push_back(std::move(w));
      return false;
    }
    words.push_back(std::move(w));
    if (i < l.size() && l[i] == '#') break;
  }
  return true;
}

struct Section {
  std::string type;  // global, defaults, frontend, backend, listen
  std::string name;
  std::string from;  // named defaults
  int64_t line = 0;
  std::vector<Line> lines;
  const Section* defaults = nullptr;
};

bool is_section_keyword(std::string_view w) {
  return w == "global" || w == "defaults" || w == "frontend" || w == "backend" || w == "listen" ||
         w == "userlist" || w == "peers" || w == "resolvers" || w == "cache" || w == "program" ||
         w == "http-errors" || w == "ring" || w == "mailers" || w == "crt-store" || w == "traces";
}

// Key of a directive for inheritance: "timeout client", "option nolinger", "maxconn", ...
std::string key_of(const Line& l) {
  const auto& w = l.words;
  if (w.empty()) return {};
  if (w[0] == "timeout" && w.size() >= 2) return "timeout " + w[1];
  if (w[0] == "option" && w.size() >= 2) return "option " + w[1];
  if (w[0] == "no" && w.size() >= 3 && w[1] == "option") return "option " + w[2];
  if (w[0] == "clitimeout") return "timeout client";
  if (w[0] == "srvtimeout") return "timeout server";
  if (w[0] == "contimeout") return "timeout connect";
  if (w[0] == "maxconn" || w[0] == "log-format" || w[0] == "mode" || w[0] == "http-reuse" ||
      w[0] == "retries" || w[0] == "fullconn")
    return w[0];
  return {};
}

bool is_frontend_key(std::string_view k) {
  return k == "timeout client" || k == "timeout http-request" || k == "timeout http-keep-alive" ||
         k == "timeout client-fin" || k == "timeout tunnel" || k == "maxconn" || k == "log-format" ||
         k == "mode" || starts_with(k, "option ");
}
bool is_backend_key(std::string_view k) {
  return k == "timeout server" || k == "timeout connect" || k == "timeout server-fin" || k == "timeout queue" ||
         k == "timeout tunnel" || k == "timeout http-keep-alive" || k == "http-reuse" || k == "retries" ||
         k == "fullconn" || k == "mode" || starts_with(k, "option ");
}

std::string_view option_note(std::string_view opt) {
  if (opt == "nolinger")
    return "connections are closed with RST (SO_LINGER 0): peers see 'connection reset' instead of a FIN";
  if (opt == "http-server-close") return "server-side connection closed after each response; client side kept alive";
  if (opt == "httpclose") return "HAProxy closes both sides after each response (Connection: close)";
  if (opt == "forceclose") return "legacy: both sides closed after the response";
  if (opt == "abortonclose") return "pending requests are dropped when the client closes";
  return "";
}

class HaproxyConfigFile : public FileParser {
 public:
  void record(const Record& rec, Emitter& out) override {
    config::SettingSink sink(out, rec.text);
    std::vector<Section> sections;
    Section global_less;  // lines before any section
    global_less.type = "none";
    size_t pos = 0;
    int64_t number = 0;
    std::string_view text = rec.text;
    std::vector<std::string> words;
    while (pos < text.size()) {
      size_t nl = text.find('\n', pos);
      if (nl == std::string_view::npos) nl = text.size();
      std::string_view l = text.substr(pos, nl - pos);
      pos = nl + 1;
      ++number;
      std::string err;
      if (!split_words(l, words, err)) sink.warn(number, "haproxy.cfg: " + err + "; words kept as read");
      if (words.empty()) continue;
      bool at_column0 = !l.empty() && l[0] != ' ' && l[0] != '\t';
      (void)at_column0;  // HAProxy does not require column 0 for section keywords
      if (is_section_keyword(words[0])) {
        Section s;
        s.type = words[0];
        s.line = number;
        if (words.size() >= 2 && words[1] != "from") s.name = words[1];
        for (size_t i = 1; i + 1 < words.size(); ++i)
          if (words[i] == "from") s.from = words[i + 1];
        sections.push_back(std::move(s));
        continue;
      }
      if (sections.empty()) {
        sink.warn(number, "directive \"" + words[0] + "\" outside any section; ignored");
        continue;
      }
      sections.back().lines.push_back({number, words});
    }
    if (sections.empty()) {
      sink.warn(0, "no global/defaults/frontend/backend/listen section found");
      return;
    }
    // Resolve defaults inheritance.
    const Section* last_defaults = nullptr;
    const Section* global = nullptr;
    for (Section& s : sections) {
      if (s.type == "global") global = &s;
      if (s.type == "defaults") {
        last_defaults = &s;
        continue;
      }
      if (!s.from.empty()) {
        for (const Section& d : sections)
          if (d.type == "defaults" && d.name == s.from) s.defaults = &d;
        if (!s.defaults) sink.warn(s.line, "defaults section \"" + s.from + "\" not found");
      } else {
        s.defaults = last_defaults;
      }
    }
    // Global-level settings and defaults for bind TLS.
    std::string global_bind_options, global_ciphers;
    int64_t global_bind_line = 0;
    if (global) {
      for (const Line& l : global->lines) {
        const auto& w = l.words;
        if (w[0] == "ssl-default-bind-options") {
          global_bind_options = l.text();
          global_bind_line = l.number;
        }
        if (w[0] == "ssl-default-bind-ciphers" && w.size() >= 2) global_ciphers = w[1];
        if (w[0] == "maxconn" || w[0] == "ssl-default-bind-options" || w[0] == "ssl-default-bind-ciphers" ||
            w[0] == "ssl-default-bind-ciphersuites" || w[0] == "tune.ssl.default-dh-param" ||
            w[0] == "hard-stop-after" || w[0] == "tune.bufsize") {
          Setting s = make("global", "", l);
          s.key = w[0] == "maxconn" ? "global maxconn" : w[0];
          s.raw = join(w, 1);
          normalise(s, w[0], w, 1);
          sink.emit(s);
        }
      }
    }
    // Which listeners route to each backend.
    std::map<std::string, std::vector<std::string>> backend_listeners;
    std::map<std::string, std::vector<std::string>> section_listeners;
    for (const Section& s : sections) {
      if (s.type != "frontend" && s.type != "listen") continue;
      std::vector<std::string>& ls = section_listeners[s.type + " " + s.name];
      for (const Line& l : s.lines)
        if (l.words[0] == "bind" && l.words.size() >= 2) for_each_bind_addr(l.words[1], [&](const std::string& x) { ls.push_back(x); });
      for (const Line& l : s.lines)
        if ((l.words[0] == "default_backend" || l.words[0] == "use_backend") && l.words.size() >= 2)
          for (const std::string& x : ls) backend_listeners[l.words[1]].push_back(x);
      if (s.type == "listen")
        for (const std::string& x : ls) backend_listeners[s.name].push_back(x);
    }
    for (const Section& s : sections) {
      if (s.type == "frontend" || s.type == "listen") proxy(s, section_listeners[s.type + " " + s.name], true,
                                                             global_bind_options, global_bind_line, global_ciphers, sink);
      if (s.type == "backend" || s.type == "listen") {
        std::vector<std::string> ls = backend_listeners[s.name];
        std::sort(ls.begin(), ls.end());
        ls.erase(std::unique(ls.begin(), ls.end()), ls.end());
        if (ls.empty()) ls.push_back("");
        proxy(s, ls, false, global_bind_options, global_bind_line, global_ciphers, sink);
      }
    }
  }

 private:
  template <class F>
  static void for_each_bind_addr(std::string_view spec, F f) {
    std::string_view part;
    while (next_field(spec, ',', part)) {
      if (starts_with(part, "unix@") || starts_with(part, "/") || starts_with(part, "abns@") ||
          starts_with(part, "fd@") || starts_with(part, "sockpair@")) {
        f(std::string(part));
        continue;
      }
      if (starts_with(part, "ipv4@") || starts_with(part, "ipv6@")) part.remove_prefix(5);
      size_t colon = part.rfind(':');
      std::string_view host = colon == std::string_view::npos ? part : part.substr(0, colon);
      std::string_view port = colon == std::string_view::npos ? std::string_view{} : part.substr(colon + 1);
      if (!host.empty() && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
      if (host == "*" || host == "0.0.0.0" || host == "::") host = host == "::" ? host : std::string_view{};
      std::string_view lo = port, hi;
      size_t dash = port.find('-');
      if (dash != std::string_view::npos) {
        lo = port.substr(0, dash);
        hi = port.substr(dash + 1);
      }
      int64_t p;
      if (!parse_int(lo, p)) {
        f(std::string(part));
        continue;
      }
      std::string l = config::listener_of(host, p);
      if (!hi.empty()) l += "-" + std::string(hi);
      f(l);
    }
  }

  static std::string join(const std::vector<std::string>& w, size_t from) {
    std::string out;
    for (size_t i = from; i < w.size(); ++i) {
      if (!out.empty()) out += ' ';
      out += w[i];
    }
    return out;
  }

  static Setting make(const std::string& scope, const std::string& listener, const Line& l) {
    Setting s;
    s.component = "haproxy";
    s.scope = scope;
    s.listener = listener;
    s.line = l.number;
    return s;
  }

  static void normalise(Setting& s, std::string_view key, const std::vector<std::string>& w, size_t arg) {
    if (starts_with(key, "timeout ") || key == "clitimeout" || key == "srvtimeout" || key == "contimeout" ||
        key == "hard-stop-after") {
      if (w.size() > arg && config::duration_ms(w[arg], 1, s.value)) s.unit = "ms";
    } else if (key == "maxconn" || key == "retries" || key == "fullconn" || key == "tune.bufsize" ||
               key == "tune.ssl.default-dh-param") {
      int64_t n;
      if (w.size() > arg && parse_int(w[arg], n)) { s.value = n; s.unit = "count"; }
    } else {
      s.text = s.raw;
    }
  }

  void proxy(const Section& sec, const std::vector<std::string>& listeners, bool frontend_side,
             const std::string& global_bind_options, int64_t global_bind_line, const std::string& global_ciphers,
             config::SettingSink& sink) {
    std::string scope = (frontend_side || sec.type != "listen" ? sec.type : std::string("backend")) + " " + sec.name;
    if (sec.type == "listen") scope = "listen " + sec.name;
    // Effective values: defaults, then the section's own lines.
    std::map<std::string, const Line*> eff;
    std::map<std::string, bool> from_defaults;
    if (sec.defaults)
      for (const Line& l : sec.defaults->lines) {
        std::string k = key_of(l);
        if (!k.empty()) { eff[k] = &l; from_defaults[k] = true; }
      }
    for (const Line& l : sec.lines) {
      std::string k = key_of(l);
      if (!k.empty()) { eff[k] = &l; from_defaults[k] = false; }
    }
    bool http_mode = eff.count("mode") && eff["mode"]->words.size() >= 2 && eff["mode"]->words[1] == "http";
    for (const std::string& listener : listeners) {
      for (auto& [k, l] : eff) {
        if (frontend_side ? !is_frontend_key(k) : !is_backend_key(k)) continue;
        if (!frontend_side && sec.type == "listen" && is_frontend_key(k)) continue;  // emitted once
        Setting s = make(scope, listener, *l);
        s.key = k;
        const auto& w = l->words;
        size_t arg = (w[0] == "timeout" || w[0] == "option") ? 2 : (w[0] == "no" ? 3 : 1);
        s.raw = starts_with(k, "option ") ? l->text() : join(w, arg);
        if (starts_with(k, "option ")) {
          s.value = w[0] == "no" ? 0 : 1;
          s.unit = "bool";
          s.text = s.value ? "on" : "off";
          s.note.assign(option_note(k.substr(7)));
        } else {
          normalise(s, k, w, arg);
        }
        if (from_defaults[k]) s.note += std::string(s.note.empty() ? "" : "; ") + "inherited from defaults" +
                                        (sec.defaults && !sec.defaults->name.empty() ? " " + sec.defaults->name : "");
        sink.emit(s);
      }
      if (frontend_side) {
        frontend_defaults(eff, scope, listener, http_mode, sink);
        for (const Line& l : sec.lines) {
          const auto& w = l.words;
          if (w[0] == "bind" && w.size() >= 2) bind_line(l, scope, listener, global_bind_options, global_bind_line,
                                                         global_ciphers, sink);
        }
      } else {
        Setting d;
        if (!eff.count("timeout server") && config::documented_default("haproxy", "timeout server", d)) {
          d.scope = scope;
          d.listener = listener;
          sink.emit(d);
        }
        if (!eff.count("timeout connect") && config::documented_default("haproxy", "timeout connect", d)) {
          d.scope = scope;
          d.listener = listener;
          sink.emit(d);
        }
      }
      // Reject / deny rules with their conditions (frontend rules on the frontend, backend rules on it).
      if (frontend_side || sec.type != "listen")
        for (const Line& l : sec.lines) rule_line(l, scope, listener, frontend_side, sink);
    }
  }

  void frontend_defaults(std::map<std::string, const Line*>& eff, const std::string& scope, const std::string& listener,
                         bool http_mode, config::SettingSink& sink) {
    Setting d;
    if (!eff.count("timeout client") && config::documented_default("haproxy", "timeout client", d)) {
      d.scope = scope;
      d.listener = listener;
      sink.emit(d);
    }
    if (http_mode && !eff.count("timeout http-keep-alive")) {
      // Documented fallback chain: http-keep-alive -> http-request -> client.
      const char* via[] = {"timeout http-request", "timeout client"};
      Setting s;
      config::documented_default("haproxy", "timeout http-keep-alive", s);
      s.scope = scope;
      s.listener = listener;
      for (const char* k : via) {
        auto it = eff.find(k);
        if (it == eff.end()) continue;
        const auto& w = it->second->words;
        s.raw = w.size() > 2 ? w[2] : "";
        if (config::duration_ms(s.raw, 1, s.value)) s.text.clear();
        s.note = std::string("unset: HAProxy uses ") + k + " (line " + std::to_string(it->second->number) +
                 ") for the keep-alive wait; expiry closes silently, no 408 (configuration.txt)";
        break;
      }
      sink.emit(s);
    }
  }

  void bind_line(const Line& l, const std::string& scope, const std::string& listener,
                 const std::string& global_bind_options, int64_t global_bind_line, const std::string& global_ciphers,
                 config::SettingSink& sink) {
    const auto& w = l.words;
    bool mine = false;
    for_each_bind_addr(w[1], [&](const std::string& x) { if (x == listener) mine = true; });
    if (!mine) return;
    Setting s = make(scope, listener, l);
    s.key = "bind";
    s.raw = join(w, 1);
    bool ssl = false;
    int lo = -1, hi = -1;
    unsigned disabled = 0;
    std::string ciphers, ciphersuites;
    int64_t min_line = 0;
    auto apply = [&](const std::vector<std::string>& ws, size_t from, int64_t line) {
      for (size_t i = from; i < ws.size(); ++i) {
        const std::string& o = ws[i];
        if (o == "ssl") ssl = true;
        else if ((o == "ssl-min-ver" || o == "ssl-max-ver") && i + 1 < ws.size()) {
          int r = config::tls_rank(ws[i + 1]);
          (o == "ssl-min-ver" ? lo : hi) = r;
          if (o == "ssl-min-ver") min_line = line;
          ++i;
        } else if (o == "no-sslv3") disabled |= 1u << 1;
        else if (o == "no-tlsv10") disabled |= 1u << 2;
        else if (o == "no-tlsv11") disabled |= 1u << 3;
        else if (o == "no-tlsv12") disabled |= 1u << 4;
        else if (o == "no-tlsv13") disabled |= 1u << 5;
        else if (starts_with(o, "force-")) {
          int r = config::tls_rank(std::string_view(o).substr(6));
          if (r >= 0) lo = hi = r;
          min_line = line;
        } else if (o == "ciphers" && i + 1 < ws.size()) ciphers = ws[++i];
        else if (o == "ciphersuites" && i + 1 < ws.size()) ciphersuites = ws[++i];
      }
    };
    std::vector<std::string> gw;
    std::string gerr;
    split_words(global_bind_options, gw, gerr);
    apply(gw, 1, global_bind_line);
    apply(w, 2, l.number);
    s.text = ssl ? "ssl" : "plain";
    sink.emit(s);
    if (!ssl) return;
    Setting p = make(scope, listener, l);
    p.key = "ssl-min-ver/ssl-max-ver";
    p.unit = "protocols";
    bool assumed_min = lo < 0;
    if (lo < 0) lo = 4;  // HAProxy >= 2.2 default ssl-min-ver TLSv1.2
    if (hi < 0) hi = 5;
    unsigned mask = 0;
    for (int r = lo; r <= hi; ++r) mask |= 1u << r;
    mask &= ~disabled;
    p.text = config::tls_range(mask);
    p.raw = p.text;
    if (min_line && min_line != l.number) p.line = min_line;
    if (assumed_min) p.note = "no ssl-min-ver: HAProxy >= 2.2 defaults to TLSv1.2 (configuration.txt, not re-verified)";
    sink.emit(p);
    if (ciphers.empty()) ciphers = global_ciphers;
    if (!ciphers.empty()) {
      Setting c = make(scope, listener, l);
      c.key = "ciphers";
      c.raw = c.text = ciphers;
      sink.emit(c);
    }
    if (!ciphersuites.empty()) {
      Setting c = make(scope, listener, l);
      c.key = "ciphersuites";
      c.raw = c.text = ciphersuites;
      sink.emit(c);
    }
  }

  void rule_line(const Line& l, const std::string& scope, const std::string& listener, bool frontend_side,
                 config::SettingSink& sink) {
    const auto& w = l.words;
    if (w.size() < 2) return;
    bool tcp = w[0] == "tcp-request" || w[0] == "tcp-response";
    bool http = w[0] == "http-request" || w[0] == "http-response";
    if (!tcp && !http) return;
    if (!frontend_side && tcp && w.size() >= 2 && (w[1] == "connection" || w[1] == "session")) return;
    size_t act = tcp ? 2 : 1;
    if (tcp && w.size() >= 2 && w[1] == "inspect-delay") {
      Setting s = make(scope, listener, l);
      s.key = "tcp-request inspect-delay";
      s.raw = join(w, 2);
      if (w.size() >= 3 && config::duration_ms(w[2], 1, s.value)) s.unit = "ms";
      sink.emit(s);
      return;
    }
    if (w.size() <= act) return;
    std::string_view action = w[act];
    static const std::set<std::string_view> kActions = {"reject", "deny", "silent-drop", "tarpit", "close",
                                                        "return", "auth"};
    if (!kActions.count(action)) return;
    Setting s = make(scope, listener, l);
    s.key = join(std::vector<std::string>(w.begin(), w.begin() + static_cast<long>(act) + 1), 0);
    s.raw = join(w, 1);
    std::string cond;
    for (size_t i = act + 1; i < w.size(); ++i)
      if (w[i] == "if" || w[i] == "unless") {
        cond = join(w, i);
        break;
      }
    s.text = cond.empty() ? "always" : cond;
    if (action == "reject")
      s.note = tcp ? "matching connections are closed at once, no response (client sees reset/EOF)"
                   : "matching requests: connection closed without a response (client sees EOF/reset)";
    else if (action == "silent-drop")
      s.note = "matching connections are dropped silently (client waits, then times out or gets reset later)";
    else if (action == "deny")
      s.note = "matching requests get 403 (or the deny_status) and the connection may be closed";
    else if (action == "tarpit")
      s.note = "matching requests are held for timeout tarpit, then get 500";
    sink.emit(s);
  }
};

class HaproxyConfigParser : public Parser {
 public:
  std::string_view name() const override { return "config-haproxy"; }
  std::string_view description() const override {
    return "HAProxy configuration (haproxy.cfg): timeouts, options, bind TLS, reject rules per frontend/backend";
  }
  Role role() const override { return Role::config; }
  bool whole_file() const override { return true; }
  Score sniff(const SniffInput& in) const override {
    int score = 0;
    if (in.name == "haproxy.cfg" || ends_with(in.name, ".cfg")) score += in.name == "haproxy.cfg" ? 70 : 20;
    int sections = 0, keys = 0;
    for (std::string_view l : in.lines) {
      std::string_view t = trim(l);
      for (std::string_view k : {"global", "defaults", "frontend ", "backend ", "listen "})
        if (starts_with(t, k) && l[0] != ' ' && l[0] != '\t') ++sections;
      for (std::string_view k : {"timeout ", "option ", "bind ", "default_backend", "use_backend", "maxconn",
                                 "mode http", "mode tcp", "balance "})
        if (starts_with(t, k)) ++keys;
    }
    score += std::min(sections, 3) * 10 + std::min(keys, 4) * 5;
    if (score < 30) return {};
    return {std::min(score, 95), "HAProxy sections (global/defaults/frontend/backend) and keywords"};
  }
  std::unique_ptr<FileParser> open(const ParseContext&) const override { return std::make_unique<HaproxyConfigFile>(); }
  const std::vector<Sample>& samples() const override {
    static const std::vector<Sample> s = {
        {"defaults\n    mode http\n    timeout client 30s\n    timeout http-keep-alive 2s\n"
         "frontend fe_main\n    bind :443 ssl crt /etc/ssl/site.pem ssl-min-ver TLSv1.2\n"
         "    timeout client 45s\n    default_backend be_app\nbackend be_app\n    timeout server 60s\n",
         {{"role", "config"}, {"category", "setting"}, {"line", "10"}, {"fields.key", "timeout server"},
          {"fields.value", "60000"}, {"fields.listener", "*:443"}, {"fields.scope", "backend be_app"}}},
        {"frontend fe\n    bind 10.0.0.5:80\n    tcp-request connection reject if { src -f /etc/haproxy/deny.lst }\n",
         {{"line", "3"}, {"fields.key", "tcp-request connection reject"},
          {"fields.text", "if { src -f /etc/haproxy/deny.lst }"}, {"server_ip", "10.0.0.5"}}},
    };
    return s;
  }
};

RSTSCOPE_REGISTER_PARSER(HaproxyConfigParser);

}  // namespace
}  // namespace rstscope
