// Firewall rule sets as configuration: `iptables-save` / `ip6tables-save` output and
// `nft list ruleset` output. What matters for resets: rules that REJECT with tcp-reset (the
// client sees a reset, or "refused" on a SYN), DROP rules and DROP chain policies (the client
// times out), and conntrack INVALID drops (packets of connections conntrack already forgot).
// Each such rule becomes a setting: component iptables/nftables, scope "table T chain C",
// listener from the destination port/address matches ("*:443", "10.0.0.5:443"; one setting per
// port of a port list; "" when the rule has no port match), key = the verdict ("REJECT",
// "DROP", "policy DROP"), raw = the rule as written, text = the reject type and matches.
#include <string>
#include <vector>

#include "config/settings_out.h"
#include "rstscope/parser.h"
#include "rstscope/text.h"

namespace rstscope {
namespace {

std::vector<std::string> split_ports(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == ',' || c == ' ' || c == '{' || c == '}') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c == ':' ? '-' : c);  // iptables port ranges "1000:2000"
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

std::string listener_for(std::string_view daddr, const std::string& port) {
  std::string host(daddr);
  if (size_t slash = host.find('/'); slash != std::string::npos && host.substr(slash) == "/32") host.resize(slash);
  if (host == "0.0.0.0/0") host.clear();
  return (host.empty() ? std::string("*") : host) + ":" + port;
}

std::string_view effect_note(std::string_view verdict, std::string_view reject_with, bool invalid) {
  if (invalid)
    return "conntrack INVALID packets are dropped: after an idle flow expires from conntrack "
           "(nf_conntrack_tcp_timeout_established) its next packets are dropped; clients see timeouts then resets";
  if (verdict == "REJECT" && (reject_with == "tcp-reset" || reject_with == "tcp reset"))
    return "matching packets are answered with a TCP RST: clients see 'connection reset' (or 'refused' on a SYN)";
  if (verdict == "REJECT") return "matching packets are answered with ICMP unreachable: clients see 'refused'/'unreachable'";
  if (verdict == "DROP" || verdict == "drop") return "matching packets are silently dropped: clients time out";
  return "";
}

void emit_rule(config::SettingSink& sink, const std::string& component, const std::string& scope, int64_t line,
               const std::string& raw, const std::string& verdict, const std::string& reject_with, bool invalid,
               const std::string& daddr, const std::vector<std::string>& ports, const std::string& matches) {
  Setting s;
  s.component = component;
  s.scope = scope;
  s.key = verdict;
  s.raw = raw;
  s.line = line;
  s.text = reject_with.empty() ? matches : reject_with + (matches.empty() ? "" : "; " + matches);
  s.note.assign(effect_note(verdict, reject_with, invalid));
  if (ports.empty()) {
    s.listener = daddr.empty() ? "" : listener_for(daddr, "*");
    sink.emit(s);
    return;
  }
  for (const std::string& p : ports) {
    s.listener = listener_for(daddr, p);
    sink.emit(s);
  }
}

class IptablesFile : public FileParser {
 public:
  void record(const Record& rec, Emitter& out) override {
    config::SettingSink sink(out, rec.text);
    std::string_view text = rec.text;
    std::string table = "filter";
    std::string component = "iptables";
    size_t pos = 0;
    int64_t n = 0;
    bool in_table = false;
    while (pos < text.size()) {
      size_t nl = text.find('\n', pos);
      if (nl == std::string_view::npos) nl = text.size();
      std::string_view l = trim(text.substr(pos, nl - pos));
      pos = nl + 1;
      ++n;
      if (l.empty() || l[0] == '#') {
        if (l.find("ip6tables-save") != std::string_view::npos) component = "ip6tables";
        continue;
      }
      if (l[0] == '*') {
        table.assign(l.substr(1));
        in_table = true;
        continue;
      }
      if (l == "COMMIT") {
        in_table = false;
        continue;
      }
      if (l[0] == ':') {  // ":INPUT DROP [0:0]"
        std::string_view rest = l.substr(1), chain, policy;
        next_token(rest, chain);
        next_token(rest, policy);
        if (policy == "DROP" || policy == "REJECT")
          emit_rule(sink, component, "table " + table + " chain " + std::string(chain), n, std::string(l),
                    "policy " + std::string(policy), "", false, "", {}, "");
        continue;
      }
      if (!starts_with(l, "-A ") && !starts_with(l, "-I ")) {
        sink.warn(n, "not an iptables-save line");
        continue;
      }
      if (!in_table) sink.warn(n, "rule outside a *table ... COMMIT block");
      std::vector<std::string_view> w;
      std::string_view rest = l, tok;
      while (next_token(rest, tok)) w.push_back(tok);
      std::string chain = w.size() > 1 ? std::string(w[1]) : "";
      std::string verdict, reject_with, daddr, matches;
      std::vector<std::string> ports;
      bool invalid = false, negate = false;
      for (size_t i = 2; i < w.size(); ++i) {
        std::string_view o = w[i];
        std::string_view v = i + 1 < w.size() ? w[i + 1] : std::string_view{};
        if (o == "!") { negate = true; continue; }
        if (o == "-j" || o == "--jump") verdict.assign(v);
        else if (o == "--reject-with") reject_with.assign(v);
        else if ((o == "--dport" || o == "--dports" || o == "--destination-port") && !negate) ports = split_ports(v);
        else if ((o == "-d" || o == "--destination") && !negate) daddr.assign(v);
        else if ((o == "--ctstate" || o == "--state") && v.find("INVALID") != std::string_view::npos) invalid = true;
        else if (o == "-s" || o == "--source" || o == "-p" || o == "-i" || o == "--tcp-flags" || o == "--syn" ||
                 o == "--ctstate" || o == "--state" || o == "--limit" || o == "--connlimit-above") {
          if (!matches.empty()) matches += ' ';
          matches += std::string(negate ? "! " : "") + std::string(o) + (o == "--syn" ? "" : " " + std::string(v));
        }
        negate = false;
      }
      if (verdict != "REJECT" && verdict != "DROP") continue;
      if (verdict == "REJECT" && reject_with.empty()) reject_with = "icmp-port-unreachable";
      emit_rule(sink, component, "table " + table + " chain " + chain, n, std::string(l), verdict, reject_with,
                invalid, daddr, ports, matches);
    }
  }
};

class NftFile : public FileParser {
 public:
  void record(const Record& rec, Emitter& out) override {
    config::SettingSink sink(out, rec.text);
    std::string_view text = rec.text;
    std::string table, chain;
    int depth = 0;
    size_t pos = 0;
    int64_t n = 0;
    while (pos < text.size()) {
      size_t nl = text.find('\n', pos);
      if (nl == std::string_view::npos) nl = text.size();
      std::string_view l = trim(text.substr(pos, nl - pos));
      pos = nl + 1;
      ++n;
      if (size_t hash = l.find(" #"); hash != std::string_view::npos) l = trim(l.substr(0, hash));
      if (l.empty() || l[0] == '#') continue;
      if (starts_with(l, "table ")) {
        std::string_view r = l.substr(6), fam, name;
        next_token(r, fam);
        next_token(r, name);
        table = std::string(fam) + " " + std::string(name);
        ++depth;
        continue;
      }
      if (starts_with(l, "chain ")) {
        std::string_view r = l.substr(6), name;
        next_token(r, name);
        chain.assign(name);
        ++depth;
        continue;
      }
      if (l == "}") {
        if (depth == 0) sink.warn(n, "unbalanced '}'");
        else --depth;
        if (depth <= 1) chain.clear();
        continue;
      }
      if (ends_with(l, "{")) {  // sets, maps, flowtables: skip their bodies
        ++depth;
        continue;
      }
      std::string scope = "table " + table + " chain " + chain;
      if (starts_with(l, "type ")) {
        size_t p = l.find("policy ");
        if (p != std::string_view::npos) {
          std::string_view pol = l.substr(p + 7);
          if (size_t semi = pol.find(';'); semi != std::string_view::npos) pol = pol.substr(0, semi);
          pol = trim(pol);
          if (pol == "drop") emit_rule(sink, "nftables", scope, n, std::string(l), "policy DROP", "", false, "", {}, "");
        }
        continue;
      }
      if (chain.empty()) continue;
      bool reject = l.find("reject") != std::string_view::npos;
      bool drop = ends_with(l, " drop") || l == "drop";
      if (!reject && !drop) continue;
      std::string reject_with;
      if (reject) {
        size_t w = l.find("reject with ");
        reject_with = w == std::string_view::npos ? "icmp port-unreachable" : std::string(l.substr(w + 12));
      }
      std::vector<std::string> ports;
      size_t dp = l.find("dport ");
      if (dp != std::string_view::npos) {
        std::string_view r = l.substr(dp + 6);
        if (!r.empty() && r[0] == '{') r = r.substr(0, r.find('}') + 1);
        else r = r.substr(0, r.find(' '));
        ports = split_ports(r);
      }
      std::string daddr;
      size_t da = l.find("daddr ");
      if (da != std::string_view::npos) {
        std::string_view r = l.substr(da + 6);
        daddr.assign(r.substr(0, r.find(' ')));
      }
      bool invalid = l.find("ct state invalid") != std::string_view::npos;
      std::string matches(l.substr(0, reject ? l.find("reject") : l.rfind("drop")));
      emit_rule(sink, "nftables", scope, n, std::string(l), reject ? "REJECT" : "DROP", reject_with, invalid, daddr,
                ports, std::string(trim(matches)));
    }
    if (depth != 0) sink.warn(0, "ruleset ends inside a block (missing '}')");
  }
};

class IptablesParser : public Parser {
 public:
  std::string_view name() const override { return "config-iptables"; }
  std::string_view description() const override {
    return "iptables-save / ip6tables-save output: REJECT (tcp-reset) and DROP rules, DROP policies, conntrack INVALID";
  }
  Role role() const override { return Role::config; }
  bool whole_file() const override { return true; }
  Score sniff(const SniffInput& in) const override {
    int tables = 0, rules = 0, header = 0;
    for (std::string_view l : in.lines) {
      if (l.find("iptables-save") != std::string_view::npos) ++header;
      if (l == "*filter" || l == "*nat" || l == "*mangle" || l == "*raw") ++tables;
      if (starts_with(l, "-A ") || (starts_with(l, ":") && l.find(" [") != std::string_view::npos)) ++rules;
    }
    int score = header * 40 + tables * 25 + std::min(rules, 4) * 10;
    if (score < 50) return {};
    return {std::min(score, 95), "iptables-save output (*table, :CHAIN POLICY, -A rules)"};
  }
  std::unique_ptr<FileParser> open(const ParseContext&) const override { return std::make_unique<IptablesFile>(); }
  const std::vector<Sample>& samples() const override {
    static const std::vector<Sample> s = {
        {"*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp -m tcp --dport 8443 -j REJECT --reject-with tcp-reset\nCOMMIT\n",
         {{"role", "config"}, {"category", "setting"}, {"line", "3"}, {"fields.key", "REJECT"},
          {"fields.listener", "*:8443"}, {"fields.text", "tcp-reset; -p tcp"}}},
    };
    return s;
  }
};

class NftParser : public Parser {
 public:
  std::string_view name() const override { return "config-nftables"; }
  std::string_view description() const override {
    return "nft list ruleset output: reject (tcp reset) and drop rules, drop policies, ct state invalid";
  }
  Role role() const override { return Role::config; }
  bool whole_file() const override { return true; }
  Score sniff(const SniffInput& in) const override {
    int score = 0;
    for (std::string_view l : in.lines) {
      std::string_view t = trim(l);
      if (starts_with(t, "table inet ") || starts_with(t, "table ip ") || starts_with(t, "table ip6 ")) score += 40;
      if (starts_with(t, "chain ") && ends_with(t, "{")) score += 15;
      if (starts_with(t, "type filter hook")) score += 30;
    }
    if (score < 50) return {};
    return {std::min(score, 95), "nft list ruleset output (table/chain blocks, hooks)"};
  }
  std::unique_ptr<FileParser> open(const ParseContext&) const override { return std::make_unique<NftFile>(); }
  const std::vector<Sample>& samples() const override {
    static const std::vector<Sample> s = {
        {"table inet filter {\n\tchain input {\n\t\ttype filter hook input priority filter; policy accept;\n"
         "\t\ttcp dport 9000 reject with tcp reset\n\t}\n}\n",
         {{"role", "config"}, {"category", "setting"}, {"line", "4"}, {"fields.key", "REJECT"},
          {"fields.listener", "*:9000"}, {"fields.component", "nftables"}}},
    };
    return s;
  }
};

RSTSCOPE_REGISTER_PARSER(IptablesParser);
RSTSCOPE_REGISTER_PARSER(NftParser);

}  // namespace
}  // namespace rstscope
