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
// Python: urllib3/requests pool settings, as keys (pool_maxsize, pool_connections, num_pools,
// pool_block in .env/.ini/.yaml/.properties) and as the constructor calls in Python source
// (`HTTPAdapter(pool_connections=, pool_maxsize=, max_retries=, pool_block=)`,
// `urllib3.PoolManager(num_pools=, maxsize=, retries=, timeout=, block=)`, also ProxyManager and
// HTTP(S)ConnectionPool). requests/urllib3 have no idle timeout of their own: a file that sets any
// of them also gets the documented "pool idle timeout" default (infinite) as an assumed row.
#include <algorithm>
#include <cctype>
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
    // requests / urllib3 (keys in .env / .ini / .yaml); the Python calls use kPyArgs below.
    {"poolmaxsize", "client-python", 0, ""},
    {"poolconnections", "client-python", 0, ""},
    {"numpools", "client-python", 0, ""},
    {"poolblock", "client-python", 0, ""},
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
    {"maxretries", "client", 0, "retries on failure"},
    {"connecttimeout", "client", 1000, "connect timeout"},
    {"readtimeout", "client", 1000, "read timeout"},
    {"sockettimeout", "client", 1, "socket read timeout"},
    {"requesttimeout", "client", 1000, "request timeout"},
};

// What each requests/urllib3 pool setting means for resets (argument names as in the calls;
// the normalised key forms are matched by kRules above and get the same note).
struct PyArg {
  const char* arg;
  const char* norm;  // normalise_key(arg)
  const char* note;
};
const PyArg kPyArgs[] = {
    {"pool_maxsize", "poolmaxsize",
     "requests/urllib3: connections kept per host for reuse. None expires while idle (no idle timeout): a kept "
     "connection is reused after the server or a load balancer closed it, and that request fails with "
     "ConnectionError('Connection aborted.', RemoteDisconnected/ConnectionResetError) unless retried; urllib3 replaces "
     "a connection it sees already closed (EOF) before reuse, not one closed while the request is sent"},
    {"maxsize", "maxsize",
     "urllib3: connections kept per host for reuse. None expires while idle (no idle timeout): a kept connection is "
     "reused after the server or a load balancer closed it (reset / RemoteDisconnected) unless retried"},
    {"pool_connections", "poolconnections",
     "requests: number of per-host pools cached (LRU); a pool pushed out closes its connections. Not an idle "
     "timeout: idle connections of cached pools live until the server closes them"},
    {"num_pools", "numpools",
     "urllib3 PoolManager: number of per-host pools cached (LRU); a pool pushed out closes its connections. Not an "
     "idle timeout"},
    {"max_retries", "maxretries",
     "requests: retries of a failed request (default 0: a reset on a reused pooled connection reaches the caller as "
     "ConnectionError; an int retries only connection errors, a Retry object may retry reads for idempotent methods)"},
    {"retries", "retries",
     "urllib3: retries (default Retry(3); False or 0 disables them): a reset on a reused pooled connection is retried "
     "for idempotent methods, otherwise raised as ProtocolError('Connection aborted.')"},
    {"timeout", "timeout",
     "urllib3/requests: connect/read timeout in seconds (default none: wait forever); a read timeout is not an idle "
     "timeout and is never a reset"},
    {"pool_block", "poolblock",
     "requests/urllib3: when true, wait for a free pooled connection instead of opening extra ones (extra ones are "
     "closed after use)"},
    {"block", "block",
     "urllib3: when true, wait for a free pooled connection instead of opening extra ones (extra ones are closed "
     "after use)"},
};

const PyArg* py_arg(std::string_view norm) {
  for (const PyArg& a : kPyArgs)
    if (norm == a.norm) return &a;
  return nullptr;
}

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

enum class Syntax { json, yaml, properties, env, ini, python };

Syntax syntax_of(std::string_view path, std::string_view text) {
  std::string_view t = trim(text);
  bool py_imports = text.find("import requests") != std::string_view::npos ||
                    text.find("import urllib3") != std::string_view::npos ||
                    text.find("from requests") != std::string_view::npos ||
                    text.find("from urllib3") != std::string_view::npos;
  if (ends_with(path, ".py") || py_imports) return Syntax::python;
  if (ends_with(path, ".json") || (!t.empty() && t[0] == '{')) return Syntax::json;
  if (ends_with(path, ".yml") || ends_with(path, ".yaml")) return Syntax::yaml;
  if (ends_with(path, ".properties")) return Syntax::properties;
  if (ends_with(path, ".ini") || ends_with(path, ".cfg")) return Syntax::ini;
  return Syntax::env;
}

// The urllib3/requests constructors whose keyword arguments are pool settings.
const char* const kPyCalls[] = {"HTTPAdapter", "PoolManager", "ProxyManager", "HTTPSConnectionPool",
                                "HTTPConnectionPool"};

bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Keyword arguments of the call whose '(' is at `open`: name, value text and offset of the name.
// Nested parentheses, brackets and quotes are skipped; an unclosed call ends at the end of text.
struct KwArg {
  std::string name, value;
  size_t offset;
};
std::vector<KwArg> kwargs(std::string_view text, size_t open) {
  std::vector<KwArg> out;
  int depth = 0;
  char quote = 0;
  size_t arg_start = open + 1;
  auto take = [&](size_t end) {
    std::string_view a = text.substr(arg_start, end - arg_start);
    size_t lead = a.find_first_not_of(" \t\r\n");
    if (lead == std::string_view::npos) return;
    size_t eq = a.find('=');
    if (eq == std::string_view::npos || (eq + 1 < a.size() && a[eq + 1] == '=')) return;
    std::string_view name = trim(a.substr(0, eq));
    if (name.empty() || !std::all_of(name.begin(), name.end(), ident_char)) return;
    std::string value;
    for (char c : trim(a.substr(eq + 1))) {  // one line: collapse the layout of a wrapped value
      if (c == '\n' || c == '\r' || c == '\t') c = ' ';
      if (c == ' ' && !value.empty() && value.back() == ' ') continue;
      value.push_back(c);
    }
    out.push_back({std::string(name), std::move(value), arg_start + lead});
  };
  for (size_t i = open; i < text.size(); ++i) {
    char c = text[i];
    if (quote) {
      if (c == '\\') ++i;
      else if (c == quote) quote = 0;
      continue;
    }
    if (c == '"' || c == '\'') quote = c;
    else if (c == '#') {  // comment to end of line
      size_t nl = text.find('\n', i);
      if (nl == std::string_view::npos) break;
      i = nl;
    } else if (c == '(' || c == '[' || c == '{') ++depth;
    else if (c == ')' || c == ']' || c == '}') {
      if (--depth == 0) {
        take(i);
        return out;
      }
    } else if (c == ',' && depth == 1) {
      take(i);
      arg_start = i + 1;
    }
  }
  return out;
}

// "Retry(total=3, backoff_factor=0.5)" -> 3 (false when no total=).
bool retry_total(std::string_view v, int64_t& n) {
  size_t p = v.find("total=");
  if (p == std::string_view::npos) return false;
  std::string_view rest = v.substr(p + 6);
  size_t e = 0;
  while (e < rest.size() && std::isdigit(static_cast<unsigned char>(rest[e]))) ++e;
  return e > 0 && parse_int(rest.substr(0, e), n);
}

// Seconds as Python writes them ("5", "2.5") -> ms.
bool seconds_ms(std::string_view v, int64_t& ms) {
  double d;
  if (!parse_double(trim(v), d) || d < 0) return false;
  ms = static_cast<int64_t>(d * 1000 + 0.5);
  return true;
}

class ClientConfigFile : public FileParser {
 public:
  explicit ClientConfigFile(const ParseContext& ctx) : path_(ctx.path) {}

  void record(const Record& rec, Emitter& out) override {
    config::SettingSink sink(out, rec.text);
    std::vector<Flat> flat;
    Syntax syn = syntax_of(path_, rec.text);
    if (syn == Syntax::python) {
      python(rec.text, sink);
      finish_python(sink);
      return;
    }
    if (syn == Syntax::json || syn == Syntax::yaml) {
      config::TreeDoc doc = syn == Syntax::json ? config::parse_json_tree(rec.text) : config::parse_yaml(rec.text);
      for (auto& [line, msg] : doc.errors) sink.warn(line, msg);
      for (const Node& d : doc.documents) flatten(d, "", flat, 0);
    } else {
      lines(rec.text, syn, flat, sink);
    }
    for (const Flat& f : flat) classify(f, sink);
    finish_python(sink);
  }

 private:
  // requests/urllib3 never expire idle pooled connections: when this file configures their pool,
  // say so with the documented default (assumed), next to what the file sets.
  void finish_python(config::SettingSink& sink) {
    if (!python_pool_) return;
    Setting d;
    if (!config::documented_default("client-python", "pool idle timeout", d)) return;
    d.note += "; requests/urllib3 have no setting for it (pool sizes and retries are set in " + path_ + ")";
    sink.emit(d);
  }

  void python(std::string_view text, config::SettingSink& sink) {
    for (const char* call : kPyCalls) {
      std::string_view name(call);
      for (size_t pos = text.find(name); pos != std::string_view::npos; pos = text.find(name, pos + 1)) {
        if (pos > 0 && ident_char(text[pos - 1])) continue;  // MyHTTPAdapter(
        size_t open = pos + name.size();
        while (open < text.size() && text[open] == ' ') ++open;
        if (open >= text.size() || text[open] != '(') continue;  // class X(HTTPAdapter): / import
        size_t bol = text.rfind('\n', pos);
        bol = bol == std::string_view::npos ? 0 : bol + 1;
        if (text.substr(bol, pos - bol).find('#') != std::string_view::npos) continue;  // commented out
        if (trim(text.substr(bol, pos - bol)) == "def" || starts_with(trim(text.substr(bol, pos - bol)), "class "))
          continue;
        for (const KwArg& a : kwargs(text, open)) py_setting(call, a, sink);
      }
    }
  }

  void py_setting(std::string_view call, const KwArg& a, config::SettingSink& sink) {
    const PyArg* pa = py_arg(normalise_key(a.name));
    if (!pa) return;
    Setting s;
    s.component = "client-python";
    s.scope.assign(call);
    s.key = std::string(call) + "." + a.name;
    s.raw = a.value;
    s.line = sink.lines().line_of_offset(a.offset);
    s.note = pa->note;
    int64_t n;
    std::string_view v = a.value;
    if (a.name == "timeout") {
      if (seconds_ms(v, s.value)) {
        s.unit = "ms";
      } else if (v.find("Timeout(") != std::string_view::npos) {
        // Timeout(connect=2.0, read=7.0): one row per part.
        size_t open = v.find('(');
        for (const KwArg& part : kwargs(v, open)) {
          Setting t = s;
          t.key = s.key + " " + part.name;
          t.raw = part.value;
          if (seconds_ms(part.value, t.value)) t.unit = "ms";
          else t.text = part.value;
          sink.emit(t);
        }
        python_pool_ = true;
        return;
      } else {
        s.text = a.value;
      }
    } else if (v == "True" || v == "False") {
      s.value = v == "True";
      s.unit = "bool";
      s.text = v == "True" ? "true" : "false";
      if ((a.name == "retries" || a.name == "max_retries") && v == "False") s.text = "disabled";
    } else if (parse_int(v, n)) {
      s.value = n;
      s.unit = "count";
    } else if (retry_total(v, n)) {
      s.value = n;
      s.unit = "count";
      s.text = a.value;
    } else {
      s.text = a.value;  // a variable or expression: kept as written
    }
    python_pool_ = true;
    sink.emit(s);
  }

  bool python_pool_ = false;

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
      if (t.empty() || t[0] == '#' || t[0] == '!' || (syn == Syntax::ini && t[0] == ';')) {
        joined.clear();
        continue;
      }
      if (syn == Syntax::ini && t.front() == '[' && t.back() == ']') {  // [section]: keys become section.key
        section_.assign(trim(t.substr(1, t.size() - 2)));
        joined.clear();
        continue;
      }
      if (syn == Syntax::env && starts_with(t, "export ")) t = trim(t.substr(7));
      size_t eq = t.find('=');
      if (syn == Syntax::properties || syn == Syntax::ini) {
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
      if (syn == Syntax::ini && (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front()))
        v = v.substr(1, v.size() - 2);
      flat.push_back({syn == Syntax::ini && !section_.empty() ? section_ + "." + std::string(k) : std::string(k),
                      std::string(v), start});
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
    if (component == "client-python") {
      python_pool_ = true;
      for (const PyArg& a : kPyArgs)
        if (nk.find(a.norm) != std::string::npos && std::string_view(a.norm).size() > 6) {  // not "block"/"timeout"
          s.note = a.note;
          break;
        }
    }
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
  std::string section_;  // current [section] of an .ini file
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
    bool ini = ends_with(n, ".ini");
    bool py = ends_with(n, ".py");
    int hits = 0;
    bool py_pool = false;
    for (std::string_view l : in.lines)
      for (std::string_view w : {"import requests", "import urllib3", "from requests", "from urllib3", "HTTPAdapter(",
                                 "PoolManager("})
        if (l.find(w) != std::string_view::npos) py_pool = true;
    for (std::string_view l : in.lines) {
      std::string nk = normalise_key(l);
      for (const Rule& r : kRules)
        if (nk.find(r.contains) != std::string::npos) {
          ++hits;
          break;
        }
    }
    if (py) {
      if (!py_pool) return {};
      return {55, "Python source using requests/urllib3 (pool settings in HTTPAdapter/PoolManager calls)"};
    }
    if (ini) {  // any .ini file is too broad: only one that names a pool or timeout key early on
      if (hits == 0) return {};
      return {std::min(50 + hits * 10, 80), "INI file with client pool / timeout keys"};
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
        {"import requests\nfrom requests.adapters import HTTPAdapter\n\nsession = requests.Session()\n"
         "session.mount(\"https://\", HTTPAdapter(pool_connections=4, pool_maxsize=32))\n",
         {{"line", "5"}, {"fields.key", "HTTPAdapter.pool_maxsize"}, {"fields.value", "32"},
          {"fields.component", "client-python"}, {"fields.unit", "count"}}},
    };
    return s;
  }
};

RSTSCOPE_REGISTER_PARSER(ClientConfigParser);

}  // namespace
}  // namespace rstscope
