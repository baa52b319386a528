// Palo Alto PAN-OS TRAFFIC (and THREAT) logs as syslog CSV (signatures.md B13; column numbers are
// the 1-based ones of the PAN-OS field list). Quoted fields ("a,b", "" escapes) are honoured.
// Session end reason decides the category of TRAFFIC end logs: tcp-rst-from-client/-server ->
// fw-reset with reset_by, aged-out -> conn-timeout, tcp-fin -> fw-teardown, policy-deny -> fw-drop,
// threat -> fw-reset by the firewall, decrypt-* -> fw-reject. Times are the firewall's local time.
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "firewall_common.h"
#include "rstscope/parser.h"
#include "rstscope/text.h"

namespace rstscope {
namespace {

constexpr size_t kCols = 48;  // we need columns 1..47

// Splits CSV into up to kCols fields (views; quotes removed, "" left as written). One pass.
size_t split_csv_quoted(std::string_view s, std::string_view* out) {
  size_t n = 0, i = 0, len = s.size();
  const char* d = s.data();
  while (n < kCols) {
    if (i < len && d[i] == '"') {
      size_t j = i + 1;
      while (j < len) {
        if (d[j] == '"') {
          if (j + 1 < len && d[j + 1] == '"') {
            j += 2;
            continue;
          }
          break;
        }
        ++j;
      }
      out[n++] = s.substr(i + 1, std::min(j, len) - i - 1);
      i = j + 1;
      if (i < len && d[i] == ',') ++i;
      else break;
      continue;
    }
    size_t b = i;
    while (i < len && d[i] != ',') ++i;
    out[n++] = s.substr(b, i - b);
    if (i >= len) break;
    ++i;
  }
  return n;
}

// The same split for the common line without any '"' before its kCols-th comma: commas are found
// 16 bytes at a time (SSE2 compare + bit mask) instead of byte by byte; a quote sends the line
// to split_csv_quoted. Same fields, same count (the kCols-th field ends at its comma; the last
// field of a shorter line runs to the end, empty after a trailing comma).
size_t split_csv(std::string_view s, std::string_view* out) {
#if defined(__SSE2__)
  const char* d = s.data();
  const size_t len = s.size();
  size_t n = 0, b = 0, i = 0;
  const __m128i comma = _mm_set1_epi8(','), quote = _mm_set1_epi8('"');
  for (; i + 16 <= len; i += 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(d + i));
    if (_mm_movemask_epi8(_mm_cmpeq_epi8(v, quote))) return split_csv_quoted(s, out);
    for (unsigned m = unsigned(_mm_movemask_epi8(_mm_cmpeq_epi8(v, comma))); m; m &= m - 1) {
      size_t pos = i + size_t(__builtin_ctz(m));
      out[n++] = std::string_view(d + b, pos - b);
      b = pos + 1;
      if (n == kCols) return n;
    }
  }
  for (; i < len; ++i) {
    if (d[i] == '"') return split_csv_quoted(s, out);
    if (d[i] == ',') {
      out[n++] = std::string_view(d + b, i - b);
      b = i + 1;
      if (n == kCols) return n;
    }
  }
  out[n++] = std::string_view(d + b, len - b);
  return n;
#else
  return split_csv_quoted(s, out);
#endif
}

// The CSV starts at "1,YYYY/MM/DD HH:MM:SS," (FUTURE_USE then receive time), after any syslog header.
size_t csv_start(std::string_view l) {
  size_t pos = 0;
  while ((pos = l.find(",20", pos)) != std::string_view::npos && pos < 200) {
    // l[pos-?] should be a FUTURE_USE number right after a space (or line start)
    size_t b = pos;
    while (b > 0 && l[b - 1] >= '0' && l[b - 1] <= '9') --b;
    if (b < pos && (b == 0 || l[b - 1] == ' ') && l.size() > pos + 20 && l[pos + 5] == '/' && l[pos + 8] == '/')
      return b;
    pos += 3;
  }
  return std::string_view::npos;
}

bool pan_time(std::string_view s, CivilTime& t) {
  return s.size() == 19 && parse_iso8601(s, t) == 19;
}

class PanosFile : public FileParser {
 public:
  explicit PanosFile(const ParseContext& ctx) : ctx_(ctx) {}

  void record(const Record& rec, Emitter& out) override {
    if (trim(rec.text).empty()) return;  // blank lines are neither events nor garbage
    std::string_view l = rec.text;
    size_t at = csv_start(l);
    if (at == std::string_view::npos) {
      out.unparsed("no PAN-OS CSV (FUTURE_USE,receive time,...)");
      return;
    }
    std::string_view f[kCols + 1];
    size_t n = split_csv(l.substr(at), f + 1);  // f[1] = column 1
    if (n < 31) {
      out.unparsed("PAN-OS record with fewer than 31 columns");
      return;
    }
    std::string_view type = f[4];
    bool traffic = type == "TRAFFIC", threat = type == "THREAT";
    Event& ev = out.event();
    ev.role = Role::firewall;
    fw::FastFields ff(ev);
    CivilTime t;
    std::string_view when = !f[7].empty() ? f[7] : f[2];
    if (pan_time(when, t)) {
      ev.ts_raw.assign(when);
      ctx_.time->resolve(t, ev);
    }
    if (at > 0) {
      // "<syslog time> HOST 1,..." / "... HOST panos[12]: 1,...": the device is the last header token
      // (a TAG: form gives the tag; good enough to tell devices apart).
      std::string_view h = trim(l.substr(0, at));
      size_t sp = h.rfind(' ');
      std::string_view host = sp == std::string_view::npos ? std::string_view{} : h.substr(sp + 1);
      if (!host.empty() && host.back() == ':') host.remove_suffix(1);
      if (!host.empty() && host.find('[') == std::string_view::npos) ff.str("host", host);
    }
    ff.str("type", type);
    ff.str("subtype", f[5]);
    fw::set_tuple(ev, f[8], f[25], f[9], f[26]);
    if (!f[10].empty() && f[10] != "0.0.0.0") ff.str("nat_src", f[10]);
    if (!f[11].empty() && f[11] != "0.0.0.0") ff.str("nat_dst", f[11]);
    if (!f[12].empty()) ff.str("rule", f[12]);
    if (!f[15].empty()) ff.str("app", f[15]);
    if (!f[23].empty()) ev.conn_id.assign(f[23]);
    fw::set_protocol(ev, f[30]);
    std::string_view vendor_action = f[31];
    ff.str("vendor_action", vendor_action);
    int64_t v;
    std::string_view reason;
    if (traffic) {
      if (n > 32 && fw::parse_uint(f[32], v)) ev.bytes = v;
      if (n > 34 && fw::parse_uint(f[34], v)) ff.num("bytes_received", v);
      if (n > 37 && fw::parse_uint(f[37], v)) ev.duration_us = v * 1000000;
      if (n > 47) reason = f[47];
    } else if (threat) {
      if (n > 33 && !f[33].empty()) ff.str("threat", f[33]);
      if (n > 35 && !f[35].empty()) ff.str("threat_severity", f[35]);
    }
    if (!reason.empty()) ff.str("reason", reason);
    // Decision.
    fw::Action a = fw::Action::none;
    std::string_view reset_by;
    if (starts_with(vendor_action, "reset-")) {
      a = fw::Action::reset;
      reset_by = "firewall";
      ff.str("reset_to", vendor_action.substr(6));  // client | server | both
    } else if (vendor_action == "deny" || vendor_action == "drop" || starts_with(vendor_action, "drop") ||
               starts_with(vendor_action, "block") || vendor_action == "sinkhole") {
      a = fw::Action::drop;
    } else if (vendor_action == "allow" || vendor_action == "alert") {
      a = fw::Action::allow;
    }
    bool denied = traffic && (f[5] == "deny" || f[5] == "drop");
    if (denied) {
      a = fw::Action::drop;  // the subtype is the decision, whatever the end reason says
    } else if (traffic && a == fw::Action::allow && (f[5] == "end" || !reason.empty())) {
      if (reason == "tcp-rst-from-client") {
        a = fw::Action::reset;
        reset_by = "client";
      } else if (reason == "tcp-rst-from-server") {
        a = fw::Action::reset;
        reset_by = "server";
      } else if (reason == "aged-out") {
        a = fw::Action::timeout;
      } else if (reason == "policy-deny") {
        a = fw::Action::drop;
      } else if (reason == "threat") {
        a = fw::Action::reset;
        reset_by = "firewall";
      } else if (starts_with(reason, "decrypt-")) {
        a = fw::Action::reject;
        reset_by = "firewall";
      } else if (reason == "resources-unavailable") {
        a = fw::Action::drop;
      } else if (f[5] == "end") {
        a = fw::Action::teardown;
      }
    }
    fw::set_action(ev, ff, a, a == fw::Action::reset ? fw::kRst : 0);
    if (!reset_by.empty()) ff.str("reset_by", reset_by);
    if (!traffic && !threat && a == fw::Action::none) ev.category.assign("info");
  }

 private:
  ParseContext ctx_;
};

class PanosParser : public Parser {
 public:
  std::string_view name() const override { return "panos"; }
  std::string_view description() const override {
    return "Palo Alto PAN-OS TRAFFIC/THREAT syslog CSV: 5-tuple, action, session end reason (tcp-rst-from-*, aged-out ...)";
  }
  Role role() const override { return Role::firewall; }
  Score sniff(const SniffInput& in) const override {
    int hits = 0, total = 0;
    for (std::string_view l : in.lines) {
      ++total;
      size_t at = csv_start(l);
      if (at != std::string_view::npos &&
          (l.find(",TRAFFIC,", at) != std::string_view::npos || l.find(",THREAT,", at) != std::string_view::npos ||
           l.find(",SYSTEM,", at) != std::string_view::npos || l.find(",CONFIG,", at) != std::string_view::npos))
        ++hits;
    }
    if (!total || !hits) return {};
    return {55 + 40 * hits / total, std::to_string(hits) + " of " + std::to_string(total) + " lines are PAN-OS CSV logs"};
  }
  std::unique_ptr<FileParser> open(const ParseContext& ctx) const override {
    return std::make_unique<PanosFile>(ctx);
  }
  const std::vector<Sample>& samples() const override {
    static const std::vector<Sample> s = {
        {"1,2020/05/19 07:34:54,007200002536,TRAFFIC,end,2305,2020/05/19 07:34:54,10.154.172.134,151.151.88.132,,,"
         "IT Sanctioned SaaS Apps-443,pancademo\\steven.reid,,ssl,vsys1,L3-TAP,L3-TAP,ethernet1/2,ethernet1/2,,"
         "2020/05/19 07:34:54,33903,1,57090,443,0,0,0x6c,tcp,allow,6802,3876,2926,26,2020/05/19 07:32:48,97,"
         "financial-services,0,18621234943,0x0,10.0.0.0-10.255.255.255,United States,0,17,9,tcp-rst-from-server,31,12,"
         "0,0,,us1,from-policy,,,0,,0,,N/A,0,0,0,0,30468339-a760-46b2-b80b-ee873e6d11e4,0,0,,,,,,,",
         {{"role", "firewall"},
          {"ts", "2020-05-19T07:34:54.000Z"},
          {"category", "fw-reset"},
          {"client_ip", "10.154.172.134"},
          {"client_port", "57090"},
          {"server_ip", "151.151.88.132"},
          {"server_port", "443"},
          {"protocol", "tcp"},
          {"conn_id", "33903"},
          {"bytes", "6802"},
          {"duration_us", "97000000"},
          {"fields.action", "reset"},
          {"fields.reset_by", "server"},
          {"fields.reason", "tcp-rst-from-server"},
          {"fields.rst", "true"}}},
        {"Nov 30 16:09:10 PA-220 1,2018/11/30 16:09:09,012801096514,TRAFFIC,end,2049,2018/11/30 16:09:09,"
         "192.168.15.224,175.16.199.1,192.168.1.63,175.16.199.1,new_outbound_from_trust,,,ping,vsys1,trust,untrust,"
         "ethernet1/2,ethernet1/1,send_to_mac,2018/11/30 16:09:09,24223,6,0,0,0,0,0x500019,icmp,allow,1176,588,588,12,"
         "2018/11/30 16:08:55,0,any,0,32091113,0x0,192.168.0.0-192.168.255.255,United States,0,6,6,aged-out,0,0,0,0,,"
         "PA-220,from-policy,,,0,,0,,N/A,0,0,0,0",
         {{"category", "conn-timeout"}, {"fields.reason", "aged-out"}, {"fields.host", "PA-220"}, {"protocol", "icmp"}}},
        {"not,a,pan,line", {{"unparsed", "1"}}},
    };
    return s;
  }
};

RSTSCOPE_REGISTER_PARSER(PanosParser);

}  // namespace
}  // namespace rstscope
