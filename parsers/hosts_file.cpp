// Hosts file (/etc/hosts, C:\Windows\System32\drivers\etc\hosts): "ADDRESS NAME [ALIAS...]" lines,
// '#' comments (whole-line or trailing). Each name on a line becomes one role=config event with
// category "host-alias", host = the name, server_ip = the address (fields {name, address}); the
// correlator turns them into aliases so that a client's target `api.example.com:443` meets the
// listener at that address (docs/rules.md). A line whose first word is not an IP address is
// unparsed. Recognised by the file name `hosts` (any folder) or by content: every line an address
// followed by host names.
#include <cctype>

#include "rstscope/parser.h"
#include "rstscope/text.h"

namespace rstscope {
namespace {

bool is_ip(std::string_view s) {
  if (looks_like_ipv4(s)) return true;
  // IPv6: hex digits, ':' (at least two), '.', and an optional %zone.
  size_t pct = s.find('%');
  std::string_view a = s.substr(0, pct);
  int colons = 0;
  for (char c : a) {
    if (c == ':') ++colons;
    else if (!std::isxdigit(static_cast<unsigned char>(c)) && c != '.') return false;
  }
  return colons >= 2;
}

bool is_host_name(std::string_view s) {
  if (s.empty() || s.size() > 253 || s == "-") return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') return false;
  return true;
}

// Next blank-separated word (hosts files separate with spaces or tabs); false at the end.
bool next_word(std::string_view& l, std::string_view& w) {
  size_t b = l.find_first_not_of(" \t");
  if (b == std::string_view::npos) {
    l = {};
    return false;
  }
  size_t e = l.find_first_of(" \t", b);
  if (e == std::string_view::npos) e = l.size();
  w = l.substr(b, e - b);
  l.remove_prefix(e);
  return true;
}

// The line without a trailing comment and surrounding blanks.
std::string_view content(std::string_view l) {
  size_t hash = l.find('#');
  if (hash != std::string_view::npos) l = l.substr(0, hash);
  return trim(l);
}

// True when a (comment-free, non-empty) line has the shape ADDRESS NAME [NAME...].
bool hosts_line(std::string_view l) {
  std::string_view tok;
  if (!next_word(l, tok) || !is_ip(tok)) return false;
  int names = 0;
  while (next_word(l, tok)) {
    if (!is_host_name(tok)) return false;
    ++names;
  }
  return names > 0 && names <= 32;
}

class HostsFile : public FileParser {
 public:
  void record(const Record& rec, Emitter& out) override {
    std::string_view l = content(rec.text);
    if (l.empty()) return;  // comments and blank lines are neither events nor garbage
    if (!hosts_line(l)) {
      out.unparsed("not an \"ADDRESS NAME [ALIAS...]\" hosts line");
      return;
    }
    std::string_view addr, name;
    next_word(l, addr);
    size_t pct = addr.find('%');
    if (pct != std::string_view::npos) addr = addr.substr(0, pct);
    while (next_word(l, name)) {
      Event& ev = out.event();
      ev.role = Role::config;
      ev.category = "host-alias";
      ev.host.assign(name);
      ev.server_ip.assign(addr);
      ev.fields.add("name", name);
      ev.fields.add("address", addr);
    }
  }
};

class HostsFileParser : public Parser {
 public:
  std::string_view name() const override { return "hosts-file"; }
  std::string_view description() const override {
    return "hosts file (/etc/hosts, Windows drivers\\etc\\hosts): ADDRESS NAME... lines become name aliases";
  }
  Role role() const override { return Role::config; }
  Score sniff(const SniffInput& in) const override {
    int data = 0, fit = 0;
    for (std::string_view raw : in.lines) {
      std::string_view l = content(raw);
      if (l.empty()) continue;
      ++data;
      if (hosts_line(l)) ++fit;
    }
    bool named = in.name == "hosts" || in.name == "hosts.txt";
    if (named && fit * 10 >= data * 9) return {95, "file named hosts with ADDRESS NAME lines"};
    if (named && data == 0) return {60, "file named hosts (comments only)"};
    // By content alone: several lines, all ADDRESS NAME..., so short log lines that start with an
    // address are not taken for one.
    if (data >= 2 && fit == data) return {70, std::to_string(fit) + " ADDRESS NAME lines (hosts-file syntax)"};
    return {};
  }
  std::unique_ptr<FileParser> open(const ParseContext&) const override { return std::make_unique<HostsFile>(); }
  const std::vector<Sample>& samples() const override {
    static const std::vector<Sample> s = {
        // Debian's default /etc/hosts plus an entry added for the incident's service.
        {"127.0.0.1\tlocalhost\n127.0.1.1\tweb01.example.internal\tweb01\n\n"
         "# The following lines are desirable for IPv6 capable hosts\n::1     localhost ip6-localhost ip6-loopback\n"
         "10.0.0.9 api.example.com api   # production front end",
         {{"role", "config"}, {"category", "host-alias"}, {"host", "api"}, {"server_ip", "10.0.0.9"},
          {"fields.address", "10.0.0.9"}, {"line", "6"}}},
        // Windows hosts file (drivers\etc\hosts), with a zone-scoped IPv6 address.
        {"#\t127.0.0.1       localhost\r\n      fe80::1%lo0     gateway.local\r\n",
         {{"count", "1"}, {"host", "gateway.local"}, {"server_ip", "fe80::1"}, {"fields.name", "gateway.local"}}},
        {"10.0.0.9 not/a/name", {{"unparsed", "1"}}},
    };
    return s;
  }
};

RSTSCOPE_REGISTER_PARSER(HostsFileParser);

}  // namespace
}  // namespace rstscope
