// Recommendations derived from a finding's cause class, its evidence and the settings of its
// listener. Each names what the bundle proves: the setting, its value and where it was read (or that
// it is an assumed default), the TLS reason, the backend address and status, the firewall rule line.
// When nothing concrete is known the text is generic (Derived::concrete = false) and the rule's
// template, if any, is shown instead (Finding::advice()).
#include <algorithm>
#include <cstdlib>
#include <set>

#include "report/format.h"
#include "report/model.h"
#include "rstscope/text.h"

namespace rstscope::report {
namespace {

struct Gathered {
  std::vector<SettingRow> settings;  // settings in the evidence
  std::vector<EventRow> events;      // log lines in the evidence, in incident order
  std::vector<const SettingRow*> listener;  // every setting of the finding's listener
};

bool is_ip_literal(std::string_view h) {
  if (h.find(':') != std::string_view::npos) return true;
  return !h.empty() && std::all_of(h.begin(), h.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

// A listener ("10.0.0.9:443", "*:443", "0.0.0.0:443", "[::]:443") serves the endpoint a client
// named ("10.0.0.9:443", "api.example.com:443") when the ports agree and the addresses do, or the
// listener is a wildcard, or the client named a host (its address is not in the logs).
bool serves(std::string_view listener, std::string_view endpoint) {
  if (listener.empty() || endpoint.empty()) return false;
  std::string_view lh, eh;
  int64_t lp = -1, ep = -1;
  split_host_port(listener, lh, lp);
  split_host_port(endpoint, eh, ep);
  if (lp < 0 || lp != ep) return false;
  if (lh.empty() || lh == "*" || lh == "0.0.0.0" || lh == "::" || iequals(lh, eh)) return true;
  return !is_ip_literal(eh);
}

Gathered gather(const Finding& f, const std::vector<Incident>& incidents, const std::vector<SettingRow>& all) {
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
  for (const auto& s : all)
    if (serves(s.listener, f.endpoint)) g.listener.push_back(&s);
  return g;
}

bool key_has(const SettingRow& s, std::initializer_list<std::string_view> words) {
  for (auto w : words)
    if (icontains(s.key, w)) return true;
  return false;
}

const SettingRow* find_setting(const Gathered& g, bool client, std::initializer_list<std::string_view> words,
                               bool duration) {
  for (const auto& s : g.settings) {
    bool is_client = starts_with(s.component, "client");
    if (is_client != client) continue;
    if (duration && !(s.unit == "ms" && s.value != kNull)) continue;
    if (words.size() == 0 || key_has(s, words)) return &s;
  }
  return nullptr;
}

// The location prefix of an nginx scope ("server api location /upload" -> "/upload"); "" when the
// scope has none. A regex location ("~ ...") returns "~" (applies to no path we can check).
std::string location_of(std::string_view scope) {
  size_t at = scope.find("location ");
  if (at == std::string_view::npos) return {};
  std::string_view loc = trim(scope.substr(at + 9));
  if (starts_with(loc, "^~ ")) loc = trim(loc.substr(3));
  else if (starts_with(loc, "= ")) loc = trim(loc.substr(2));
  else if (starts_with(loc, "~")) return "~";
  return std::string(loc);
}

// The listener's setting with one of `keys` (exact, case-insensitive) that applies to `path`: the
// longest matching location wins, then a setting read from a file over an assumed default. With
// `scope` (e.g. "backend be_orders") a setting of that scope wins over the others.
const SettingRow* listener_setting(const Gathered& g, std::initializer_list<std::string_view> keys,
                                   std::string_view path = {}, std::string_view scope = {}) {
  const SettingRow* best = nullptr;
  int best_score = -1;
  for (const SettingRow* s : g.listener) {
    bool hit = false;
    for (auto k : keys) hit |= iequals(s->key, k);
    if (!hit) continue;
    std::string loc = location_of(s->scope);
    int score = 0;
    if (!loc.empty()) {
      if (loc == "~" || path.empty() || !starts_with(path, loc)) continue;
      score += 10 + int(loc.size());
    }
    if (!s->assumed()) score += 5;
    if (!scope.empty() && iequals(s->scope, scope)) score += 1000;
    if (score > best_score) best = s, best_score = score;
  }
  return best;
}

const SettingRow* listener_setting_where(const Gathered& g, bool (*pred)(const SettingRow&)) {
  for (const SettingRow* s : g.listener)
    if (pred(*s)) return s;
  return nullptr;
}

const EventRow* first_event(const Gathered& g, std::initializer_list<std::string_view> categories) {
  for (const auto& e : g.events)
    for (auto c : categories)
      if (e.category == c) return &e;
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
  out += " " + clean_text(setting_value(s));
  std::string where = s.assumed() ? "assumed default" : setting_location(s);
  std::string loc = location_of(s.scope);
  if (!loc.empty() && loc != "~") where += ", location " + loc;
  return out + " (" + clean_text(where) + ")";
}

std::string on_where(const SettingRow* s, const Finding& f) {
  if (s && !s->listener.empty()) return " on " + s->listener;
  if (!f.endpoint.empty()) return " on " + f.endpoint;
  return "";
}

std::string endpoint_or(const Finding& f, std::string_view dflt) {
  return f.endpoint.empty() ? std::string(dflt) : clean_text(f.endpoint);
}

// A short quote of a log message: clean, at most `cols` columns.
std::string quote(std::string_view s, size_t cols = 70) { return truncate_cols(clean_text(s), cols); }

// "GET /upload" from an event (the path without its query string).
std::string request_of(const EventRow& e) {
  std::string p = e.path.substr(0, e.path.find('?'));
  if (p.empty()) return {};
  return clean_text(e.method.empty() ? p : e.method + " " + p);
}

std::string path_of(const Gathered& g) {
  for (const auto& e : g.events)
    if (!e.path.empty() && e.path.front() == '/') return e.path.substr(0, e.path.find('?'));
  return {};
}

// HTTP statuses the server-side lines carry, distinct, in order: "502", "502 and 503".
std::string statuses(const Gathered& g) {
  std::vector<int64_t> seen;
  for (const auto& e : g.events)
    if (e.status != kNull && e.status >= 400 && std::find(seen.begin(), seen.end(), e.status) == seen.end())
      seen.push_back(e.status);
  std::string out;
  for (size_t i = 0; i < seen.size(); ++i) out += (i ? (i + 1 == seen.size() ? " and " : ", ") : "") + std::to_string(seen[i]);
  return out;
}

std::string join_and(const std::vector<std::string>& parts) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? (i + 1 == parts.size() ? " and " : ", ") : "") + parts[i];
  return out;
}

// "127.0.0.1:36407" from nginx's upstream "http://127.0.0.1:36407/api/x?y".
std::string upstream_address(std::string_view u) {
  size_t s = u.find("://");
  if (s != std::string_view::npos) u = u.substr(s + 3);
  return clean_text(u.substr(0, u.find_first_of("/?")));
}

// ---- idle-timeout ------------------------------------------------------------------------------

// The longest idle gap before a reuse: from the last request on the connection (in the evidence) to
// the failure.
int64_t longest_gap(const Finding& f, const std::vector<Incident>& incidents) {
  int64_t best = kNull;
  for (size_t idx : f.incidents) {
    const Incident& in = incidents[idx];
    if (in.ts == kNull) continue;
    int64_t last = kNull;
    for (const auto& ev : in.evidence)
      if (!ev.is_setting && ev.event.ts != kNull && ev.event.ts <= in.ts &&
          (ev.event.category == "client-request" || ev.event.category == "request"))
        last = std::max(last == kNull ? ev.event.ts : last, ev.event.ts);
    if (last != kNull && (best == kNull || in.ts - last > best)) best = in.ts - last;
  }
  return best;
}

bool is_idle_timeout(const SettingRow& s) {
  return s.unit == "ms" && s.value != kNull && !starts_with(s.component, "client") &&
         (key_has(s, {"keepalive_timeout", "keep-alive", "TIMEOUTidle", "idle_timeout", "idle timeout",
                      "KeepAliveTimeout", "idle"}) &&
          !key_has(s, {"upstream"}));
}

Derived idle_timeout(const Finding& f, const std::vector<Incident>& incidents, const Gathered& g) {
  const SettingRow* server = nullptr;
  for (const auto& s : g.settings)
    if (is_idle_timeout(s)) { server = &s; break; }
  if (!server) server = find_setting(g, false, {"keepalive", "keep-alive", "idle", "timeout"}, true);
  if (!server) server = listener_setting_where(g, [](const SettingRow& s) { return is_idle_timeout(s) && !s.assumed(); });
  if (!server) server = listener_setting_where(g, is_idle_timeout);
  const SettingRow* client = find_setting(g, true, {}, true);
  if (server && client) {
    return {"client " + client->key + " " + setting_value(*client) + " (" + setting_location(*client) +
                ") exceeds " + describe(*server) + on_where(server, f) + ": set it below " + setting_value(*server) +
                " or raise " + server->key,
            true};
  }
  if (server) {
    int64_t gap = longest_gap(f, incidents);
    std::string head = gap != kNull && gap > 0
                           ? "client connections sat idle up to " + human_duration_us(gap) +
                                 " before reuse, past " + describe(*server)
                           : "client pool idle timeout exceeds " + describe(*server);
    return {head + on_where(server, f) + ": set the client's pool idle timeout below " + setting_value(*server) +
                " or raise " + server->key + "; retry idempotent requests once when a reused connection fails" +
                (server->assumed() ? "; the value is the documented default, so confirm it in the server's "
                                     "configuration first"
                                   : ""),
            true};
  }
  return {"the client reused keep-alive connections that the server side of " + endpoint_or(f, "the endpoint") +
              " had already closed: set the client's pool idle timeout below the server's keep-alive "
              "timeout (not found in the bundle: add the proxy's configuration), or retry requests "
              "that fail on a reused connection",
          false};
}

// ---- tls-mismatch ------------------------------------------------------------------------------

enum class TlsWhy { unknown, version, cipher };

TlsWhy tls_why(std::string_view t) {
  for (std::string_view k : {"protocol version", "protocol_version", "unsupported protocol", "version too low",
                             "no protocols available", "wrong ssl version", "unsupported_protocol"})
    if (icontains(t, k)) return TlsWhy::version;
  for (std::string_view k : {"no shared cipher", "no ciphers", "no cipher match", "alert handshake failure",
                             "HANDSHAKE_FAILURE", "insufficient security"})
    if (icontains(t, k)) return TlsWhy::cipher;
  return TlsWhy::unknown;
}

// "a protocol-version alert", "protocol-version and handshake-failure alerts".
std::string alerts_seen(bool version, bool cipher) {
  if (version && cipher) return "protocol-version and handshake-failure alerts";
  return version ? "a protocol-version alert" : "a handshake-failure alert";
}

bool is_protocols(const SettingRow& s) {
  return s.unit == "protocols" || key_has(s, {"ssl_protocols", "ssl-min-ver", "ssl-max-ver", "sslVersion", "SSLProtocol"});
}
bool is_ciphers(const SettingRow& s) { return key_has(s, {"cipher"}); }

// The listener's protocol setting as an operator edits it: nginx ssl_protocols, HAProxy ssl-min-ver,
// stunnel sslVersionMin (not the derived "protocols" range when the directive itself is there).
const SettingRow* tls_setting(const Gathered& g, bool (*pred)(const SettingRow&)) {
  const SettingRow* best = nullptr;
  for (const auto& s : g.settings)
    if (!starts_with(s.component, "client") && pred(s)) return &s;
  for (const SettingRow* s : g.listener) {
    if (!pred(*s) || starts_with(s->component, "client")) continue;
    if (!best || (iequals(best->key, "protocols") && !iequals(s->key, "protocols")) ||
        (best->assumed() && !s->assumed()))
      best = s;
  }
  return best;
}

Derived tls_mismatch(const Finding& f, const std::vector<Incident>& incidents, const Gathered& g) {
  // What the server logged (OpenSSL reason), else what the client saw (alert text).
  std::vector<std::string> reasons;
  bool version = false, cipher = false, server_reason = false;
  const EventRow* unreasoned = nullptr;
  for (const auto& e : g.events) {
    if (!starts_with(e.category, "tls") && e.category != "peer-alert") continue;
    // The OpenSSL reason; else the message when it names one.
    std::string reason = e.tls_reason.empty() && tls_why(e.message) != TlsWhy::unknown ? e.message : e.tls_reason;
    if (reason.empty()) {
      if (!unreasoned) unreasoned = &e;
      continue;
    }
    server_reason = true;
    TlsWhy w = tls_why(reason);
    version |= w == TlsWhy::version, cipher |= w == TlsWhy::cipher;
    std::string q = quote(reason, 60);
    if (reasons.size() < 2 && std::find_if(reasons.begin(), reasons.end(), [&](const std::string& x) {
          return starts_with(x, q + ",");
        }) == reasons.end())
      reasons.push_back(q + ", " + event_location(e));
  }
  if (!server_reason) {
    for (size_t idx : f.incidents) {
      const Incident& in = incidents[idx];
      TlsWhy w = tls_why(in.client.message + "\n" + in.client.raw);
      version |= w == TlsWhy::version, cipher |= w == TlsWhy::cipher;
    }
  }
  const SettingRow* proto = tls_setting(g, is_protocols);
  const SettingRow* ciph = tls_setting(g, is_ciphers);
  std::string ep = endpoint_or(f, "the server");
  std::string out;
  if (server_reason) {
    std::string rs;
    for (size_t i = 0; i < reasons.size(); ++i) rs += (i ? "; " : "") + reasons[i];
    out = ep + " refused the client's TLS handshake (" + rs + ")";
  } else if (unreasoned) {
    out = event_location(*unreasoned) + " logged \"" +
          quote(unreasoned->message.empty() ? unreasoned->category : unreasoned->message, 50) + "\" without a reason";
    if (version || cipher) out += "; the client saw " + alerts_seen(version, cipher);
  } else if (version || cipher) {
    out = "the client saw " + alerts_seen(version, cipher) + " from " + ep + " and no server log shows the handshake";
  }
  // Name the settings that decide it: the protocol floor for a version refusal, the cipher list for a
  // cipher refusal, both when the reason is unknown.
  std::vector<std::string> allows;
  bool want_proto = version || !cipher, want_cipher = cipher || !version;
  if (proto && want_proto) allows.push_back(describe(*proto));
  if (ciph && want_cipher && ciph != proto) allows.push_back(describe(*ciph));
  if (out.empty() && allows.empty())
    return {"the TLS handshake with " + ep +
                " fails: compare the TLS versions and ciphers the client offers with the server's "
                "(rstscope probe " + ep + " --tls) and enable a common one",
            false};
  if (out.empty()) out = "the TLS handshake with " + ep + " fails";
  if (!allows.empty()) {
    bool named_proto = proto && want_proto, named_cipher = ciph && want_cipher && ciph != proto;
    out += ": the server allows " + join_and(allows) + "; make the client offer ";
    if (named_proto && !named_cipher) out += "one of these versions";
    else if (named_cipher && !named_proto) out += "one of these ciphers";
    else out += "a version and a cipher from these";
    std::vector<std::string> keys;
    if (proto && want_proto) keys.push_back(proto->key);
    if (ciph && want_cipher && ciph != proto) keys.push_back(ciph->key);
    std::string ks;
    for (size_t i = 0; i < keys.size(); ++i) ks += (i ? " / " : "") + keys[i];
    out += " or widen " + ks;
  } else {
    out += ": compare what the client offers with the server's TLS settings (rstscope probe " + ep +
           " --tls) and enable a common version and cipher";
  }
  // A server log level that hides handshake failures (nginx at "error").
  if (!server_reason && !unreasoned) {
    for (const SettingRow* s : g.listener)
      if (iequals(s->key, "error_log_level") && !icontains(s->raw, " info") && !icontains(s->raw, " debug") &&
          !icontains(s->raw, "notice")) {
        out += "; " + s->component + " error_log (" + clean_text(setting_location(*s)) +
               ") is above level info and hides handshake failures: set it to info to confirm";
        break;
      }
  }
  return {out, true};
}

// ---- protocol-mismatch --------------------------------------------------------------------------

bool is_listen(const SettingRow& s) {
  return iequals(s.key, "listen") || iequals(s.key, "bind") || iequals(s.key, "accept") || iequals(s.key, "Listen");
}
bool listen_is_tls(const SettingRow& s) {
  if (iequals(s.component, "stunnel")) return iequals(s.key, "accept");
  std::string_view r = s.raw;
  return r.find(" ssl") != std::string_view::npos || r.find(" quic") != std::string_view::npos;
}

// Another listener of the same config file that speaks the other protocol: "127.0.0.1:57527
// (nginx/nginx.conf:25)".
std::string sibling(const std::vector<SettingRow>& all, const SettingRow& l, bool want_tls) {
  for (const auto& s : all)
    if (s.source == l.source && is_listen(s) && s.listener != l.listener && listen_is_tls(s) == want_tls &&
        !iequals(s.component, "stunnel"))
      return clean_text(s.listener) + " (" + clean_text(setting_location(s)) + ")";
  return {};
}

Derived protocol_mismatch(const Finding& f, const Gathered& g, const std::vector<SettingRow>& all) {
  bool tls_to_plain = icontains(f.rule, "tls-to-plain") || has_category(g, "tls-to-plain");
  const SettingRow* listen = nullptr;
  for (const SettingRow* s : g.listener)
    if (is_listen(*s) && listen_is_tls(*s) != tls_to_plain) { listen = s; break; }
  const EventRow* line = first_event(g, {"plain-http-to-https", "tls-to-plain-port"});
  if (!line) line = first_role(g, {"proxy", "tls", "server"});
  std::string ep = endpoint_or(f, "the listener");
  std::string proof;
  if (listen) proof = clean_text(listen->component + " " + listen->key + " " + listen->raw) + ", " + clean_text(setting_location(*listen));
  if (line) {
    std::string what = !line->tls_reason.empty() ? "\"" + quote(line->tls_reason, 60) + "\""
                       : !line->message.empty() && line->category != "tls-to-plain-port"
                           ? "\"" + quote(line->message, 60) + "\""
                           : line->category;
    proof += (proof.empty() ? "" : "; ") + event_location(*line) + ": " + what;
  }
  if (proof.empty())
    return {"the client and the listener " + ep +
                " disagree on TLS: use https:// when the listener terminates TLS and http:// when it does "
                "not, and check the port",
            false};
  // The listener the client meant: a TLS one when it spoke TLS, a plain one when it spoke plain HTTP.
  std::string other = listen ? sibling(all, *listen, tls_to_plain) : std::string();
  if (tls_to_plain)
    return {"the client speaks TLS (https://) to " + ep + ", a plain-HTTP listener (" + proof + "): use http://" +
                ep + (other.empty() ? "" : ", or the TLS listener " + other),
            true};
  return {"the client sends plain HTTP to " + ep + ", a TLS listener (" + proof + "): use https://" + ep +
              (other.empty() ? "" : ", or the plain-HTTP listener " + other),
          true};
}

// ---- upstream-failure ---------------------------------------------------------------------------

// What a backend did, from one proxy line: "backend 127.0.0.1:36407 reset the connection
// mid-request (nginx/error.log:18: recv() failed (104: Connection reset by peer))". `who` gets the
// backend's name alone.
std::string backend_story(const EventRow& e, std::string& who) {
  who.clear();
  if (!e.upstream.empty()) who = "backend " + upstream_address(e.upstream);
  else if (!e.backend.empty()) who = "haproxy backend " + clean_text(e.backend + (e.server.empty() ? "" : "/" + e.server));
  else return {};
  std::string did;
  std::string_view t = e.termination;
  if (t.size() >= 2 && (t[0] == 'S' || t[0] == 's')) {
    did = t[1] == 'C' ? "refused or did not accept the connection" : t[1] == 'H' ? "closed the connection before answering"
                                                                    : "closed the connection mid-response";
  } else if (e.category == "upstream-refused") {
    did = "refused the connection, nothing listening";
  } else if (e.category == "upstream-reset") {
    did = "reset the connection mid-request";
  } else if (e.category == "upstream-closed") {
    did = "closed the connection before answering";
  } else if (e.category == "upstream-unavailable") {
    did = "had no server available";
  } else {
    did = "failed (" + e.category + ")";
  }
  std::string at = event_location(e);
  if (!e.message.empty()) at += ": " + quote(e.message, 50);
  else if (!t.empty()) at += ": " + clean_text(t);
  if (e.status != kNull) at += ", status " + std::to_string(e.status);
  return who + " " + did + " (" + at + ")";
}

Derived upstream_failure(const Finding& f, const Gathered& g) {
  std::vector<std::string> stories;
  std::set<std::string> whos;
  for (const auto& e : g.events) {
    std::string who;
    std::string s = backend_story(e, who);
    if (s.empty()) continue;
    if (!whos.insert(who + "\x1f" + e.category).second) continue;
    if (stories.size() < 2) stories.push_back(s);
  }
  std::string st = statuses(g);
  std::string ep = endpoint_or(f, "the proxy");
  const EventRow* any = first_role(g, {"proxy", "server", "tls"});
  if (stories.empty() && !any)
    return {"the backend behind " + ep + " failed mid-request: fix the backend's crash or early close (see its logs at " +
                human_time(f.first_ts) + "), and let the proxy retry idempotent requests on another server "
                "(proxy_next_upstream / retry-on)",
            false};
  std::string out;
  if (!stories.empty()) out = "behind " + ep + ", " + join_and(stories);
  else out = "the backend behind " + ep + " failed mid-request (" + event_location(*any) + ": " + any->category + ")";
  if (!st.empty()) out += "; clients got " + st;
  // A log line alone, without the backend's address or name, is not more than the rule's template says.
  return {out + ": check " + (stories.size() > 1 ? "those backends'" : "that backend's") + " logs and health at " +
              human_time(f.first_ts) +
              " (crash, restart, early close), and let the proxy retry idempotent requests on another "
              "server (nginx proxy_next_upstream, HAProxy retry-on)",
          !stories.empty()};
}

// ---- server-timeout -----------------------------------------------------------------------------

struct TimeoutGuess {
  std::vector<std::string_view> keys;
  std::string scope;  // HAProxy backend scope
  std::string what;   // what the timeout means for the advice
};

TimeoutGuess timeout_for(const EventRow& e) {
  std::string_view t = e.termination;
  std::string backend_scope = e.backend.empty() ? std::string() : "backend " + e.backend;
  if (t.size() >= 2 && t[0] == 's')
    return t[1] == 'C' ? TimeoutGuess{{"timeout connect"}, backend_scope, "connect"}
                       : TimeoutGuess{{"timeout server"}, backend_scope, "backend"};
  if (t.size() >= 2 && t[0] == 'c')
    return t[1] == 'R' ? TimeoutGuess{{"timeout http-request"}, {}, "client-request"}
                       : TimeoutGuess{{"timeout client"}, {}, "client"};
  if (e.category == "request-timeout" || e.category == "client-timeout" || e.status == 408) {
    if (!e.backend.empty() || !e.frontend.empty()) return {{"timeout http-request", "timeout client"}, {}, "client-request"};
    bool body = e.method == "POST" || e.method == "PUT" || e.method == "PATCH";
    return body ? TimeoutGuess{{"client_body_timeout"}, {}, "client-body"}
                : TimeoutGuess{{"client_header_timeout"}, {}, "client-request"};
  }
  if (icontains(e.action, "connecting")) return {{"proxy_connect_timeout", "timeout connect"}, backend_scope, "connect"};
  if (icontains(e.action, "sending")) return {{"proxy_send_timeout"}, {}, "backend"};
  return {{"proxy_read_timeout", "timeout server", "uwsgi_read_timeout", "fastcgi_read_timeout"}, backend_scope, "backend"};
}

Derived server_timeout(const Finding& f, const Gathered& g) {
  std::vector<std::string> parts;
  std::set<int64_t> used;
  for (const auto& e : g.events) {
    if (e.role == "client") continue;
    TimeoutGuess guess = timeout_for(e);
    std::string path = e.path.substr(0, e.path.find('?'));
    const SettingRow* s = nullptr;
    for (auto k : guess.keys) {
      s = listener_setting(g, {k}, path, guess.scope);
      if (s) break;
    }
    if (!s) s = find_setting(g, false, {"timeout"}, true);
    if (!s || !used.insert(s->id).second || parts.size() >= 2) continue;
    std::string req = request_of(e);
    std::string p = describe(*s) + " fired" + (req.empty() ? "" : " for " + req) + " (" + event_location(e) +
                    (e.status != kNull ? ", status " + std::to_string(e.status) : "") + ")";
    std::string v = setting_value(*s);
    if (guess.what == "client-body")
      p += ": the client paused longer than " + v + " while sending the body; send it without stalls or raise " + s->key;
    else if (guess.what == "client-request" || guess.what == "client")
      p += ": the client was silent longer than " + v + "; send the request promptly or raise " + s->key;
    else if (guess.what == "connect")
      p += ": the backend did not accept within " + v + "; check it is up, or raise " + s->key;
    else
      p += ": make the backend answer" + (path.empty() ? std::string() : " " + clean_text(path)) + " within " + v +
           ", or raise " + s->key + " above its slowest expected response";
    parts.push_back(p);
  }
  if (!parts.empty()) {
    std::string out;
    for (size_t i = 0; i < parts.size(); ++i) out += (i ? "; " : "") + parts[i];
    return {out, true};
  }
  return {"a server-side timeout fired for " + endpoint_or(f, "the server") +
              ": find the slow step in the backend (its logs at " + human_time(f.first_ts) +
              "), or raise the proxy's read/send timeout; the value was not found in the bundle",
          false};
}

// ---- request-rejected ---------------------------------------------------------------------------

// "4096" from "client intended to send too large body: 4096 bytes".
std::string body_bytes(const Gathered& g) {
  for (const auto& e : g.events)
    for (const std::string* t : {&e.message, &e.raw}) {
      size_t at = t->find("too large body: ");
      if (at == std::string::npos) continue;
      size_t b = at + 16, n = b;
      while (n < t->size() && (*t)[n] >= '0' && (*t)[n] <= '9') ++n;
      if (n > b) return t->substr(b, n - b);
    }
  return {};
}

// One finding may group several rejections of one endpoint (a 413 and a 444): one part each.
Derived request_rejected(const Finding& f, const Gathered& g) {
  std::string ep = endpoint_or(f, "the server");
  std::vector<std::string> parts;
  if (const EventRow* e = first_event(g, {"body-too-large"})) {
    std::string path = e->path.substr(0, e->path.find('?'));
    if (path.empty()) path = path_of(g);
    const SettingRow* s = listener_setting(g, {"client_max_body_size", "LimitRequestBody", "maxAllowedContentLength",
                                               "max_request_body_size"},
                                           path);
    if (!s) s = find_setting(g, false, {"body", "size"}, false);
    std::string size = body_bytes(g);
    std::string req = request_of(*e);
    std::string head = (req.empty() ? std::string("requests") : req) +
                       (size.empty() ? std::string(" sent bodies") : " sent a " + size + "-byte body") + " to " + ep;
    std::string where = event_location(*e) + (e->status != kNull ? ", status " + std::to_string(e->status) : "");
    if (s)
      parts.push_back(head + ", over " + describe(*s) + " [" + where + "]: raise " + s->key +
                      " to the largest body the client sends, or send smaller bodies");
    else
      parts.push_back(head + ", over the server's limit (" + where +
                      "): raise it (nginx client_max_body_size) or send smaller bodies");
  }
  if (const EventRow* e = first_event(g, {"closed-no-response"})) {
    std::string path = e->path.substr(0, e->path.find('?'));
    const SettingRow* s = listener_setting(g, {"return"}, path);
    std::string req = request_of(*e);
    if (s && s->value == 444)
      parts.push_back(ep + " closes " + (req.empty() ? std::string("these requests") : req) +
                      " without an answer on purpose, by " + clean_text(s->component + " return 444") + " (" +
                      clean_text(setting_location(*s)) +
                      (location_of(s->scope).empty() ? "" : ", location " + clean_text(location_of(s->scope))) + ") [" +
                      event_location(*e) +
                      "]: stop the client from sending it, or change the rule");
  }
  if (has_category(g, "rate-limited") || has_category(g, "conn-limited")) {
    bool rate = has_category(g, "rate-limited");
    const SettingRow* s = nullptr;
    for (const SettingRow* x : g.listener)
      if (rate ? key_has(*x, {"limit_req", "rate"}) : key_has(*x, {"limit_conn", "maxconn"})) {
        s = x;
        break;
      }
    if (!s)
      s = find_setting(g, false,
                       rate ? std::initializer_list<std::string_view>{"limit", "rate"}
                            : std::initializer_list<std::string_view>{"conn", "max"},
                       false);
    const EventRow* e = first_event(g, {rate ? "rate-limited" : "conn-limited"});
    std::string what = rate ? "the client exceeds the rate limit" : "the connection limit was reached";
    parts.push_back(what + (s ? " " + describe(*s) : std::string()) + on_where(s, f) +
                    (e ? " [" + event_location(*e) + "]" : std::string()) +
                    (rate ? ": spread or slow the client's requests, or raise the limit"
                          : ": reuse connections (keep-alive pool), or raise the limit"));
  }
  // A reject rule: from the evidence (silent rules), else the listener's rule of the frontend that
  // logged the rejection.
  const SettingRow* rule = nullptr;
  for (const auto& s : g.settings)
    if (icontains(s.key, "reject") || icontains(s.key, "deny")) {
      rule = &s;
      break;
    }
  const EventRow* e = first_event(g, {"request-rejected", "forbidden"});
  if (!rule && e) {
    std::string scope = e->frontend.empty() ? std::string() : "frontend " + e->frontend;
    for (const SettingRow* s : g.listener)
      if ((icontains(s->key, "reject") || icontains(s->key, "deny")) && (scope.empty() || iequals(s->scope, scope))) {
        rule = s;
        break;
      }
  }
  if (rule) {
    std::string req = e ? request_of(*e) : std::string();
    std::string who = e ? (req.empty() ? "the request" : req) + " [" + event_location(*e) + "]"
                        : std::string("this client's connections");
    bool silent = !e;
    parts.push_back(clean_text(rule->component + " " + rule->key + " " + rule->raw) + " (" +
                    clean_text(setting_location(*rule)) + (rule->scope.empty() ? "" : ", " + clean_text(rule->scope)) +
                    ") on " + ep + " rejects " + who + (silent ? " without a log line" : "") +
                    ": check whether the rule's condition should match this client, and narrow it or change what "
                    "the client sends" +
                    (silent ? "; add logging to the rule" : ""));
  } else if (e && parts.empty()) {
    parts.push_back(ep + " rejected " + (request_of(*e).empty() ? std::string("the request") : request_of(*e)) +
                    " on purpose [" + event_location(*e) + ": " + e->category +
                    (e->status != kNull ? ", status " + std::to_string(e->status) : "") +
                    "]: find the rule that rejects it in the server's configuration and check it against what the "
                    "client sends");
  }
  if (!parts.empty()) {
    std::string out;
    for (size_t i = 0; i < parts.size(); ++i) out += (i ? "; " : "") + parts[i];
    return {out, true};
  }
  const SettingRow* s = find_setting(g, false, {}, false);
  return {"the server rejects these requests on purpose" + (s ? " (" + describe(*s) + ")" : std::string()) +
              ": check the rule that rejects them against what the client sends",
          s != nullptr};
}

// ---- firewall ------------------------------------------------------------------------------------

bool is_fw_rule(const SettingRow& s) {
  return key_has(s, {"REJECT", "DROP", "deny", "block"}) &&
         (icontains(s.component, "iptables") || icontains(s.component, "nft") || icontains(s.component, "firewall") ||
          icontains(s.component, "pf") || icontains(s.component, "ufw"));
}

Derived firewall(const Finding& f, const Gathered& g) {
  const EventRow* fw = first_role(g, {"firewall"});
  const SettingRow* s = find_setting(g, false, {"conntrack", "timeout", "idle"}, true);
  std::string ep = endpoint_or(f, "the server");
  bool aged = fw && (icontains(fw->category, "aged") || icontains(fw->category, "expired"));
  if (s && (aged || !fw))
    return {"the firewall forgets idle flows after " + describe(*s) + ": set the client's TCP keepalive or pool idle "
                "timeout below " + setting_value(*s) + ", or raise " + s->key,
            true};
  const SettingRow* rule = nullptr;
  for (const auto& x : g.settings)
    if (is_fw_rule(x)) { rule = &x; break; }
  if (!rule) {
    // The listener's reject/drop rule; one that names the log prefix first.
    for (const SettingRow* x : g.listener)
      if (is_fw_rule(*x) && (!rule || (fw && !fw->prefix.empty() && icontains(x->raw, fw->prefix)))) rule = x;
  }
  std::string did = fw && (icontains(fw->category, "drop") || icontains(fw->action, "drop")) ? "blocked" : "reset";
  if (fw && rule && icontains(rule->key, "REJECT")) did = "reset";
  std::string out = "the firewall " + did + " flows to " + ep;
  if (fw) {
    out += " (" + event_location(*fw);
    if (!fw->prefix.empty()) out += ", log prefix " + clean_text(fw->prefix);
    out += ")";
  }
  if (rule)
    return {out + " by the rule `" + clean_text(rule->raw) + "` (" + clean_text(setting_location(*rule)) +
                "): if this traffic is legitimate, exempt it from that rule (source, port or match), else stop "
                "the client from sending it",
            true};
  if (fw)
    return {out + ": find the rule that logged it, and allow the flow if it is legitimate (or keep it alive below the "
                  "device's idle timeout)",
            true};
  return {"a firewall reset or dropped flows to " + ep +
              ": allow this flow in the rule that matched, or keep it alive below the device's idle timeout",
          false};
}

// ---- server-unavailable -------------------------------------------------------------------------

Derived server_unavailable(const Finding& f, const Gathered& g) {
  const EventRow* e = first_event(g, {"server-stop", "worker-crashed", "server-crash", "server-signal"});
  if (!e) e = first_role(g, {"server", "proxy"});
  std::string ep = endpoint_or(f, "the server");
  std::string window = f.first_ts == f.last_ts ? " at " + human_time(f.first_ts)
                                               : " between " + human_time(f.first_ts) + " and " + human_time(f.last_ts);
  if (!e)
    return {"nothing accepted connections on " + ep + window +
                ": drain traffic before restarts (health checks, graceful reload), and retry refused connections "
                "with backoff",
            false};
  std::string what = e->message.empty() ? e->category : "\"" + quote(e->message, 60) + "\"";
  return {"nothing accepted connections on " + ep + window + " after the server stopped (" + event_location(*e) + " at " +
              short_time(e->ts, f.first_ts) + ": " + what +
              "): restart it with draining (stop accepting, finish requests, then exit) or put it behind a proxy "
              "with health checks, and retry refused connections with backoff",
          true};
}

}  // namespace

Derived derive_recommendation(const Finding& f, const std::vector<Incident>& incidents,
                              const std::vector<SettingRow>& settings) {
  Gathered g = gather(f, incidents, settings);
  const std::string& c = f.cause_class;
  if (c == "idle-timeout") return idle_timeout(f, incidents, g);
  if (c == "tls-mismatch") return tls_mismatch(f, incidents, g);
  if (c == "protocol-mismatch") return protocol_mismatch(f, g, settings);
  if (c == "upstream-failure") return upstream_failure(f, g);
  if (c == "server-timeout") return server_timeout(f, g);
  if (c == "request-rejected") return request_rejected(f, g);
  if (c == "firewall") return firewall(f, g);
  if (c == "server-unavailable") return server_unavailable(f, g);
  return {"review the evidence for " + endpoint_or(f, "this endpoint") + " (rule " +
              (f.rule.empty() ? std::string("-") : f.rule) + ")",
          false};
}

}  // namespace rstscope::report
