// AWS VPC Flow Logs, versions 2-8 (signatures.md B8). Space-separated; the field order comes from
// the header line when the file has one (S3 delivery writes the format string as the first line),
// else the default v2 order for 14-field records, else it is inferred per record from value shapes
// (eni-/vpc-/subnet-/i- ids, addresses, ACCEPT/REJECT, OK/NODATA/SKIPDATA, epoch seconds) and the
// event says so in fields.format = "inferred".
// tcp-flags is the OR of the TCP header flags seen in the aggregation interval (FIN 1, SYN 2,
// RST 4, ACK 16 only as part of SYN-ACK 18), so the same bit layout as fw::TcpFlag.
#include <array>

#include "firewall_common.h"
#include "rstscope/parser.h"
#include "rstscope/text.h"

namespace rstscope {
namespace {

enum Col : uint8_t {
  kIgnore, kVersion, kAccount, kInterface, kSrcAddr, kDstAddr, kSrcPort, kDstPort, kProtocol, kPackets,
  kBytes, kStart, kEnd, kAction, kLogStatus, kVpc, kSubnet, kInstance, kTcpFlags, kType, kPktSrc, kPktDst,
  kRegion, kAz, kFlowDirection, kTrafficPath, kPktSrcService, kPktDstService, kRejectReason, kSublocType,
  kSublocId
};

struct Name {
  std::string_view name;
  Col col;
};

constexpr std::array<Name, 31> kNames{{
    {"version", kVersion}, {"account-id", kAccount}, {"interface-id", kInterface}, {"srcaddr", kSrcAddr},
    {"dstaddr", kDstAddr}, {"srcport", kSrcPort}, {"dstport", kDstPort}, {"protocol", kProtocol},
    {"packets", kPackets}, {"bytes", kBytes}, {"start", kStart}, {"end", kEnd}, {"action", kAction},
    {"log-status", kLogStatus}, {"vpc-id", kVpc}, {"subnet-id", kSubnet}, {"instance-id", kInstance},
    {"tcp-flags", kTcpFlags}, {"type", kType}, {"pkt-srcaddr", kPktSrc}, {"pkt-dstaddr", kPktDst},
    {"region", kRegion}, {"az-id", kAz}, {"flow-direction", kFlowDirection}, {"traffic-path", kTrafficPath},
    {"pkt-src-aws-service", kPktSrcService}, {"pkt-dst-aws-service", kPktDstService},
    {"reject-reason", kRejectReason}, {"sublocation-type", kSublocType}, {"sublocation-id", kSublocId},
    {"ecs-cluster-arn", kIgnore},
}};

constexpr size_t kMaxCols = 64;

Col col_for(std::string_view n) {
  for (const Name& x : kNames)
    if (x.name == n) return x.col;
  return kIgnore;
}

// A header line: every token is a lower-case field name ([a-z0-9-]) and most are known.
bool is_header(std::string_view l) {
  int known = 0, total = 0;
  std::string_view s = l, tok;
  while (next_field(s, ' ', tok)) {
    if (tok.empty()) continue;
    ++total;
    for (char c : tok)
      if (!((c >= 'a' && c <= 'z') || c == '-' || (c >= '0' && c <= '9'))) return false;
    if (tok[0] >= '0' && tok[0] <= '9') return false;
    if (col_for(tok) != kIgnore || starts_with(tok, "ecs-")) ++known;
  }
  return total >= 3 && known * 2 > total;
}

bool is_ip(std::string_view v) { return looks_like_ipv4(v) || (v.find(':') != std::string_view::npos && v.size() > 2); }

constexpr std::array<Col, 14> kV2{{kVersion, kAccount, kInterface, kSrcAddr, kDstAddr, kSrcPort, kDstPort, kProtocol,
                                   kPackets, kBytes, kStart, kEnd, kAction, kLogStatus}};

class VpcFlowFile : public FileParser {
 public:
  explicit VpcFlowFile(const ParseContext& ctx) : ctx_(ctx) {}

  void record(const Record& rec, Emitter& out) override {
    if (trim(rec.text).empty()) return;  // blank lines are neither events nor garbage
    std::string_view l = rec.text;
    if (l.empty()) return;
    if (!(l[0] >= '0' && l[0] <= '9') && l[0] != '-' && l[0] != 'i' && l[0] != 'e' && l[0] != 'v' &&
        l[0] != 's' && l[0] != 'I') {
      if (is_header(l)) {
        set_header(l);
        return;
      }
      out.unparsed("not a VPC flow log record");
      return;
    }
    if (is_header(l)) {
      set_header(l);
      return;
    }
    std::string_view tok[kMaxCols];
    size_t n = fw::split_fields(l, ' ', tok, kMaxCols);
    const Col* cols;
    Col inferred[kMaxCols];
    bool was_inferred = false;
    if (ncols_ > 0) {
      if (n != ncols_) {
        out.unparsed("VPC flow record field count differs from the header");
        return;
      }
      cols = cols_;
    } else if (n == 14 && tok[0] == "2") {
      cols = kV2.data();
    } else {
      if (!infer(tok, n, inferred)) {
        out.unparsed("not a VPC flow log record (no header, fields not recognisable)");
        return;
      }
      cols = inferred;
      was_inferred = true;
    }
    Event& ev = out.event();
    ev.role = Role::firewall;
    fw::FastFields ff(ev);
    int64_t start = kNull, end = kNull, v;
    uint8_t flags = 0;
    bool has_flags = false;
    std::string_view action, status;
    for (size_t i = 0; i < n; ++i) {
      std::string_view t = tok[i];
      if (t == "-") continue;
      switch (cols[i]) {
        case kVersion: ff.str("version", t); break;
        case kAccount: ff.str("account_id", t); break;
        case kInterface: ff.str("interface_id", t); break;
        case kSrcAddr: ev.client_ip.assign(t); break;
        case kDstAddr: ev.server_ip.assign(t); break;
        case kSrcPort: if (fw::parse_uint(t, v)) ev.client_port = v; break;
        case kDstPort: if (fw::parse_uint(t, v)) ev.server_port = v; break;
        case kProtocol:
          if (fw::parse_uint(t, v)) {
            std::string_view name = fw::ip_proto_name(v);
            if (!name.empty()) ev.protocol.assign(name);
            else ev.protocol.assign(t);
          }
          break;
        case kPackets: if (fw::parse_uint(t, v)) ff.num("packets", v); break;
        case kBytes: if (fw::parse_uint(t, v)) ev.bytes = v; break;
        case kStart: fw::parse_uint(t, start); break;
        case kEnd: fw::parse_uint(t, end); break;
        case kAction: action = t; ff.str("vpc_action", t); break;
        case kLogStatus: status = t; ff.str("log_status", t); break;
        case kVpc: ff.str("vpc_id", t); break;
        case kSubnet: ff.str("subnet_id", t); break;
        case kInstance: ff.str("instance_id", t); break;
        case kTcpFlags:
          if (fw::parse_uint(t, v) && v < 256) {
            flags = static_cast<uint8_t>(v);
            has_flags = true;
          }
          break;
        case kType: ff.str("type", t); break;
        case kPktSrc: ff.str("pkt_srcaddr", t); break;
        case kPktDst: ff.str("pkt_dstaddr", t); break;
        case kRegion: ff.str("region", t); break;
        case kAz: ff.str("az_id", t); break;
        case kFlowDirection: ff.str("flow_direction", t); break;
        case kTrafficPath: ff.str("traffic_path", t); break;
        case kPktSrcService: ff.str("pkt_src_aws_service", t); break;
        case kPktDstService: ff.str("pkt_dst_aws_service", t); break;
        case kRejectReason: ff.str("reject_reason", t); break;
        default: break;
      }
    }
    // ts = end of the aggregation interval (when the record was closed, as elastic/beats does);
    // duration_us reaches back to start.
    if (end != kNull || start != kNull) {
      CivilTime c;
      char buf[24];
      std::string_view st = tok_of(tok, n, cols, end != kNull ? kEnd : kStart);
      size_t len = std::min(st.size(), sizeof(buf));
      for (size_t i = 0; i < len; ++i) buf[i] = st[i];
      if (parse_epoch(std::string_view(buf, len), c)) {
        ev.ts_raw.assign(st);
        ctx_.time->resolve(c, ev);
      }
      if (end != kNull && start != kNull && end >= start) ev.duration_us = (end - start) * 1000000;
    }
    if (was_inferred) ff.str("format", "inferred");
    fw::Action a = fw::Action::none;
    if (action == "ACCEPT") a = fw::Action::allow;
    else if (action == "REJECT") a = fw::Action::drop;  // security groups / NACLs drop silently
    fw::set_action(ev, ff, a, has_flags ? flags : 0);
    if (a == fw::Action::none) ev.category.assign(status.empty() ? "fw-log" : "info");
    if (has_flags && (flags & fw::kRst)) ff.str("reset_by", "client");  // srcaddr sent the RST
  }

 private:
  static std::string_view tok_of(const std::string_view* tok, size_t n, const Col* cols, Col c) {
    for (size_t i = 0; i < n; ++i)
      if (cols[i] == c) return tok[i];
    return {};
  }

  void set_header(std::string_view l) {
    ncols_ = 0;
    std::string_view s = l, tok;
    while (ncols_ < kMaxCols && next_field(s, ' ', tok)) {
      if (tok.empty()) continue;
      cols_[ncols_++] = col_for(tok);
    }
  }

  // Value-shape inference for header-less custom formats.
  static bool infer(const std::string_view* tok, size_t n, Col* cols) {
    int ips = 0, nums_after_ip = 0, known = 0;
    bool first_num = true;
    for (size_t i = 0; i < n; ++i) {
      std::string_view t = tok[i];
      Col c = kIgnore;
      int64_t v;
      if (starts_with(t, "eni-")) c = kInterface;
      else if (starts_with(t, "vpc-")) c = kVpc;
      else if (starts_with(t, "subnet-")) c = kSubnet;
      else if (starts_with(t, "i-")) c = kInstance;
      else if (t == "ACCEPT" || t == "REJECT") c = kAction;
      else if (t == "OK" || t == "NODATA" || t == "SKIPDATA") c = kLogStatus;
      else if (t == "IPv4" || t == "IPv6" || t == "EFA") c = kType;
      else if (t == "ingress" || t == "egress") c = kFlowDirection;
      else if (is_ip(t)) c = ips == 0 ? kSrcAddr : ips == 1 ? kDstAddr : ips == 2 ? kPktSrc : ips == 3 ? kPktDst : kIgnore, ++ips;
      else if (fw::parse_uint(t, v)) {
        if (i == 0 && first_num && v < 20) c = kVersion;
        else if (t.size() == 12 && ips < 2) c = kAccount;
        else if (t.size() == 10 && v > 1000000000) c = kStart;  // start, then end
        else if (ips >= 2 && ips < 3) {
          c = nums_after_ip == 0 ? kSrcPort : nums_after_ip == 1 ? kDstPort : nums_after_ip == 2 ? kProtocol : kIgnore;
          ++nums_after_ip;
        }
        first_num = false;
      }
      if (c == kStart) {
        for (size_t k = 0; k < i; ++k)
          if (cols[k] == kStart) c = kEnd;
      }
      if (c != kIgnore) ++known;
      cols[i] = c;
    }
    return known >= 3 && (ips >= 2 || n >= 3);
  }

  ParseContext ctx_;
  Col cols_[kMaxCols];
  size_t ncols_ = 0;
};

class VpcFlowParser : public Parser {
 public:
  std::string_view name() const override { return "aws-vpcflow"; }
  std::string_view description() const override {
    return "AWS VPC Flow Logs v2-v8 (header-driven field order): 5-tuple, ACCEPT/REJECT, tcp-flags incl. RST";
  }
  Role role() const override { return Role::firewall; }
  Score sniff(const SniffInput& in) const override {
    int hits = 0, total = 0;
    bool header = false;
    for (std::string_view l : in.lines) {
      ++total;
      if (is_header(l) && (l.find("srcaddr") != std::string_view::npos || l.find("interface-id") != std::string_view::npos)) {
        header = true;
        ++hits;
        continue;
      }
      if (l.find(" eni-") != std::string_view::npos &&
          (l.find(" ACCEPT ") != std::string_view::npos || l.find(" REJECT ") != std::string_view::npos ||
           l.find("NODATA") != std::string_view::npos || l.find("SKIPDATA") != std::string_view::npos ||
           l.find(" OK") != std::string_view::npos))
        ++hits;
    }
    if (!total || !hits) return {};
    int score = 50 + 45 * hits / total;
    if (header) score = std::max(score, 90);
    return {score, std::to_string(hits) + " of " + std::to_string(total) + " lines look like VPC flow records" +
                       (header ? " (format header found)" : "")};
  }
  std::unique_ptr<FileParser> open(const ParseContext& ctx) const override {
    return std::make_unique<VpcFlowFile>(ctx);
  }
  const std::vector<Sample>& samples() const override {
    static const std::vector<Sample> s = {
        {"2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 "
         "ACCEPT OK",
         {{"role", "firewall"},
          {"ts", "2014-12-14T04:07:50.000Z"},
          {"category", "fw-allow"},
          {"client_ip", "172.31.16.139"},
          {"client_port", "20641"},
          {"server_ip", "172.31.16.21"},
          {"server_port", "22"},
          {"protocol", "tcp"},
          {"bytes", "4249"},
          {"fields.packets", "20"},
          {"fields.action", "allow"},
          {"fields.interface_id", "eni-1235b8ca123456789"}}},
        {"2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 "
         "REJECT OK",
         {{"category", "fw-drop"}, {"fields.vpc_action", "REJECT"}}},
        {"version vpc-id subnet-id instance-id interface-id account-id type srcaddr dstaddr srcport dstport "
         "pkt-srcaddr pkt-dstaddr protocol bytes packets start end action tcp-flags log-status\n"
         "3 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-01234567890123456 eni-1235b8ca123456789 123456789010 "
         "IPv4 10.0.0.62 52.213.180.42 5001 43638 10.0.0.62 52.213.180.42 6 1260 17 1566933133 1566933193 ACCEPT 22 OK",
         {{"count", "1"}, {"category", "fw-reset"}, {"fields.rst", "true"}, {"fields.tcp_flags", "SYN ACK RST"},
          {"client_port", "5001"}, {"duration_us", "60000000"}}},
        {"2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA",
         {{"category", "info"}, {"fields.log_status", "NODATA"}, {"client_ip", ""}}},
        {"Phony unsupported log format.", {{"unparsed", "1"}}},
    };
    return s;
  }
};

RSTSCOPE_REGISTER_PARSER(VpcFlowParser);

}  // namespace
}  // namespace rstscope
