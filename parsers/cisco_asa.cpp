// Cisco ASA / FTD / PIX syslog (signatures.md B14). The message id (%ASA-6-302014) selects the
// body grammar; lines whose id was stripped by a collector are recognised by their body text.
// Built (302013/302015/...) lines fix which endpoint originated a connection ("outbound" = the
// second endpoint); the parser remembers that per connection id so Teardown lines (which keep the
// Built order) get client = originator. Teardown reasons: TCP Reset-I / Reset-O / TCP Reset from
// IFC -> fw-reset with reset_by; TCP FINs -> fw-teardown; Conn-timeout / Idle Timeout / SYN Timeout /
// FIN Timeout -> conn-timeout; IPS / inspection terminations -> fw-reset by the firewall.
#include <initializer_list>
#include <string>
#include <unordered_map>

#include "firewall_common.h"
#include "rstscope/parser.h"
#include "rstscope/text.h"
#include "syslog_common.h"

namespace rstscope {
namespace {

struct Endpoint {
  std::string_view ifc, ip, port;
};

// "ifc:ip/port" or "ip/port" or "ifc:ip" (IPv6 addresses contain ':'; the interface never starts
// with a hex digit followed by ':' in practice, so the first ':' splits only when what follows
// does not contain another ':' before '/').
Endpoint parse_endpoint(std::string_view s) {
  Endpoint e;
  // trailing "(...)" e.g. "192.168.2.2/51635(testhostname.domain)"
  size_t paren = s.find('(');
  if (paren != std::string_view::npos) s = s.substr(0, paren);
  size_t colon = s.find(':');
  if (colon != std::string_view::npos) {
    std::string_view after = s.substr(colon + 1);
    size_t slash = after.find('/');
    std::string_view addr = after.substr(0, slash);
    // "OUTSIDE:2a02:cf40::1" -> ifc OUTSIDE; "2a02:cf40::1" alone has a ':' after the first colon too,
    // but its first segment is hex: treat as address when the first segment is all hex and <= 4 chars.
    std::string_view first = s.substr(0, colon);
    bool hex = first.size() <= 4 && !first.empty();
    for (char c : first)
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) hex = false;
    if (!hex || addr.find(':') == std::string_view::npos) {
      if (!(hex && addr.find(':') != std::string_view::npos)) {
        e.ifc = first;
        s = after;
      }
    }
  }
  size_t slash = s.rfind('/');
  if (slash != std::string_view::npos) {
    e.ip = s.substr(0, slash);
    e.port = s.substr(slash + 1);
  } else {
    e.ip = s;
  }
  return e;
}

// Token after `key` (up to a space), "" when absent.
std::string_view word_after(std::string_view s, std::string_view key) {
  size_t p = s.find(key);
  if (p == std::string_view::npos) return {};
  std::string_view r = s.substr(p + key.size());
  return r.substr(0, r.find(' '));
}

bool ieq_contains(std::string_view ifc, std::string_view what) { return icontains(ifc, what); }

struct Message {
  int level = -1;
  std::string_view id;    // "302014"
  std::string_view body;  // text after "ID: "
};

// An IPv4 address, or an IPv6 one (hex digits, ':' and dots, at least two ':').
bool looks_like_ip(std::string_view s) {
  if (looks_like_ipv4(s)) return true;
  int colons = 0;
  for (char c : s) {
    if (c == ':') ++colons;
    else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '.')) return false;
  }
  return colons >= 2;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// Finds "%ASA-6-302014: " / "ASA-6-302014: " / "%FTD-..." / "%PIX-..." / bare "302020: ".
bool find_message(std::string_view l, Message& m, size_t& at) {
  for (std::string_view fac : {std::string_view("ASA-"), std::string_view("FTD-"), std::string_view("PIX-"),
                               std::string_view("FWSM-")}) {
    size_t p = l.find(fac);
    while (p != std::string_view::npos) {
      size_t i = p + fac.size();
      if (i + 3 < l.size() && l[i] >= '0' && l[i] <= '7' && l[i + 1] == '-') {
        size_t colon = l.find(':', i + 2);
        if (colon != std::string_view::npos && colon - (i + 2) <= 8 && all_digits(l.substr(i + 2, colon - i - 2))) {
          m.level = l[i] - '0';
          m.id = l.substr(i + 2, colon - i - 2);
          m.body = trim(l.substr(colon + 1));
          at = p > 0 && l[p - 1] == '%' ? p - 1 : p;
          return true;
        }
      }
      p = l.find(fac, p + 1);
    }
  }
  // "6|Nov 28 2014 12:59:03|302021: ..." or "302020: ..." at the start
  std::string_view s = l;
  size_t bar = s.rfind('|', 40);
  if (bar != std::string_view::npos && bar < 40) s = s.substr(bar + 1);
  size_t colon = s.find(": ");
  if (colon == 6 && all_digits(s.substr(0, 6))) {
    m.id = s.substr(0, 6);
    m.body = trim(s.substr(8));
    at = static_cast<size_t>(s.data() - l.data());
    if (bar != std::string_view::npos && l[0] >= '0' && l[0] <= '7' && l[1] == '|') m.level = l[0] - '0';
    return true;
  }
  return false;
}

// Body texts recognised without a message id (collectors that strip "%ASA-n-id: ").
std::string_view id_for_body(std::string_view b) {
  if (starts_with(b, "Built ") && b.find(" connection ") != std::string_view::npos) return "302013";
  if (starts_with(b, "Built dynamic") || starts_with(b, "Built static")) return "305011";
  if (starts_with(b, "Teardown ") && b.find(" connection ") != std::string_view::npos) return "302014";
  if (starts_with(b, "Deny TCP (no connection)")) return "106015";
  if (starts_with(b, "Deny ") && b.find(" by access-group ") != std::string_view::npos) return "106023";
  if (starts_with(b, "access-list ") && (b.find(" permitted ") != std::string_view::npos ||
                                        b.find(" denied ") != std::string_view::npos))
    return "106100";
  if (starts_with(b, "Inbound TCP connection denied")) return "106001";
  if (starts_with(b, "Deny inbound")) return "106006";
  if (b.find(" Accessed URL ") != std::string_view::npos || b.find(" Accessed JAVA URL ") != std::string_view::npos)
    return "304001";
  if (b.find("Switching to ACTIVE") != std::string_view::npos || b.find("Switching to STANDBY") != std::string_view::npos)
    return "104001";
  if (starts_with(b, "No matching connection for ICMP error message")) return "313005";
  return {};
}

std::string_view level_name(int level) {
  static constexpr std::string_view kNames[8] = {"emerg", "alert", "crit", "error", "warn", "notice", "info", "debug"};
  return level >= 0 && level < 8 ? kNames[level] : std::string_view{};
}

class AsaFile : public FileParser {
 public:
  explicit AsaFile(const ParseContext& ctx) : ctx_(ctx) {}

  void record(const Record& rec, Emitter& out) override {
    if (trim(rec.text).empty()) return;  // blank lines are neither events nor garbage
    std::string_view l = rec.text;
    Message m;
    size_t at = 0;
    bool found = find_message(l, m, at);
    if (!found) {
      // Generic Cisco "%FAC-SEV-MNEMONIC:" (IOS) lines share ASA collectors: keep them as events.
      size_t pct = l.find('%');
      if (pct != std::string_view::npos) {
        size_t colon = l.find(": ", pct);
        std::string_view tag = colon == std::string_view::npos ? std::string_view{} : l.substr(pct + 1, colon - pct - 1);
        size_t d1 = tag.find('-');
        if (d1 != std::string_view::npos && d1 + 2 < tag.size() && tag[d1 + 1] >= '0' && tag[d1 + 1] <= '7' &&
            tag[d1 + 2] == '-') {
          m.level = tag[d1 + 1] - '0';
          m.body = trim(l.substr(colon + 2));
          at = pct;
          Event& ev = out.event();
          ev.role = Role::firewall;
          header(l.substr(0, at), ev);
          ev.fields.add("message_id", tag);
          ev.severity.assign(level_name(m.level));
          ev.message.assign(m.body);
          ev.category.assign(ev.severity.empty() ? "info" : ev.severity);
          return;
        }
      }
      // No id: try the body after the syslog header.
      syslog::Prefix p;
      std::string_view b = syslog::split(l, p) ? p.message : l;
      std::string_view id = id_for_body(trim(b));
      if (id.empty()) {
        out.unparsed("no ASA message id and no known ASA message text");
        return;
      }
      m.id = id;
      m.body = trim(b);
      at = static_cast<size_t>(m.body.data() - l.data());
    }
    Event& ev = out.event();
    ev.role = Role::firewall;
    header(l.substr(0, at), ev);
    ev.fields.add("message_id", m.id);
    if (m.level >= 0) ev.severity.assign(level_name(m.level));
    ev.message.assign(m.body);
    body(m, ev);
    if (ev.category.empty()) ev.category.assign(ev.severity.empty() ? "info" : ev.severity);
  }

 private:
  void header(std::string_view head, Event& ev) {
    head = trim(head);
    if (head.empty()) return;
    // "Oct 10 2018 12:34:56 host ..." (ASA "logging timestamp" with year) or "6|Nov 28 2014 12:59:03|"
    std::string_view h = head;
    size_t bar = h.find('|');
    if (bar != std::string_view::npos && bar < 3) h = h.substr(bar + 1);
    if (!h.empty() && h[0] == '<') {
      size_t gt = h.find('>');
      if (gt != std::string_view::npos && gt < 5) h = h.substr(gt + 1);
    }
    CivilTime t;
    size_t n = 0;
    if (h.size() > 20 && h[3] == ' ' && h[6] == ' ' && h[11] == ' ') {
      // "Mmm dd YYYY HH:MM:SS"
      int64_t year;
      std::string_view md = h.substr(0, 6);
      std::string_view clock = h.substr(12);
      char buf[32];
      if (parse_int(h.substr(7, 4), year) && clock.size() >= 8) {
        size_t k = 0;
        for (char c : md) buf[k++] = c;
        buf[k++] = ' ';
        for (size_t i = 0; i < 8 + 7 && i < clock.size() && k < sizeof(buf); ++i) buf[k++] = clock[i];
        size_t m = parse_syslog_time(std::string_view(buf, k), t);
        if (m) {
          t.year = static_cast<int>(year);
          n = 12 + (m - 7);
        }
      }
    }
    if (n) {
      ev.ts_raw.assign(h.substr(0, n));
      ctx_.time->resolve(t, ev);
      std::string_view rest = trim(h.substr(n));
      size_t sp = rest.find(' ');
      std::string_view host = rest.substr(0, sp);
      if (!host.empty() && host.back() == ':') host.remove_suffix(1);
      if (!host.empty() && host.find('[') == std::string_view::npos) fw::add_str(ev, "host", host);
      return;
    }
    syslog::Prefix p;
    if (syslog::split(head, p)) {
      if (p.has_time) {
        ev.ts_raw.assign(p.time_text);
        ctx_.time->resolve(p.time, ev);
      }
      std::string_view host = p.host;
      if (host.empty() && !p.app.empty()) host = p.app;  // "dev01: %ASA-..." -> tag-like host
      if (!host.empty()) fw::add_str(ev, "host", host);
    } else {
      size_t m = parse_syslog_time(h, t);
      if (m) {
        ev.ts_raw.assign(h.substr(0, m));
        ctx_.time->resolve(t, ev);
      }
    }
  }

  // Fills the 5-tuple from two endpoints; originator first.
  void tuple(Event& ev, const Endpoint& a, const Endpoint& b) {
    fw::set_tuple(ev, a.ip, a.port, b.ip, b.port);
    if (!a.ifc.empty()) ev.fields.add("src_interface", a.ifc);
    if (!b.ifc.empty()) ev.fields.add("dst_interface", b.ifc);
  }

  static bool ephemeral_first_wellknown_second(const Endpoint& a, const Endpoint& b) {
    int64_t pa, pb;
    return fw::parse_uint(a.port, pa) && fw::parse_uint(b.port, pb) && pa < 1024 && pb >= 1024;
  }

  // "for IFC:IP/PORT [(MAPPED)] to IFC:IP/PORT [(MAPPED)]" (interface names may contain spaces)
  static std::string_view until(std::string_view s, std::initializer_list<std::string_view> stops) {
    size_t end = s.size();
    for (std::string_view st : stops) {
      size_t p = s.find(st);
      if (p < end) end = p;
    }
    return s.substr(0, end);
  }
  static bool for_to(std::string_view b, Endpoint& first, Endpoint& second) {
    size_t f = b.find(" for ");
    if (f == std::string_view::npos) return false;
    std::string_view s = b.substr(f + 5);
    size_t to = s.find(" to ");
    if (to == std::string_view::npos) return false;
    first = parse_endpoint(until(s.substr(0, to), {" ("}));
    second = parse_endpoint(until(s.substr(to + 4), {" (", " duration ", " type "}));
    return !first.ip.empty() && !second.ip.empty();
  }

  // "from IP/PORT to IP/PORT" or "from IFC:IP/PORT to IFC:IP/PORT"
  static bool from_to(std::string_view b, Endpoint& src, Endpoint& dst) {
    size_t f = b.find("from ");
    if (f == std::string_view::npos) return false;
    std::string_view s = b.substr(f + 5);
    src = parse_endpoint(s.substr(0, s.find_first_of(" ,")));
    size_t to = s.find(" to ");
    if (to == std::string_view::npos) return false;
    std::string_view t = s.substr(to + 4);
    dst = parse_endpoint(t.substr(0, t.find_first_of(" ,")));
    return !src.ip.empty() && !dst.ip.empty();
  }

  // 313001 "Denied ICMP type=3, code=3 from 10.2.3.5 on interface Outside";
  // 313004 "Denied ICMP type=0, from laddr 10.10.10.10 on interface fw502 to 192.168.2.2: no matching session"
  static void icmp_from(std::string_view b, Event& ev) {
    size_t f = b.find(" from ");
    if (f == std::string_view::npos) return;
    std::string_view s = b.substr(f + 6), src, dst;
    if (starts_with(s, "laddr ")) s.remove_prefix(6);
    src = s.substr(0, s.find_first_of(" ,"));
    size_t to = s.find(" to ");
    if (to != std::string_view::npos) {
      dst = s.substr(to + 4);
      dst = dst.substr(0, dst.find_first_of(" ,"));
      if (!dst.empty() && dst.back() == ':') dst.remove_suffix(1);
    }
    if (!looks_like_ip(src)) return;
    if (!looks_like_ip(dst)) dst = {};
    fw::set_tuple(ev, src, {}, dst, {});
    std::string_view ifc = word_after(b, " on interface ");
    if (!ifc.empty()) fw::add_str(ev, "interface", ifc);
  }

  // "src IFC:IP/PORT dst IFC:IP/PORT"
  static bool src_dst(std::string_view b, Endpoint& src, Endpoint& dst) {
    size_t s1 = b.find("src ");
    size_t d1 = b.find(" dst ");
    if (s1 == std::string_view::npos || d1 == std::string_view::npos || d1 < s1) return false;
    std::string_view a = b.substr(s1 + 4, d1 - s1 - 4);
    std::string_view c = b.substr(d1 + 5);
    src = parse_endpoint(a.substr(0, a.find(' ')));
    dst = parse_endpoint(c.substr(0, c.find(' ')));
    return !src.ip.empty() && !dst.ip.empty();
  }

  static void protocol_from(std::string_view b, Event& ev) {
    b = b.substr(0, 64);
    for (std::string_view p : {std::string_view("TCP"), std::string_view("UDP"), std::string_view("ICMP"),
                               std::string_view("GRE"), std::string_view("SCTP")}) {
      size_t pos = 0;
      while ((pos = b.find(p, pos)) != std::string_view::npos) {
        size_t end = pos + p.size();
        if ((pos == 0 || b[pos - 1] == ' ') && (end == b.size() || b[end] == ' ')) {
          fw::set_protocol(ev, p);
          return;
        }
        pos = end;
      }
    }
  }

  void body(const Message& m, Event& ev) {
    std::string_view id = m.id, b = m.body;
    Endpoint e1, e2;
    if (id == "302013" || id == "302015" || id == "302017" || id == "302020" || id == "302022" || id == "302024" ||
        id == "302026" || id == "302303") {
      // Built {inbound|outbound} PROTO connection ID for A to B
      protocol_from(b, ev);
      bool outbound = b.find("outbound") != std::string_view::npos;
      std::string_view cid = word_after(b, " connection ");
      if (!cid.empty() && all_digits(cid)) ev.conn_id.assign(cid);
      if (b.find(" faddr ") != std::string_view::npos) {
        // ICMP: "for faddr F/0 gaddr G/0 laddr L/0"
        Endpoint f = parse_endpoint(word_after(b, "faddr ")), la = parse_endpoint(word_after(b, "laddr "));
        if (outbound) tuple(ev, la, f);
        else tuple(ev, f, la);
      } else if (for_to(b, e1, e2)) {
        if (outbound) tuple(ev, e2, e1);
        else tuple(ev, e1, e2);
        if (!ev.conn_id.empty()) {
          origin_[std::string(ev.conn_id)] = outbound;
          if (origin_.size() > 200000) origin_.clear();
        }
      }
      ev.fields.add("direction", outbound ? "outbound" : "inbound");
      fw::set_action(ev, fw::Action::allow);
      return;
    }
    if (id == "302014" || id == "302016" || id == "302018" || id == "302021" || id == "302023" || id == "302025" ||
        id == "302027" || id == "302304") {
      protocol_from(b, ev);
      std::string_view cid = word_after(b, " connection ");
      if (!cid.empty() && all_digits(cid)) ev.conn_id.assign(cid);
      bool swapped = false;
      if (b.find(" faddr ") != std::string_view::npos) {
        e1 = parse_endpoint(word_after(b, "faddr "));
        e2 = parse_endpoint(word_after(b, "laddr "));
        tuple(ev, e1, e2);
      } else if (for_to(b, e1, e2) || from_to(b, e1, e2)) {
        auto it = ev.conn_id.empty() ? origin_.end() : origin_.find(std::string(ev.conn_id));
        if (it != origin_.end()) {
          swapped = it->second;
          origin_.erase(it);
        } else {
          swapped = ephemeral_first_wellknown_second(e1, e2);
        }
        if (swapped) tuple(ev, e2, e1);
        else tuple(ev, e1, e2);
      }
      std::string_view dur = word_after(b, " duration ");
      int64_t us, v;
      if (fw::parse_hms_duration(dur, us)) ev.duration_us = us;
      std::string_view bytes = word_after(b, " bytes ");
      if (fw::parse_uint(bytes, v)) ev.bytes = v;
      // Reason: text after "bytes N "
      std::string_view reason;
      size_t bp = b.find(" bytes ");
      if (bp != std::string_view::npos) {
        std::string_view r = b.substr(bp + 7);
        size_t sp = r.find(' ');
        reason = sp == std::string_view::npos ? std::string_view{} : trim(r.substr(sp + 1));
      }
      std::string_view from_ifc, user;
      if (!reason.empty() && reason.back() == ')') {
        size_t op = reason.rfind(" (");
        if (op != std::string_view::npos) {
          user = reason.substr(op + 2, reason.size() - op - 3);
          reason = trim(reason.substr(0, op));
        }
      }
      size_t fr = reason.find(" from ");
      if (fr != std::string_view::npos) {
        from_ifc = reason.substr(fr + 6);
        reason = reason.substr(0, fr);
      }
      if (!reason.empty()) fw::add_str(ev, "reason", reason);
      if (!from_ifc.empty()) ev.fields.add("teardown_initiator", from_ifc);
      if (!user.empty()) ev.fields.add("user", user);
      // Who reset: which endpoint is on the named side.
      const Endpoint& cl = swapped ? e2 : e1;
      const Endpoint& sv = swapped ? e1 : e2;
      auto side_of = [&](std::string_view ifc_hint, bool inside) -> std::string_view {
        if (!ifc_hint.empty()) {
          if (iequals(cl.ifc, ifc_hint)) return "client";
          if (iequals(sv.ifc, ifc_hint)) return "server";
          return {};
        }
        std::string_view want = inside ? "inside" : "outside";
        std::string_view other = inside ? "outside" : "inside";
        bool c_in = ieq_contains(cl.ifc, want) && !(inside && ieq_contains(cl.ifc, "outside"));
        bool s_in = ieq_contains(sv.ifc, want) && !(inside && ieq_contains(sv.ifc, "outside"));
        if (c_in != s_in) return c_in ? "client" : "server";
        bool c_other = ieq_contains(cl.ifc, other), s_other = ieq_contains(sv.ifc, other);
        if (c_other != s_other) return c_other ? "server" : "client";
        return {};
      };
      fw::Action a = fw::Action::teardown;
      std::string_view reset_by;
      if (starts_with(reason, "TCP Reset-I")) {
        a = fw::Action::reset;
        reset_by = side_of(from_ifc, true);
        ev.fields.add("reset_from", "inside");
      } else if (starts_with(reason, "TCP Reset-O")) {
        a = fw::Action::reset;
        reset_by = side_of(from_ifc, false);
        ev.fields.add("reset_from", "outside");
      } else if (starts_with(reason, "TCP Reset")) {
        a = fw::Action::reset;
        if (!from_ifc.empty()) reset_by = side_of(from_ifc, true);
      } else if (icontains(reason, "timeout") || icontains(reason, "Conn-timeout")) {
        a = fw::Action::timeout;
      } else if (icontains(reason, "IPS") || icontains(reason, "inspection") || starts_with(reason, "Deny Terminate") ||
                 icontains(reason, "TCP Intercept") || starts_with(reason, "Unauth Deny") ||
                 icontains(reason, "Invalid SYN") || icontains(reason, "bad retransmission") ||
                 icontains(reason, "segment partial overlap") || icontains(reason, "unexpected window")) {
        a = icontains(reason, "reset") ? fw::Action::reset : fw::Action::drop;
        reset_by = "firewall";
      }
      fw::set_action(ev, a, a == fw::Action::reset ? fw::kRst : 0);
      if (!reset_by.empty()) ev.fields.add("reset_by", reset_by);
      return;
    }
    if (id == "106001" || id == "106006" || id == "106007" || id == "106015" || id == "106021" || id == "710003" ||
        id == "710005" || id == "710006" || id == "434002" || id == "110002" || id == "419001" || id == "106010") {
      protocol_from(b, ev);
      if (from_to(b, e1, e2) || src_dst(b, e1, e2)) tuple(ev, e1, e2);
      uint8_t flags = 0;
      size_t fl = b.find(" flags ");
      if (fl != std::string_view::npos) {
        std::string_view s = b.substr(fl + 7), tok;
        while (next_token(s, tok)) {
          uint8_t f = fw::flag_from_word(tok);
          if (!f) break;
          flags |= f;
        }
      }
      std::string_view ifc = word_after(b, " on interface ");
      if (!ifc.empty()) fw::add_str(ev, "interface", ifc);
      fw::set_action(ev, fw::Action::drop, flags);
      if (id == "106015") {
        ev.category.assign("fw-no-state");
        ev.fields.add_bool("no_state", true);
      }
      if (id == "419001") {
        size_t r = b.find("reason: ");
        if (r != std::string_view::npos) ev.fields.add("reason", b.substr(r + 8));
      }
      return;
    }
    if (id == "106014" || id == "106023" || id == "313001" || id == "313004" || id == "313005") {
      std::string_view p = word_after(b, "Deny ");
      int64_t pn;
      if (p == "protocol" && fw::parse_uint(word_after(b, "Deny protocol "), pn)) {
        std::string_view name = fw::ip_proto_name(pn);
        if (!name.empty()) ev.protocol.assign(name);
      } else if (p == "inbound") {
        fw::set_protocol(ev, word_after(b, "Deny inbound "));
      } else if (!p.empty()) {
        fw::set_protocol(ev, p);
      }
      if (ev.protocol.empty() && (b.find("icmp") != std::string_view::npos || b.find("ICMP") != std::string_view::npos))
        ev.protocol.assign("icmp");
      if (src_dst(b, e1, e2)) tuple(ev, e1, e2);
      else if (id == "313001" || id == "313004") icmp_from(b, ev);
      size_t ag = b.find("access-group \"");
      if (ag != std::string_view::npos) {
        std::string_view acl = b.substr(ag + 14);
        fw::add_str(ev, "acl", acl.substr(0, acl.find('"')));
      }
      fw::set_action(ev, fw::Action::drop);
      return;
    }
    if (id == "106100") {
      // access-list ACL permitted|denied PROTO IFC/IP(PORT) -> IFC/IP(PORT) hit-cnt N ...
      std::string_view s = b.substr(12), acl, verdict, proto, a, arrow, c;
      next_token(s, acl);
      next_token(s, verdict);
      next_token(s, proto);
      next_token(s, a);
      next_token(s, arrow);
      next_token(s, c);
      ev.fields.add("acl", acl);
      fw::set_protocol(ev, proto);
      auto ep = [](std::string_view x, Endpoint& e) {
        size_t sl = x.find('/');
        if (sl != std::string_view::npos) {
          e.ifc = x.substr(0, sl);
          x = x.substr(sl + 1);
        }
        size_t op = x.find('(');
        e.ip = x.substr(0, op);
        if (op != std::string_view::npos) e.port = x.substr(op + 1, x.find(')', op) - op - 1);
      };
      ep(a, e1);
      ep(c, e2);
      tuple(ev, e1, e2);
      fw::set_action(ev, verdict == "permitted" ? fw::Action::allow : fw::Action::drop);
      return;
    }
    if (id == "710001" || id == "710002") {
      protocol_from(b, ev);
      if (from_to(b, e1, e2)) tuple(ev, e1, e2);
      fw::set_action(ev, fw::Action::allow);
      return;
    }
    if (id == "507003") {
      if (from_to(b, e1, e2)) tuple(ev, e1, e2);
      fw::set_protocol(ev, word_after(b, ""));
      size_t r = b.find("reason - ");
      if (r != std::string_view::npos) ev.fields.add("reason", b.substr(r + 9));
      fw::set_action(ev, fw::Action::reset, fw::kRst);
      ev.fields.add("reset_by", "firewall");
      return;
    }
    if (id == "733100") {
      // "[ object] drop rate-N exceeded. ..."
      size_t open = b.find('['), close = b.find(']');
      if (open != std::string_view::npos && close != std::string_view::npos && close > open)
        ev.fields.add("threat_object", trim(b.substr(open + 1, close - open - 1)));
      ev.role = Role::firewall;
      ev.fields.add("action", "drop");
      ev.category.assign("rate-limited");
      return;
    }
    if (id == "305011" || id == "305012") {
      protocol_from(b, ev);
      if (from_to(b, e1, e2)) {
        fw::set_tuple(ev, e1.ip, e1.port, {}, {});
        ev.fields.add("nat_ip", e2.ip);
        if (!e2.port.empty()) ev.fields.add("nat_port", e2.port);
      }
      ev.category.assign("info");
      return;
    }
    if (id == "106016" || id == "106017" || id == "106020") {
      fw::set_action(ev, fw::Action::drop);
      return;
    }
  }

  ParseContext ctx_;
  std::unordered_map<std::string, bool> origin_;  // conn id -> Built was outbound (endpoints swapped)
};

class AsaParser : public Parser {
 public:
  std::string_view name() const override { return "cisco-asa"; }
  std::string_view description() const override {
    return "Cisco ASA/FTD syslog: Built/Teardown with reasons (TCP Reset-I/-O, FINs, Conn-timeout), denies, "
           "106015 no-connection drops";
  }
  Role role() const override { return Role::firewall; }
  Score sniff(const SniffInput& in) const override {
    int hits = 0, total = 0;
    for (std::string_view l : in.lines) {
      ++total;
      Message m;
      size_t at;
      if (find_message(l, m, at) && !m.id.empty() && l.find("ASA") != std::string_view::npos) ++hits;
      else if (l.find("%FTD-") != std::string_view::npos || l.find("%PIX-") != std::string_view::npos) ++hits;
      else if (find_message(l, m, at) || !id_for_body(l).empty()) hits += 0;
    }
    if (!total || !hits) return {};
    return {50 + 45 * hits / total, std::to_string(hits) + " of " + std::to_string(total) + " lines carry %ASA-n-id"};
  }
  std::unique_ptr<FileParser> open(const ParseContext& ctx) const override {
    return std::make_unique<AsaFile>(ctx);
  }
  const std::vector<Sample>& samples() const override {
    static const std::vector<Sample> s = {
        // corpus beats_cisco_asa_additional_messages.log line 21 and logstash_patterns_core_firewalls.log line 18
        {"May  5 18:40:50 dev01: %ASA-4-313004: Denied ICMP type=0, from laddr 10.10.10.10 on interface fw502 to "
         "192.168.2.2: no matching session",
         {{"category", "fw-drop"}, {"protocol", "icmp"}, {"client_ip", "10.10.10.10"}, {"server_ip", "192.168.2.2"},
          {"fields.interface", "fw502"}}},
        {"ASA-3-313001: Denied ICMP type=3, code=3 from 10.2.3.5 on interface Outside",
         {{"category", "fw-drop"}, {"protocol", "icmp"}, {"client_ip", "10.2.3.5"}, {"server_ip", ""},
          {"fields.interface", "Outside"}}},
        {"Oct 10 2018 12:34:56 localhost CiscoASA[999]: %ASA-6-302014: Teardown TCP connection 11749 for "
         "outside:100.66.211.242/80 to inside:172.31.98.44/1758 duration 0:01:07 bytes 38110 TCP Reset-I",
         {{"role", "firewall"},
          {"ts", "2018-10-10T12:34:56.000Z"},
          {"category", "fw-reset"},
          {"client_ip", "172.31.98.44"},
          {"client_port", "1758"},
          {"server_ip", "100.66.211.242"},
          {"server_port", "80"},
          {"protocol", "tcp"},
          {"conn_id", "11749"},
          {"bytes", "38110"},
          {"duration_us", "67000000"},
          {"fields.reason", "TCP Reset-I"},
          {"fields.reset_by", "client"},
          {"fields.action", "reset"},
          {"fields.message_id", "302014"},
          {"severity", "info"}}},
        {"%ASA-6-302014: Teardown TCP connection 10 for outside:10.1.2.1/28218 to NP Identity Ifc:10.1.2.2/22 duration "
         "0:00:33 bytes 968 TCP Reset-O",
         {{"fields.reset_by", "client"}, {"client_port", "28218"}, {"server_port", "22"}}},
        {"Oct 10 2018 12:34:56 localhost CiscoASA[999]: %ASA-6-302013: Built outbound TCP connection 11757 for "
         "outside:100.66.205.104/80 (100.66.205.104/80) to inside:172.31.98.44/1772 (172.31.98.44/1772)",
         {{"category", "fw-allow"}, {"client_ip", "172.31.98.44"}, {"server_port", "80"}, {"fields.direction", "outbound"}}},
        {"May  5 19:02:58 dev01: %ASA-6-106015: Deny TCP (no connection) from 192.168.2.2/24223 to 10.10.10.10/443 flags "
         "RST  on interface fw111",
         {{"category", "fw-no-state"}, {"fields.tcp_flags", "RST"}, {"client_port", "24223"}, {"fields.interface", "fw111"}}},
        {"%ASA-6-302014: Teardown TCP connection 9 for outside:10.1.2.1/22 to inside:10.1.1.2/53496 duration 0:00:30 "
         "bytes 0 SYN Timeout",
         {{"category", "conn-timeout"}, {"fields.reason", "SYN Timeout"}}},
        {"May  5 18:40:50 dev01: %ASA-4-106023: Deny tcp src fw111:10.10.10.10/64388 dst out111:192.168.2.2/443 by "
         "access-group \"out1111_access_out\" [0x47e21ef4, 0x47e21ef4]",
         {{"category", "fw-drop"}, {"fields.acl", "out1111_access_out"}, {"server_port", "443"}}},
        {"hello world", {{"unparsed", "1"}}},
    };
    return s;
  }
};

RSTSCOPE_REGISTER_PARSER(AsaParser);

}  // namespace
}  // namespace rstscope
