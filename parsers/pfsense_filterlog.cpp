// pfSense / OPNsense `filterlog` CSV lines, RFC 3164 or RFC 5424 syslog (signatures.md B11; field
// order from pfSense syslog.inc parse_firewall_log_line()). Hand-split CSV, no allocation.
// Actions: pass -> allow, block -> drop, reject -> reject (pf answers TCP with RST). A `block` of a
// TCP packet without SYN (A, PA, FA, RA) means pf had no state for the flow: category fw-no-state.
#include "firewall_common.h"
#include "rstscope/parser.h"
#include "rstscope/text.h"
#include "syslog_common.h"

namespace rstscope {
namespace {

// Returns the CSV after "filterlog...", or "" when the line has no filterlog tag.
std::string_view filterlog_csv(std::string_view l, size_t& tag_at) {
  tag_at = l.find("filterlog");
  if (tag_at == std::string_view::npos || tag_at > 120) return {};
  std::string_view s = l.substr(tag_at + 9);
  if (!s.empty() && s[0] == '[') {  // filterlog[1234]:
    size_t close = s.find(']');
    if (close == std::string_view::npos) return {};
    s = s.substr(close + 1);
  }
  if (!s.empty() && s[0] == ':') {
    s.remove_prefix(1);
    if (!s.empty() && s[0] == ' ') s.remove_prefix(1);
    return s;
  }
  // RFC 5424: "filterlog PID MSGID SD MSG"
  if (!s.empty() && s[0] == ' ') {
    s.remove_prefix(1);
    std::string_view f;
    if (!next_field(s, ' ', f)) return {};  // pid
    if (!next_field(s, ' ', f)) return {};  // msgid
    if (!s.empty() && s[0] == '[') {
      size_t close = s.find("] ");
      if (close == std::string_view::npos) return {};
      return s.substr(close + 2);
    }
    if (!next_field(s, ' ', f)) return {};  // "-"
    return s;
  }
  return {};
}

class FilterlogFile : public FileParser {
 public:
  explicit FilterlogFile(const ParseContext& ctx) : ctx_(ctx) {}

  void record(const Record& rec, Emitter& out) override {
    if (trim(rec.text).empty()) return;  // blank lines are neither events nor garbage
    std::string_view l = rec.text;
    size_t tag_at;
    std::string_view csv = filterlog_csv(l, tag_at);
    if (csv.empty()) {
      out.unparsed("no filterlog tag");
      return;
    }
    // Common 9 columns, then the IP part (v4: 11, v6: 8), then ports / data length / TCP flags.
    std::string_view f[32];
    size_t n = fw::split_fields(csv, ',', f, 32);
    if (n < 9) {
      out.unparsed("filterlog: fewer than 9 CSV fields");
      return;
    }
    Event& ev = out.event();
    ev.role = Role::firewall;
    fw::FastFields ff(ev);
    // Time from the syslog header (before the tag).
    syslog::Prefix p;
    if (syslog::split(l, p) && p.has_time) {
      ev.ts_raw.assign(p.time_text);
      ctx_.time->resolve(p.time, ev);
      if (!p.host.empty()) ff.str("host", p.host);
    }
    ff.str("rule", f[0]);
    if (!f[3].empty()) ff.str("tracker", f[3]);
    ff.str("interface", f[4]);
    ff.str("reason", f[5]);
    ff.str("vendor_action", f[6]);
    ff.str("direction", f[7]);
    std::string_view proto, src, dst;
    int64_t length = kNull;
    size_t next = 9;
    if (f[8] == "4" && n >= 20) {
      // tos ecn ttl id offset flags protoid proto length src dst
      proto = f[16];
      fw::parse_uint(f[17], length);
      src = f[18];
      dst = f[19];
      next = 20;
    } else if (f[8] == "6" && n >= 17) {
      // class flowlabel hoplimit proto protoid length src dst
      proto = f[12];
      fw::parse_uint(f[14], length);
      src = f[15];
      dst = f[16];
      next = 17;
    }
    if (length != kNull) ev.bytes = length;
    fw::set_protocol(ev, proto);
    if (!src.empty()) ev.client_ip.assign(src);
    if (!dst.empty()) ev.server_ip.assign(dst);
    uint8_t flags = 0;
    bool tcp = ev.protocol == "tcp", udp = ev.protocol == "udp";
    if ((tcp || udp) && n >= next + 3) {
      int64_t v;
      if (fw::parse_uint(f[next], v)) ev.client_port = v;
      if (fw::parse_uint(f[next + 1], v)) ev.server_port = v;
      if (tcp && n > next + 3) flags = fw::flags_from_letters(f[next + 3]);
    }
    fw::Action a = fw::Action::none;
    if (f[6] == "pass") a = fw::Action::allow;
    else if (f[6] == "block") a = fw::Action::drop;
    else if (f[6] == "reject") a = fw::Action::reject;
    fw::set_action(ev, ff, a, flags);
    if (a == fw::Action::drop && tcp && flags && !(flags & fw::kSyn)) {
      ev.category.assign("fw-no-state");
      ff.boolean("no_state", true);
    }
    if (a == fw::Action::allow && (flags & fw::kRst)) ff.str("reset_by", "client");
  }


 private:
  ParseContext ctx_;
};

class FilterlogParser : public Parser {
 public:
  std::string_view name() const override { return "pfsense-filterlog"; }
  std::string_view description() const override {
    return "pfSense/OPNsense filterlog CSV (RFC 3164/5424 syslog): 5-tuple, pass/block/reject, TCP flags";
  }
  Role role() const override { return Role::firewall; }
  Score sniff(const SniffInput& in) const override {
    int hits = 0, total = 0;
    for (std::string_view l : in.lines) {
      ++total;
      size_t at;
      std::string_view csv = filterlog_csv(l, at);
      if (!csv.empty() && (csv.find(",match,") != std::string_view::npos || csv.find(",in,") != std::string_view::npos ||
                           csv.find(",out,") != std::string_view::npos))
        ++hits;
    }
    if (!total || !hits) return {};
    if (hits * 2 < total) return {20, std::to_string(hits) + " of " + std::to_string(total) + " lines are filterlog"};
    return {55 + 40 * hits / total, std::to_string(hits) + " of " + std::to_string(total) + " lines are pf filterlog CSV"};
  }
  std::unique_ptr<FileParser> open(const ParseContext& ctx) const override {
    return std::make_unique<FilterlogFile>(ctx);
  }
  const std::vector<Sample>& samples() const override {
    static const std::vector<Sample> s = {
        {"Jan 15 10:23:45 fw filterlog[1234]: 5,,,1000000103,igb0,match,block,in,4,0x0,,64,12345,0,DF,6,tcp,60,"
         "203.0.113.50,192.0.2.10,54321,443,0,S,1234567890,,64240,,mss;sackOK;TS;nop;wscale",
         {{"role", "firewall"},
          {"category", "fw-drop"},
          {"client_ip", "203.0.113.50"},
          {"client_port", "54321"},
          {"server_ip", "192.0.2.10"},
          {"server_port", "443"},
          {"protocol", "tcp"},
          {"fields.action", "drop"},
          {"fields.tcp_flags", "SYN"},
          {"fields.interface", "igb0"},
          {"fields.tracker", "1000000103"}}},
        {"Sep 28 10:38:09 pfSense filterlog: 53,,,1000000301,em0,match,block,in,4,0x0,,64,420,0,none,6,tcp,460,10.0.2.2,"
         "10.0.2.15,53742,22,420,PA,29633380:29633800,3617062173,65535,,",
         {{"category", "fw-no-state"}, {"fields.tcp_flags", "ACK PSH"}, {"fields.no_state", "true"}}},
        {"<134>1 2025-11-06T11:42:14.270789+00:00 firewall.lan filterlog 92653 - - 621,,,1644355515,vtnet0.10,match,"
         "block,in,6,0x00,0x07c63,64,TCP,6,44,fdfd:ace:ace:10:d8:cdbf:f6f8:6d69,fdfd:ace:ace:5::6,65382,443,0,S,"
         "1927530165,,0,,mss;nop;wscale;nop;nop;TS;sackOK;eol",
         {{"ts", "2025-11-06T11:42:14.270Z"}, {"client_ip", "fdfd:ace:ace:10:d8:cdbf:f6f8:6d69"}, {"server_port", "443"},
          {"protocol", "tcp"}}},
        {"Jan 15 10:23:45 fw filterlog[1234]: 5,,,1000000103,igb0,match,reject,in,4,0x0,,64,1,0,DF,6,tcp,60,"
         "203.0.113.50,192.0.2.10,54321,443,0,S,1,,64240,,",
         {{"category", "fw-reject"}, {"fields.action", "reject"}}},
        {"Jan 15 10:23:45 fw sshd[1]: not a filterlog line", {{"unparsed", "1"}}},
    };
    return s;
  }
};

RSTSCOPE_REGISTER_PARSER(FilterlogParser);

}  // namespace
}  // namespace rstscope
