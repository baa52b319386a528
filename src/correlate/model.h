// Correlation model: the slice of the timeline the engine reasons over, held in memory.
//
// Contract: events are sorted by corrected time; strings that repeat (categories, hosts) are
// interned so 10 million events fit in well under 2 GiB. Built from a DB (store.cpp) or from a
// rule's test case (rules.cpp). Read-only while the engine runs; not thread-safe to mutate.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "rstscope/event.h"

namespace rstscope::correlate {

class Interner {
 public:
  uint32_t id(std::string_view s);           // adds when new; 0 is ""
  uint32_t find(std::string_view s) const;    // UINT32_MAX when absent
  const std::string& str(uint32_t id) const { return strings_[id]; }
  size_t size() const { return strings_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  std::vector<std::string> strings_{std::string()};
  std::unordered_map<std::string, uint32_t, Hash, std::equal_to<>> ids_;  // lookups without a copy
};

// Host names compare lower-case, without a trailing dot, a ":port" (Host headers) or [brackets].
std::string host_key(std::string_view host);
// A literal IPv4 or IPv6 address (not a name).
bool is_address(std::string_view s);
// A request path's identity, never 0 (0 = no path): the same request in two logs has the same hash.
uint32_t path_hash(std::string_view path);

// 64 bytes: 10 million server events take 640 MB.
struct Ev {
  int64_t id = 0;
  int64_t ts = kNull;         // corrected
  int32_t source_id = 0;      // sources.id (a few hundred sources; the load refuses more than int32)
  Role role = Role::unknown;
  uint16_t host_port = 0;     // the port of a Host header ("127.0.0.1:8080", the port the client asked for); 0: none
  uint32_t category = 0;      // interned
  uint32_t host = 0;          // interned Host header / SNI
  uint32_t server_ip = 0;     // interned
  int32_t client_port = -1;
  int32_t server_port = -1;
  int32_t status = -1;
  uint32_t path_hash = 0;     // path_hash() of the request path, 0 when none
  uint32_t scope = 0;         // interned "haproxy frontend NAME" / "stunnel service NAME" no config gave a port
  uint32_t detail = 0;        // interned: method (first 12 bytes) | tls_reason | action, for rule conditions
  uint32_t action = 0;        // interned fields.action (firewalls)
};
static_assert(sizeof(Ev) == 64, "Ev is per server event: keep it small");

struct Failure {
  int64_t id = 0;
  int64_t ts = kNull;
  int64_t source_id = 0;
  int64_t line = 0;
  std::string kind;
  std::string host;       // target host as written
  int32_t port = -1;      // target port
  int32_t local_port = -1;
  std::string local_ip;
  int32_t status = -1;
  std::string text;       // message + raw, for client-only rules
  std::string scheme;     // "http" / "https" when the client's URL says
  uint32_t path_hash = 0; // path_hash() of the request path, 0 when none
};

struct SettingRec {
  int64_t id = 0;
  int64_t source_id = 0;
  std::string component, scope, listener, key, raw, text, note;
  int64_t value = kNull;
  int32_t port = -1;   // from listener, -1 when none
  bool assumed = false;
};

struct SourceRec {
  int64_t id = 0;
  std::string path, parser;
  Role role = Role::unknown;
  int64_t first_ts = kNull, last_ts = kNull;
  int64_t events = 0;
};

struct Model {
  Interner strings;
  std::vector<Ev> events;            // non-client events, sorted by ts (null ts last)
  std::vector<Ev> client_requests;   // successful client requests (for idle gaps), sorted by ts
  std::vector<Failure> failures;     // sorted by ts
  std::vector<SettingRec> settings;
  std::vector<SourceRec> sources;
  // The alias map, both ways: name -> addresses and names, address -> names (keys and values as
  // host_key() gives them). From --alias/--aliases, hosts files, nginx server_name on a listener with
  // an address, and a client log that names both the host and the address it connected to.
  std::unordered_map<std::string, std::vector<std::string>> aliases;
  // Names a configured listener answers to (nginx server_name) -> its ports.
  std::unordered_map<std::string, std::vector<int32_t>> name_ports;
  // Names seen as Host header / SNI in a source's lines -> those sources (the source serves the name).
  std::unordered_map<std::string, std::vector<int64_t>> name_sources;
  // Ports a config-less source is seen serving: the client's requests or connections it logged
  // too (store.cpp infer_source_ports). A lower bound, unlike source_ports.
  std::unordered_map<int64_t, std::vector<int32_t>> inferred_ports;
  // Port -> the sources that show they serve it (their config, their lines' server_port). A line
  // that does not say its port cannot be about a port another source serves.
  std::unordered_map<int32_t, std::vector<int64_t>> port_sources;
  // Source -> the ports its lines' Host headers name (the ports clients asked it for).
  std::unordered_map<int64_t, std::vector<int32_t>> host_ports;
  // Configured listener addresses per port (listen/bind/accept); "*" for a wildcard listener.
  std::unordered_map<int32_t, std::vector<std::string>> port_addrs;
  // Listener ports a log source serves, from the configuration in its folder (nginx/access.log and
  // nginx/nginx.conf): used when a line does not say its port.
  std::unordered_map<int64_t, std::vector<int32_t>> source_ports;
  // Listener ports the configs show speaking TLS, and plain listeners (neither: unknown).
  std::vector<int32_t> tls_ports, plain_ports;

  const SourceRec* source(int64_t id) const;
  void sort();
};

}  // namespace rstscope::correlate
