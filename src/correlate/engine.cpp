#include "correlate/engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "rstscope/text.h"
#include "rstscope/timeutil.h"

namespace rstscope::correlate {
namespace {

bool is_wildcard_or_loopback(std::string_view ip) {
  return ip.empty() || ip == "*" || ip == "0.0.0.0" || ip == "::" || ip == "[::]" || starts_with(ip, "127.") ||
         ip == "::1" || ip == "localhost" || ip == "_";
}

bool literal_ip(std::string_view s) { return looks_like_ipv4(s) || s.find(':') != std::string_view::npos; }

std::string secs(int64_t us) {
  double s = double(us) / 1e6;
  return s >= 10 ? fmt::format("{:.1f}", s) : fmt::format("{:.3g}", s);
}

// What a TLS failure was about, from a client's error text or a server's reason: version or cipher.
enum class TlsAbout { unknown, version, cipher };
TlsAbout tls_about(std::string_view t) {
  for (std::string_view k : {"protocol version", "unsupported protocol", "version too low", "no protocols available",
                             "wrong ssl version", "PROTOCOL_VERSION", "unsupported_protocol", "offered only unsupported versions"})
    if (icontains(t, k)) return TlsAbout::version;
  for (std::string_view k : {"no shared cipher", "handshake failure", "HANDSHAKE_FAILURE", "no ciphers", "no cipher", "cipher mismatch"})
    if (icontains(t, k)) return TlsAbout::cipher;
  return TlsAbout::unknown;
}

// How far past the end of a firewall line's second a failure may be logged and still count as
// inside it (client logging lag; see evidence_candidates).
constexpr int64_t kSecondBoundaryLag = 250'000;

bool has_port(const std::vector<int32_t>& v, int32_t p) { return std::find(v.begin(), v.end(), p) != v.end(); }

std::string fmt_ms_as_s(int64_t ms) {
  if (ms % 1000 == 0) return fmt::format("{} s", ms / 1000);
  return fmt::format("{:.3g} s", double(ms) / 1000.0);
}

}  // namespace

std::string render(const std::string& tmpl, const std::vector<std::pair<std::string, std::string>>& vars) {
  std::string out;
  out.reserve(tmpl.size() + 32);
  for (size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i] == '{') {
      size_t close = tmpl.find('}', i);
      if (close != std::string::npos) {
        std::string key = tmpl.substr(i + 1, close - i - 1);
        const std::string* value = nullptr;
        for (const auto& [k, v] : vars)
          if (k == key) {
            value = &v;
            break;
          }
        bool found = value != nullptr;
        if (found) {
          // An empty value closing a parenthesis takes its separator with it: "(category: )" becomes
          // "(category)" when the log gave no detail (HAProxy's "SSL handshake failure").
          if (value->empty() && close + 1 < tmpl.size() && tmpl[close + 1] == ')' && out.size() > 1 &&
              out.back() == ' ') {
            out.pop_back();
            if (out.back() == ':' || out.back() == ',') out.pop_back();
          }
          out += *value;
        }
        if (found) {
          i = close;
          continue;
        }
      }
    }
    out.push_back(tmpl[i]);
  }
  return out;
}

Engine::Engine(const Model& m, const std::vector<Rule>& rules) : m_(m), rules_(rules) {
  detail_about_.resize(m_.strings.size());
  for (uint32_t i = 0; i < detail_about_.size(); ++i) detail_about_[i] = uint8_t(tls_about(m_.strings.str(i)));
  for (uint32_t i = 0; i < m_.events.size(); ++i) {
    uint32_t c = m_.events[i].category;
    if (c >= by_category_.size()) by_category_.resize(c + 1);
    by_category_[c].push_back(i);
  }
  by_category_port_.resize(by_category_.size());
  timed_category_.assign(by_category_.size(), true);
  for (uint32_t c = 0; c < by_category_.size(); ++c)
    for (uint32_t i : by_category_[c]) {
      const Ev& e = m_.events[i];
      if (e.ts == kNull) timed_category_[c] = false;
      by_category_port_[c][e.server_port < 0 ? -1 : e.server_port].push_back(i);
    }
  uint32_t req = m_.strings.find("request");
  // Lines a server writes when a connection is being set up (a handshake, the first bytes).
  std::vector<uint32_t> setup;
  for (const char* c : {"tls-handshake-failed", "tls-handshake-closed", "tls-handshake-rejected", "tls-error",
                        "tls-client-cert", "tls-to-plain-port", "plain-http-to-https", "protocol-mismatch",
                        "bad-request", "conn-accepted"})
    setup.push_back(m_.strings.find(c));
  for (uint32_t i = 0; i < m_.events.size(); ++i) {
    const Ev& e = m_.events[i];
    if (e.client_port < 0 || e.ts == kNull) continue;
    if (e.category == req) server_requests_by_port_[e.client_port].push_back(i);
    else if (std::find(setup.begin(), setup.end(), e.category) != setup.end())
      server_setups_by_port_[e.client_port].push_back(i);
  }
  for (uint32_t i = 0; i < m_.client_requests.size(); ++i) {
    const Ev& e = m_.client_requests[i];
    if (e.client_port >= 0 && e.ts != kNull) client_requests_by_port_[e.client_port].push_back(i);
  }
  // Resolve every target host once through the alias map (names may chain: name -> name -> address).
  for (const Failure& f : m_.failures) {
    if (f.host.empty()) continue;
    std::string key = host_key(f.host);
    if (names_.count(key)) continue;
    NameInfo& ni = names_[key];
    std::vector<std::string> todo{key};
    for (size_t i = 0; i < todo.size() && i < 64; ++i) {
      const std::string cur = todo[i];
      auto& bucket = is_address(cur) ? ni.addrs : ni.names;
      if (std::find(bucket.begin(), bucket.end(), cur) != bucket.end()) continue;
      bucket.push_back(cur);
      if (is_address(cur) && i > 0) continue;  // an address's other names are not this name
      if (auto it = m_.aliases.find(cur); it != m_.aliases.end())
        for (const std::string& a : it->second) todo.push_back(a);
    }
    for (const std::string& n : ni.names) {
      if (auto it = m_.name_ports.find(n); it != m_.name_ports.end())
        for (int32_t p : it->second)
          if (!has_port(ni.ports, p)) ni.ports.push_back(p);
      if (auto it = m_.name_sources.find(n); it != m_.name_sources.end())
        ni.sources.insert(ni.sources.end(), it->second.begin(), it->second.end());
    }
  }
}

bool Engine::endpoint_matches(const Failure& f, const Ev& e, double& q, std::string_view* assumed,
                              bool* port_assumed) const {
  q = 1.0;
  if (assumed) *assumed = {};
  if (port_assumed) *port_assumed = false;
  if (f.port >= 0 && e.server_port >= 0 && f.port != e.server_port) return false;
  if (f.port >= 0 && e.server_port < 0) {
    auto it = m_.source_ports.find(e.source_id);
    if (it != m_.source_ports.end()) {
      // The line does not say its port, but its source serves these listeners.
      if (std::find(it->second.begin(), it->second.end(), f.port) == it->second.end()) return false;
      q *= it->second.size() == 1 ? 1.0 : 0.9;
    } else if (e.host_port) {
      // The Host header names the port the client asked for.
      if (e.host_port != f.port) return false;
    } else if (auto inf = m_.inferred_ports.find(e.source_id);
               inf != m_.inferred_ports.end() && has_port(inf->second, f.port)) {
      q *= 0.9;  // the client's own requests to that port are in this log
    } else {
      // Its source's listeners are unknown (no config): not a port that other sources show they serve.
      auto served = m_.port_sources.find(f.port);
      if (served != m_.port_sources.end() &&
          std::find(served->second.begin(), served->second.end(), e.source_id) == served->second.end())
        return false;
      q *= 0.75;
      if (assumed) *assumed = "endpoint assumed: the line does not say its port and no config names its listeners";
      if (port_assumed) *port_assumed = true;
    }
  } else if (f.port < 0 || e.server_port < 0) {
    q *= 0.75;  // port unknown on one side
  }
  if (f.host.empty() || is_wildcard_or_loopback(f.host)) return true;
  const std::string& sip = m_.strings.str(e.server_ip);
  // Wildcard and loopback listeners match any local address.
  if (!sip.empty() && is_wildcard_or_loopback(sip)) return true;
  if (ni_failure_ != &f) {  // once per failure, not per event of its window
    auto found = names_.find(host_key(f.host));
    ni_ = found == names_.end() ? nullptr : &found->second;
    ni_failure_ = &f;
  }
  const NameInfo* ni = ni_;
  bool target_ip = literal_ip(f.host);
  if (!target_ip && e.host && ni) {
    std::string eh = host_key(m_.strings.str(e.host));
    if (std::find(ni->names.begin(), ni->names.end(), eh) != ni->names.end()) return true;  // Host header / SNI
  }
  if (literal_ip(sip)) {
    if (sip == f.host || (ni && std::find(ni->addrs.begin(), ni->addrs.end(), sip) != ni->addrs.end())) return true;
    if (target_ip || (ni && !ni->addrs.empty())) return false;  // the target is known to be elsewhere
  }
  if (target_ip) return true;
  // A name target and a line that does not say its address.
  int32_t port = e.server_port >= 0 ? e.server_port : f.port;
  if (ni) {
    if (port >= 0 && has_port(ni->ports, port)) return true;  // a listener whose server_name it is
    if (std::find(ni->sources.begin(), ni->sources.end(), e.source_id) != ni->sources.end()) return true;
    if (!ni->addrs.empty()) {
      // The listener on that port is configured at other addresses only.
      auto la = port >= 0 ? m_.port_addrs.find(port) : m_.port_addrs.end();
      if (la != m_.port_addrs.end()) {
        bool any = false;
        for (const std::string& a : la->second)
          any |= a == "*" || is_wildcard_or_loopback(a) ||
                 std::find(ni->addrs.begin(), ni->addrs.end(), a) != ni->addrs.end();
        if (!any) return false;
      }
      return true;
    }
  }
  // The name resolves to nothing the bundle knows: same port only.
  q *= 0.9;
  if (assumed && assumed->empty()) *assumed = "endpoint assumed by port";
  return true;
}

std::string Engine::hidden_by_level(const Failure& f) const {
  // An nginx whose logs are in the bundle but whose config is not has its default level assumed
  // with no listener: it is "the only nginx there is" unless some nginx level is tied to listeners.
  bool any_listener = false;
  for (const SettingRec& s : m_.settings)
    if (s.component == "nginx" && s.key == "error_log_level" && s.port >= 0) any_listener = true;
  for (const SettingRec& s : m_.settings) {
    if (s.component != "nginx" || s.key != "error_log_level") continue;
    // Only the nginx that serves the failure's target: its listener, or the only nginx there is.
    if (s.port >= 0 ? s.port != f.port : (f.port >= 0 && any_listener)) continue;
    std::string lvl = s.text.empty() ? s.raw : s.text;
    if (lvl == "error" || lvl == "crit" || lvl == "alert" || lvl == "emerg" || lvl == "warn" || lvl == "notice")
      return fmt::format("nginx error_log level is '{}'{}: client resets and TLS handshake failures are logged at "
                         "'info' and never reach that log",
                         lvl, s.assumed ? " (default, assumed)" : "");
  }
  return {};
}

void Engine::evidence_candidates(const Rule& r, const Failure& f, std::vector<Candidate>& out) const {
  if (f.ts == kNull && f.local_port < 0) return;  // nothing to join on
  Candidate best;
  double best_score = 0;
  std::vector<std::pair<double, EvidenceRef>> support;  // other matching lines, for the evidence list
  if (about_failure_ != &f) {  // once per failure, not once per rule
    about_failure_ = &f;
    about_ = uint8_t(f.text.empty() ? TlsAbout::unknown : tls_about(f.text));
  }
  const TlsAbout failure_about = TlsAbout(about_);
  // One candidate line: the rule's conditions, the join, the score.
  auto consider = [&](uint32_t index) {
    const Ev& e = m_.events[index];
    if (!r.roles.empty() && std::find(r.roles.begin(), r.roles.end(), e.role) == r.roles.end()) return;
    if (!r.statuses.empty() && std::find(r.statuses.begin(), r.statuses.end(), e.status) == r.statuses.end()) return;
    if (!r.detail_contains.empty()) {
      const std::string& d = m_.strings.str(e.detail);
      bool any = false;
      for (const auto& s : r.detail_contains) any |= icontains(d, s);
      if (!any) return;
    }
    if (!r.unless_detail.empty()) {
      const std::string& d = m_.strings.str(e.detail);
      bool any = false;
      for (const auto& u : r.unless_detail) any |= icontains(d, u);
      if (any) return;
    }
    if (!r.actions.empty()) {
      const std::string& a = m_.strings.str(e.action);
      if (std::find(r.actions.begin(), r.actions.end(), a) == r.actions.end()) return;
    }
    double q;
    std::string_view assumed;
    bool port_assumed;
    if (!endpoint_matches(f, e, q, &assumed, &port_assumed)) return;
    // With its port only assumed, a line must not be about another request (another path); and
    // when its source is seen serving other ports, a stop or crash line (time alone) is not enough.
    if (port_assumed && !(f.local_port >= 0 && f.local_port == e.client_port)) {
      if (f.path_hash && e.path_hash && f.path_hash != e.path_hash) return;
      if (r.shared_evidence && (m_.inferred_ports.count(e.source_id) || m_.host_ports.count(e.source_id))) return;
    }
    // The connection: the same client port is the strongest join; a different one means NAT,
    // a load balancer, or simply another connection.
    std::string join;
    if (f.local_port >= 0 && e.client_port >= 0) {
      if (f.local_port == e.client_port) {
        join = "same client port";
      } else {
        if (r.require_client_port) return;
        q *= 0.55;
        join = "same endpoint and time (client ports differ: NAT or another connection)";
      }
    } else {
      if (r.require_client_port) return;
      q *= 0.8;
      join = "same endpoint and time";
    }
    if (!assumed.empty()) join += fmt::format(" ({})", assumed);
    double tq = 1.0;
    if (f.ts != kNull && e.ts != kNull) {
      // A time written to the second stands for the whole second [t, t+1s).
      bool whole_second = e.ts % 1'000'000 == 0;
      int64_t lo = e.ts, hi = whole_second ? e.ts + 999'999 : e.ts;
      int64_t d = f.ts < lo ? lo - f.ts : f.ts > hi ? f.ts - hi : 0;
      // A firewall line records the packet itself, and the client logs its failure some
      // milliseconds after it (a traceback is formatted first): a failure just past the end of
      // the packet's second is as close as one inside it, so the lines of a burst that straddles
      // a second boundary are still taken in order (claims). Proxy lines are written when the
      // request ends, so for them the second that holds the failure stays the better one.
      if (whole_second && e.role == Role::firewall && d <= kSecondBoundaryLag) d = 0;
      int64_t span = std::max<int64_t>(1, e.ts < f.ts ? r.before_us : r.after_us);
      // Sub-second closeness breaks ties between lines of the same second; beyond that confidence
      // falls linearly to 0.65 at the window's edge.
      tq = d <= 1'000'000 ? 1.0 - 0.05 * double(d) / 1e6 : 0.95 - 0.3 * double(d) / double(span);
    } else {
      tq = 0.6;
      join += ", no time on one side";
    }
    // The client's own words agree (or not) with the server's: TLS version vs cipher, HTTP status.
    if (!f.text.empty() && e.detail) {
      TlsAbout a = failure_about, b = TlsAbout(detail_about_[e.detail]);
      if (a != TlsAbout::unknown && b != TlsAbout::unknown) q *= a == b ? 1.05 : 0.7;
    }
    if (f.status > 0 && e.status > 0) q *= f.status == e.status ? 1.05 : 0.6;
    if (!r.shared_evidence)
      if (auto c = claimed_.find(e.id); c != claimed_.end()) q *= std::pow(0.9, c->second);
    double score = r.confidence * q * tq;
    support.push_back({score, {e.id, 0, std::string(to_string(e.role)), m_.strings.str(e.category) + ": " + join}});
    if (score > best_score) {
      best_score = score;
      best = Candidate{};
      best.rule = &r;
      best.confidence = score;
      const std::string& c = m_.strings.str(e.category);
      std::string delta = (f.ts != kNull && e.ts != kNull)
                              ? fmt::format("{} s {} the failure", secs(std::llabs(e.ts - f.ts)),
                                            e.ts <= f.ts ? "before" : "after")
                              : "at an unknown time offset";
      const SourceRec* src = m_.source(e.source_id);
      best.evidence.push_back({e.id, 0, std::string(to_string(e.role)), fmt::format("{}: {}, {}", c, join, delta)});
      std::vector<std::pair<std::string, std::string>> vars = {{"category", c},
                                                 {"delta", delta},
                                                 {"join", join},
                                                 {"source", src ? src->path : ""},
                                                 {"target", f.host + (f.port >= 0 ? ":" + std::to_string(f.port) : "")},
                                                 {"local_port", f.local_port >= 0 ? std::to_string(f.local_port) : "?"},
                                                 {"status", e.status >= 0 ? std::to_string(e.status) : "-"},
                                                 {"detail", m_.strings.str(e.detail)}};
      best.explanation = render(r.explanation, vars);
      best.recommendation = render(r.recommendation, vars);
    }
  };
  for (const std::string& cat : r.categories) {
    uint32_t cid = m_.strings.find(cat);
    if (cid == UINT32_MAX || cid >= by_category_.size()) continue;
    const auto& idx = by_category_[cid];
    auto window = [&](const std::vector<uint32_t>& list, size_t& lo, size_t& hi) {
      lo = 0, hi = list.size();
      if (f.ts == kNull) return;
      int64_t from = f.ts - r.before_us, to = f.ts + r.after_us;
      lo = size_t(std::lower_bound(list.begin(), list.end(), from,
                                   [&](uint32_t i, int64_t t) { return m_.events[i].ts < t; }) - list.begin());
      hi = size_t(std::upper_bound(list.begin(), list.end(), to,
                                   [&](int64_t t, uint32_t i) { return t < m_.events[i].ts; }) - list.begin());
    };
    if (f.port < 0 || !timed_category_[cid]) {
      // Any listener may be the failure's (or the category has lines without a time): the whole window.
      size_t lo, hi;
      window(idx, lo, hi);
      for (size_t k = lo; k < hi && k < lo + kMaxWindow; ++k) consider(idx[k]);
      continue;
    }
    // The failure's listener and the lines that do not say theirs, merged back into time order:
    // lines of other listeners never match (endpoint_matches), so they are not visited at all.
    const std::vector<uint32_t>* lists[2] = {nullptr, nullptr};
    const auto& ports = by_category_port_[cid];
    if (auto it = ports.find(f.port); it != ports.end()) lists[0] = &it->second;
    if (auto it = ports.find(-1); it != ports.end()) lists[1] = &it->second;
    size_t lo[2] = {0, 0}, hi[2] = {0, 0};
    for (int j = 0; j < 2; ++j)
      if (lists[j]) window(*lists[j], lo[j], hi[j]);
    for (size_t n = 0; n < kMaxWindow; ++n) {
      bool a = lo[0] < hi[0], b = lo[1] < hi[1];
      if (!a && !b) break;
      int j = a && (!b || (*lists[0])[lo[0]] < (*lists[1])[lo[1]]) ? 0 : 1;
      consider((*lists[j])[lo[j]++]);
    }
  }
  if (best.rule) {
    // Up to two more lines that support the same cause about as well (the access-log line beside
    // the error-log line of one request).
    std::stable_sort(support.begin(), support.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    int64_t best_id = best.evidence.front().event_id;
    for (const auto& [score, ref] : support) {
      if (best.evidence.size() >= 3 || score < best_score * 0.85) break;
      if (ref.event_id == best_id || claimed_.count(ref.event_id)) continue;
      best.evidence.push_back(ref);
    }
    out.push_back(std::move(best));
  }
}

void Engine::idle_candidates(const Rule& r, const Failure& f, std::vector<Candidate>& out) const {
  if (f.ts == kNull || f.local_port < 0) return;
  // The previous request on the same connection: same local port and endpoint, before the failure,
  // in the client's own log or in a proxy/server log.
  const Ev* prev = nullptr;
  auto consider = [&](const std::unordered_map<int32_t, std::vector<uint32_t>>& index, const std::vector<Ev>& list) {
    auto found = index.find(f.local_port);
    if (found == index.end()) return;
    const auto& idx = found->second;
    auto it = std::lower_bound(idx.begin(), idx.end(), f.ts, [&](uint32_t i, int64_t t) { return list[i].ts < t; });
    for (size_t n = 0; it != idx.begin() && n < 64; ++n) {
      --it;
      const Ev& e = list[*it];
      double q;
      if (!endpoint_matches(f, e, q)) continue;
      if (!prev || e.ts > prev->ts) prev = &e;
      break;
    }
  };
  consider(client_requests_by_port_, m_.client_requests);
  consider(server_requests_by_port_, m_.events);
  if (!prev) return;
  int64_t gap = f.ts - prev->ts;
  if (gap <= 0) return;
  // The server saw a connection being set up from the same client port after that request (a TLS
  // handshake, plain HTTP on a TLS port, ...): the failing request went out on a new connection that
  // got the same port number again, not on the idle one. Its line may come up to 5 s after the
  // client's failure (log lag, clock skew), as in the evidence rules.
  if (auto found = server_setups_by_port_.find(f.local_port); found != server_setups_by_port_.end()) {
    constexpr int64_t kSetupAfterUs = 5'000'000;
    const auto& idx = found->second;
    auto it = std::upper_bound(idx.begin(), idx.end(), prev->ts,
                               [&](int64_t t, uint32_t i) { return t < m_.events[i].ts; });
    for (; it != idx.end() && m_.events[*it].ts <= f.ts + kSetupAfterUs; ++it) {
      double q;
      if (endpoint_matches(f, m_.events[*it], q)) return;
    }
  }
  // The idle timeout of the listener the client talked to.
  const SettingRec* best = nullptr;
  for (const SettingRec& s : m_.settings) {
    if (s.value == kNull || s.value <= 0) continue;
    if (std::find(r.setting_keys.begin(), r.setting_keys.end(), s.key) == r.setting_keys.end()) continue;
    if (s.port >= 0 && f.port >= 0 && s.port != f.port) continue;
    // prefer: read over assumed, a listener-specific value over a global one, then the shortest
    auto rank = [&](const SettingRec& x) {
      return (x.assumed ? 0 : 4) + (x.port >= 0 && x.port == f.port ? 2 : 0);
    };
    if (!best || rank(s) > rank(*best) || (rank(s) == rank(*best) && s.value < best->value)) best = &s;
  }
  if (!best) return;
  int64_t timeout_us = best->value * 1000;
  if (double(gap) < double(timeout_us) * (1.0 - r.tolerance)) return;
  Candidate c;
  c.rule = &r;
  double conf = r.confidence * (best->assumed ? 0.8 : 1.0);
  // An idle gap far beyond the timeout is still consistent, but less specific.
  if (gap > timeout_us * 20) conf *= 0.85;
  c.confidence = conf;
  c.listener = best->listener;
  std::string comp = best->component.empty() ? "the server" : best->component;
  c.evidence.push_back({prev->id, 0, std::string(to_string(prev->role)),
                        fmt::format("last request on connection :{} before the failure, {} s earlier", f.local_port,
                                    secs(gap))});
  c.evidence.push_back({0, best->id, "config",
                        fmt::format("{} {} = {}{}", comp, best->key, best->raw.empty() ? fmt_ms_as_s(best->value) : best->raw,
                                    best->assumed ? " (documented default, assumed)" : "")});
  std::vector<std::pair<std::string, std::string>> vars = {{"local_port", std::to_string(f.local_port)},
                                         {"idle_s", secs(gap)},
                                         {"component", comp},
                                         {"setting_key", best->key},
                                         {"setting_value", best->raw.empty() ? fmt_ms_as_s(best->value) : best->raw},
                                         {"timeout_s", fmt_ms_as_s(best->value)},
                                         {"assumed", best->assumed ? " (documented default; no config in the bundle)" : ""},
                                         {"listener", best->listener},
                                         {"target", f.host + (f.port >= 0 ? ":" + std::to_string(f.port) : "")}};
  c.explanation = render(r.explanation, vars);
  c.recommendation = render(r.recommendation, vars);
  out.push_back(std::move(c));
}

void Engine::client_only_candidates(const Rule& r, const Failure& f, std::vector<Candidate>& out) const {
  if (!r.client_text.empty()) {
    bool any = false;
    for (const auto& t : r.client_text) any |= icontains(f.text, t);
    if (!any) return;
  }
  Candidate c;
  c.rule = &r;
  c.confidence = r.confidence;
  std::string hidden = hidden_by_level(f);
  if (!hidden.empty()) c.confidence += r.level_hidden_bonus;
  // The target listener's own TLS settings support the guess (its TLS floor, its ciphers).
  if (!r.setting_keys.empty() && f.port >= 0) {
    TlsAbout about = tls_about(f.text);
    const SettingRec* best = nullptr;
    for (const SettingRec& s : m_.settings) {
      if (s.assumed || s.port != f.port) continue;
      if (std::find(r.setting_keys.begin(), r.setting_keys.end(), s.key) == r.setting_keys.end()) continue;
      bool cipher_key = icontains(s.key, "cipher");
      bool fits = about == TlsAbout::unknown || (about == TlsAbout::cipher) == cipher_key;
      if (!best || (fits && !(about == TlsAbout::unknown || (about == TlsAbout::cipher) == icontains(best->key, "cipher"))))
        best = &s;
    }
    if (best) {
      c.confidence += 0.1;
      c.evidence.push_back({0, best->id, "config",
                            fmt::format("{} {} {} on {}", best->component, best->key, best->raw, best->listener)});
    }
  }
  std::vector<std::pair<std::string, std::string>> vars = {
      {"target", f.host + (f.port >= 0 ? ":" + std::to_string(f.port) : "")},
      {"hidden", hidden.empty() ? "" : " " + hidden + "."}};
  c.explanation = render(r.explanation, vars);
  c.recommendation = render(r.recommendation, vars);
  out.push_back(std::move(c));
}

void Engine::setting_candidates(const Rule& r, const Failure& f, std::vector<Candidate>& out) const {
  if (f.port < 0) return;
  for (const SettingRec& s : m_.settings) {
    if (s.assumed || s.port != f.port) continue;
    if (std::find(r.setting_keys.begin(), r.setting_keys.end(), s.key) == r.setting_keys.end()) continue;
    if (!r.setting_contains.empty()) {
      bool any = false;
      for (const auto& c : r.setting_contains) any |= icontains(s.raw, c) || icontains(s.text, c);
      if (!any) continue;
    }
    Candidate c;
    c.rule = &r;
    c.confidence = r.confidence;
    c.listener = s.listener;
    std::string value = s.raw.empty() ? s.text : s.raw;
    c.evidence.push_back({0, s.id, "config", fmt::format("{} {} {} on {}", s.component, s.key, value, s.listener)});
    std::vector<std::pair<std::string, std::string>> vars = {
        {"component", s.component}, {"setting_key", s.key}, {"setting_value", value}, {"listener", s.listener},
        {"target", f.host + ":" + std::to_string(f.port)}};
    c.explanation = render(r.explanation, vars);
    c.recommendation = render(r.recommendation, vars);
    out.push_back(std::move(c));
    return;
  }
}

std::vector<Candidate> Engine::candidates(const Rule& r, const Failure& f) const {
  std::vector<Candidate> out;
  if (!r.kinds.empty() && std::find(r.kinds.begin(), r.kinds.end(), f.kind) == r.kinds.end()) return out;
  if (!r.client_scheme.empty() && !f.scheme.empty() && f.scheme != r.client_scheme) return out;
  if (!r.target_listener.empty() && f.port >= 0) {
    bool tls = has_port(m_.tls_ports, f.port), plain = has_port(m_.plain_ports, f.port);
    if ((r.target_listener == "tls" && plain && !tls) || (r.target_listener == "plain" && tls)) return out;
  }
  if (r.strategy == "evidence" && !r.client_text.empty()) {
    bool any = false;
    for (const auto& t : r.client_text) any |= icontains(f.text, t);
    if (!any) return out;
  }
  for (const auto& t : r.unless_client_text)
    if (icontains(f.text, t)) return out;
  if (r.strategy == "evidence") evidence_candidates(r, f, out);
  else if (r.strategy == "idle-gap") idle_candidates(r, f, out);
  else if (r.strategy == "client-only") client_only_candidates(r, f, out);
  else if (r.strategy == "setting") setting_candidates(r, f, out);
  return out;
}

Verdict Engine::explain(const Failure& f) const {
  Verdict v;
  v.failure = &f;
  std::vector<Candidate> all;
  for (const Rule& r : rules_)
    for (Candidate& c : candidates(r, f)) all.push_back(std::move(c));
  std::stable_sort(all.begin(), all.end(), [](const Candidate& a, const Candidate& b) { return a.confidence > b.confidence; });
  if (all.empty() || all[0].confidence < 0.15) {
    v.cause_class = "unexplained";
    v.rule = "unexplained.no-evidence";
    v.confidence = 0;
    std::vector<std::string> searched;
    for (const SourceRec& s : m_.sources) {
      if (s.role == Role::client || s.role == Role::config || s.events == 0) continue;
      searched.push_back(s.path);
    }
    std::string list;
    for (size_t i = 0; i < searched.size() && i < 12; ++i) list += (i ? ", " : "") + searched[i];
    if (searched.size() > 12) list += fmt::format(" and {} more", searched.size() - 12);
    v.searched = list;
    std::string hidden = hidden_by_level(f);
    v.explanation = searched.empty()
                        ? "no server-side, proxy, TLS or firewall log in the bundle: nothing to correlate with"
                        : fmt::format("no server-side evidence for this {} failure in {}; the cause lies outside "
                                      "them (an unlogged close, or a device not in the bundle){}",
                                      f.kind, list, hidden.empty() ? "" : ". Note: " + hidden);
    for (auto& c : all) v.alternatives.push_back(std::move(c));
    return v;
  }
  Candidate& best = all[0];
  double conf = best.confidence;
  // A near-tie with another cause class means we cannot tell them apart well.
  for (size_t i = 1; i < all.size(); ++i)
    if (all[i].rule->cause_class != best.rule->cause_class && all[i].confidence > conf - 0.05) {
      conf *= 0.8;
      break;
    }
  // Only the primary line is taken; supporting lines stay free for the next failure.
  for (const EvidenceRef& e : best.evidence)
    if (e.event_id && !best.rule->shared_evidence) {
      ++claimed_[e.event_id];
      break;
    }
  v.cause_class = best.rule->cause_class;
  v.rule = best.rule->id;
  v.confidence = std::clamp(conf, 0.0, 0.99);
  v.explanation = best.explanation;
  v.evidence = best.evidence;
  v.recommendation = best.recommendation;
  for (size_t i = 1; i < all.size(); ++i) v.alternatives.push_back(std::move(all[i]));
  return v;
}

}  // namespace rstscope::correlate
