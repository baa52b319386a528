// Recommendations derived from a finding's cause class and its evidence, for findings whose
// correlator left findings.recommendation empty. Each names the setting, its value and where it
// was read (or that it was assumed), so that the advice is concrete, not boilerplate.
#include <algorithm>
#include <set>

#include "report/format.h"
#include "report/model.h"
#include "rstscope/text.h"

namespace rstscope::report {
namespace {

struct Gathered {
  std::vector<SettingRow> settings;
  std::vector<EventRow> events;
};

Gathered gather(const Finding& f, const std::vector<Incident>& incidents) {
  Gathered g;
  std::set<int64_t> seen_s, seen_e;
  size_t looked = 0;
  for (size_t idx : f.incidents) {
    if (++looked > 50) break;
    for (const auto& ev : incidents[idx].evidence) {
      if (ev.is_setting) {
        if (seen_s.insert(ev.setting.id).second) g.settings.push_back(ev.setting);
      } else if (seen_e.insert(ev.event.id).second) {
        g.events.push_back(ev.event);
      }
    }
  }
  return g;
}

bool key_has(const SettingRow& s, std::initializer_list<std::string_view> words) {
  for (auto w : words)
    if (icontains(s.key, w)) return true;
  return false;
}

const SettingRow* find_setting(const Gathered& g, bool client,
                               std::initializer_list<std::string_view> words, bool duration) {
  for (const auto& s : g.settings) {
    bool is_client = iequals(s.component, "client");
    if (is_client != client) continue;
    if (duration && !(s.unit == "ms" && s.value != kNull)) continue;
    if (words.size() == 0 || key_has(s, words)) return &s;
  }
  return nullptr;
}

bool has_category(const Gathered& g, std::string_view prefix) {
  for (const auto& e : g.events)
    if (starts_with(e.category, prefix)) return true;
  return false;
}

const EventRow* first_role(const Gathered& g, std::initializer_list<std::string_view> roles) {
  for (const auto& e : g.events)
    for (auto r : roles)
      if (e.role == r) return &e;
  return nullptr;
}

// "nginx keepalive_timeout 75 s (config/nginx.conf:31)" / "(assumed default)".
std::string describe(const SettingRow& s) {
  std::string out = s.component.empty() ? s.key : s.component + " " + s.key;
  out += " " + setting_value(s);
  out += s.assumed() ? " (assumed default)" : " (" + setting_location(s) + ")";
  return out;
}

std::string on_where(const SettingRow* s, const Finding& f) {
  if (s && !s->listener.empty()) return " on " + s->listener;
  if (!f.endpoint.empty()) return " on " + f.endpoint;
  return "";
}

std::string endpoint_or(const Finding& f, std::string_view dflt) {
  return f.endpoint.empty() ? std::string(dflt) : f.endpoint;
}

}  // namespace

std::string derive_recommendation(const Finding& f, const std::vector<Incident>& incidents) {
  Gathered g = gather(f, incidents);
  const std::string& c = f.cause_class;
  if (c == "idle-timeout") {
    const SettingRow* server =
        find_setting(g, false, {"keepalive", "keep-alive", "idle", "timeout"}, true);
    const SettingRow* client = find_setting(g, true, {}, true);
    if (server && client) {
      return "client " + client->key + " " + setting_value(*client) + " (" + setting_location(*client) +
             ") exceeds " + describe(*server) + on_where(server, f) + ": set it below " +
             setting_value(*server) + " or raise " + server->key;
    }
    if (server) {
      return "client pool idle timeout exceeds " + describe(*server) + on_where(server, f) +
             ": set it below " + setting_value(*server) + " or raise " + server->key +
             (server->assumed() ? "; the value is the documented default, so confirm it in the "
                                  "server's configuration first"
                                : "");
    }
    return "the client reused keep-alive connections that the server side of " +
           endpoint_or(f, "the endpoint") +
           " had already closed: set the client's pool idle timeout below the server's keep-alive "
           "timeout (not found in the bundle: add the proxy's configuration), or retry requests "
           "that fail on a reused connection";
  }
  if (c == "tls-mismatch") {
    const SettingRow* s = find_setting(g, false, {"protocol", "cipher", "ssl", "tls", "cert"}, false);
    std::string reason;
    for (const auto& e : g.events)
      if (starts_with(e.category, "tls")) {
        reason = !e.message.empty() ? e.message : e.category;
        break;
      }
    std::string out = "the TLS handshake with " + endpoint_or(f, "the server") + " fails";
    if (!reason.empty()) out += " (" + truncate_cols(clean_text(reason), 80) + ")";
    if (s)
      return out + ": the server allows " + describe(*s) + "; make the client offer one of these or widen " +
             s->key;
    return out + ": compare the TLS versions and ciphers the client offers with the server's "
                 "(openssl s_client -connect " +
           endpoint_or(f, "HOST:PORT") + ") and enable a common one";
  }
  if (c == "protocol-mismatch") {
    if (has_category(g, "plain-http-to-https"))
      return "the client sends plain HTTP to the TLS listener " + endpoint_or(f, "") +
             ": use https:// for this endpoint (or point it at a plain-HTTP listener)";
    return "the client and the listener " + endpoint_or(f, "") +
           " disagree on TLS: use https:// when the listener terminates TLS and http:// when it does "
           "not, and check the port";
  }
  if (c == "upstream-failure") {
    const EventRow* e = first_role(g, {"proxy", "server", "tls"});
    std::string out = "the backend behind " + endpoint_or(f, "the proxy") + " failed mid-request";
    if (e) out += " (" + event_location(*e) + ": " + (e->category.empty() ? e->role : e->category) + ")";
    return out + ": fix the backend's crash or early close (see its logs at " + human_time(f.first_ts) +
           "), and let the proxy retry idempotent requests on another server (proxy_next_upstream / "
           "retry-on)";
  }
  if (c == "server-timeout") {
    const SettingRow* s = find_setting(g, false, {"timeout"}, true);
    if (s)
      return "requests to " + endpoint_or(f, "the server") + " outlast " + describe(*s) +
             ": find the slow step in the backend, or raise " + s->key + " above the slowest expected "
             "response";
    return "a server-side timeout fired for " + endpoint_or(f, "the server") +
           ": find the slow step in the backend (its logs at " + human_time(f.first_ts) +
           "), or raise the proxy's read/send timeout; the value was not found in the bundle";
  }
  if (c == "request-rejected") {
    if (has_category(g, "body-too-large")) {
      const SettingRow* s = find_setting(g, false, {"body", "size"}, false);
      if (s)
        return "request bodies exceed " + describe(*s) + on_where(s, f) + ": raise " + s->key +
               " to the largest body the client sends, or send smaller bodies";
      return "request bodies to " + endpoint_or(f, "the server") +
             " exceed the server's limit: raise it (nginx client_max_body_size) or send smaller bodies";
    }
    if (has_category(g, "rate-limited")) {
      const SettingRow* s = find_setting(g, false, {"limit", "rate"}, false);
      return "the client exceeds the rate limit" + (s ? " " + describe(*s) : std::string()) + on_where(s, f) +
             ": spread or slow the client's requests, or raise the limit";
    }
    if (has_category(g, "conn-limited")) {
      const SettingRow* s = find_setting(g, false, {"conn", "max"}, false);
      return "the connection limit" + (s ? " " + describe(*s) : std::string()) + " was reached" +
             on_where(s, f) + ": reuse connections (keep-alive pool), or raise the limit";
    }
    const SettingRow* s = find_setting(g, false, {}, false);
    return "the server rejects these requests on purpose" + (s ? " (" + describe(*s) + ")" : std::string()) +
           ": check the rule that rejects them against what the client sends";
  }
  if (c == "firewall") {
    const EventRow* fw = first_role(g, {"firewall"});
    const SettingRow* s = find_setting(g, false, {"conntrack", "timeout", "idle"}, true);
    if (s)
      return "the firewall forgets idle flows after " + describe(*s) +
             ": set the client's TCP keepalive or pool idle timeout below " + setting_value(*s) +
             ", or raise " + s->key;
    return std::string("the firewall") + (fw ? " (" + event_location(*fw) + ")" : std::string()) +
           " reset or dropped flows to " + endpoint_or(f, "the server") +
           ": allow this flow in the rule that matched, or keep it alive below the device's idle "
           "timeout";
  }
  if (c == "server-unavailable") {
    const EventRow* e = first_role(g, {"server", "proxy"});
    return "nothing accepted connections on " + endpoint_or(f, "the server") + " between " +
           human_time(f.first_ts) + " and " + human_time(f.last_ts) +
           (e ? " (" + event_location(*e) + ")" : std::string()) +
           ": drain traffic before restarts (health checks, graceful reload), and retry refused "
           "connections with backoff";
  }
  return "review the evidence for " + endpoint_or(f, "this endpoint") + " (rule " +
         (f.rule.empty() ? std::string("-") : f.rule) + ")";
}

}  // namespace rstscope::report
