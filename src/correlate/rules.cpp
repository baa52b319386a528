#include "correlate/rules.h"

#include <toml++/toml.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <sstream>

#include "rstscope/text.h"
#include "rstscope/timeutil.h"

namespace fs = std::filesystem;

namespace rstscope::correlate {
namespace {

const std::vector<std::string> kClasses = {"idle-timeout", "tls-mismatch", "protocol-mismatch", "upstream-failure",
                                           "server-timeout", "request-rejected", "firewall", "server-unavailable",
                                           "unexplained"};
const std::vector<std::string> kKinds = {"reset", "aborted", "eof", "broken-pipe", "tls",
                                         "refused", "timeout", "http-error", "other"};
const std::vector<std::string> kStrategies = {"evidence", "idle-gap", "client-only", "setting"};
constexpr int64_t kCaseEpochUs = 1'700'000'000'000'000;  // case times are seconds after this instant

[[noreturn]] void fail(const std::string& file, const toml::node* n, const std::string& what) {
  int64_t line = n ? int64_t(n->source().begin.line) : 0;
  throw RuleError(fmt::format("{}:{}: {}", file, line, what));
}

void check_keys(const std::string& file, const toml::table& t, std::initializer_list<std::string_view> allowed,
                std::string_view where) {
  for (const auto& [k, v] : t) {
    bool ok = false;
    for (auto a : allowed) ok |= k.str() == a;
    if (!ok) fail(file, &v, fmt::format("unknown key '{}' in {}", k.str(), where));
  }
}

std::string str(const std::string& file, const toml::table& t, std::string_view key, bool required) {
  const toml::node* n = t.get(key);
  if (!n) {
    if (required) fail(file, &t, fmt::format("missing '{}'", key));
    return {};
  }
  auto v = n->value<std::string>();
  if (!v) fail(file, n, fmt::format("'{}' must be a string", key));
  return *v;
}

std::vector<std::string> strings(const std::string& file, const toml::table& t, std::string_view key) {
  std::vector<std::string> out;
  const toml::node* n = t.get(key);
  if (!n) return out;
  const toml::array* a = n->as_array();
  if (!a) fail(file, n, fmt::format("'{}' must be an array of strings", key));
  for (const auto& e : *a) {
    auto v = e.value<std::string>();
    if (!v) fail(file, &e, fmt::format("'{}' must hold strings", key));
    out.push_back(*v);
  }
  return out;
}

double number(const std::string& file, const toml::table& t, std::string_view key, double def) {
  const toml::node* n = t.get(key);
  if (!n) return def;
  if (auto d = n->value<double>()) return *d;
  fail(file, n, fmt::format("'{}' must be a number", key));
}

bool boolean(const std::string& file, const toml::table& t, std::string_view key, bool def) {
  const toml::node* n = t.get(key);
  if (!n) return def;
  if (auto b = n->value_exact<bool>()) return *b;
  fail(file, n, fmt::format("'{}' must be true or false", key));
}

// HTTP statuses: whole numbers 100..599 (a string or 5.5 is an error, not a status that never matches).
std::vector<int> statuses(const std::string& file, const toml::table& t, std::string_view key) {
  std::vector<int> out;
  const toml::node* n = t.get(key);
  if (!n) return out;
  const toml::array* a = n->as_array();
  if (!a) fail(file, n, fmt::format("'{}' must be an array of HTTP statuses such as [502, 504]", key));
  for (const auto& e : *a) {
    auto v = e.value_exact<int64_t>();
    if (!v || *v < 100 || *v > 599) {
      std::ostringstream os;
      e.visit([&](const auto& v) { os << v; });
      fail(file, &e, fmt::format("'{}' must hold HTTP statuses (whole numbers 100..599), got {}", key, os.str()));
    }
    out.push_back(int(*v));
  }
  return out;
}

// The placeholders a template may use: those its strategy fills (engine.cpp), plus {count} and
// {listener} which findings fill in a recommendation.
void check_placeholders(const std::string& file, const toml::table& t, std::string_view key, const std::string& strategy) {
  const toml::node* n = t.get(key);
  if (!n) return;
  std::vector<std::string_view> known;
  if (strategy == "evidence") known = {"source", "category", "detail", "delta", "join", "target", "local_port", "status"};
  else if (strategy == "idle-gap")
    known = {"local_port", "idle_s", "component", "setting_key", "setting_value", "timeout_s", "assumed", "listener", "target"};
  else if (strategy == "setting") known = {"component", "setting_key", "setting_value", "listener", "target"};
  else known = {"target", "hidden"};
  if (key == "recommendation") known.insert(known.end(), {"count", "listener"});
  std::string_view text = *n->value<std::string_view>();
  for (size_t i = text.find('{'); i != std::string_view::npos; i = text.find('{', i + 1)) {
    size_t close = text.find('}', i);
    if (close == std::string_view::npos) break;
    std::string_view name = text.substr(i + 1, close - i - 1);
    if (std::find(known.begin(), known.end(), name) != known.end()) continue;
    std::string list;
    for (auto k : known) list += (list.empty() ? "{" : " {") + std::string(k) + "}";
    fail(file, n, fmt::format("unknown placeholder {{{}}} in {} ({} rules know {})", name, key, strategy, list));
  }
}

int64_t duration_us(const std::string& file, const toml::table& t, std::string_view key, int64_t def) {
  const toml::node* n = t.get(key);
  if (!n) return def;
  auto s = n->value<std::string>();
  int64_t ms;
  if (!s || !parse_duration_ms(*s, ms)) fail(file, n, fmt::format("'{}' must be a duration such as \"5s\" or \"500ms\"", key));
  return ms * 1000;
}

void load_case(const std::string& file, const toml::table& ct, Rule& r) {
  check_keys(file, ct, {"name", "expect", "failure", "events", "settings"}, "[[case]]");
  RuleCase c;
  c.line = int64_t(ct.source().begin.line);
  c.name = str(file, ct, "name", true);
  std::string expect = str(file, ct, "expect", true);
  if (expect != "match" && expect != "no-match") fail(file, ct.get("expect"), "expect must be \"match\" or \"no-match\"");
  c.expect_match = expect == "match";
  Model& m = c.model;
  m.sources.push_back({1, "case/client.log", "case", Role::client, kNull, kNull, 1});
  m.sources.push_back({2, "case/server.log", "case", Role::proxy, kNull, kNull, 1});
  const toml::table* ft = ct.get_as<toml::table>("failure");
  if (!ft) fail(file, &ct, "a case needs failure = { kind = ..., at = ... }");
  check_keys(file, *ft, {"kind", "at", "target", "local_port", "text", "status", "scheme"}, "failure");
  Failure f;
  f.id = 1;
  f.source_id = 1;
  f.kind = str(file, *ft, "kind", true);
  if (std::find(kKinds.begin(), kKinds.end(), f.kind) == kKinds.end()) fail(file, ft, "unknown failure kind " + f.kind);
  if (ft->get("at")) f.ts = kCaseEpochUs + int64_t(number(file, *ft, "at", 0) * 1e6);
  std::string target = str(file, *ft, "target", false);
  if (!target.empty()) {
    std::string_view h;
    int64_t p;
    split_host_port(target, h, p);
    f.host = h;
    f.port = int32_t(p);
  }
  f.local_port = int32_t(number(file, *ft, "local_port", -1));
  f.text = str(file, *ft, "text", false);
  f.status = int32_t(number(file, *ft, "status", -1));
  f.scheme = str(file, *ft, "scheme", false);
  m.failures.push_back(f);
  int64_t next_id = 100;
  if (const toml::array* evs = ct.get_as<toml::array>("events")) {
    for (const auto& en : *evs) {
      const toml::table* et = en.as_table();
      if (!et) fail(file, &en, "events must be tables");
      check_keys(file, *et, {"role", "category", "at", "server_port", "client_port", "server_ip", "status", "detail", "action", "client"},
                 "events");
      Ev e;
      e.id = next_id++;
      e.source_id = 2;
      e.role = role_from_string(str(file, *et, "role", true));
      e.category = m.strings.id(str(file, *et, "category", true));
      if (et->get("at")) e.ts = kCaseEpochUs + int64_t(number(file, *et, "at", 0) * 1e6);
      e.server_port = int32_t(number(file, *et, "server_port", -1));
      e.client_port = int32_t(number(file, *et, "client_port", -1));
      e.status = int32_t(number(file, *et, "status", -1));
      e.server_ip = m.strings.id(str(file, *et, "server_ip", false));
      e.detail = m.strings.id(str(file, *et, "detail", false));
      e.action = m.strings.id(str(file, *et, "action", false));
      if (e.role == Role::client) m.client_requests.push_back(e);
      else m.events.push_back(e);
    }
  }
  if (const toml::array* ss = ct.get_as<toml::array>("settings")) {
    for (const auto& sn : *ss) {
      const toml::table* st = sn.as_table();
      if (!st) fail(file, &sn, "settings must be tables");
      check_keys(file, *st, {"component", "key", "value_ms", "value", "text", "raw", "listener", "assumed"}, "settings");
      SettingRec s;
      s.id = next_id++;
      s.component = str(file, *st, "component", true);
      s.key = str(file, *st, "key", true);
      if (st->get("value_ms")) s.value = int64_t(number(file, *st, "value_ms", 0));
      else if (st->get("value")) s.value = int64_t(number(file, *st, "value", 0));
      s.text = str(file, *st, "text", false);
      s.raw = str(file, *st, "raw", false);
      s.listener = str(file, *st, "listener", false);
      if (!s.listener.empty()) {
        std::string_view h;
        int64_t p;
        split_host_port(s.listener, h, p);
        s.port = int32_t(p);
      }
      s.assumed = boolean(file, *st, "assumed", false);
      m.settings.push_back(s);
    }
  }
  m.sort();
  r.cases.push_back(std::move(c));
}

}  // namespace

Rule parse_rule(std::string_view text, const std::string& file) {
  toml::table t;
  try {
    t = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    throw RuleError(fmt::format("{}:{}: {}", file, e.source().begin.line, e.description()));
  }
  check_keys(file, t,
             {"id", "class", "title", "strategy", "kinds", "confidence", "explanation", "recommendation", "evidence",
              "idle", "client", "setting", "case"},
             "the rule");
  Rule r;
  r.file = file;
  r.id = str(file, t, "id", true);
  r.cause_class = str(file, t, "class", true);
  if (std::find(kClasses.begin(), kClasses.end(), r.cause_class) == kClasses.end())
    fail(file, t.get("class"), "unknown cause class '" + r.cause_class + "' (see shared/spec/incidents.md)");
  r.title = str(file, t, "title", true);
  r.strategy = str(file, t, "strategy", true);
  if (std::find(kStrategies.begin(), kStrategies.end(), r.strategy) == kStrategies.end())
    fail(file, t.get("strategy"), "strategy must be evidence, idle-gap, client-only or setting");
  r.kinds = strings(file, t, "kinds");
  for (const auto& k : r.kinds)
    if (std::find(kKinds.begin(), kKinds.end(), k) == kKinds.end()) fail(file, t.get("kinds"), "unknown failure kind '" + k + "'");
  r.confidence = number(file, t, "confidence", -1);
  if (r.confidence < 0 || r.confidence > 1) fail(file, t.get("confidence"), "confidence must be between 0 and 1");
  r.explanation = str(file, t, "explanation", true);
  r.recommendation = str(file, t, "recommendation", false);
  check_placeholders(file, t, "explanation", r.strategy);
  check_placeholders(file, t, "recommendation", r.strategy);
  if (r.strategy == "evidence") {
    const toml::table* e = t.get_as<toml::table>("evidence");
    if (!e) fail(file, &t, "an evidence rule needs an [evidence] table");
    check_keys(file, *e,
               {"roles", "categories", "status", "detail", "actions", "before", "after", "require_client_port",
                "client_scheme", "unless_client_text", "target_listener", "client_text", "unless_detail", "shared"},
               "[evidence]");
    r.target_listener = str(file, *e, "target_listener", false);
    if (!r.target_listener.empty() && r.target_listener != "tls" && r.target_listener != "plain")
      fail(file, e->get("target_listener"), "target_listener must be \"tls\" or \"plain\"");
    r.client_text = strings(file, *e, "client_text");
    r.client_scheme = str(file, *e, "client_scheme", false);
    if (!r.client_scheme.empty() && r.client_scheme != "http" && r.client_scheme != "https")
      fail(file, e->get("client_scheme"), "client_scheme must be \"http\" or \"https\"");
    r.unless_client_text = strings(file, *e, "unless_client_text");
    for (const auto& s : strings(file, *e, "roles")) {
      Role role = role_from_string(s);
      if (role == Role::unknown) fail(file, e->get("roles"), "unknown role '" + s + "'");
      r.roles.push_back(role);
    }
    r.categories = strings(file, *e, "categories");
    if (r.categories.empty()) fail(file, e, "[evidence] needs categories");
    r.statuses = statuses(file, *e, "status");
    r.detail_contains = strings(file, *e, "detail");
    r.unless_detail = strings(file, *e, "unless_detail");
    r.shared_evidence = boolean(file, *e, "shared", false);
    r.actions = strings(file, *e, "actions");
    r.before_us = duration_us(file, *e, "before", r.before_us);
    r.after_us = duration_us(file, *e, "after", r.after_us);
    r.require_client_port = boolean(file, *e, "require_client_port", false);
  } else if (r.strategy == "setting") {
    const toml::table* e = t.get_as<toml::table>("setting");
    if (!e) fail(file, &t, "a setting rule needs a [setting] table");
    check_keys(file, *e, {"keys", "contains"}, "[setting]");
    r.setting_keys = strings(file, *e, "keys");
    r.setting_contains = strings(file, *e, "contains");
    if (r.setting_keys.empty()) fail(file, e, "[setting] needs keys = [setting keys]");
  } else if (r.strategy == "idle-gap") {
    const toml::table* e = t.get_as<toml::table>("idle");
    if (!e) fail(file, &t, "an idle-gap rule needs an [idle] table");
    check_keys(file, *e, {"settings", "tolerance"}, "[idle]");
    r.setting_keys = strings(file, *e, "settings");
    if (r.setting_keys.empty()) fail(file, e, "[idle] needs settings = [keys of idle timeouts]");
    r.tolerance = number(file, *e, "tolerance", r.tolerance);
  } else {
    if (const toml::table* e = t.get_as<toml::table>("client")) {
      check_keys(file, *e, {"text", "level_hidden_bonus", "settings"}, "[client]");
      r.client_text = strings(file, *e, "text");
      r.setting_keys = strings(file, *e, "settings");
      r.level_hidden_bonus = number(file, *e, "level_hidden_bonus", 0);
    }
    if (r.confidence > 0.5) fail(file, t.get("confidence"), "a client-only rule is a guess: confidence must be <= 0.5");
  }
  if (const toml::array* cases = t.get_as<toml::array>("case")) {
    for (const auto& cn : *cases) {
      const toml::table* ct = cn.as_table();
      if (!ct) fail(file, &cn, "[[case]] must be a table");
      load_case(file, *ct, r);
    }
  }
  bool has_match = false, has_no_match = false;
  for (const auto& c : r.cases) (c.expect_match ? has_match : has_no_match) = true;
  if (!has_match || !has_no_match)
    fail(file, &t, "a rule needs at least one [[case]] that must match and one that must not");
  return r;
}

std::vector<Rule> load_rules(const std::vector<std::string>& dirs) {
  std::vector<Rule> out;
  for (const std::string& d : dirs) {
    std::error_code ec;
    if (!fs::is_directory(d, ec)) throw RuleError(d + ": not a folder of rules");
    std::vector<fs::path> files;
    for (const auto& de : fs::directory_iterator(d, ec))
      if (de.path().extension() == ".toml") files.push_back(de.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      std::ifstream in(f);
      std::stringstream ss;
      ss << in.rdbuf();
      Rule r = parse_rule(ss.str(), f.string());
      for (const auto& o : out)
        if (o.id == r.id) throw RuleError(f.string() + ":1: rule id '" + r.id + "' is also defined in " + o.file);
      out.push_back(std::move(r));
    }
  }
  return out;
}

std::string default_rules_dir() {
  if (const char* env = std::getenv("RSTSCOPE_RULES")) return env;
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n > 0) {
    buf[n] = 0;
    fs::path exe(buf);
    for (fs::path p : {exe.parent_path() / "../share/rstscope/rules", exe.parent_path() / "rules",
                       exe.parent_path() / "../rules"}) {
      std::error_code ec;
      if (fs::is_directory(p, ec)) return fs::weakly_canonical(p, ec).string();
    }
  }
  return std::string(RSTSCOPE_SOURCE_DIR) + "/rules";
}

}  // namespace rstscope::correlate
