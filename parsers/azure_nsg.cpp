// Azure NSG flow logs (v1/v2) and VNet flow logs (v4) (signatures.md B9). Two parsers:
// - azure-nsg: the JSON blobs ({"records":[...]}, pretty or one record per line), read whole with
//   simdjson; one event per flow tuple, ev.line = the line of the tuple in the file.
// - azure-flow-tuples: bare tuple text, one "ts,src,dst,sport,dport,proto,dir,decision[,state,...]"
//   per line (what people paste from the blobs).
// Tuples: v1 8 fields; v2 adds flow state B/C/E and packet/byte counters; VNet tuples carry the IANA
// protocol number, state B/C/E/D (D = denied) and an encryption column. Epoch seconds or ms.
#include <simdjson.h>

#include "firewall_common.h"
#include "rstscope/parser.h"
#include "rstscope/text.h"

namespace rstscope {
namespace {

// Decodes one tuple into ev (role, ts, 5-tuple, action ...). False when it is not a tuple.
bool decode_tuple(std::string_view t, Event& ev, TimeResolver& tr) {
  std::string_view f[13];
  size_t n = 0;
  std::string_view s = t;
  while (n < 13 && next_field(s, ',', f[n])) ++n;
  if (n < 8) return false;
  int64_t epoch;
  if (!fw::parse_uint(f[0], epoch)) return false;
  if (!(looks_like_ipv4(f[1]) || f[1].find(':') != std::string_view::npos)) return false;
  CivilTime c;
  if (!parse_epoch(f[0], c)) return false;
  ev.role = Role::firewall;
  ev.ts_raw.assign(f[0]);
  tr.resolve(c, ev);
  fw::set_tuple(ev, f[1], f[3], f[2], f[4]);
  bool vnet = false;
  int64_t pnum;
  if (f[5] == "T") ev.protocol.assign("tcp");
  else if (f[5] == "U") ev.protocol.assign("udp");
  else if (fw::parse_uint(f[5], pnum)) {
    vnet = true;
    std::string_view name = fw::ip_proto_name(pnum);
    ev.protocol.assign(name.empty() ? f[5] : name);
  } else {
    ev.protocol.assign(f[5]);
  }
  ev.fields.add("direction", f[6] == "I" ? "inbound" : f[6] == "O" ? "outbound" : f[6]);
  fw::Action a = fw::Action::none;
  std::string_view state;
  if (vnet) {
    state = f[7];
    a = state == "D" ? fw::Action::drop : fw::Action::allow;
    if (n > 8 && !f[8].empty()) ev.fields.add("encryption", f[8]);
  } else {
    ev.fields.add("decision", f[7]);
    a = f[7] == "A" ? fw::Action::allow : f[7] == "D" ? fw::Action::drop : fw::Action::none;
    if (n > 8) state = f[8];
  }
  if (!state.empty()) ev.fields.add("flow_state", state);
  if (a == fw::Action::allow && state == "E") a = fw::Action::teardown;
  size_t base = vnet ? 9 : 9;
  int64_t v;
  if (n > base + 3) {
    int64_t total = 0;
    bool any = false;
    if (fw::parse_uint(f[base], v)) { ev.fields.add("packets_sent", v); }
    if (fw::parse_uint(f[base + 1], v)) { ev.fields.add("bytes_sent", v); total += v; any = true; }
    if (fw::parse_uint(f[base + 2], v)) { ev.fields.add("packets_received", v); }
    if (fw::parse_uint(f[base + 3], v)) { ev.fields.add("bytes_received", v); total += v; any = true; }
    if (any) ev.bytes = total;
  }
  fw::set_action(ev, a);
  return true;
}

// Optional string member: empty when missing or not a string.
void opt_str(simdjson::simdjson_result<simdjson::dom::element> r, std::string_view& out) {
  if (r.get(out) != simdjson::SUCCESS) out = {};
}

size_t count_newlines(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

class NsgJsonFile : public FileParser {
 public:
  explicit NsgJsonFile(const ParseContext& ctx) : ctx_(ctx) {}

  void record(const Record& rec, Emitter& out) override {
    text_ = rec.text;
    cursor_ = 0;
    line_ = rec.line > 0 ? rec.line : 1;
    simdjson::dom::parser parser;
    simdjson::padded_string doc(rec.text);
    simdjson::dom::element root;
    if (!parser.parse(doc).get(root)) {
      document(root, out);
      return;
    }
    // One record per line (NDJSON).
    simdjson::dom::document_stream stream;
    if (parser.parse_many(doc).get(stream)) {
      out.unparsed("not Azure NSG/VNet flow log JSON");
      return;
    }
    bool any = false;
    for (auto d : stream) {
      simdjson::dom::element e;
      if (d.get(e)) break;
      document(e, out);
      any = true;
    }
    if (!any) out.unparsed("not Azure NSG/VNet flow log JSON");
  }

 private:
  void document(simdjson::dom::element root, Emitter& out) {
    simdjson::dom::array records;
    if (!root["records"].get(records)) {
      for (auto r : records) one_record(r, out);
    } else if (root.is_object()) {
      one_record(root, out);
    }
  }

  void one_record(simdjson::dom::element r, Emitter& out) {
    std::string_view resource, mac;
    if (r["resourceId"].get(resource)) opt_str(r["targetResourceID"], resource);
    simdjson::dom::array flows;
    if (!r["properties"]["flows"].get(flows)) {  // NSG v1/v2
      for (auto rule_group : flows) {
        std::string_view rule;
        opt_str(rule_group["rule"], rule);
        simdjson::dom::array inner;
        if (rule_group["flows"].get(inner)) continue;
        for (auto fl : inner) {
          std::string_view m;
          opt_str(fl["mac"], m);
          simdjson::dom::array tuples;
          if (fl["flowTuples"].get(tuples)) continue;
          for (auto t : tuples) tuple(t, rule, m, resource, out);
        }
      }
      return;
    }
    if (!r["flowRecords"]["flows"].get(flows)) {  // VNet v4
      opt_str(r["macAddress"], mac);
      for (auto acl : flows) {
        simdjson::dom::array groups;
        if (acl["flowGroups"].get(groups)) continue;
        for (auto g : groups) {
          std::string_view rule;
          opt_str(g["rule"], rule);
          simdjson::dom::array tuples;
          if (g["flowTuples"].get(tuples)) continue;
          for (auto t : tuples) tuple(t, rule, mac, resource, out);
        }
      }
    }
  }

  void tuple(simdjson::dom::element t, std::string_view rule, std::string_view mac, std::string_view resource,
             Emitter& out) {
    std::string_view s;
    if (t.get(s)) return;
    // Line of this tuple in the file: find its text after the previous one.
    size_t at = text_.find(s, cursor_);
    if (at != std::string_view::npos) {
      line_ += static_cast<int64_t>(count_newlines(text_.substr(cursor_, at - cursor_)));
      cursor_ = at;
    }
    Event& ev = out.event();
    if (!decode_tuple(s, ev, *ctx_.time)) {
      ev.role = Role::firewall;
      ev.category.assign("fw-log");
      ev.message.assign(s);
    }
    ev.line = line_;
    ev.raw.assign(s);
    if (!rule.empty()) ev.fields.add("rule", rule);
    if (!mac.empty()) ev.fields.add("mac", mac);
    if (!resource.empty()) {
      size_t slash = resource.rfind('/');
      ev.fields.add("nsg", slash == std::string_view::npos ? resource : resource.substr(slash + 1));
    }
  }

  ParseContext ctx_;
  std::string_view text_;
  size_t cursor_ = 0;
  int64_t line_ = 1;
};

class NsgJsonParser : public Parser {
 public:
  std::string_view name() const override { return "azure-nsg"; }
  std::string_view description() const override {
    return "Azure NSG flow logs v1/v2 and VNet flow logs (JSON): one event per flow tuple, allow/deny, B/C/E state";
  }
  Role role() const override { return Role::firewall; }
  bool whole_file() const override { return true; }
  Score sniff(const SniffInput& in) const override {
    bool records = false, nsg = false;
    for (std::string_view l : in.lines) {
      if (l.find("\"records\"") != std::string_view::npos) records = true;
      if (l.find("NetworkSecurityGroupFlowEvent") != std::string_view::npos || l.find("flowTuples") != std::string_view::npos ||
          l.find("FlowLogFlowEvent") != std::string_view::npos)
        nsg = true;
    }
    if (!nsg) return {};
    return {records ? 95 : 80, "Azure NSG/VNet flow log JSON (flowTuples / NetworkSecurityGroupFlowEvent)"};
  }
  std::unique_ptr<FileParser> open(const ParseContext& ctx) const override {
    return std::make_unique<NsgJsonFile>(ctx);
  }
  const std::vector<Sample>& samples() const override {
    static const std::vector<Sample> s = {
        {"{\"records\":[{\"time\":\"2018-11-13T12:00:35.3899262Z\",\"category\":\"NetworkSecurityGroupFlowEvent\","
         "\"resourceId\":\"/X/NETWORKSECURITYGROUPS/FABRIAKMVM1-NSG\",\"properties\":{\"Version\":2,\"flows\":[{\"rule\":"
         "\"DefaultRule_AllowInternetOutBound\",\"flows\":[{\"mac\":\"000D3AF87856\",\"flowTuples\":["
         "\"1542110377,10.5.16.4,13.67.143.118,59831,443,T,O,A,B,,,,\","
         "\"1542110379,10.5.16.4,13.67.143.117,59932,443,T,O,A,E,1,66,1,66\"]}]}]}}]}",
         {{"count", "2"},
          {"role", "firewall"},
          {"ts", "2018-11-13T11:59:39.000Z"},
          {"category", "fw-teardown"},
          {"client_ip", "10.5.16.4"},
          {"client_port", "59932"},
          {"server_ip", "13.67.143.117"},
          {"server_port", "443"},
          {"protocol", "tcp"},
          {"bytes", "132"},
          {"fields.rule", "DefaultRule_AllowInternetOutBound"},
          {"fields.nsg", "FABRIAKMVM1-NSG"},
          {"fields.flow_state", "E"}}},
    };
    return s;
  }
};

class FlowTuplesFile : public FileParser {
 public:
  explicit FlowTuplesFile(const ParseContext& ctx) : ctx_(ctx) {}
  void record(const Record& rec, Emitter& out) override {
    if (trim(rec.text).empty()) return;  // blank lines are neither events nor garbage
    std::string_view l = trim(rec.text);
    if (!l.empty() && l.front() == '"') l.remove_prefix(1);
    if (!l.empty() && l.back() == ',') l.remove_suffix(1);
    if (!l.empty() && l.back() == '"') l.remove_suffix(1);
    // Validate before taking a slot.
    std::string_view s = l, f0, f1;
    int64_t e;
    if (!next_field(s, ',', f0) || !fw::parse_uint(f0, e) || !next_field(s, ',', f1) ||
        !(looks_like_ipv4(f1) || f1.find(':') != std::string_view::npos)) {
      out.unparsed("not an Azure flow tuple");
      return;
    }
    Event& ev = out.event();
    if (!decode_tuple(l, ev, *ctx_.time)) {
      ev.role = Role::firewall;
      ev.category.assign("fw-log");
    }
  }

 private:
  ParseContext ctx_;
};

class FlowTuplesParser : public Parser {
 public:
  std::string_view name() const override { return "azure-flow-tuples"; }
  std::string_view description() const override {
    return "Azure NSG/VNet flow tuples as text, one per line (ts,src,dst,sport,dport,proto,dir,decision,...)";
  }
  Role role() const override { return Role::firewall; }
  Score sniff(const SniffInput& in) const override {
    int hits = 0, total = 0;
    for (std::string_view l : in.lines) {
      ++total;
      std::string_view s = l, f[8];
      size_t n = 0;
      while (n < 8 && next_field(s, ',', f[n])) ++n;
      int64_t e;
      if (n == 8 && fw::parse_uint(f[0], e) && (f[0].size() == 10 || f[0].size() == 13) &&
          (looks_like_ipv4(f[1]) || f[1].find(':') != std::string_view::npos) && (f[6] == "I" || f[6] == "O"))
        ++hits;
    }
    if (!total || hits * 2 < total) return {};
    return {60 + 35 * hits / total, std::to_string(hits) + " of " + std::to_string(total) + " lines are Azure flow tuples"};
  }
  std::unique_ptr<FileParser> open(const ParseContext& ctx) const override {
    return std::make_unique<FlowTuplesFile>(ctx);
  }
  const std::vector<Sample>& samples() const override {
    static const std::vector<Sample> s = {
        {"1487282421,42.119.146.95,10.1.0.4,51529,5358,T,I,D",
         {{"category", "fw-drop"}, {"client_ip", "42.119.146.95"}, {"server_port", "5358"}, {"fields.direction", "inbound"},
          {"ts", "2017-02-16T22:00:21.000Z"}}},
        {"1663145998065,101.33.218.153,10.0.0.6,55188,22,6,I,D,NX,0,0,0,0",
         {{"category", "fw-drop"}, {"protocol", "tcp"}, {"fields.encryption", "NX"}, {"ts", "2022-09-14T08:59:58.065Z"}}},
        {"1493696138,185.170.185.105,10.2.0.4,35370,23,T,I,A,E,52,29952,47,27072",
         {{"category", "fw-teardown"}, {"bytes", "57024"}, {"fields.packets_sent", "52"}}},
        {"hello,world", {{"unparsed", "1"}}},
    };
    return s;
  }
};

RSTSCOPE_REGISTER_PARSER(NsgJsonParser);
RSTSCOPE_REGISTER_PARSER(FlowTuplesParser);

}  // namespace
}  // namespace rstscope
