// Probe against real nginx, HAProxy and stunnel on loopback, started here with short timeouts:
//   nginx  plain  keepalive_timeout 2s            -> idle close by FIN after ~2.0 s
//   nginx  TLS    ssl_protocols TLSv1.3, 2s        -> TLS version mismatch with --tls-max 1.2
//   nginx  backend keepalive_timeout 30s           (behind HAProxy and stunnel)
//   nginx  plain  keepalive_timeout 0              -> closes after each response (no keep-alive)
//   HAProxy timeout http-keep-alive 1500ms         -> idle close after ~1.5 s (FIN)
//   HAProxy the same with option nolinger          -> idle close after ~1.5 s (RST)
//   HAProxy TLS ssl-min-ver TLSv1.2                -> TLS version mismatch with --tls-max 1.1
//   stunnel TIMEOUTidle = 3, sslVersionMin TLSv1.2 -> idle close by RST after ~3.0 s; version mismatch
//   python3 -m http.server (HTTP/1.0)              -> closes after each response
// Each server is stopped by its PID; the temp dir is removed. Missing binaries skip with the reason.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "probe/probe.h"
#include "rstscope/reader.h"
#include "test_support.h"

using namespace rstscope;
using namespace rstscope::probe;
namespace fs = std::filesystem;

namespace {

std::string find_binary(const char* name) {
  for (const char* dir : {"/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin", "/sbin", "/bin"}) {
    std::string p = std::string(dir) + "/" + name;
    if (::access(p.c_str(), X_OK) == 0) return p;
  }
  return {};
}

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

bool port_open(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

bool wait_ports(std::initializer_list<int> ports, pid_t pid) {
  for (int i = 0; i < 100; ++i) {  // at most 5 s
    bool all = true;
    for (int p : ports) all = all && port_open(p);
    if (all) return true;
    int st = 0;
    if (::waitpid(pid, &st, WNOHANG) == pid) return false;  // it died
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

pid_t spawn(const std::vector<std::string>& argv, const std::string& out) {
  pid_t pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // never outlive a crashed test
    int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  return pid;
}

void stop(pid_t& pid) {
  if (pid <= 0) return;
  ::kill(pid, SIGTERM);
  int st = 0;
  for (int i = 0; i < 60; ++i) {  // at most 3 s, then SIGKILL
    if (::waitpid(pid, &st, WNOHANG) == pid) {
      pid = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &st, 0);
  pid = -1;
}

void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

struct Servers {
  std::string dir;
  std::string skip_nginx, skip_haproxy, skip_stunnel, skip_python;
  pid_t nginx = -1, haproxy = -1, stunnel = -1, python = -1;
  int plain = 0, tls13 = 0, backend = 0, hap = 0, stn = 0, noka = 0, hap_nolinger = 0, hap_tls = 0, py = 0;

  void start() {
    char tmpl[] = "/tmp/rstscope-probe-test-XXXXXX";
    if (!::mkdtemp(tmpl)) {
      skip_nginx = skip_haproxy = skip_stunnel = "cannot create a temp dir";
      return;
    }
    dir = tmpl;
    std::string nginx_bin = find_binary("nginx"), haproxy_bin = find_binary("haproxy"),
                stunnel_bin = find_binary("stunnel4");
    if (stunnel_bin.empty()) stunnel_bin = find_binary("stunnel");
    std::string openssl_bin = find_binary("openssl");
    bool have_cert = false;
    if (!openssl_bin.empty()) {
      std::string cmd = openssl_bin + " req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout " +
                        dir + "/key.pem -out " + dir + "/cert.pem -days 2 -subj /CN=localhost >/dev/null 2>&1";
      have_cert = std::system(cmd.c_str()) == 0;
    }
    plain = free_port();
    tls13 = free_port();
    backend = free_port();
    hap = free_port();
    stn = free_port();
    noka = free_port();
    hap_nolinger = free_port();
    hap_tls = free_port();
    py = free_port();
    if (nginx_bin.empty()) {
      skip_nginx = "nginx is not installed (make deps)";
    } else if (!have_cert) {
      skip_nginx = "no openssl CLI to make a test certificate";
    } else {
      fs::create_directories(dir + "/tmp");
      write(dir + "/nginx.conf",
            "master_process off;\nworker_processes 1;\nevents { worker_connections 64; }\nhttp {\n"
            "  access_log " + dir + "/access.log;\n"
            "  client_body_temp_path " + dir + "/tmp; proxy_temp_path " + dir + "/tmp; fastcgi_temp_path " + dir +
                "/tmp; uwsgi_temp_path " + dir + "/tmp; scgi_temp_path " + dir + "/tmp;\n"
            "  server { listen 127.0.0.1:" + std::to_string(plain) +
                "; keepalive_timeout 2s; location / { return 200 \"plain\\n\"; } }\n"
            "  server { listen 127.0.0.1:" + std::to_string(tls13) + " ssl; ssl_certificate " + dir +
                "/cert.pem; ssl_certificate_key " + dir +
                "/key.pem; ssl_protocols TLSv1.3; keepalive_timeout 2s; location / { return 200 \"tls\\n\"; } }\n"
            "  server { listen 127.0.0.1:" + std::to_string(backend) +
                "; keepalive_timeout 30s; location / { return 200 \"backend\\n\"; } }\n"
            "  server { listen 127.0.0.1:" + std::to_string(noka) +
                "; keepalive_timeout 0; location / { return 200 \"no keep-alive\\n\"; } }\n}\n");
      nginx = spawn({nginx_bin, "-p", dir, "-c", dir + "/nginx.conf", "-g",
                     "daemon off; pid " + dir + "/nginx.pid; error_log " + dir + "/error.log info;"},
                    dir + "/nginx.out");
      if (!wait_ports({plain, tls13, backend, noka}, nginx)) {
        skip_nginx = "nginx did not start: " + rstscope::testing::read_file(dir + "/nginx.out") +
                     rstscope::testing::read_file(dir + "/error.log");
        stop(nginx);
      }
    }
    if (haproxy_bin.empty()) {
      skip_haproxy = "haproxy is not installed (make deps)";
    } else if (!skip_nginx.empty()) {
      skip_haproxy = "needs nginx as its backend: " + skip_nginx;
    } else {
      // HAProxy reads the certificate and its key from one PEM file.
      write(dir + "/combined.pem", rstscope::testing::read_file(dir + "/cert.pem") +
                                       rstscope::testing::read_file(dir + "/key.pem"));
      write(dir + "/haproxy.cfg",
            "global\n  log stderr format raw local0 info\ndefaults\n  mode http\n  log global\n  option httplog\n"
            "  timeout connect 2s\n  timeout client 10s\n  timeout server 10s\n  timeout http-keep-alive 1500ms\n"
            "frontend fe\n  bind 127.0.0.1:" + std::to_string(hap) + "\n  default_backend be\n"
            "frontend fe_nolinger\n  bind 127.0.0.1:" + std::to_string(hap_nolinger) +
                "\n  option nolinger\n  default_backend be\n"
            "frontend fe_tls\n  bind 127.0.0.1:" + std::to_string(hap_tls) + " ssl crt " + dir +
                "/combined.pem ssl-min-ver TLSv1.2\n  default_backend be\n"
            "backend be\n  server s1 127.0.0.1:" + std::to_string(backend) + "\n");
      haproxy = spawn({haproxy_bin, "-f", dir + "/haproxy.cfg", "-db"}, dir + "/haproxy.log");
      if (!wait_ports({hap, hap_nolinger, hap_tls}, haproxy)) {
        skip_haproxy = "haproxy did not start: " + rstscope::testing::read_file(dir + "/haproxy.log");
        stop(haproxy);
      }
    }
    if (stunnel_bin.empty()) {
      skip_stunnel = "stunnel is not installed (make deps)";
    } else if (!skip_nginx.empty()) {
      skip_stunnel = "needs nginx as its backend: " + skip_nginx;
    } else {
      write(dir + "/stunnel.conf",
            "foreground = yes\npid =\ndebug = info\noutput = " + dir + "/stunnel.log\n[svc]\naccept = 127.0.0.1:" +
                std::to_string(stn) + "\nconnect = 127.0.0.1:" + std::to_string(backend) + "\ncert = " + dir +
                "/cert.pem\nkey = " + dir + "/key.pem\nTIMEOUTidle = 3\nsslVersionMin = TLSv1.2\n");
      stunnel = spawn({stunnel_bin, dir + "/stunnel.conf"}, dir + "/stunnel.out");
      if (!wait_ports({stn}, stunnel)) {
        skip_stunnel = "stunnel did not start: " + rstscope::testing::read_file(dir + "/stunnel.out");
        stop(stunnel);
      }
    }
    // Python's http.server speaks HTTP/1.0 and closes after every response.
    std::string python_bin = find_binary("python3");
    if (python_bin.empty()) {
      skip_python = "python3 is not installed";
    } else {
      fs::create_directories(dir + "/www");
      write(dir + "/www/index.html", "hello\n");
      python = spawn({python_bin, "-m", "http.server", "--bind", "127.0.0.1", "--directory", dir + "/www",
                      std::to_string(py)},
                     dir + "/python.out");
      if (!wait_ports({py}, python)) {
        skip_python = "python3 -m http.server did not start: " + rstscope::testing::read_file(dir + "/python.out");
        stop(python);
      }
    }
  }

  void finish() {
    stop(python);
    stop(stunnel);
    stop(haproxy);
    stop(nginx);
    if (!dir.empty()) {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  }
};

Servers* g = nullptr;

class ProbeServers : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    g = new Servers;
    g->start();
  }
  static void TearDownTestSuite() {
    g->finish();
    delete g;
    g = nullptr;
  }
};

// Runs a shell command (bounded by the `timeout` in it); its stdout and the exit code.
std::string run_cmd(const std::string& cmd, int& rc) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) {
    rc = -1;
    return out;
  }
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int st = ::pclose(p);
  rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return out;
}

Options base(int port) {
  Options o;
  o.host = "127.0.0.1";
  o.port = port;
  o.timeout_s = 5;
  return o;
}

const Step* find_step(const Result& r, std::string_view name) {
  for (const Step& s : r.steps)
    if (s.name == name) return &s;
  return nullptr;
}

std::string dump(const Result& r) {
  std::string out;
  for (const Step& s : r.steps) out += format_text_line(s) + "\n";
  return out;
}

}  // namespace

#define NEED(which)                                        \
  do {                                                     \
    if (!g->skip_##which.empty()) GTEST_SKIP() << g->skip_##which; \
  } while (0)

TEST_F(ProbeServers, NginxKeepaliveTimeoutMeasuredAndClosedWithFin) {
  NEED(nginx);
  Options o = base(g->plain);
  o.find_idle_max_s = 8;
  Result r = run_probe(o);
  SCOPED_TRACE(dump(r));
  const Step* resp = find_step(r, "response");
  ASSERT_NE(resp, nullptr);
  EXPECT_EQ(resp->get("status"), "200");
  const Step* idle = find_step(r, "idle");
  ASSERT_NE(idle, nullptr);
  EXPECT_EQ(idle->result, "closed");
  EXPECT_EQ(idle->close, "fin");
  EXPECT_EQ(r.idle_close, "fin");
  EXPECT_NEAR(r.idle_timeout_ms, 2000, 200);  // keepalive_timeout 2s, within 10%
}

TEST_F(ProbeServers, HaproxyHttpKeepAliveTimeoutMeasured) {
  NEED(haproxy);
  Options o = base(g->hap);
  o.find_idle_max_s = 8;
  Result r = run_probe(o);
  SCOPED_TRACE(dump(r));
  const Step* idle = find_step(r, "idle");
  ASSERT_NE(idle, nullptr);
  EXPECT_EQ(idle->result, "closed");
  EXPECT_EQ(idle->close, "fin");  // HAProxy 2.6 closes an idle keep-alive connection with FIN ...
  EXPECT_EQ(idle->get("fin_then_rst"), "");  // ... and nothing after it (CLOSE_WAIT)
  EXPECT_EQ(idle->error_name, "");
  EXPECT_NEAR(r.idle_timeout_ms, 1500, 150);  // timeout http-keep-alive 1500ms, within 10%
}

TEST_F(ProbeServers, HaproxyNolingerIdleCloseIsRst) {
  NEED(haproxy);
  Options o = base(g->hap_nolinger);
  o.find_idle_max_s = 8;
  Result r = run_probe(o);
  SCOPED_TRACE(dump(r));
  const Step* idle = find_step(r, "idle");
  ASSERT_NE(idle, nullptr);
  EXPECT_EQ(idle->result, "closed");
  // option nolinger: HAProxy shuts down (FIN) and closes with SO_LINGER 0 (RST) at once; the
  // connection ends reset (measured: CLOSE_WAIT -> CLOSE within 1 ms of the FIN).
  // Whether the probe sees the FIN before the RST is a race of about 1 ms: either way the close
  // is an RST, and when the FIN was seen the message says both.
  EXPECT_EQ(idle->close, "rst");
  if (idle->get("fin_then_rst") == "1") {
    EXPECT_NE(idle->message.find("with FIN then RST"), std::string::npos) << idle->message;
  }
  EXPECT_EQ(r.idle_close, "rst");
  EXPECT_NEAR(r.idle_timeout_ms, 1500, 150);
  // Reusing it after the close: the write meets the reset.
  Options ro = base(g->hap_nolinger);
  ro.http_path = "/";
  ro.reuse_after_s = 2;
  Result rr = run_probe(ro);
  SCOPED_TRACE(dump(rr));
  const Step* pause = find_step(rr, "pause");
  ASSERT_NE(pause, nullptr);
  EXPECT_EQ(pause->close, "rst");  // FIN then RST, or the RST alone when it won the race
  const Step& last = rr.steps.back();
  EXPECT_EQ(last.result, "fail");
  EXPECT_TRUE(last.kind == "broken-pipe" || last.kind == "reset") << last.kind;
}

// A server that closes after every response has an idle timeout of 0: the probe says so (and how it
// closed) instead of "no close within the limit", and a --reuse-after cannot reuse anything.
void expect_no_keepalive(int port, const std::string& proto) {
  Options o = base(port);
  o.find_idle_max_s = 4;
  Result r = run_probe(o);
  SCOPED_TRACE(dump(r));
  EXPECT_TRUE(r.ok);
  const Step* resp = find_step(r, "response");
  ASSERT_NE(resp, nullptr);
  EXPECT_EQ(resp->get("status"), "200");
  EXPECT_EQ(resp->get("proto"), proto);
  EXPECT_EQ(resp->get("keepalive"), "0");
  const Step* idle = find_step(r, "idle");
  ASSERT_NE(idle, nullptr);
  EXPECT_EQ(idle->result, "closed");
  EXPECT_EQ(idle->close, "fin");
  EXPECT_NE(idle->message.find("closed the connection right after the response (no keep-alive"), std::string::npos)
      << idle->message;
  EXPECT_NE(idle->message.find("idle timeout 0, closed with FIN"), std::string::npos) << idle->message;
  EXPECT_TRUE(r.no_keepalive);
  EXPECT_EQ(r.idle_timeout_ms, 0);
  EXPECT_EQ(r.idle_close, "fin");
  EXPECT_LT(idle->elapsed_ms, 1000);  // not the 4 s limit

  Options ro = base(port);
  ro.http_path = "/";
  ro.reuse_after_s = 1;
  Result rr = run_probe(ro);
  SCOPED_TRACE(dump(rr));
  EXPECT_FALSE(rr.ok);
  EXPECT_TRUE(rr.reuse_not_tried);
  const Step& last = rr.steps.back();
  EXPECT_EQ(last.name, "reuse-request");
  EXPECT_EQ(last.result, "skip");
  EXPECT_EQ(last.close, "fin");
  EXPECT_NE(last.message.find("the reuse could not be tried"), std::string::npos) << last.message;
  EXPECT_EQ(find_step(rr, "pause"), nullptr);  // nothing to pause on
}

TEST_F(ProbeServers, NginxKeepaliveTimeoutZeroIsIdleTimeoutZero) {
  NEED(nginx);
  expect_no_keepalive(g->noka, "HTTP/1.1");
}

TEST_F(ProbeServers, Http10ServerIsIdleTimeoutZero) {
  NEED(python);
  expect_no_keepalive(g->py, "HTTP/1.0");
}

TEST_F(ProbeServers, NoKeepaliveCliSaysIdleTimeoutZeroAndReuseNotTried) {
  NEED(nginx);
  int rc = 0;
  std::string base_cmd = "timeout 60 " + std::string(RSTSCOPE_BINARY) + " probe 127.0.0.1:" + std::to_string(g->noka) + " --timeout 5";
  std::string out = run_cmd(base_cmd + " --find-idle-timeout 4 2>&1", rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("idle timeout: 0: the server closed the connection right after the response (no keep-alive) "
                     "with FIN"),
            std::string::npos)
      << out;
  EXPECT_EQ(out.find("no close within the limit"), std::string::npos) << out;
  out = run_cmd(base_cmd + " --http / --reuse-after 1 2>&1", rc);
  EXPECT_EQ(rc, 2) << out;
  EXPECT_NE(out.find("NOT TRIED: reuse-request: the reuse could not be tried"), std::string::npos) << out;
  EXPECT_EQ(out.find("ok: every step worked"), std::string::npos) << out;
}

TEST_F(ProbeServers, StunnelIdleTimeoutMeasuredAndClosedWithRst) {
  NEED(stunnel);
  Options o = base(g->stn);
  o.tls = true;
  o.find_idle_max_s = 8;
  Result r = run_probe(o);
  SCOPED_TRACE(dump(r));
  const Step* tls = find_step(r, "tls");
  ASSERT_NE(tls, nullptr);
  EXPECT_EQ(tls->result, "ok");
  const Step* resp = find_step(r, "response");
  ASSERT_NE(resp, nullptr);
  EXPECT_EQ(resp->get("status"), "200");
  const Step* idle = find_step(r, "idle");
  ASSERT_NE(idle, nullptr);
  EXPECT_EQ(idle->result, "closed");
  EXPECT_EQ(idle->close, "rst");  // stunnel resets on TIMEOUTidle
  EXPECT_EQ(idle->error_name, "ECONNRESET");
  EXPECT_EQ(idle->wsa, 10054);
  EXPECT_NEAR(r.idle_timeout_ms, 3000, 300);  // TIMEOUTidle = 3, within 10%
}

TEST_F(ProbeServers, NginxTlsIdleCloseIsCloseNotifyThenFin) {
  NEED(nginx);
  Options o = base(g->tls13);
  o.tls = true;
  o.find_idle_max_s = 8;
  Result r = run_probe(o);
  SCOPED_TRACE(dump(r));
  const Step* idle = find_step(r, "idle");
  ASSERT_NE(idle, nullptr);
  EXPECT_EQ(idle->result, "closed");
  EXPECT_EQ(idle->close, "fin");
  EXPECT_EQ(idle->get("close_notify"), "1");
  EXPECT_NEAR(r.idle_timeout_ms, 2000, 200);
}

TEST_F(ProbeServers, TlsVersionMismatchNamesTheAlert) {
  NEED(nginx);
  Options o = base(g->tls13);
  o.tls = true;
  o.tls_max = "1.2";
  o.http_path = "/";
  Result r = run_probe(o);
  SCOPED_TRACE(dump(r));
  EXPECT_FALSE(r.ok);
  const Step* tls = find_step(r, "tls");
  ASSERT_NE(tls, nullptr);
  EXPECT_EQ(tls->result, "fail");
  EXPECT_EQ(tls->kind, "tls");
  EXPECT_EQ(tls->get("alert"), "protocol_version");
  EXPECT_EQ(tls->get("alert_code"), "70");
  EXPECT_EQ(tls->get("alert_from"), "server");
  EXPECT_NE(tls->message.find("protocol_version"), std::string::npos);
  EXPECT_EQ(find_step(r, "request"), nullptr);  // stops at the failing step

  // The same server with TLS 1.3 allowed negotiates it.
  o.tls_max = "";
  Result ok = run_probe(o);
  const Step* tls_ok = find_step(ok, "tls");
  ASSERT_NE(tls_ok, nullptr);
  EXPECT_EQ(tls_ok->result, "ok") << dump(ok);
  EXPECT_EQ(tls_ok->get("version"), "TLSv1.3");
  EXPECT_FALSE(tls_ok->get("cipher").empty());
}

// HAProxy (ssl-min-ver TLSv1.2) and stunnel (sslVersionMin = TLSv1.2) refuse a TLS 1.0-1.1 client
// with the protocol_version alert, and negotiate with a current one.
void expect_version_alert(int port, const std::string& who) {
  Options o = base(port);
  o.tls = true;
  o.tls_min = "1.0";
  o.tls_max = "1.1";
  o.http_path = "/";
  Result r = run_probe(o);
  SCOPED_TRACE(who + "\n" + dump(r));
  EXPECT_FALSE(r.ok);
  const Step* tls = find_step(r, "tls");
  ASSERT_NE(tls, nullptr);
  EXPECT_EQ(tls->result, "fail");
  EXPECT_EQ(tls->kind, "tls");
  EXPECT_EQ(tls->get("alert"), "protocol_version");
  EXPECT_EQ(tls->get("alert_code"), "70");
  EXPECT_EQ(tls->get("alert_from"), "server");
  EXPECT_NE(tls->message.find("alert protocol_version (70)"), std::string::npos) << tls->message;
  EXPECT_EQ(find_step(r, "request"), nullptr);

  o.tls_min = "1.2";
  o.tls_max = "";
  Result ok = run_probe(o);
  const Step* tls_ok = find_step(ok, "tls");
  ASSERT_NE(tls_ok, nullptr);
  EXPECT_EQ(tls_ok->result, "ok") << dump(ok);
}

TEST_F(ProbeServers, HaproxyTlsVersionMismatchNamesTheAlert) {
  NEED(haproxy);
  expect_version_alert(g->hap_tls, "haproxy ssl-min-ver TLSv1.2");
}

TEST_F(ProbeServers, StunnelTlsVersionMismatchNamesTheAlert) {
  NEED(stunnel);
  expect_version_alert(g->stn, "stunnel sslVersionMin = TLSv1.2");
}

TEST_F(ProbeServers, ProtocolCheckTellsPlainFromTls) {
  NEED(nginx);
  Options o = base(g->plain);
  o.protocol_check = true;
  Result plain = run_probe(o);
  EXPECT_EQ(plain.speaks, "plain-http") << dump(plain);
  const Step* pt = find_step(plain, "protocol-tls");
  ASSERT_NE(pt, nullptr);
  EXPECT_EQ(pt->result, "fail");
  EXPECT_NE(pt->message.find("not TLS"), std::string::npos) << pt->message;

  o.port = g->tls13;
  Result tls = run_probe(o);
  EXPECT_EQ(tls.speaks, "tls") << dump(tls);
  const Step* pp = find_step(tls, "protocol-plain");
  ASSERT_NE(pp, nullptr);
  EXPECT_NE(pp->message.find("HTTPS port"), std::string::npos) << pp->message;

  if (g->skip_stunnel.empty()) {
    o.port = g->stn;
    Result st = run_probe(o);
    EXPECT_EQ(st.speaks, "tls") << dump(st);
  }
}

TEST_F(ProbeServers, StaleReuseFailsAndTheLogParsesIntoTheRightEvents) {
  NEED(nginx);
  Options o = base(g->plain);
  o.http_path = "/";
  o.reuse_after_s = 2.5;  // nginx closes at 2 s
  std::string log;
  Result r = run_probe(o, [&](const Step& s) { log += format_log_line(s, "t1", "127.0.0.1:" + std::to_string(o.port)) + "\n"; });
  SCOPED_TRACE(log);
  const Step* connect = find_step(r, "connect");
  ASSERT_NE(connect, nullptr);
  const Step* pause = find_step(r, "pause");
  ASSERT_NE(pause, nullptr);
  EXPECT_EQ(pause->result, "closed");
  EXPECT_EQ(pause->close, "fin");
  EXPECT_NEAR(r.idle_timeout_ms, 2000, 200);
  const Step* last = &r.steps.back();
  EXPECT_EQ(last->result, "fail");
  // Linux reports the reuse of a FIN-closed connection as EOF (or a reset when the RST wins).
  EXPECT_TRUE(last->kind == "eof" || last->kind == "reset") << last->kind;

  ParsedText p = rstscope::testing::parse_with("probe-log", log);
  EXPECT_TRUE(p.unparsed.empty());
  ASSERT_EQ(p.events.size(), r.steps.size());
  std::string local_port = connect->local.substr(connect->local.rfind(':') + 1);
  int requests = 0, idle_closes = 0, failures = 0;
  for (const Event& ev : p.events) {
    EXPECT_EQ(event_field(ev, "role"), "client");
    EXPECT_EQ(ev.host, "127.0.0.1");
    EXPECT_EQ(ev.server_port, o.port);
    if (ev.category == "client-request") {
      ++requests;
      EXPECT_EQ(ev.status, 200);
      EXPECT_EQ(std::to_string(ev.client_port), local_port);
    }
    if (ev.category == "client-idle-close") {
      ++idle_closes;
      EXPECT_EQ(event_field(ev, "fields.close"), "fin");
    }
    if (ev.category == "client-failure") {
      ++failures;
      EXPECT_EQ(ev.kind, last->kind);
      EXPECT_EQ(std::to_string(ev.client_port), local_port);
      EXPECT_EQ(event_field(ev, "fields.step"), "reuse-response");
    }
  }
  EXPECT_EQ(requests, 1);
  EXPECT_EQ(idle_closes, 1);
  EXPECT_EQ(failures, 1);
}

TEST_F(ProbeServers, StunnelStaleReuseIsAReset) {
  NEED(stunnel);
  Options o = base(g->stn);
  o.tls = true;
  o.http_path = "/";
  o.reuse_after_s = 3.4;  // stunnel resets at 3 s
  Result r = run_probe(o);
  SCOPED_TRACE(dump(r));
  const Step* pause = find_step(r, "pause");
  ASSERT_NE(pause, nullptr);
  EXPECT_EQ(pause->close, "rst");
  const Step& last = r.steps.back();
  EXPECT_EQ(last.result, "fail");
  EXPECT_EQ(last.kind, "reset");
  EXPECT_EQ(last.error_name, "ECONNRESET");
  EXPECT_EQ(last.wsa, 10054);
}

TEST_F(ProbeServers, RawBytesAndHttpErrorStatus) {
  NEED(nginx);
  Options o = base(g->plain);
  o.send_data = "GET / HTTP/1.0\r\nHost: x\r\n\r\n";  // HTTP/1.0: nginx answers and closes
  Result r = run_probe(o);
  SCOPED_TRACE(dump(r));
  const Step* resp = find_step(r, "response");
  ASSERT_NE(resp, nullptr);
  EXPECT_EQ(resp->result, "ok");
  EXPECT_EQ(resp->get("first_bytes").substr(0, 15), "HTTP/1.1 200 OK");
  EXPECT_EQ(resp->close, "fin");

  // A request nginx rejects: status 400 is an http-error failure, the connection itself worked.
  Options bad = base(g->plain);
  bad.http_path = "/";
  bad.headers.push_back("Host: a");
  bad.headers.push_back("Host: b");  // duplicate Host -> 400
  Result rb = run_probe(bad);
  const Step* rr = find_step(rb, "response");
  ASSERT_NE(rr, nullptr) << dump(rb);
  EXPECT_EQ(rr->get("status"), "400") << dump(rb);
  EXPECT_EQ(rr->result, "fail");
  EXPECT_EQ(rr->kind, "http-error");
}
