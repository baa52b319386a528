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

// 48 bytes: 10 million server events take 480 MB.
struct Ev {
  int64_t id = 0;
  int64_t ts = kNull;         // corrected
  int64_t source_id = 0;
  Role role = Role::unknown;
  uint32_t category = 0;      // interned
  uint32_t server_ip = 0;     // interned
  int32_t client_port = -1;
  int32_t server_port = -1;
  int32_t status = -1;
  uint32_t detail = 0;        // interned: method (first 12 bytes) | tls_reason | action, for rule conditions
  uint32_t action = 0;        // interned fields.action (firewalls)
};

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
  std::unordered_map<std::string, std::vector<std::string>> aliases;  // name -> addresses (both ways)
  // Listener ports a log source serves, from the configuration in its folder (nginx/access.log and
  // nginx/nginx.conf): used when a line does not say its port.
  std::unordered_map<int64_t, std::vector<int32_t>> source_ports;
  // Listener ports the configs show speaking TLS, and plain listeners (neither: unknown).
  std::vector<int32_t> tls_ports, plain_ports;

  const SourceRec* source(int64_t id) const;
  void sort();
};

}  // namespace rstscope::correlate
