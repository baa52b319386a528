// `sysctl -a` output (and /etc/sysctl.conf, sysctl.d/*.conf): the kernel settings that decide
// when idle connections are forgotten or probed: nf_conntrack TCP timeouts, conntrack table size
// and liberal mode, TCP keepalive, FIN timeout, retries, listen backlogs. "key = value" lines
// ("key=value" in sysctl.conf); other keys are ignored. Component "sysctl", scope "kernel",
// no listener. Timeouts (seconds in the kernel) are normalised to ms.
#include <string>
#include <vector>

#include "config/defaults.h"
#include "config/settings_out.h"
#include "rstscope/parser.h"
#include "rstscope/text.h"

namespace rstscope {
namespace {

struct Key {
  const char* prefix;
  bool seconds;  // else a count / flag / text
  const char* note;
};

const Key kKeys[] = {
    {"net.netfilter.nf_conntrack_tcp_timeout_established", true,
     "idle established flows are forgotten after this; later packets are INVALID (dropped or reset by rules)"},
    {"net.netfilter.nf_conntrack_tcp_timeout_", true, "conntrack TCP state timeout"},
    {"net.netfilter.nf_conntrack_max", false, "conntrack table size; when full, new connections are dropped"},
    {"net.netfilter.nf_conntrack_tcp_be_liberal", false, "1 = out-of-window packets are not marked INVALID"},
    {"net.netfilter.nf_conntrack_tcp_loose", false, "1 = pick up established flows conntrack did not see start"},
    {"net.nf_conntrack_max", false, "conntrack table size"},
    {"net.ipv4.tcp_keepalive_time", true, "idle time before TCP keepalive probes (only for sockets with SO_KEEPALIVE)"},
    {"net.ipv4.tcp_keepalive_intvl", true, "interval between keepalive probes"},
    {"net.ipv4.tcp_keepalive_probes", false, "unanswered probes before the connection is reset"},
    {"net.ipv4.tcp_fin_timeout", true, "FIN-WAIT-2 timeout"},
    {"net.ipv4.tcp_retries2", false, "retransmissions before an established connection is dropped (~15 = 924 s)"},
    {"net.ipv4.tcp_syn_retries", false, "SYN retransmissions before connect() fails"},
    {"net.ipv4.tcp_synack_retries", false, "SYN-ACK retransmissions"},
    {"net.ipv4.tcp_max_syn_backlog", false, "SYN queue size"},
    {"net.core.somaxconn", false, "accept queue limit; overflow drops (or resets with tcp_abort_on_overflow)"},
    {"net.ipv4.tcp_abort_on_overflow", false, "1 = a full accept queue answers with RST"},
    {"net.ipv4.tcp_syncookies", false, "SYN cookies"},
    {"net.ipv4.tcp_tw_reuse", false, "TIME-WAIT reuse for outgoing connections"},
    {"net.ipv4.tcp_rfc1337", false, "1 = ignore RST in TIME-WAIT"},
    {"net.ipv4.ip_local_port_range", false, "ephemeral port range (port exhaustion)"},
};

const Key* find_key(std::string_view k) {
  for (const Key& x : kKeys)
    if (starts_with(k, x.prefix)) return &x;
  return nullptr;
}

class SysctlFile : public FileParser {
 public:
  void record(const Record& rec, Emitter& out) override {
    config::SettingSink sink(out, rec.text);
    std::string_view text = rec.text;
    size_t pos = 0;
    int64_t n = 0;
    int bad = 0;
    while (pos < text.size()) {
      size_t nl = text.find('\n', pos);
      if (nl == std::string_view::npos) nl = text.size();
      std::string_view l = trim(text.substr(pos, nl - pos));
      pos = nl + 1;
      ++n;
      if (l.empty() || l[0] == '#' || l[0] == ';') continue;
      size_t eq = l.find('=');
      if (eq == std::string_view::npos) {
        // sysctl -a prints permission errors to the same stream when captured with 2>&1.
        if (++bad <= 5) sink.warn(n, "not a \"key = value\" line");
        continue;
      }
      std::string key(trim(l.substr(0, eq)));
      if (!key.empty() && key[0] == '-') key.erase(0, 1);  // sysctl.conf "-key = v" (ignore errors)
      for (char& c : key)
        if (c == '/') c = '.';
      const Key* k = find_key(key);
      if (!k) continue;
      Setting s;
      s.component = "sysctl";
      s.scope = "kernel";
      s.key = key;
      s.raw.assign(trim(l.substr(eq + 1)));
      s.line = n;
      s.note = k->note;
      int64_t v;
      if (parse_int(s.raw, v)) {
        s.value = k->seconds ? v * 1000 : v;
        s.unit = k->seconds ? "ms" : "count";
      } else {
        s.text = s.raw;
      }
      sink.emit(s);
    }
  }
};

class SysctlParser : public Parser {
 public:
  std::string_view name() const override { return "config-sysctl"; }
  std::string_view description() const override {
    return "sysctl -a output / sysctl.conf: conntrack TCP timeouts, TCP keepalive, FIN timeout, backlogs";
  }
  Role role() const override { return Role::config; }
  bool whole_file() const override { return true; }
  Score sniff(const SniffInput& in) const override {
    int kv = 0, total = 0;
    for (std::string_view l : in.lines) {
      std::string_view t = trim(l);
      if (t.empty() || t[0] == '#') continue;
      ++total;
      size_t eq = t.find('=');
      if (eq != std::string_view::npos && eq > 0) {
        std::string_view k = trim(t.substr(0, eq));
        if (k.find('.') != std::string_view::npos && k.find(' ') == std::string_view::npos &&
            (starts_with(k, "net.") || starts_with(k, "kernel.") || starts_with(k, "vm.") || starts_with(k, "fs.") ||
             starts_with(k, "abi.") || starts_with(k, "debug.") || starts_with(k, "dev.") || starts_with(k, "user.")))
          ++kv;
      }
    }
    if (!total || kv * 2 < total) return {};
    bool named = icontains(in.name, "sysctl");
    return {std::min(40 + 50 * kv / total + (named ? 10 : 0), 95), "kernel sysctl key = value lines"};
  }
  std::unique_ptr<FileParser> open(const ParseContext&) const override { return std::make_unique<SysctlFile>(); }
  const std::vector<Sample>& samples() const override {
    static const std::vector<Sample> s = {
        {"net.ipv4.tcp_fin_timeout = 60\nnet.netfilter.nf_conntrack_tcp_timeout_established = 600\n",
         {{"role", "config"}, {"category", "setting"}, {"line", "2"},
          {"fields.key", "net.netfilter.nf_conntrack_tcp_timeout_established"}, {"fields.value", "600000"}}},
    };
    return s;
  }
};

RSTSCOPE_REGISTER_PARSER(SysctlParser);

}  // namespace
}  // namespace rstscope
