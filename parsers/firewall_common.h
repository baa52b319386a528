// Shared by the firewall and flow-log parsers (netfilter, conntrack, pfSense, pfirewall, VPC flow,
// Azure NSG, PAN-OS, Cisco ASA, Zeek): TCP flag decoding, protocol numbers, the action ->
// category mapping, and the 5-tuple / action / reset_by conventions. Internal to parsers/.
//
// Conventions (docs/formats/tls-firewall.md):
// - client_ip/client_port = source / originator, server_ip/server_port = destination / responder.
// - fields.action is one of allow | drop | reject | reset | teardown (the firewall's decision or what
//   happened to the flow); fields.reset_by is client | server | firewall when the log says who
//   reset; fields.reason holds the vendor's reason text (ASA teardown reason, PAN-OS session end
//   reason, Zeek conn_state, ...); fields.tcp_flags is "SYN ACK"-style words in header-bit order;
//   fields.rst = true when an RST was seen.
// Cost: all helpers are allocation-free; flags_text writes into a caller buffer.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string_view>

#include "rstscope/event.h"

namespace rstscope::fw {

// TCP header bit values.
enum TcpFlag : uint8_t { kFin = 1, kSyn = 2, kRst = 4, kPsh = 8, kAck = 16, kUrg = 32, kEce = 64, kCwr = 128 };

// pf / Windows Firewall letters: S F R P A U E W (C = CWR in some builds); unknown letters ignored.
uint8_t flags_from_letters(std::string_view letters);
// One flag word as the kernel / ASA writes it ("SYN", "ACK", "RST", "FIN", "PSH", "URG", "ECE", "CWR").
uint8_t flag_from_word(std::string_view word);
// "SYN ACK FIN" (order: SYN ACK PSH URG FIN RST ECE CWR). Empty for 0.
std::string_view flags_text(uint8_t flags, char (&buf)[48]);

// IANA protocol number -> lower-case name ("tcp", "udp", "icmp", "ipv6-icmp", "gre", "esp" ...),
// "" when unknown.
std::string_view ip_proto_name(int64_t number);
// Lower-cases a protocol name into ev.protocol ("TCP" -> "tcp", "ICMPv6" -> "ipv6-icmp").
void set_protocol(Event& ev, std::string_view name);

enum class Action : uint8_t { none, allow, drop, reject, reset, teardown, timeout };
std::string_view action_name(Action a);  // "allow", ...; timeout -> "teardown"

// docs/categories.md word for an action (and the flags of the packet/flow):
//   allow -> fw-allow (fw-reset when the allowed packet/flow carries RST), drop -> fw-drop,
//   reject -> fw-reject, reset -> fw-reset, teardown -> fw-teardown, timeout -> conn-timeout.
std::string_view category_for(Action a, uint8_t flags);

// Sets role, category, fields.action (+ fields.tcp_flags, fields.rst when flags != 0).
// Call once per event, after the 5-tuple.
void set_action(Event& ev, Action a, uint8_t flags = 0);

// Unsigned decimal, no sign, no spaces; false on anything else (hot-path friendly).
inline bool parse_uint(std::string_view s, int64_t& out) {
  if (s.empty() || s.size() > 18) return false;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

// Hot-path fields: values that need no JSON escaping (ASCII without quotes, backslashes or control
// bytes; checked) are appended with one copy instead of per-byte escaping; integers without printf.
// Same JSON as ev.fields.add().
void add_str(Event& ev, std::string_view key, std::string_view value);
void add_int(Event& ev, std::string_view key, int64_t value);

// Batched hot-path fields: members are formatted into a stack buffer and handed to the event's
// FieldWriter in one add_raw() call (first key + the value text continued with ',"k":v' members).
// This relies on FieldWriter writing object members comma-separated in call order (event.h);
// values that need escaping or do not fit fall back to ev.fields.add(). Call flush() (or let the
// destructor do it) before anything else writes ev.fields.
class FastFields {
 public:
  explicit FastFields(Event& ev) : ev_(ev) {}
  ~FastFields() { flush(); }
  FastFields(const FastFields&) = delete;
  FastFields& operator=(const FastFields&) = delete;
  void str(std::string_view key, std::string_view value);
  void num(std::string_view key, int64_t value);
  void boolean(std::string_view key, bool value);
  void flush();

 private:
  bool begin(std::string_view key, size_t need);
  Event& ev_;
  std::string_view first_;
  char buf_[1536];
  size_t n_ = 0;
};

// set_action() writing into a FastFields batch.
void set_action(Event& ev, FastFields& ff, Action a, uint8_t flags = 0);

// Split s at every `delim` into at most max fields (the last one keeps the rest). One pass, no
// allocation. Returns the number of fields (0 for an empty s).
size_t split_fields(std::string_view s, char delim, std::string_view* out, size_t max);

// Sets client_ip/client_port/server_ip/server_port ("-" and "" leave a column empty/null).
void set_tuple(Event& ev, std::string_view src, std::string_view sport, std::string_view dst,
               std::string_view dport);

// "1:02:03" / "0:00:30" / "92:24:20" -> microseconds; false on garbage.
bool parse_hms_duration(std::string_view s, int64_t& us);

}  // namespace rstscope::fw
