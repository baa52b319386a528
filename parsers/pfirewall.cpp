// Windows Firewall pfirewall.log (W3C-like; signatures.md B12). The "#Fields:" header drives the
// columns (newer builds append "pid"); "#Time Format: Local" means local time (--tz), "UTC" means
// UTC. Actions: ALLOW/OPEN/OPEN-INBOUND -> allow, DROP -> drop, CLOSE -> teardown,
// INFO-EVENTS-LOST -> info with the count in fields.events_lost. tcpflags letters as pf.
#include "firewall_common.h"
#include "rstscope/parser.h"
#include "rstscope/text.h"

namespace rstscope {
namespace {

enum PCol : uint8_t { pIgnore, pDate, pTime, pAction, pProto, pSrcIp, pDstIp, pSrcPort, pDstPort, pSize, pFlags, pInfo, pPath, pPid, pIcmpType, pIcmpCode };

PCol pcol(std::string_view n) {
  if (n == "date") return pDate;
  if (n == "time") return pTime;
  if (n == "action") return pAction;
  if (n == "protocol") return pProto;
  if (n == "src-ip") return pSrcIp;
  if (n == "dst-ip") return pDstIp;
  if (n == "src-port") return pSrcPort;
  if (n == "dst-port") return pDstPort;
  if (n == "size") return pSize;
  if (n == "tcpflags") return pFlags;
  if (n == "info") return pInfo;
  if (n == "path") return pPath;
  if (n == "pid") return pPid;
  if (n == "icmptype") return pIcmpType;
  if (n == "icmpcode") return pIcmpCode;
  return pIgnore;
}

constexpr size_t kMax = 32;
constexpr std::string_view kDefaultFields =
    "date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode "
    "info path";

class PfirewallFile : public FileParser {
 public:
  explicit PfirewallFile(const ParseContext& ctx) : ctx_(ctx) { set_fields(kDefaultFields); }

  void record(const Record& rec, Emitter& out) override {
    if (trim(rec.text).empty()) return;  // blank lines are neither events nor garbage
    std::string_view l = rec.text;
    if (l.empty()) return;
    if (l[0] == '#') {
      if (starts_with(l, "#Fields:")) set_fields(trim(l.substr(8)));
      else if (starts_with(l, "#Time Format:")) utc_ = icontains(l, "UTC");
      return;
    }
    std::string_view v[kMax];
    size_t n = 0;
    std::string_view s = l;
    while (n < kMax && !s.empty()) {
      size_t sp = s.find(' ');
      v[n++] = s.substr(0, sp);
      if (sp == std::string_view::npos) break;
      s = s.substr(sp + 1);
    }
    std::string_view date, time, action;
    for (size_t i = 0; i < n && i < ncols_; ++i) {
      if (cols_[i] == pDate) date = v[i];
      else if (cols_[i] == pTime) time = v[i];
      else if (cols_[i] == pAction) action = v[i];
    }
    CivilTime t;
    char buf[40];
    if (date.size() != 10 || time.size() < 8 || date.size() + time.size() + 1 > sizeof(buf) || action.empty()) {
      out.unparsed("not a pfirewall.log record (date time action ...)");
      return;
    }
    size_t k = 0;
    for (char c : date) buf[k++] = c;
    buf[k++] = ' ';
    for (char c : time) buf[k++] = c;
    if (parse_iso8601(std::string_view(buf, k), t) != k) {
      out.unparsed("pfirewall.log record with a bad date/time");
      return;
    }
    Event& ev = out.event();
    ev.role = Role::firewall;
    if (utc_) {
      t.has_offset = true;
      t.offset_seconds = 0;
    }
    ev.ts_raw.assign(buf, k);
    ctx_.time->resolve(t, ev);
    uint8_t flags = 0;
    std::string_view src, sport, dst, dport;
    int64_t x;
    for (size_t i = 0; i < n && i < ncols_; ++i) {
      std::string_view f = v[i];
      if (f == "-") continue;
      switch (cols_[i]) {
        case pProto: fw::set_protocol(ev, f); break;
        case pSrcIp: src = f; break;
        case pDstIp: dst = f; break;
        case pSrcPort: sport = f; break;
        case pDstPort: dport = f; break;
        case pSize: if (fw::parse_uint(f, x)) ev.bytes = x; break;
        case pFlags: flags = fw::flags_from_letters(f); break;
        case pInfo: if (action == "INFO-EVENTS-LOST" && fw::parse_uint(f, x)) ev.fields.add("events_lost", x); else ev.fields.add("info", f); break;
        case pPath: ev.fields.add("path", f); break;
        case pPid: ev.fields.add("pid", f); break;
        case pIcmpType: if (fw::parse_uint(f, x)) ev.fields.add("icmp_type", x); break;
        case pIcmpCode: if (fw::parse_uint(f, x)) ev.fields.add("icmp_code", x); break;
        default: break;
      }
    }
    fw::set_tuple(ev, src, sport, dst, dport);
    ev.fields.add("vendor_action", action);
    fw::Action a = fw::Action::none;
    if (action == "ALLOW" || starts_with(action, "OPEN")) a = fw::Action::allow;
    else if (action == "DROP") a = fw::Action::drop;
    else if (action == "CLOSE") a = fw::Action::teardown;
    fw::set_action(ev, a, flags);
    if (a == fw::Action::none) ev.category.assign("info");
    if (a == fw::Action::drop && (flags & (fw::kAck | fw::kFin | fw::kRst)) && !(flags & fw::kSyn)) {
      ev.category.assign("fw-no-state");
      ev.fields.add_bool("no_state", true);
    }
  }

 private:
  void set_fields(std::string_view f) {
    ncols_ = 0;
    std::string_view s = f, tok;
    while (ncols_ < kMax && next_field(s, ' ', tok))
      if (!tok.empty()) cols_[ncols_++] = pcol(tok);
  }

  ParseContext ctx_;
  PCol cols_[kMax];
  size_t ncols_ = 0;
  bool utc_ = false;
};

class PfirewallParser : public Parser {
 public:
  std::string_view name() const override { return "windows-firewall"; }
  std::string_view description() const override {
    return "Windows Firewall pfirewall.log (#Fields header drives the columns): ALLOW/DROP/OPEN/CLOSE with 5-tuple";
  }
  Role role() const override { return Role::firewall; }
  Score sniff(const SniffInput& in) const override {
    for (std::string_view l : in.lines) {
      if (starts_with(l, "#Software: Microsoft Windows Firewall")) return {100, "#Software: Microsoft Windows Firewall"};
      if (starts_with(l, "#Fields:") && l.find("src-ip") != std::string_view::npos &&
          l.find("tcpflags") != std::string_view::npos)
        return {95, "#Fields: header of pfirewall.log"};
    }
    int hits = 0, total = 0;
    for (std::string_view l : in.lines) {
      ++total;
      if (l.size() > 20 && l[4] == '-' && l[10] == ' ' &&
          (l.find(" DROP ") != std::string_view::npos || l.find(" ALLOW ") != std::string_view::npos) &&
          (l.find(" RECEIVE") != std::string_view::npos || l.find(" SEND") != std::string_view::npos))
        ++hits;
    }
    if (!total || hits * 2 < total) return {};
    return {70, std::to_string(hits) + " of " + std::to_string(total) + " lines look like pfirewall.log records"};
  }
  std::unique_ptr<FileParser> open(const ParseContext& ctx) const override {
    return std::make_unique<PfirewallFile>(ctx);
  }
  const std::vector<Sample>& samples() const override {
    static const std::vector<Sample> s = {
        {"#Version: 1.5\n#Software: Microsoft Windows Firewall\n#Time Format: Local\n"
         "#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype "
         "icmpcode info path\n"
         "2019-11-06 12:35:19 DROP UDP 5.5.3.197 224.0.0.251 5353 5353 59 - - - - - - - RECEIVE",
         {{"count", "1"},
          {"role", "firewall"},
          {"ts", "2019-11-06T12:35:19.000Z"},
          {"category", "fw-drop"},
          {"client_ip", "5.5.3.197"},
          {"client_port", "5353"},
          {"server_ip", "224.0.0.251"},
          {"server_port", "5353"},
          {"protocol", "udp"},
          {"bytes", "59"},
          {"fields.path", "RECEIVE"}}},
        {"#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype "
         "icmpcode info path pid\n"
         "2024-03-01 10:00:01 DROP TCP 10.0.0.9 10.0.0.5 443 51234 40 AR 1 2 0 - - - RECEIVE 4",
         {{"category", "fw-no-state"}, {"fields.tcp_flags", "ACK RST"}, {"fields.pid", "4"}, {"fields.rst", "true"}}},
        {"2005-04-11 08:52:26 INFO-EVENTS-LOST - - - - - - - - - - - - 59 -",
         {{"category", "info"}, {"fields.events_lost", "59"}}},
        {"garbage", {{"unparsed", "1"}}},
    };
    return s;
  }
};

RSTSCOPE_REGISTER_PARSER(PfirewallParser);

}  // namespace
}  // namespace rstscope
