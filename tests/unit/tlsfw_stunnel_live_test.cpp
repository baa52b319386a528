// Real stunnel on loopback: plain HTTP to the TLS port and an idle TLS connection past TIMEOUTidle.
// The log stunnel writes must parse with no unparsed lines, and the two faults must come out as
// plain-http-to-https (decoded OpenSSL reason) and idle-close (RST) on the client port we used.
// Skips when stunnel or openssl is missing. Everything on 127.0.0.1, every wait bounded, stunnel
// stopped by its PID, the temp dir removed.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "test_support.h"

using namespace rstscope;
using namespace rstscope::testing;

namespace {

std::string find_binary(std::initializer_list<const char*> names) {
  for (const char* n : names)
    for (const char* dir : {"/usr/bin/", "/usr/local/bin/", "/usr/sbin/"}) {
      std::string p = std::string(dir) + n;
      if (access(p.c_str(), X_OK) == 0) return p;
    }
  return {};
}

int listen_loopback(int& port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(fd, 16) != 0) {
    close(fd);
    return -1;
  }
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  port = ntohs(a.sin_port);
  return fd;
}

int free_port() {
  int port = 0;
  int fd = listen_loopback(port);
  if (fd >= 0) close(fd);
  return port;
}

int connect_loopback(int port, int& local_port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return -1;
  }
  sockaddr_in l{};
  socklen_t len = sizeof l;
  getsockname(fd, reinterpret_cast<sockaddr*>(&l), &len);
  local_port = ntohs(l.sin_port);
  return fd;
}

// Reads until EOF/error or the deadline; returns bytes read.
size_t drain(int fd, int timeout_ms) {
  auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  char buf[4096];
  size_t total = 0;
  for (int i = 0; i < 1000 && std::chrono::steady_clock::now() < end; ++i) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    total += static_cast<size_t>(n);
  }
  return total;
}

}  // namespace

TEST(TlsfwStunnelLive, PlainHttpAndIdleTimeout) {
  std::string stunnel = find_binary({"stunnel4", "stunnel"});
  std::string openssl = find_binary({"openssl"});
  if (stunnel.empty() || openssl.empty()) GTEST_SKIP() << "stunnel or openssl binary not installed (make deps)";
  char tmpl[] = "/tmp/rstscope-tlsfw-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::filesystem::path dir(tmpl);
  std::string pem = (dir / "stunnel.pem").string();
  std::string cmd = openssl + " req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 1 -keyout " + pem +
                    " -out " + pem + ".crt >/dev/null 2>&1 && cat " + pem + ".crt >> " + pem;
  ASSERT_EQ(std::system(cmd.c_str()), 0) << "openssl req failed";

  int backend_port = 0;
  int backend = listen_loopback(backend_port);  // accepts via the backlog; never answers
  ASSERT_GE(backend, 0);
  int port = free_port();
  std::string log = (dir / "stunnel.log").string();
  std::string conf = (dir / "stunnel.conf").string();
  {
    std::ofstream c(conf);
    c << "foreground = yes\npid =\noutput = " << log << "\ndebug = info\n[tlsfw]\naccept = 127.0.0.1:" << port
      << "\nconnect = 127.0.0.1:" << backend_port << "\ncert = " << pem << "\nTIMEOUTidle = 1\n";
  }
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    int devnull = open("/dev/null", O_WRONLY);
    if (devnull >= 0) {
      dup2(devnull, 1);
      dup2(devnull, 2);
    }
    execl(stunnel.c_str(), stunnel.c_str(), conf.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  // Wait (bounded) for the listener.
  int probe_local = 0, fd = -1;
  for (int i = 0; i < 50 && fd < 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    fd = connect_loopback(port, probe_local);
  }
  bool up = fd >= 0;
  int plain_port = 0, tls_port = 0;
  if (up) {
    // 1) plain HTTP on the TLS port (the probe connection itself).
    plain_port = probe_local;
    const char req[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    EXPECT_GT(write(fd, req, sizeof req - 1), 0);
    drain(fd, 3000);
    close(fd);
    // 2) a TLS connection left idle past TIMEOUTidle = 1 s.
    int tfd = connect_loopback(port, tls_port);
    if (tfd >= 0) {
      SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
      SSL* ssl = SSL_new(ctx);
      SSL_set_fd(ssl, tfd);
      EXPECT_EQ(SSL_connect(ssl), 1);
      drain(tfd, 4000);  // stunnel resets the idle connection after ~1 s
      SSL_free(ssl);
      SSL_CTX_free(ctx);
      close(tfd);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  kill(pid, SIGTERM);
  int status = 0;
  for (int i = 0; i < 50; ++i) {
    if (waitpid(pid, &status, WNOHANG) == pid) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (i == 49) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
    }
  }
  close(backend);
  std::string text;
  if (std::filesystem::exists(log)) text = read_file(log);
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(up) << "stunnel did not listen on 127.0.0.1:" << port;
  ASSERT_FALSE(text.empty());

  ParsedText r = parse_with("stunnel", text);
  for (const auto& [line, reason] : r.unparsed) ADD_FAILURE() << "line " << line << ": " << reason;
  const Event* plain = nullptr;
  const Event* idle = nullptr;
  for (const Event& ev : r.events) {
    if (ev.client_port == plain_port && (ev.category == "plain-http-to-https" || ev.category == "tls-handshake-failed"))
      plain = &ev;
    if (ev.category == "idle-close") idle = &ev;
  }
  ASSERT_NE(plain, nullptr) << text;
  EXPECT_EQ(plain->category, "plain-http-to-https") << plain->raw;
  EXPECT_EQ(plain->fields.lookup("tls_class"), "non-tls");
  EXPECT_EQ(plain->fields.lookup("service"), "tlsfw");
  ASSERT_NE(idle, nullptr) << text;
  EXPECT_EQ(idle->client_port, tls_port);
  EXPECT_EQ(idle->fields.lookup("rst"), "true");
  std::printf("[tlsfw live] stunnel: %zu events\n  %s\n  -> %s (%s)\n  %s\n  -> %s on :%d\n", r.events.size(),
              plain->raw.c_str(), plain->category.c_str(), plain->fields.lookup("tls_reason").c_str(), idle->raw.c_str(),
              idle->category.c_str(), tls_port);
}
