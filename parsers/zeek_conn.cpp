// Zeek (Bro) conn.log, TSV with "#fields" header (any #separator) or JSON lines (signatures.md B15).
// The header drives the columns; "#" lines are headers, not events. conn_state gives the action
// (RSTO/RSTOS0 -> reset by the originator, RSTR/RSTRH -> reset by the responder, REJ -> reject,
// SF/SH/SHR/S2/S3 -> teardown, S0 -> no reply) and the history letters say who sent the first
// RST ('R' originator, 'r' responder; first one wins). Masked btest times ("XXXXXXXXXX.XXXXXX")
// give an event without ts.
#include <array>

#include "firewall_common.h"
#include "rstscope/parser.h"
#include "rstscope/text.h"

namespace rstscope {
namespace {

enum ZCol : uint8_t {
  zIgnore, zTs, zUid, zOrigH, zOrigP, zRespH, zRespP, zProto, zService, zDuration, zOrigBytes, zRespBytes,
  zState, zHistory, zOrigPkts, zRespPkts, zLocalOrig, zLocalResp, zMissed, zOrigIpBytes, zRespIpBytes
};

ZCol zcol(std::string_view n) {
  static constexpr std::array<std::pair<std::string_view, ZCol>, 20> kMap{{
      {"ts", zTs}, {"uid", zUid}, {"id.orig_h", zOrigH}, {"id.orig_p", zOrigP}, {"id.resp_h", zRespH},
      {"id.resp_p", zRespP}, {"proto", zProto}, {"service", zService}, {"duration", zDuration},
      {"orig_bytes", zOrigBytes}, {"resp_bytes", zRespBytes}, {"conn_state", zState}, {"history", zHistory},
      {"orig_pkts", zOrigPkts}, {"resp_pkts", zRespPkts}, {"local_orig", zLocalOrig}, {"local_resp", zLocalResp},
      {"missed_bytes", zMissed}, {"orig_ip_bytes", zOrigIpBytes}, {"resp_ip_bytes", zRespIpBytes}}};
  for (const auto& [k, c] : kMap)
    if (k == n) return c;
  return zIgnore;
}

constexpr size_t kMax = 64;

struct Values {
  std::string_view v[21];
  bool set[21] = {};
  void put(ZCol c, std::string_view x) {
    if (c == zIgnore) return;
    v[c] = x;
    set[c] = true;
  }
};

void emit(const Values& z, std::string_view unset, Event& ev, TimeResolver& tr) {
  ev.role = Role::firewall;
  fw::FastFields ff(ev);
  auto get = [&](ZCol c) -> std::string_view {
    if (!z.set[c]) return {};
    std::string_view x = z.v[c];
    return x == unset || x == "(empty)" ? std::string_view{} : x;
  };
  std::string_view ts = get(zTs);
  if (!ts.empty()) {
    CivilTime c;
    if (parse_epoch(ts, c) || parse_iso8601(ts, c) == ts.size()) {
      ev.ts_raw.assign(ts);
      tr.resolve(c, ev);
    } else {
      ff.str("ts_masked", ts);
    }
  }
  ev.conn_id.assign(get(zUid));
  fw::set_tuple(ev, get(zOrigH), get(zOrigP), get(zRespH), get(zRespP));
  fw::set_protocol(ev, get(zProto));
  std::string_view svc = get(zService);
  if (!svc.empty()) ff.str("service", svc);
  double d;
  if (parse_double(get(zDuration), d)) ev.duration_us = static_cast<int64_t>(d * 1e6 + 0.5);
  int64_t n;
  if (fw::parse_uint(get(zOrigBytes), n)) ff.num("orig_bytes", n);
  if (fw::parse_uint(get(zRespBytes), n)) {
    ff.num("resp_bytes", n);
    ev.bytes = n;
  }
  if (fw::parse_uint(get(zOrigIpBytes), n)) ff.num("orig_ip_bytes", n);
  if (fw::parse_uint(get(zRespIpBytes), n)) ff.num("resp_ip_bytes", n);
  if (fw::parse_uint(get(zOrigPkts), n)) ff.num("orig_pkts", n);
  if (fw::parse_uint(get(zRespPkts), n)) ff.num("resp_pkts", n);
  std::string_view state = get(zState), hist = get(zHistory);
  if (!state.empty()) {
    ff.str("conn_state", state);
    ff.str("reason", state);
  }
  if (!hist.empty()) ff.str("history", hist);
  // First RST in the history: 'R' originator, 'r' responder.
  std::string_view hist_reset;
  for (char c : hist) {
    if (c == 'R') { hist_reset = "client"; break; }
    if (c == 'r') { hist_reset = "server"; break; }
  }
  fw::Action a = fw::Action::none;
  std::string_view reset_by = hist_reset;
  if (state == "RSTO" || state == "RSTOS0") {
    a = fw::Action::reset;
    if (reset_by.empty()) reset_by = "client";
  } else if (state == "RSTR" || state == "RSTRH") {
    a = fw::Action::reset;
    if (reset_by.empty()) reset_by = "server";
  } else if (state == "REJ") {
    a = fw::Action::reject;
    reset_by = "server";
  } else if (state == "SF" || state == "SH" || state == "SHR" || state == "S2" || state == "S3") {
    a = fw::Action::teardown;
  } else if (state == "S1") {
    a = fw::Action::allow;
  }
  uint8_t flags = hist_reset.empty() && a != fw::Action::reset && a != fw::Action::reject ? 0 : fw::kRst;
  fw::set_action(ev, ff, a, flags);
  if (state == "REJ") ev.category.assign("conn-refused");
  else if (state == "S0") ev.category.assign("conn-no-reply");
  else if (a == fw::Action::none && state == "OTH") ev.category.assign("fw-log");
  if (!reset_by.empty() && (flags & fw::kRst)) ff.str("reset_by", reset_by);
}

// Flat JSON object: "key":value pairs; values are strings (escapes kept), numbers, true/false,
// arrays (skipped). Calls put() for the columns we use.
bool parse_json_line(std::string_view l, Values& z) {
  size_t i = 0;
  auto ws = [&] { while (i < l.size() && (l[i] == ' ' || l[i] == '\t')) ++i; };
  ws();
  if (i >= l.size() || l[i] != '{') return false;
  ++i;
  bool any = false;
  while (i < l.size()) {
    ws();
    if (i < l.size() && l[i] == '}') return any;
    if (i >= l.size() || l[i] != '"') return false;
    size_t kb = ++i;
    while (i < l.size() && l[i] != '"') i += l[i] == '\\' ? 2 : 1;
    if (i >= l.size()) return false;
    std::string_view key = l.substr(kb, i - kb);
    ++i;
    ws();
    if (i >= l.size() || l[i] != ':') return false;
    ++i;
    ws();
    std::string_view val;
    if (i < l.size() && l[i] == '"') {
      size_t vb = ++i;
      while (i < l.size() && l[i] != '"') i += l[i] == '\\' ? 2 : 1;
      if (i >= l.size()) return false;
      val = l.substr(vb, i - vb);
      ++i;
    } else if (i < l.size() && (l[i] == '[' || l[i] == '{')) {
      int depth = 0;
      bool in_str = false;
      for (; i < l.size(); ++i) {
        char c = l[i];
        if (in_str) {
          if (c == '\\') ++i;
          else if (c == '"') in_str = false;
          continue;
        }
        if (c == '"') in_str = true;
        else if (c == '[' || c == '{') ++depth;
        else if ((c == ']' || c == '}') && --depth == 0) {
          ++i;
          break;
        }
      }
    } else {
      size_t vb = i;
      while (i < l.size() && l[i] != ',' && l[i] != '}') ++i;
      val = trim(l.substr(vb, i - vb));
    }
    z.put(zcol(key), val);
    any = true;
    ws();
    if (i < l.size() && l[i] == ',') ++i;
  }
  return false;
}

class ZeekFile : public FileParser {
 public:
  explicit ZeekFile(const ParseContext& ctx) : ctx_(ctx) {}

  void record(const Record& rec, Emitter& out) override {
    if (trim(rec.text).empty()) return;  // blank lines are neither events nor garbage
    std::string_view l = rec.text;
    if (l.empty()) return;
    if (l[0] == '#') {
      header(l);
      return;
    }
    Values z;
    if (l[0] == '{') {
      if (!parse_json_line(l, z) || !z.set[zTs]) {
        out.unparsed("not a Zeek conn JSON record");
        return;
      }
      emit(z, "-", out.event(), *ctx_.time);
      return;
    }
    if (!ncols_) {
      // No header seen: assume the default conn.log column order with tabs.
      static constexpr std::string_view kDefault[] = {"ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p",
                                                      "proto", "service", "duration", "orig_bytes", "resp_bytes",
                                                      "conn_state", "local_orig", "local_resp", "missed_bytes",
                                                      "history", "orig_pkts", "orig_ip_bytes", "resp_pkts",
                                                      "resp_ip_bytes", "tunnel_parents"};
      if (l.find('\t') == std::string_view::npos) {
        out.unparsed("Zeek TSV record before any #fields header");
        return;
      }
      for (std::string_view n : kDefault) cols_[ncols_++] = zcol(n);
    }
    std::string_view f[kMax];
    size_t i = fw::split_fields(l, sep_, f, ncols_);
    for (size_t k = 0; k < i; ++k) z.put(cols_[k], f[k]);
    if (i < 6 || !z.set[zOrigH]) {
      out.unparsed("Zeek conn record with too few columns");
      return;
    }
    emit(z, unset_, out.event(), *ctx_.time);
  }

 private:
  void header(std::string_view l) {
    if (starts_with(l, "#separator ")) {
      std::string_view v = l.substr(11);
      if (v == "\\x09") sep_ = '\t';
      else if (starts_with(v, "\\x") && v.size() == 4) {
        int h = 0;
        for (char c : v.substr(2)) h = h * 16 + (c >= 'a' ? c - 'a' + 10 : c >= 'A' ? c - 'A' + 10 : c - '0');
        sep_ = static_cast<char>(h);
      } else if (!v.empty()) {
        sep_ = v[0];
      }
      return;
    }
    if (l.size() < 2) return;
    std::string_view body = l.substr(1);
    std::string_view key, rest = body;
    if (!next_field(rest, sep_, key)) return;
    if (key == "fields") {
      ncols_ = 0;
      std::string_view f;
      while (ncols_ < kMax && next_field(rest, sep_, f)) cols_[ncols_++] = zcol(f);
    } else if (key == "unset_field") {
      unset_.assign(rest);
    }
  }

  ParseContext ctx_;
  char sep_ = '\t';
  std::string unset_ = "-";
  ZCol cols_[kMax];
  size_t ncols_ = 0;
};

class ZeekConnParser : public Parser {
 public:
  std::string_view name() const override { return "zeek-conn"; }
  std::string_view description() const override {
    return "Zeek/Bro conn.log (TSV with #fields header, or JSON): 5-tuple, conn_state, history decoded into who reset";
  }
  Role role() const override { return Role::firewall; }
  Score sniff(const SniffInput& in) const override {
    for (std::string_view l : in.lines) {
      if (starts_with(l, "#fields") && l.find("id.orig_h") != std::string_view::npos &&
          l.find("conn_state") != std::string_view::npos)
        return {95, "Zeek conn.log header (#fields ... id.orig_h ... conn_state)"};
    }
    int hits = 0, total = 0;
    for (std::string_view l : in.lines) {
      ++total;
      if (l[0] == '{' && l.find("\"id.orig_h\"") != std::string_view::npos &&
          (l.find("\"conn_state\"") != std::string_view::npos || l.find("\"proto\"") != std::string_view::npos))
        ++hits;
    }
    if (!total || hits * 2 < total) return {};
    return {60 + 35 * hits / total, std::to_string(hits) + " of " + std::to_string(total) + " lines are Zeek conn JSON"};
  }
  std::unique_ptr<FileParser> open(const ParseContext& ctx) const override {
    return std::make_unique<ZeekFile>(ctx);
  }
  const std::vector<Sample>& samples() const override {
    static const std::vector<Sample> s = {
        {"#separator \\x09\n"
         "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\t"
         "conn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\t"
         "tunnel_parents\n"
         "1320279567.181431\tC3eiCBGOLw3VtHfOj\t192.168.2.16\t1578\t75.126.203.78\t80\ttcp\thttp\t0.407908\t790\t171\t"
         "RSTO\tT\tF\t0\tShADadR\t6\t1038\t4\t335\t-",
         {{"count", "1"},
          {"role", "firewall"},
          {"ts", "2011-11-03T00:19:27.181Z"},
          {"category", "fw-reset"},
          {"conn_id", "C3eiCBGOLw3VtHfOj"},
          {"client_ip", "192.168.2.16"},
          {"client_port", "1578"},
          {"server_ip", "75.126.203.78"},
          {"server_port", "80"},
          {"protocol", "tcp"},
          {"duration_us", "407908"},
          {"bytes", "171"},
          {"fields.conn_state", "RSTO"},
          {"fields.history", "ShADadR"},
          {"fields.reset_by", "client"},
          {"fields.action", "reset"}}},
        {"{\"ts\":1546981792.481978,\"uid\":\"Cu00\",\"id.orig_h\":\"192.168.86.167\",\"id.orig_p\":55010,"
         "\"id.resp_h\":\"17.248.128.151\",\"id.resp_p\":443,\"proto\":\"tcp\",\"conn_state\":\"RSTR\","
         "\"history\":\"ShADadr\",\"tunnel_parents\":[]}",
         {{"category", "fw-reset"}, {"fields.reset_by", "server"}, {"server_port", "443"}}},
        {"{\"ts\":1546982038.618205,\"uid\":\"CbA8\",\"id.orig_h\":\"192.168.86.167\",\"id.orig_p\":55099,"
         "\"id.resp_h\":\"10.101.78.23\",\"id.resp_p\":15011,\"proto\":\"tcp\",\"conn_state\":\"S0\",\"history\":\"S\"}",
         {{"category", "conn-no-reply"}}},
        {"{\"ts\":1546982038.6,\"uid\":\"X\",\"id.orig_h\":\"10.0.0.1\",\"id.orig_p\":5,\"id.resp_h\":\"10.0.0.2\","
         "\"id.resp_p\":80,\"proto\":\"tcp\",\"conn_state\":\"REJ\",\"history\":\"Sr\"}",
         {{"category", "conn-refused"}, {"fields.reset_by", "server"}, {"fields.action", "reject"}}},
        {"{\"broken\": ", {{"unparsed", "1"}}},
    };
    return s;
  }
};

RSTSCOPE_REGISTER_PARSER(ZeekConnParser);

}  // namespace
}  // namespace rstscope
