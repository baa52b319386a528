// rstscope probe HOST:PORT: reproduce, time and measure one connection (src/probe).
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/cli.h"
#include "probe/probe.h"
#include "rstscope/text.h"

namespace rstscope::cli {
namespace {

struct ProbeArgs {
  std::string target;
  probe::Options o;
  bool ipv4 = false, ipv6 = false;
  std::string send_file, log_file;
};

// "host:port", "[v6]:port", "http://host[:port][/path]", "https://host[:port][/path]".
bool parse_target(ProbeArgs& a, std::string& err) {
  std::string_view t = a.target;
  bool url = false;
  if (starts_with(t, "https://")) {
    a.o.tls = true;
    t.remove_prefix(8);
    url = true;
  } else if (starts_with(t, "http://")) {
    t.remove_prefix(7);
    url = true;
  }
  std::string_view path;
  if (url) {
    size_t slash = t.find('/');
    if (slash != std::string_view::npos) {
      path = t.substr(slash);
      t = t.substr(0, slash);
    }
    if (a.o.http_path.empty() && a.o.send_data.empty() && a.send_file.empty())
      a.o.http_path = path.empty() ? "/" : std::string(path);
  }
  std::string_view host;
  int64_t port = -1;
  split_host_port(t, host, port);
  if (!host.empty() && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (port < 0 && url) port = a.o.tls ? 443 : 80;
  if (host.empty() || port <= 0 || port > 65535) {
    err = "target must be HOST:PORT (or [IPv6]:PORT, or an http(s):// URL), got '" + a.target + "'";
    return false;
  }
  a.o.host.assign(host);
  a.o.port = static_cast<int>(port);
  return true;
}

std::string run_id() {
  auto s = std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
               .count();
  std::ostringstream o;
  o << std::hex << (s & 0xffffffff) << "-" << std::dec << getpid();
  return o.str();
}

int run_probe_cmd(ProbeArgs& a) {
  std::string err;
  if (!parse_target(a, err)) {
    std::cerr << "rstscope probe: " << err << "\n";
    return kUsage;
  }
  if (a.ipv4) a.o.family = 4;
  if (a.ipv6) a.o.family = 6;
  if (!a.send_file.empty()) {
    std::ifstream in(a.send_file, std::ios::binary);
    if (!in) {
      std::cerr << "rstscope probe: cannot read --send file " << a.send_file << "\n";
      return kUsage;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    a.o.send_data = ss.str();
    if (a.o.send_data.empty()) {
      std::cerr << "rstscope probe: --send file " << a.send_file << " is empty\n";
      return kUsage;
    }
  }
  std::ofstream log;
  if (!a.log_file.empty()) {
    log.open(a.log_file, std::ios::app);
    if (!log) {
      std::cerr << "rstscope probe: cannot open --log file " << a.log_file << "\n";
      return kFatal;
    }
  }
  std::string target = (a.o.host.find(':') != std::string::npos ? "[" + a.o.host + "]" : a.o.host) + ":" +
                       std::to_string(a.o.port);
  std::string run = run_id();
  bool quiet = globals().quiet;
  if (!quiet) {
    std::cout << "probe " << target << (a.o.tls ? " (TLS)" : "") << ", " << a.o.count << " connection(s), run "
              << run << "\n";
  }
  probe::Result res = probe::run_probe(a.o, [&](const probe::Step& s) {
    if (!quiet) std::cout << probe::format_text_line(s) << std::endl;
    if (log.is_open()) log << probe::format_log_line(s, run, target) << std::endl;
  });
  // Summary
  const probe::Step* first_fail = nullptr;
  for (const auto& s : res.steps)
    if (s.result == "fail" && !first_fail) first_fail = &s;
  if (a.o.protocol_check) std::cout << "speaks: " << res.speaks << "\n";
  if (a.o.find_idle_max_s > 0 || a.o.idle_s >= 0 || a.o.reuse_after_s >= 0) {
    if (res.no_keepalive) {
      std::cout << "idle timeout: 0: the server closed the connection right after the response (no keep-alive) with "
                << (res.idle_close == "rst" ? "RST" : "FIN") << "\n";
    } else if (res.idle_timeout_ms >= 0) {
      char b[160];
      std::snprintf(b, sizeof b, "idle timeout: the server closed the idle connection after %.3f s with %s\n",
                    res.idle_timeout_ms / 1000.0, res.idle_close == "rst" ? "RST" : res.idle_close == "fin" ? "FIN" : "?");
      std::cout << b;
    } else if (a.o.find_idle_max_s > 0 || a.o.idle_s >= 0) {
      std::cout << "idle timeout: no close within the limit\n";
    }
  }
  if (first_fail && !a.o.protocol_check) {
    std::cout << "FAILED at step " << first_fail->name << " (" << first_fail->kind << "): " << first_fail->message;
    if (!first_fail->error_name.empty()) std::cout << " [" << first_fail->error_name << " " << first_fail->err << "]";
    std::cout << "\n";
    if (first_fail->wsa) {
      std::string_view text = probe::wsa_message(first_fail->wsa);
      std::cout << "  on Windows this is WSA error " << first_fail->wsa;
      if (!text.empty()) std::cout << ": \"" << text << "\"";
      std::cout << "\n";
    }
  }
  if (res.reuse_not_tried && !first_fail) {
    for (const auto& s : res.steps)
      if (s.result == "skip") {
        std::cout << "NOT TRIED: " << s.name << ": " << s.message << "\n";
        break;
      }
  }
  if (!first_fail && res.ok && !a.o.protocol_check && !quiet) std::cout << "ok: every step worked\n";
  if (log.is_open() && !quiet) std::cout << "log lines appended to " << a.log_file << "\n";
  return res.ok ? kOk : kPartial;
}

void setup_probe(CLI::App& root, int* result) {
  auto a = std::make_shared<ProbeArgs>();
  CLI::App* c = root.add_subcommand(
      "probe", "Reproduce a connection failure: connect, TLS, request, idle/reuse; time each step, name each error");
  c->add_option("target", a->target, "HOST:PORT, [IPv6]:PORT, or an http:// / https:// URL")->required();
  c->add_option("-n,--count", a->o.count, "Connections to make, one after the other")->default_val(1)->check(CLI::Range(1, 100000));
  c->add_option("--timeout", a->o.timeout_s, "Bound of each wait (DNS, connect, handshake, read), seconds")
      ->default_val(10.0)->check(CLI::Range(0.01, 3600.0));
  c->add_flag("-4", a->ipv4, "IPv4 only");
  c->add_flag("-6", a->ipv6, "IPv6 only");
  c->add_flag("--tls", a->o.tls, "Do a TLS handshake after connecting");
  c->add_option("--tls-min", a->o.tls_min, "Lowest TLS version to offer: 1.0, 1.1, 1.2, 1.3");
  c->add_option("--tls-max", a->o.tls_max, "Highest TLS version to offer: 1.0, 1.1, 1.2, 1.3");
  c->add_option("--ciphers", a->o.ciphers, "TLS <= 1.2 cipher list (OpenSSL syntax)");
  c->add_option("--ciphersuites", a->o.ciphersuites, "TLS 1.3 cipher suites (OpenSSL syntax)");
  c->add_option("--sni", a->o.sni, "Server name to send (default: the host when it is a name; '-' for none)");
  c->add_option("--alpn", a->o.alpn, "ALPN protocols, comma-separated (e.g. h2,http/1.1)");
  c->add_flag("--verify", a->o.verify, "Fail the handshake when the certificate does not verify");
  c->add_option("--ca-file", a->o.ca_file, "CA bundle for --verify");
  c->add_option("--http", a->o.http_path, "Send an HTTP/1.1 request for PATH and read the response");
  c->add_option("-X,--method", a->o.method, "HTTP method")->default_val("GET");
  c->add_option("-H,--header", a->o.headers, "Extra HTTP header 'Name: value' (repeatable)");
  c->add_option("--send", a->send_file, "Send the raw bytes of FILE instead of an HTTP request");
  c->add_option("--idle", a->o.idle_s, "Hold the connection idle up to SECONDS; report if, when and how (FIN/RST) "
                                        "the server closes it");
  c->add_option("--find-idle-timeout", a->o.find_idle_max_s,
                "Send one request, then wait up to MAX seconds for the server's idle close and time it");
  c->add_option("--reuse-after", a->o.reuse_after_s,
                "After the first request, pause SECONDS, then send a second request on the same connection "
                "(the stale keep-alive reuse)");
  c->add_flag("--protocol-check", a->o.protocol_check, "Try TLS and plain HTTP on the port and say which it speaks");
  c->add_option("--log", a->log_file, "Append one log line per step to FILE (rstscope ingest reads it as a client log)");
  c->footer(
      "Examples:\n"
      "  rstscope probe 127.0.0.1:8080 --http /                  one request, every step timed\n"
      "  rstscope probe https://api.example.com/health            TLS + HTTP from a URL\n"
      "  rstscope probe api.example.com:443 --tls --tls-max 1.2   does the server still accept TLS 1.2?\n"
      "  rstscope probe lb.example.com:443 --tls --find-idle-timeout 400 --http /\n"
      "                                                           measure the real keep-alive idle timeout\n"
      "  rstscope probe 10.0.0.5:8080 --http / --reuse-after 76   reuse a connection after 76 s idle\n"
      "  rstscope probe 10.0.0.5:8443 --protocol-check            plain or TLS?\n"
      "  rstscope probe 10.0.0.5:8080 -n 20 --http / --log probe.log   then: rstscope ingest probe.log server-logs/\n"
      "Exit codes: 0 every step worked, 1 usage, 2 a step failed (the failure is the finding) or\n"
      "  --reuse-after could not reuse the connection (the server closes after each response), 3 fatal.\n"
      "Docs: docs/probe.md");
  c->callback([a, result] { *result = run_probe_cmd(*a); });
}

RSTSCOPE_REGISTER_COMMAND(80, setup_probe);

}  // namespace
}  // namespace rstscope::cli
