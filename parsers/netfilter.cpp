// Linux netfilter kernel LOG lines (iptables -j LOG, nftables `log`, UFW, Shorewall, SuSEfirewall2,
// Proxmox pve-firewall, Ubiquiti EdgeOS) as found in kern.log, syslog, journalctl output and dmesg
// (with or without "[uptime]" or "[ctime]" stamps). Grammar: signatures.md B10 (nf_log_syslog.c).
//
// The packet part starts at "IN=" (or "OUT=" when there is no IN=); the log prefix is the text
// between the kernel/uptime header and that point. The action comes from the prefix words
// (DROP/BLOCK/DENY, REJECT, RESET, ACCEPT/ALLOW/ACC/PASS, Ubiquiti "-D]"/"-A]"/"-R]" suffixes), since
// the kernel line itself never says what the rule did.
#include <cstdio>

#include "firewall_common.h"
#include "rstscope/parser.h"
#include "rstscope/text.h"
#include "syslog_common.h"

namespace rstscope {
namespace {

inline bool alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// journalctl -o export: "KEY=value" field lines ("__REALTIME_TIMESTAMP=...", "_HOSTNAME=...",
// "MESSAGE=..."); upper-case key of letters, digits and '_'.
bool journal_field(std::string_view l, std::string_view& key, std::string_view& value) {
  size_t eq = l.find('=');
  if (eq == std::string_view::npos || eq == 0 || eq > 64) return false;
  for (size_t i = 0; i < eq; ++i) {
    char c = l[i];
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  key = l.substr(0, eq);
  value = l.substr(eq + 1);
  return true;
}

// journalctl -o json: the value of a top-level string member (no unescaping; kernel text has none).
std::string_view json_member(std::string_view l, std::string_view key) {
  size_t k = l.find(key);
  if (k == std::string_view::npos) return {};
  std::string_view r = l.substr(k + key.size());
  size_t q = r.find('"');
  if (q == std::string_view::npos) return {};
  r = r.substr(q + 1);
  size_t end = 0;
  while (end < r.size() && r[end] != '"') end += r[end] == '\\' ? 2 : 1;
  return r.substr(0, std::min(end, r.size()));
}

// Position of the packet part ("IN=" / "OUT="), npos when the line has none.
size_t packet_start(std::string_view l) {
  size_t pos = 0;
  while ((pos = l.find("IN=", pos)) != std::string_view::npos) {
    if (pos == 0 || !alnum(l[pos - 1])) {
      // "PHYSIN=" is preceded by 'S' (alnum) and so never matches here.
      return pos;
    }
    pos += 3;
  }
  pos = l.find("OUT=");
  if (pos == std::string_view::npos) return pos;
  if (pos > 0 && alnum(l[pos - 1])) return std::string_view::npos;
  // The token before OUT= must not itself be KEY=VALUE (that would be a damaged IN=).
  size_t tok_end = pos;
  while (tok_end > 0 && l[tok_end - 1] == ' ') --tok_end;
  size_t tok_begin = tok_end;
  while (tok_begin > 0 && l[tok_begin - 1] != ' ') --tok_begin;
  if (l.substr(tok_begin, tok_end - tok_begin).find('=') != std::string_view::npos) return std::string_view::npos;
  return pos;
}

bool has_word(std::string_view upper_prefix, std::string_view w) {
  size_t pos = 0;
  while ((pos = upper_prefix.find(w, pos)) != std::string_view::npos) {
    bool left = pos == 0 || !alnum(upper_prefix[pos - 1]) || upper_prefix[pos - 1] == '_';
    size_t end = pos + w.size();
    bool right = end >= upper_prefix.size() || !alnum(upper_prefix[end]) || upper_prefix[end] == '_';
    if (left && right) return true;
    pos = end;
  }
  return false;
}

// The action word as the rule wrote it ("drop", "deny", "reject", "accept" ...), lower-case.
std::string_view rule_word(std::string_view prefix) {
  static constexpr std::pair<std::string_view, std::string_view> kWords[] = {
      {"REJECT", "reject"}, {"DROP", "drop"},   {"DENY", "deny"},     {"BLOCK", "block"},
      {"ACCEPT", "accept"}, {"ALLOW", "allow"}, {"PERMIT", "permit"}, {"PASS", "pass"}};
  for (const auto& [up, low] : kWords)
    if (icontains(prefix, up)) return low;
  if (prefix.size() >= 3 && prefix.back() == ']' && prefix[prefix.size() - 3] == '-') {
    char a = prefix[prefix.size() - 2];
    if (a == 'D') return "drop";
    if (a == 'A') return "accept";
    if (a == 'R') return "reject";
  }
  return {};
}

fw::Action action_from_prefix(std::string_view prefix) {
  char buf[128];
  size_t n = std::min(prefix.size(), sizeof(buf));
  for (size_t i = 0; i < n; ++i) {
    char c = prefix[i];
    buf[i] = (c >= 'a' && c <= 'z') ? char(c - 32) : (c == '_' ? '-' : c);
  }
  std::string_view u(buf, n);
  // Ubiquiti EdgeOS: "[RULESET-RULE-A]" / "-D]" / "-R]"
  if (u.size() >= 3 && u.back() == ']' && u[u.size() - 3] == '-') {
    char a = u[u.size() - 2];
    if (a == 'D') return fw::Action::drop;
    if (a == 'R') return fw::Action::reject;
    if (a == 'A') return fw::Action::allow;
  }
  if (u.find("REJECT") != std::string_view::npos) return fw::Action::reject;
  // "RESET-IN:", "TCP_RESET": the rule answers with a TCP reset (REJECT --reject-with tcp-reset).
  if (has_word(u, "RESET")) return fw::Action::reset;
  if (u.find("DROP") != std::string_view::npos || has_word(u, "BLOCK") || has_word(u, "DENY") ||
      has_word(u, "DENIED") || u.find("BLOCK") != std::string_view::npos)
    return fw::Action::drop;
  if (u.find("ACCEPT") != std::string_view::npos || has_word(u, "ALLOW") || has_word(u, "ACC") ||
      has_word(u, "PASS") || has_word(u, "PERMIT"))
    return fw::Action::allow;
  return fw::Action::none;
}

class NetfilterFile : public FileParser {
 public:
  explicit NetfilterFile(const ParseContext& ctx) : ctx_(ctx) {}

  void record(const Record& rec, Emitter& out) override {
    if (trim(rec.text).empty()) return;  // blank lines are neither events nor garbage
    std::string_view l = rec.text;
    int64_t journal_us = kNull;
    std::string_view jkey, jval;
    if (!l.empty() && l[0] == '{' && l.find("\"MESSAGE\"") != std::string_view::npos) {
      // journalctl -o json
      int64_t us;
      if (fw::parse_uint(json_member(l, "\"__REALTIME_TIMESTAMP\""), us)) journal_us = us;
      l = json_member(l, "\"MESSAGE\"");
    } else if (journal_field(l, jkey, jval)) {
      // journalctl -o export: remember the entry's time, parse its MESSAGE, ignore other fields.
      int64_t us;
      if (jkey == "__REALTIME_TIMESTAMP" && fw::parse_uint(jval, us)) pending_us_ = us;
      if (jkey != "MESSAGE") return;
      l = jval;
      journal_us = pending_us_;
    }
    size_t at = packet_start(l);
    if (at == std::string_view::npos) {
      if (journal_us != kNull) return;  // another journal entry (not a packet log)
      out.unparsed("no netfilter IN=/OUT= packet fields");
      return;
    }
    std::string_view head = l.substr(0, at);
    std::string_view pkt = l.substr(at);
    if (pkt.find("SRC=") == std::string_view::npos) {
      out.unparsed("netfilter line without SRC=");
      return;
    }
    Event& ev = out.event();
    ev.role = Role::firewall;
    if (journal_us != kNull) {
      CivilTime c;
      char buf[24];
      int n = std::snprintf(buf, sizeof buf, "%lld.%06lld", static_cast<long long>(journal_us / 1000000),
                            static_cast<long long>(journal_us % 1000000));
      if (n > 0 && parse_epoch(std::string_view(buf, static_cast<size_t>(n)), c)) {
        ev.ts_raw.assign(buf, static_cast<size_t>(n));
        ctx_.time->resolve(c, ev);
      }
    }
    // Header: syslog / journal prefix, or dmesg "[uptime]", or Proxmox "VMID LEVEL CHAIN CLF-time".
    syslog::Prefix p;
    std::string_view rest = head;
    if (syslog::split(head, p)) {
      if (p.has_time && ev.ts == kNull) {
        ev.ts_raw.assign(p.time_text);
        ctx_.time->resolve(p.time, ev);
      }
      if (!p.host.empty()) fw::add_str(ev, "host", p.host);
      rest = p.message;
      // "Jan  8 03:37:09 DENY: IN=..." : the log prefix was taken for a syslog tag.
      if (trim(rest).empty() && !p.app.empty() && p.app != "kernel")
        rest = head.substr(static_cast<size_t>(p.app.data() - head.data()));
    } else {
      // Proxmox: "0 3 PVEFW-HOST-IN 20/Jun/2022:13:09:14 +0200 policy DROP: "
      size_t slash = head.find('/');
      if (slash != std::string_view::npos && slash >= 2 && slash < 60) {
        size_t b = head.rfind(' ', slash);
        b = b == std::string_view::npos ? 0 : b + 1;
        CivilTime t;
        size_t n = parse_clf_time(head.substr(b), t);
        if (n) {
          ev.ts_raw.assign(head.substr(b, n));
          ctx_.time->resolve(t, ev);
          std::string_view before = trim(head.substr(0, b));
          // "VMID LEVEL CHAIN"
          size_t sp = before.rfind(' ');
          if (sp != std::string_view::npos) ev.fields.add("chain", before.substr(sp + 1));
          rest = head.substr(b + n);
        }
      }
    }
    rest = trim(rest);
    if (starts_with(rest, "kernel:")) rest = trim(rest.substr(7));
    // dmesg "[  307.757925] " uptime or "[Mon Nov 23 20:19:00 2026] " (dmesg -T)
    if (!rest.empty() && rest[0] == '[') {
      size_t close = rest.find(']');
      if (close != std::string_view::npos) {
        std::string_view inner = trim(rest.substr(1, close - 1));
        double up;
        if (parse_double(inner, up)) {
          ev.fields.add("uptime", inner);
          rest = trim(rest.substr(close + 1));
        } else if (inner.size() >= 24 && inner[3] == ' ' && inner[7] == ' ') {
          // "Mon Nov 23 20:19:00 2026"
          CivilTime t;
          std::string_view md = inner.substr(4);
          size_t n = parse_syslog_time(md, t);
          int64_t year;
          if (n && md.size() > n + 1 && parse_int(trim(md.substr(n)), year)) {
            t.year = static_cast<int>(year);
            ev.ts_raw.assign(inner);
            ctx_.time->resolve(t, ev);
            rest = trim(rest.substr(close + 1));
          }
        }
      }
    }
    std::string_view prefix = trim(rest);
    if (!prefix.empty()) fw::add_str(ev, "prefix", prefix);
    fw::Action action = action_from_prefix(prefix);
    std::string_view word = action == fw::Action::reset ? std::string_view("reset") : rule_word(prefix);
    if (!word.empty()) fw::add_str(ev, "rule_action", word);

    // Packet: KEY=VALUE tokens and bare flag words; stop at a bracketed inner packet (ICMP errors).
    uint8_t flags = 0;
    bool after_proto = false;
    std::string_view s = pkt;
    while (!s.empty()) {
      size_t sp = s.find(' ');
      std::string_view tok = s.substr(0, sp);
      s = sp == std::string_view::npos ? std::string_view{} : s.substr(sp + 1);
      if (tok.empty()) continue;
      if (tok[0] == '[') break;  // "[SRC=... ]" inner packet of an ICMP error
      if (tok == "OPT" && !s.empty() && s[0] == '(') {
        size_t close = s.find(')');
        s = close == std::string_view::npos ? std::string_view{} : s.substr(close + 1);
        continue;
      }
      size_t eq = tok.find('=');
      if (eq == std::string_view::npos) {
        if (after_proto) flags |= fw::flag_from_word(tok);
        continue;
      }
      std::string_view k = tok.substr(0, eq), v = tok.substr(eq + 1);
      int64_t n;
      switch (k.size()) {
        case 2:
          if (k == "IN") { if (!v.empty()) fw::add_str(ev, "in", v); }
          break;
        case 3:
          if (k == "OUT") { if (!v.empty()) fw::add_str(ev, "out", v); }
          else if (k == "SRC") { if (ev.client_ip.empty()) ev.client_ip.assign(v); }
          else if (k == "DST") { if (ev.server_ip.empty()) ev.server_ip.assign(v); }
          else if (k == "SPT") { if (fw::parse_uint(v, n) && ev.client_port == kNull) ev.client_port = n; }
          else if (k == "DPT") { if (fw::parse_uint(v, n) && ev.server_port == kNull) ev.server_port = n; }
          else if (k == "LEN") { if (!after_proto && fw::parse_uint(v, n) && ev.bytes == kNull) ev.bytes = n; }
          else if (k == "UID") { fw::add_str(ev, "uid", v); }
          break;
        case 4:
          if (k == "TYPE") { if (fw::parse_uint(v, n)) fw::add_int(ev, "icmp_type", n); }
          else if (k == "CODE") { if (fw::parse_uint(v, n)) fw::add_int(ev, "icmp_code", n); }
          else if (k == "MARK") { fw::add_str(ev, "mark", v); }
          break;
        case 5:
          if (k == "PROTO") {
            fw::set_protocol(ev, v);
            after_proto = true;
          }
          break;
        case 6:
          if (k == "PHYSIN") fw::add_str(ev, "physin", v);
          break;
        case 7:
          if (k == "PHYSOUT") fw::add_str(ev, "physout", v);
          break;
        default:
          break;
      }
    }
    fw::set_action(ev, action, flags);
    if ((flags & fw::kRst) && (action == fw::Action::allow || action == fw::Action::none))
      ev.fields.add("reset_by", "client");  // the packet's source sent the RST
    else if (action == fw::Action::reset)
      ev.fields.add("reset_by", "firewall");  // the rule named RESET answers with a TCP reset
    ev.message.assign(prefix);
  }

 private:
  ParseContext ctx_;
  int64_t pending_us_ = kNull;  // journal export: __REALTIME_TIMESTAMP of the current entry
};

class NetfilterParser : public Parser {
 public:
  std::string_view name() const override { return "netfilter"; }
  std::string_view description() const override {
    return "iptables/nftables/UFW kernel LOG lines (kern.log, syslog, journal, dmesg): 5-tuple, action from the "
           "prefix, TCP flags incl. RST";
  }
  Role role() const override { return Role::firewall; }
  Score sniff(const SniffInput& in) const override {
    int hits = 0, total = 0;
    for (std::string_view l : in.lines) {
      std::string_view k, v;
      if (journal_field(l, k, v)) {
        if (k != "MESSAGE") continue;  // journal export field lines do not count
        l = v;
      }
      ++total;
      size_t at = packet_start(l);
      if (at != std::string_view::npos && l.find("SRC=", at) != std::string_view::npos &&
          l.find("DST=", at) != std::string_view::npos)
        ++hits;
    }
    if (!total || !hits) return {};
    // Mixed syslog files with a few firewall lines belong to a generic syslog parser.
    if (hits * 2 < total) return {20, std::to_string(hits) + " of " + std::to_string(total) + " lines are netfilter LOG lines"};
    return {50 + 45 * hits / total, std::to_string(hits) + " of " + std::to_string(total) +
                                        " lines are netfilter LOG lines (IN= OUT= SRC= DST=)"};
  }
  std::unique_ptr<FileParser> open(const ParseContext& ctx) const override {
    return std::make_unique<NetfilterFile>(ctx);
  }
  const std::vector<Sample>& samples() const override {
    static const std::vector<Sample> s = {
        {"Jun 23 08:51:22 server1 kernel: [486938.916177] [UFW BLOCK] IN=eth1 OUT= "
         "MAC=00:00:00:00:00:00:00:00:00:00:00:00:00:00 SRC=86.101.38.88 DST=10.1.2.3 LEN=60 TOS=0x00 PREC=0x00 "
         "TTL=50 ID=51005 DF PROTO=TCP SPT=41945 DPT=16881 WINDOW=7300 RES=0x00 SYN URGP=0",
         {{"role", "firewall"},
          {"category", "fw-drop"},
          {"client_ip", "86.101.38.88"},
          {"client_port", "41945"},
          {"server_ip", "10.1.2.3"},
          {"server_port", "16881"},
          {"protocol", "tcp"},
          {"fields.action", "drop"},
          {"fields.tcp_flags", "SYN"},
          {"fields.prefix", "[UFW BLOCK]"},
          {"fields.uptime", "486938.916177"}}},
        {"Oct 10 07:25:12 Hostname kernel: [wan-lan-default-D]IN=eth0 OUT= MAC=90:10:20:76:8d:20:90:10:65:29:b6:2a:08:00 "
         "SRC=175.16.199.1 DST=10.4.0.5 LEN=52 TOS=0x00 PREC=0x00 TTL=63 ID=0 DF PROTO=TCP SPT=38842 DPT=443 "
         "WINDOW=2853 RES=0x00 ACK URGP=0 ",
         {{"fields.action", "drop"}, {"fields.tcp_flags", "ACK"}, {"server_port", "443"}}},
        {"[  307.757925] OUTPUT-ALLOW IN= OUT=eth0 SRC=10.0.0.5 DST=10.0.0.9 LEN=40 TOS=0x00 PREC=0x00 TTL=64 ID=0 DF "
         "PROTO=TCP SPT=443 DPT=51234 WINDOW=0 RES=0x00 ACK RST URGP=0",
         {{"category", "fw-reset"}, {"fields.rst", "true"}, {"fields.tcp_flags", "ACK RST"},
          {"fields.reset_by", "client"}, {"ts", ""}}},
        {"0 2 PVEFW-HOST-IN 20/Jun/2022:13:09:25 +0200 REJECT: IN=vmbr0.94 MAC=24:8a:07:9a:2a:f2:d4:af:f7:44:79:d1:08:00 "
         "SRC=10.3.95.34 DST=10.3.94.12 LEN=60 TOS=0x10 PREC=0x00 TTL=62 ID=52883 DF PROTO=TCP SPT=36504 DPT=3306 "
         "SEQ=2315974272 ACK=0 WINDOW=64240 SYN ",
         {{"category", "fw-reject"}, {"ts", "2022-06-20T11:09:25.000Z"}, {"fields.chain", "PVEFW-HOST-IN"}}},
        {"__CURSOR=s=1\n__REALTIME_TIMESTAMP=1700000000123456\n_HOSTNAME=gw\n"
         "MESSAGE=[UFW BLOCK] IN=eth0 OUT= MAC=00:00 SRC=198.51.100.7 DST=10.0.0.5 LEN=40 TOS=0x00 PREC=0x00 TTL=50 "
         "ID=1 PROTO=TCP SPT=51000 DPT=443 WINDOW=0 RES=0x00 ACK RST URGP=0\n_TRANSPORT=kernel",
         {{"count", "1"}, {"ts", "2023-11-14T22:13:20.123Z"}, {"category", "fw-drop"}, {"fields.rst", "true"},
          {"client_port", "51000"}}},
        {"{\"__REALTIME_TIMESTAMP\":\"1700000000123456\",\"MESSAGE\":\"IPTABLES-REJECT: IN=eth0 OUT= SRC=198.51.100.7 "
         "DST=10.0.0.5 LEN=60 PROTO=TCP SPT=51001 DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0\",\"_HOSTNAME\":\"gw\"}",
         {{"ts", "2023-11-14T22:13:20.123Z"}, {"category", "fw-reject"}, {"server_port", "22"}}},
        // A LOG rule in front of "-j REJECT --reject-with tcp-reset" named by its action.
        {"Nov 23 20:34:33 gw kernel: [ 8123.456789] RESET-IN: IN=eth0 OUT= MAC=00:16:3e:aa:bb:cc:00:16:3e:dd:ee:ff:08:00 "
         "SRC=203.0.113.9 DST=10.0.0.5 LEN=52 TOS=0x00 PREC=0x00 TTL=57 ID=4242 DF PROTO=TCP SPT=50522 DPT=443 "
         "WINDOW=501 RES=0x00 ACK PSH URGP=0",
         {{"category", "fw-reset"}, {"fields.action", "reset"}, {"fields.rule_action", "reset"},
          {"fields.reset_by", "firewall"}, {"fields.prefix", "RESET-IN:"}, {"client_ip", "203.0.113.9"},
          {"server_port", "443"}}},
        {"Jun  8 14:34:33 sd-126005 kernel: [50028442.088484] XX=enp1s0 OUT= MAC=00:08 SRC=195.54.160.107 "
         "DST=51.15.166.67 LEN=40 PROTO=TCP SPT=8080 DPT=8123 WINDOW=1024 RES=0x00 SYN URGP=0",
         {{"unparsed", "1"}}},
    };
    return s;
  }
};

RSTSCOPE_REGISTER_PARSER(NetfilterParser);

}  // namespace
}  // namespace rstscope
