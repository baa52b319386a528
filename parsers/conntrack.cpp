// `conntrack -E` event lines (and `conntrack -L` table lines), optionally with "-o timestamp"
// ("[1711468800.234567]") and "-o extended" ("ipv4     2 tcp      6 ..."):
//   [NEW] tcp      6 120 SYN_SENT src=A dst=B sport=P dport=Q [UNREPLIED] src=B dst=A sport=Q dport=P
//   [UPDATE] tcp      6 10 CLOSE src=... (a TCP RST moved the entry to CLOSE)
//   [DESTROY] tcp      6 src=... packets=N bytes=N src=... [ASSURED] delta-time=32 id=...
// The first src/dst/sport/dport set is the original direction (client -> server), the second the
// reply. Categories: NEW/ESTABLISHED -> fw-allow; UPDATE to CLOSE -> fw-reset (an RST was seen);
// FIN states -> fw-teardown; DESTROY -> fw-teardown (conn-timeout when it never got a reply).
#include "firewall_common.h"
#include "rstscope/parser.h"
#include "rstscope/text.h"

namespace rstscope {
namespace {

bool is_state(std::string_view t) {
  static constexpr std::string_view kStates[] = {"NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT",
                                                 "CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE", "LISTEN",
                                                 "SYN_SENT2", "UNREPLIED", "ASSURED"};
  for (std::string_view s : kStates)
    if (s == t) return true;
  return false;
}

// Parses the line; false when it is not conntrack output. Fills ev only when fill is true.
bool parse_line(std::string_view l, Event* ev, TimeResolver* tr) {
  std::string_view s = trim(l), tok;
  std::string_view stamp, type, state;
  // "[1711468800.234567]" (maybe with spaces inside before ']')
  if (!s.empty() && s[0] == '[' && s.size() > 2 && s[1] >= '0' && s[1] <= '9') {
    size_t close = s.find(']');
    if (close == std::string_view::npos) return false;
    stamp = trim(s.substr(1, close - 1));
    s = trim(s.substr(close + 1));
  }
  if (!s.empty() && s[0] == '[') {
    size_t close = s.find(']');
    if (close == std::string_view::npos) return false;
    type = s.substr(1, close - 1);
    if (type != "NEW" && type != "UPDATE" && type != "DESTROY") return false;
    s = trim(s.substr(close + 1));
  }
  // optional "ipv4     2 "
  if (starts_with(s, "ipv4 ") || starts_with(s, "ipv6 ")) {
    next_token(s, tok);
    next_token(s, tok);
  }
  std::string_view proto, pnum;
  if (!next_token(s, proto) || !next_token(s, pnum)) return false;
  static constexpr std::string_view kProtos[] = {"tcp", "udp", "icmp", "icmpv6", "sctp", "dccp", "gre", "udplite", "unknown"};
  bool known = false;
  for (std::string_view k : kProtos) known = known || proto == k;
  if (!known) return false;
  int64_t n;
  if (!fw::parse_uint(pnum, n)) return false;
  if (s.find("src=") == std::string_view::npos) return false;
  if (!ev) return true;
  ev->role = Role::firewall;
  if (!stamp.empty()) {
    CivilTime c;
    if (parse_epoch(stamp, c)) {
      ev->ts_raw.assign(stamp);
      tr->resolve(c, *ev);
    }
  }
  fw::set_protocol(*ev, proto);
  int sets = 0;
  bool unreplied = false, assured = false;
  int64_t packets = kNull, bytes = kNull;
  std::string_view reply_src, reply_dst;
  while (next_token(s, tok)) {
    size_t eq = tok.find('=');
    if (eq == std::string_view::npos) {
      if (tok == "UNREPLIED") unreplied = true;
      else if (tok == "ASSURED") assured = true;
      else if (state.empty() && is_state(tok)) state = tok;
      else if (fw::parse_uint(tok, n)) ev->fields.add("timeout_s", n);
      continue;
    }
    std::string_view k = tok.substr(0, eq), v = tok.substr(eq + 1);
    if (k == "src") {
      ++sets;
      if (sets == 1) ev->client_ip.assign(v);
      else reply_src = v;
    } else if (k == "dst") {
      if (sets <= 1) ev->server_ip.assign(v);
      else reply_dst = v;
    } else if (k == "sport") {
      if (sets <= 1 && fw::parse_uint(v, n)) ev->client_port = n;
    } else if (k == "dport") {
      if (sets <= 1 && fw::parse_uint(v, n)) ev->server_port = n;
    } else if (k == "packets") {
      if (fw::parse_uint(v, n)) packets = packets == kNull ? n : packets + n;
    } else if (k == "bytes") {
      if (fw::parse_uint(v, n)) bytes = bytes == kNull ? n : bytes + n;
    } else if (k == "delta-time") {
      if (fw::parse_uint(v, n)) ev->duration_us = n * 1000000;
    } else if (k == "id") {
      ev->conn_id.assign(v);
    } else if (k == "mark" || k == "zone" || k == "use") {
      if (k == "mark" && v != "0") ev->fields.add("mark", v);
    }
  }
  if (!type.empty()) ev->fields.add("event", type);
  if (!state.empty()) ev->fields.add("state", state);
  if (unreplied) ev->fields.add_bool("unreplied", true);
  if (assured) ev->fields.add_bool("assured", true);
  if (packets != kNull) ev->fields.add("packets", packets);
  if (bytes != kNull) ev->bytes = bytes;
  // NAT: the reply comes from / goes to another address than the original.
  if (!reply_src.empty() && reply_src != ev->server_ip) ev->fields.add("nat_reply_src", reply_src);
  if (!reply_dst.empty() && reply_dst != ev->client_ip) ev->fields.add("nat_reply_dst", reply_dst);
  fw::Action a = fw::Action::allow;
  uint8_t flags = 0;
  if (state == "CLOSE") {
    a = fw::Action::reset;
    flags = fw::kRst;
  } else if (state == "FIN_WAIT" || state == "CLOSE_WAIT" || state == "LAST_ACK" || state == "TIME_WAIT") {
    a = fw::Action::teardown;
  } else if (type == "DESTROY") {
    a = unreplied ? fw::Action::timeout : fw::Action::teardown;
  }
  fw::set_action(*ev, a, flags);
  return true;
}

class ConntrackFile : public FileParser {
 public:
  explicit ConntrackFile(const ParseContext& ctx) : ctx_(ctx) {}
  void record(const Record& rec, Emitter& out) override {
    if (trim(rec.text).empty()) return;  // blank lines are neither events nor garbage
    if (!parse_line(rec.text, nullptr, nullptr)) {
      out.unparsed("not a conntrack event/table line");
      return;
    }
    parse_line(rec.text, &out.event(), ctx_.time);
  }

 private:
  ParseContext ctx_;
};

class ConntrackParser : public Parser {
 public:
  std::string_view name() const override { return "conntrack"; }
  std::string_view description() const override {
    return "conntrack -E events / -L entries: original 5-tuple, NEW/UPDATE/DESTROY, TCP state (CLOSE = reset)";
  }
  Role role() const override { return Role::firewall; }
  Score sniff(const SniffInput& in) const override {
    int hits = 0, total = 0;
    for (std::string_view l : in.lines) {
      ++total;
      if (parse_line(l, nullptr, nullptr) && l.find("sport=") != std::string_view::npos) ++hits;
      else if (parse_line(l, nullptr, nullptr)) ++hits;
    }
    if (!total || hits * 2 < total) return {};
    return {60 + 35 * hits / total, std::to_string(hits) + " of " + std::to_string(total) + " lines are conntrack output"};
  }
  std::unique_ptr<FileParser> open(const ParseContext& ctx) const override {
    return std::make_unique<ConntrackFile>(ctx);
  }
  const std::vector<Sample>& samples() const override {
    static const std::vector<Sample> s = {
        {"    [NEW] tcp      6 120 SYN_SENT src=10.0.0.1 dst=127.0.0.1 sport=36898 dport=28107 [UNREPLIED] "
         "src=10.0.0.2 dst=127.0.0.2 sport=28107 dport=36898 id=347275904",
         {{"role", "firewall"},
          {"category", "fw-allow"},
          {"client_ip", "10.0.0.1"},
          {"client_port", "36898"},
          {"server_ip", "127.0.0.1"},
          {"server_port", "28107"},
          {"protocol", "tcp"},
          {"conn_id", "347275904"},
          {"fields.event", "NEW"},
          {"fields.state", "SYN_SENT"},
          {"fields.nat_reply_src", "10.0.0.2"}}},
        {"[1711468800.234567]   [UPDATE] tcp      6 10 CLOSE src=192.168.1.100 dst=93.184.216.34 sport=45000 dport=443 "
         "src=93.184.216.34 dst=192.168.1.100 sport=443 dport=45000 [ASSURED]",
         {{"category", "fw-reset"}, {"fields.rst", "true"}, {"ts", "2024-03-26T16:00:00.234Z"}, {"fields.state", "CLOSE"}}},
        {"[DESTROY] tcp      6 src=172.18.0.10 dst=198.51.100.10 sport=53168 dport=443 packets=10 bytes=1234 "
         "src=198.51.100.10 dst=192.0.0.2 sport=443 dport=53168 packets=8 bytes=4321 [ASSURED] delta-time=32",
         {{"category", "fw-teardown"}, {"bytes", "5555"}, {"fields.packets", "18"}, {"duration_us", "32000000"}}},
        {"[DESTROY] tcp      6 src=10.0.0.1 dst=8.8.8.8 sport=12345 dport=53 [UNREPLIED] src=8.8.8.8 dst=10.0.0.1 "
         "sport=53 dport=12345",
         {{"category", "conn-timeout"}, {"fields.unreplied", "true"}}},
        {"hello", {{"unparsed", "1"}}},
    };
    return s;
  }
};

RSTSCOPE_REGISTER_PARSER(ConntrackParser);

}  // namespace
}  // namespace rstscope
