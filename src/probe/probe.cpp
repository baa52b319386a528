// The probe client: resolve, connect, TLS, request, response, idle/reuse, protocol check.
// Every socket is non-blocking and every wait goes through wait_fd() with a deadline.
#include "probe/probe.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <strings.h>
#include <memory>
#include <mutex>

#include "probe/http_reader.h"

namespace rstscope::probe {
namespace {

using Clock = std::chrono::steady_clock;

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

int64_t wall_now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string fmt_ms(double ms) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f", ms);
  return b;
}
std::string fmt_s(double ms) {
  char b[32];
  std::snprintf(b, sizeof b, "%.3f", ms / 1000.0);
  return b;
}

struct Deadline {
  Clock::time_point at;
  static Deadline in_seconds(double s) {
    return {Clock::now() + std::chrono::microseconds(static_cast<int64_t>(s * 1e6))};
  }
  int poll_ms() const {
    auto left = std::chrono::duration_cast<std::chrono::microseconds>(at - Clock::now()).count();
    if (left <= 0) return 0;
    return static_cast<int>((left + 999) / 1000);
  }
  bool passed() const { return Clock::now() >= at; }
};

// Waits for `events` on fd until the deadline. Returns revents, 0 on timeout.
int wait_fd(int fd, short events, const Deadline& d) {
  for (int guard = 0; guard < 1000000; ++guard) {
    pollfd p{fd, events, 0};
    int ms = d.poll_ms();
    int r = ::poll(&p, 1, ms);
    if (r > 0) return p.revents;
    if (r == 0) {
      if (d.passed()) return 0;
      continue;  // woke up a hair early
    }
    if (errno != EINTR) return POLLERR;
  }
  return 0;
}

void sleep_until(const Deadline& d) {
  for (int guard = 0; guard < 100000 && !d.passed(); ++guard) ::poll(nullptr, 0, d.poll_ms());
}

std::string sockaddr_text(const sockaddr* sa) {
  char host[INET6_ADDRSTRLEN] = {0};
  if (sa->sa_family == AF_INET) {
    auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
    return std::string(host) + ":" + std::to_string(ntohs(in->sin_port));
  }
  if (sa->sa_family == AF_INET6) {
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
    return "[" + std::string(host) + "]:" + std::to_string(ntohs(in6->sin6_port));
  }
  return {};
}

std::string local_of(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return {};
  std::string s = sockaddr_text(reinterpret_cast<sockaddr*>(&ss));
  return (s.size() >= 2 && s.compare(s.size() - 2, 2, ":0") == 0) ? std::string() : s;
}

// TCP state from TCP_INFO: tells a reset connection (CLOSE) from a half-closed one (CLOSE_WAIT).
int tcp_state(int fd) {
  tcp_info ti{};
  socklen_t len = sizeof ti;
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0) return -1;
  return ti.tcpi_state;
}

// How the peer closed, judged from the socket state: "rst", "fin", or "" (still established).
std::string close_from_state(int fd) {
  int st = tcp_state(fd);
  if (st == TCP_CLOSE) return "rst";
  if (st == TCP_CLOSE_WAIT || st == TCP_LAST_ACK || st == TCP_TIME_WAIT || st == TCP_CLOSING) return "fin";
  return "";
}

// After a FIN: does an RST follow at once? A server that shuts down and then closes with SO_LINGER 0
// (HAProxy `option nolinger`) sends FIN then RST back to back; the socket then goes from CLOSE_WAIT
// to CLOSE. Waits at most `wait_ms` (an RST wakes poll() with POLLERR).
bool rst_follows_fin(int fd, int wait_ms = 50) {
  auto until = Clock::now() + std::chrono::milliseconds(wait_ms);
  for (int guard = 0; guard < 100; ++guard) {
    if (tcp_state(fd) == TCP_CLOSE) return true;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd, 0, 0};
    if (::poll(&p, 1, static_cast<int>(left)) == 0) return tcp_state(fd) == TCP_CLOSE;
  }
  return tcp_state(fd) == TCP_CLOSE;
}

struct TlsTrace {
  int alert_received = -1;
  int alert_received_level = 0;
  int alert_sent = -1;
  bool close_notify_received = false;
  std::string first_record;  // header of the first record received (5 bytes), for "not TLS" answers
};

void msg_cb(int write_p, int /*version*/, int content_type, const void* buf, size_t len, SSL* /*ssl*/,
            void* arg) {
  auto* t = static_cast<TlsTrace*>(arg);
  const auto* b = static_cast<const unsigned char*>(buf);
  if (content_type == SSL3_RT_ALERT && len >= 2) {
    if (write_p) {
      if (t->alert_sent < 0 && b[1] != 0) t->alert_sent = b[1];
    } else if (b[1] == 0) {
      t->close_notify_received = true;
    } else if (t->alert_received < 0) {
      t->alert_received = b[1];
      t->alert_received_level = b[0];
    }
  } else if (content_type == SSL3_RT_HEADER && !write_p && t->first_record.empty() && len > 0) {
    t->first_record.assign(reinterpret_cast<const char*>(b), std::min<size_t>(len, 5));
  }
}

struct Conn {
  int fd = -1;
  SSL_CTX* ctx = nullptr;
  SSL* ssl = nullptr;
  TlsTrace trace;
  std::string local, remote;
  Conn() = default;
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;
  ~Conn() {
    if (ssl) SSL_free(ssl);
    if (ctx) SSL_CTX_free(ctx);
    if (fd >= 0) ::close(fd);
  }
};

struct SslErr {
  unsigned long code = 0;
  int lib = 0, reason = 0, sys_errno = 0;
  std::string text;
};

SslErr drain_ssl_errors() {
  SslErr out;
  for (int guard = 0; guard < 64; ++guard) {
    unsigned long e = ERR_get_error();
    if (e == 0) break;
    if (ERR_SYSTEM_ERROR(e)) {
      if (!out.sys_errno) out.sys_errno = static_cast<int>(ERR_GET_REASON(e));
      continue;
    }
    if (out.code == 0) {
      out.code = e;
      out.lib = ERR_GET_LIB(e);
      out.reason = ERR_GET_REASON(e);
      const char* r = ERR_reason_error_string(e);
      out.text = r ? r : "";
    }
  }
  return out;
}

// Outcome of one read or write.
struct Io {
  long n = 0;            // bytes read or written
  bool timeout = false;  // the deadline passed
  bool closed = false;   // the peer closed or the connection failed
  int err = 0;           // errno of the failure, 0 for a clean EOF
  std::string close;     // fin | rst | "" (unknown / still open)
  bool close_notify = false;
  std::string tls_error;  // OpenSSL reason text
};

Io io_read(Conn& c, char* buf, size_t n, const Deadline& d) {
  Io io;
  for (int guard = 0; guard < 10000000; ++guard) {
    if (!c.ssl) {
      ssize_t r = ::recv(c.fd, buf, n, 0);
      if (r > 0) {
        io.n = r;
        return io;
      }
      if (r == 0) {
        io.closed = true;
        io.close = "fin";
        return io;
      }
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        if (wait_fd(c.fd, POLLIN, d) == 0) {
          io.timeout = true;
          return io;
        }
        continue;
      }
      io.closed = true;
      io.err = errno;
      io.close = errno == ECONNRESET ? "rst" : close_from_state(c.fd);
      return io;
    }
    ERR_clear_error();
    errno = 0;
    int r = SSL_read(c.ssl, buf, static_cast<int>(std::min<size_t>(n, 1 << 30)));
    int saved = errno;
    if (r > 0) {
      io.n = r;
      return io;
    }
    int e = SSL_get_error(c.ssl, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
      if (wait_fd(c.fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, d) == 0) {
        io.timeout = true;
        return io;
      }
      continue;
    }
    io.closed = true;
    if (e == SSL_ERROR_ZERO_RETURN) {
      // close_notify: now see how TCP ends (briefly; servers close right after it).
      io.close_notify = true;
      Deadline shortd{std::min(d.at, Clock::now() + std::chrono::milliseconds(1000))};
      char tmp[512];
      for (int g = 0; g < 10000; ++g) {
        ssize_t rr = ::recv(c.fd, tmp, sizeof tmp, 0);
        if (rr == 0) {
          io.close = "fin";
          break;
        }
        if (rr > 0) continue;
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
          if (wait_fd(c.fd, POLLIN, shortd) == 0) break;
          continue;
        }
        io.close = errno == ECONNRESET ? "rst" : close_from_state(c.fd);
        if (errno == ECONNRESET) io.err = ECONNRESET;
        break;
      }
      return io;
    }
    SslErr se = drain_ssl_errors();
    int err = saved ? saved : se.sys_errno;
    if (e == SSL_ERROR_SYSCALL && se.code == 0 && err == 0) {
      io.close = "fin";  // EOF without close_notify
      return io;
    }
#ifdef SSL_R_UNEXPECTED_EOF_WHILE_READING
    if (se.lib == ERR_LIB_SSL && se.reason == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
      io.close = "fin";
      return io;
    }
#endif
    io.err = err;
    io.tls_error = se.text;
    io.close = err == ECONNRESET ? "rst" : close_from_state(c.fd);
    return io;
  }
  io.timeout = true;
  return io;
}

Io io_write(Conn& c, std::string_view data, const Deadline& d) {
  Io io;
  size_t off = 0;
  for (int guard = 0; guard < 10000000 && off < data.size(); ++guard) {
    if (!c.ssl) {
      ssize_t r = ::send(c.fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
      if (r > 0) {
        off += static_cast<size_t>(r);
        continue;
      }
      if (r < 0 && errno == EINTR) continue;
      if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        if (wait_fd(c.fd, POLLOUT, d) == 0) {
          io.timeout = true;
          break;
        }
        continue;
      }
      io.closed = true;
      io.err = r < 0 ? errno : EPIPE;
      io.close = io.err == ECONNRESET ? "rst" : close_from_state(c.fd);
      break;
    }
    ERR_clear_error();
    errno = 0;
    int r = SSL_write(c.ssl, data.data() + off, static_cast<int>(std::min<size_t>(data.size() - off, 1 << 30)));
    int saved = errno;
    if (r > 0) {
      off += static_cast<size_t>(r);
      continue;
    }
    int e = SSL_get_error(c.ssl, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
      if (wait_fd(c.fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, d) == 0) {
        io.timeout = true;
        break;
      }
      continue;
    }
    SslErr se = drain_ssl_errors();
    io.closed = true;
    io.err = saved ? saved : se.sys_errno;
    io.tls_error = se.text;
    io.close = io.err == ECONNRESET ? "rst" : close_from_state(c.fd);
    break;
  }
  io.n = static_cast<long>(off);
  return io;
}

// ---- steps ----

struct Run {
  const Options& opts;
  Result& res;
  const StepCallback& cb;
  void emit(Step& s) {
    if (s.result == "fail") res.ok = false;
    res.steps.push_back(s);
    if (cb) cb(res.steps.back());
  }
};

struct Timer {
  Clock::time_point t0 = Clock::now();
  void finish(Step& s) const {
    s.elapsed_ms = ms_between(t0, Clock::now());
    s.wall_us = wall_now_us();
  }
};

Step make_step(int conn, std::string_view name, const Conn* c = nullptr) {
  Step s;
  s.conn = conn;
  s.name.assign(name);
  if (c) {
    s.local = c->local;
    s.remote = c->remote;
  }
  return s;
}

void set_errno(Step& s, int err) {
  s.err = err;
  s.error_name = errno_name(err);
  s.wsa = wsa_code(err);
}

std::string errno_text(int err) { return std::strerror(err); }

// Fills a failing step from an Io outcome; `what` says when it happened ("while reading the response").
void fail_from_io(Step& s, const Io& io, std::string_view what, double timeout_s, bool tls) {
  s.result = "fail";
  s.close = io.close;
  if (io.timeout) {
    s.kind = "timeout";
    set_errno(s, ETIMEDOUT);
    char b[64];
    std::snprintf(b, sizeof b, "no progress within %.1f s ", timeout_s);
    s.message = b;
    s.message += what;
    return;
  }
  if (io.close_notify) s.info.emplace_back("close_notify", "1");
  if (!io.tls_error.empty()) {
    s.kind = "tls";
    s.info.emplace_back("tls_reason", io.tls_error);
  }
  if (io.err) {
    set_errno(s, io.err);
    if (s.kind.empty()) s.kind.assign(kind_for_errno(io.err));
    s.message = errno_text(io.err);
    s.message += " ";
    s.message += what;
    if (!io.tls_error.empty()) s.message += " (TLS: " + io.tls_error + ")";
    return;
  }
  if (s.kind.empty()) s.kind = "eof";
  if (!io.tls_error.empty()) {
    s.message = "TLS error " + std::string(what) + ": " + io.tls_error;
    return;
  }
  s.message = "the server closed the connection";
  if (io.close_notify) s.message += " (TLS close_notify";
  if (io.close == "fin") s.message += io.close_notify ? ", then FIN)" : " (FIN)";
  else if (io.close == "rst") s.message += io.close_notify ? ", then RST)" : " (RST)";
  else if (io.close_notify) s.message += ")";
  s.message += " ";
  s.message += what;
  (void)tls;
}

struct Addr {
  sockaddr_storage ss{};
  socklen_t len = 0;
};

struct AsyncLookup {
  std::string name, service;
  addrinfo hints{};
  gaicb cb{};
};

// Lookups that could not be cancelled stay alive (their helper thread still writes into them).
std::vector<std::unique_ptr<AsyncLookup>>& abandoned_lookups() {
  static std::vector<std::unique_ptr<AsyncLookup>> v;
  return v;
}
std::mutex& abandoned_mu() {
  static std::mutex m;
  return m;
}

void collect(addrinfo* ai, std::vector<Addr>& out) {
  for (addrinfo* p = ai; p; p = p->ai_next) {
    if (p->ai_addrlen > sizeof(sockaddr_storage)) continue;
    Addr a;
    std::memcpy(&a.ss, p->ai_addr, p->ai_addrlen);
    a.len = p->ai_addrlen;
    bool dup = false;
    for (const Addr& o : out)
      if (o.len == a.len && std::memcmp(&o.ss, &a.ss, a.len) == 0) dup = true;
    if (!dup) out.push_back(a);
  }
}

// Resolves host:port within the timeout. Returns the EAI_* code (0 on success).
int resolve(const Options& o, std::vector<Addr>& out, int& sys_errno) {
  addrinfo hints{};
  hints.ai_family = o.family == 4 ? AF_INET : o.family == 6 ? AF_INET6 : AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
  std::string service = std::to_string(o.port);
  addrinfo* ai = nullptr;
  if (getaddrinfo(o.host.c_str(), service.c_str(), &hints, &ai) == 0) {
    collect(ai, out);
    freeaddrinfo(ai);
    return 0;
  }
  auto req = std::make_unique<AsyncLookup>();
  req->name = o.host;
  req->service = service;
  req->hints = hints;
  req->hints.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG;
  req->cb.ar_name = req->name.c_str();
  req->cb.ar_service = req->service.c_str();
  req->cb.ar_request = &req->hints;
  gaicb* list[1] = {&req->cb};
  int rc = getaddrinfo_a(GAI_NOWAIT, list, 1, nullptr);
  if (rc != 0) return rc;
  Deadline d = Deadline::in_seconds(o.timeout_s);
  for (int guard = 0; guard < 100000; ++guard) {
    rc = gai_error(&req->cb);
    if (rc != EAI_INPROGRESS) break;
    int ms = d.poll_ms();
    if (ms <= 0) break;
    timespec ts{ms / 1000, (ms % 1000) * 1000000L};
    const gaicb* clist[1] = {&req->cb};
    gai_suspend(clist, 1, &ts);
  }
  rc = gai_error(&req->cb);
  if (rc == EAI_INPROGRESS) {
    int c = gai_cancel(&req->cb);
    if (c == EAI_NOTCANCELED) {
      std::lock_guard<std::mutex> lock(abandoned_mu());
      abandoned_lookups().push_back(std::move(req));
      return EAI_CANCELED;
    }
    rc = gai_error(&req->cb);
    if (rc == EAI_INPROGRESS || rc == EAI_CANCELED) return EAI_CANCELED;
  }
  if (rc == EAI_SYSTEM) sys_errno = errno;
  if (rc == 0) {
    collect(req->cb.ar_result, out);
    freeaddrinfo(req->cb.ar_result);
  }
  return rc;
}

bool is_ip_literal(const std::string& h) {
  in6_addr a6;
  in_addr a4;
  return inet_pton(AF_INET, h.c_str(), &a4) == 1 || inet_pton(AF_INET6, h.c_str(), &a6) == 1;
}

// Connects to the first address that accepts. On failure `c.fd` is closed and `s` says why.
bool do_connect(Run& run, int conn, const std::vector<Addr>& addrs, Conn& c, std::string_view step_name) {
  Timer t;
  Step s = make_step(conn, step_name);
  int last_err = 0;
  std::string tried;
  for (size_t i = 0; i < addrs.size(); ++i) {
    const Addr& a = addrs[i];
    if (c.fd >= 0) ::close(c.fd);
    c.fd = ::socket(a.ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    c.remote = sockaddr_text(reinterpret_cast<const sockaddr*>(&a.ss));
    if (!tried.empty()) tried += ",";
    tried += c.remote;
    if (c.fd < 0) {
      last_err = errno;
      continue;
    }
    int one = 1;
    setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    int r = ::connect(c.fd, reinterpret_cast<const sockaddr*>(&a.ss), a.len);
    int err = 0;
    if (r != 0) {
      err = errno;
      if (err == EINPROGRESS || err == EINTR) {
        Deadline d = Deadline::in_seconds(run.opts.timeout_s);
        if (wait_fd(c.fd, POLLOUT, d) == 0) {
          err = ETIMEDOUT;
        } else {
          socklen_t len = sizeof err;
          if (getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
        }
      }
    }
    c.local = local_of(c.fd);
    if (err == 0) {
      s.result = "ok";
      s.local = c.local;
      s.remote = c.remote;
      s.message = "connected from " + c.local + " to " + c.remote;
      if (i > 0) {
        s.info.emplace_back("tried", tried);
        s.message += " (after " + std::to_string(i) + " failed address(es))";
      }
      t.finish(s);
      run.emit(s);
      return true;
    }
    last_err = err;
  }
  s.result = "fail";
  s.local = c.local;
  s.remote = c.remote;
  set_errno(s, last_err);
  s.kind.assign(kind_for_errno(last_err));
  // The local address:port the attempt used (the kernel bound it at connect()), as the log line has it.
  std::string from = c.local.empty() ? std::string() : " from " + c.local;
  if (last_err == ECONNREFUSED) {
    s.message = "connection" + from + " refused by " + c.remote + ": nothing listens there (or a firewall rejects)";
  } else if (last_err == ETIMEDOUT) {
    s.message = "no answer to the TCP handshake" + from + " to " + c.remote + " within " +
                fmt_s(run.opts.timeout_s * 1000) + " s (dropped SYN: firewall, dead host or wrong address)";
  } else {
    s.message = "connect" + from + " to " + c.remote + " failed: " + errno_text(last_err);
  }
  if (addrs.size() > 1) s.info.emplace_back("tried", tried);
  t.finish(s);
  run.emit(s);
  if (c.fd >= 0) {
    ::close(c.fd);
    c.fd = -1;
  }
  return false;
}

int tls_version_of(const std::string& v) {
  std::string x = v;
  for (auto p : {"TLSv", "tlsv", "TLS", "tls"})
    if (x.rfind(p, 0) == 0) {
      x = x.substr(std::strlen(p));
      break;
    }
  if (x == "1" || x == "1.0") return TLS1_VERSION;
  if (x == "1.1") return TLS1_1_VERSION;
  if (x == "1.2") return TLS1_2_VERSION;
  if (x == "1.3") return TLS1_3_VERSION;
  return -1;
}

std::string printable(std::string_view b, size_t max = 60) {
  std::string out;
  for (char ch : b.substr(0, max)) {
    unsigned char u = static_cast<unsigned char>(ch);
    if (u >= 0x20 && u < 0x7f) {
      out += ch;
    } else if (ch == '\r') {
      out += "\\r";
    } else if (ch == '\n') {
      out += "\\n";
    } else {
      char h[8];
      std::snprintf(h, sizeof h, "\\x%02x", u);
      out += h;
    }
  }
  return out;
}

// TLS handshake on an open connection.
bool do_tls(Run& run, int conn, Conn& c, std::string_view step_name) {
  const Options& o = run.opts;
  Timer t;
  Step s = make_step(conn, step_name, &c);
  auto config_fail = [&](const std::string& msg) {
    s.result = "fail";
    s.kind = "other";
    s.message = msg;
    t.finish(s);
    run.emit(s);
    return false;
  };
  c.ctx = SSL_CTX_new(TLS_client_method());
  if (!c.ctx) return config_fail("cannot create an OpenSSL context");
  int minv = o.tls_min.empty() ? 0 : tls_version_of(o.tls_min);
  int maxv = o.tls_max.empty() ? 0 : tls_version_of(o.tls_max);
  if (minv < 0 || maxv < 0) return config_fail("unknown TLS version (use 1.0, 1.1, 1.2 or 1.3)");
  if ((minv && minv < TLS1_2_VERSION) || (maxv && maxv < TLS1_2_VERSION))
    SSL_CTX_set_security_level(c.ctx, 0);  // OpenSSL 3 refuses TLS < 1.2 at the default level
  if (minv) SSL_CTX_set_min_proto_version(c.ctx, minv);
  if (maxv) SSL_CTX_set_max_proto_version(c.ctx, maxv);
  if (!o.ciphers.empty() && SSL_CTX_set_cipher_list(c.ctx, o.ciphers.c_str()) != 1)
    return config_fail("OpenSSL rejects the cipher list '" + o.ciphers + "'");
  if (!o.ciphersuites.empty() && SSL_CTX_set_ciphersuites(c.ctx, o.ciphersuites.c_str()) != 1)
    return config_fail("OpenSSL rejects the TLS 1.3 cipher suites '" + o.ciphersuites + "'");
  if (!o.ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(c.ctx, o.ca_file.c_str(), nullptr) != 1)
      return config_fail("cannot load CA file " + o.ca_file);
  } else {
    SSL_CTX_set_default_verify_paths(c.ctx);
  }
  SSL_CTX_set_verify(c.ctx, o.verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nullptr);
  ERR_clear_error();
  c.ssl = SSL_new(c.ctx);
  if (!c.ssl) return config_fail("cannot create an OpenSSL connection");
  SSL_set_fd(c.ssl, c.fd);
  SSL_set_mode(c.ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_set_msg_callback(c.ssl, msg_cb);
  SSL_set_msg_callback_arg(c.ssl, &c.trace);
  std::string sni = o.sni.empty() ? (is_ip_literal(o.host) ? std::string() : o.host) : o.sni;
  if (sni == "-") sni.clear();
  if (!sni.empty()) SSL_set_tlsext_host_name(c.ssl, sni.c_str());
  if (o.verify) SSL_set1_host(c.ssl, sni.empty() ? o.host.c_str() : sni.c_str());
  if (!o.alpn.empty()) {
    std::string wire;
    size_t pos = 0;
    while (pos <= o.alpn.size()) {
      size_t comma = o.alpn.find(',', pos);
      if (comma == std::string::npos) comma = o.alpn.size();
      std::string p = o.alpn.substr(pos, comma - pos);
      if (!p.empty() && p.size() < 256) {
        wire += static_cast<char>(p.size());
        wire += p;
      }
      pos = comma + 1;
    }
    SSL_set_alpn_protos(c.ssl, reinterpret_cast<const unsigned char*>(wire.data()),
                        static_cast<unsigned>(wire.size()));
  }
  if (!sni.empty()) s.info.emplace_back("sni", sni);
  Deadline d = Deadline::in_seconds(o.timeout_s);
  bool timed_out = false;
  int err = 0, e = 0;
  SslErr se;
  for (int guard = 0; guard < 1000000; ++guard) {
    ERR_clear_error();
    errno = 0;
    int r = SSL_connect(c.ssl);
    err = errno;
    if (r == 1) {
      e = 0;
      err = 0;
      break;
    }
    e = SSL_get_error(c.ssl, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
      if (wait_fd(c.fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, d) == 0) {
        timed_out = true;
        break;
      }
      continue;
    }
    se = drain_ssl_errors();
    if (!err) err = se.sys_errno;
    break;
  }
  if (!timed_out && e == 0) {
    s.result = "ok";
    const char* ver = SSL_get_version(c.ssl);
    const char* cipher = SSL_get_cipher_name(c.ssl);
    s.info.emplace_back("version", ver ? ver : "");
    s.info.emplace_back("cipher", cipher ? cipher : "");
    const unsigned char* alpn = nullptr;
    unsigned alpn_len = 0;
    SSL_get0_alpn_selected(c.ssl, &alpn, &alpn_len);
    if (alpn_len) s.info.emplace_back("alpn", std::string(reinterpret_cast<const char*>(alpn), alpn_len));
    long vr = SSL_get_verify_result(c.ssl);
    s.info.emplace_back("verify", vr == X509_V_OK ? "ok" : X509_verify_cert_error_string(vr));
    if (X509* cert = SSL_get0_peer_certificate(c.ssl)) {
      char name[256];
      X509_NAME_oneline(X509_get_subject_name(cert), name, sizeof name);
      s.info.emplace_back("cert_subject", name);
    }
    s.message = std::string("TLS handshake done: ") + (ver ? ver : "?") + " " + (cipher ? cipher : "?");
    if (alpn_len) s.message += ", ALPN " + std::string(reinterpret_cast<const char*>(alpn), alpn_len);
    if (vr != X509_V_OK) s.message += std::string(" (certificate not verified: ") + X509_verify_cert_error_string(vr) + ")";
    t.finish(s);
    run.emit(s);
    return true;
  }
  s.result = "fail";
  s.kind = "tls";
  if (timed_out) {
    s.kind = "timeout";
    set_errno(s, ETIMEDOUT);
    s.message = "no TLS handshake answer within " + fmt_s(o.timeout_s * 1000) + " s (is the port plain text?)";
    t.finish(s);
    run.emit(s);
    return false;
  }
  if (err) set_errno(s, err);
  s.close = err == ECONNRESET ? "rst" : close_from_state(c.fd);
  if (!se.text.empty()) s.info.emplace_back("tls_reason", se.text);
  const TlsTrace& tr = c.trace;
  if (tr.alert_received >= 0) {
    std::string name(tls_alert_name(tr.alert_received));
    if (name.empty()) name = "alert_" + std::to_string(tr.alert_received);
    s.info.emplace_back("alert", name);
    s.info.emplace_back("alert_code", std::to_string(tr.alert_received));
    s.info.emplace_back("alert_from", "server");
    s.message = "the server refused the TLS handshake with alert " + name + " (" +
                std::to_string(tr.alert_received) + ")";
    if (!se.text.empty()) s.message += ": OpenSSL says \"" + se.text + "\"";
    if (tr.alert_received == 70)
      s.message += "; the server does not accept the TLS versions offered (" +
                   (o.tls_min.empty() ? std::string("default") : o.tls_min) + ".." +
                   (o.tls_max.empty() ? std::string("default") : o.tls_max) + ")";
  } else if (tr.alert_sent >= 0) {
    std::string name(tls_alert_name(tr.alert_sent));
    s.info.emplace_back("alert", name);
    s.info.emplace_back("alert_code", std::to_string(tr.alert_sent));
    s.info.emplace_back("alert_from", "client");
    s.message = "this client aborted the TLS handshake with alert " + name + " (" +
                std::to_string(tr.alert_sent) + ")";
    if (!se.text.empty()) s.message += ": " + se.text;
  } else if (!se.text.empty() &&
             (se.text.find("wrong version number") != std::string::npos ||
              se.text.find("packet length too long") != std::string::npos ||
              se.text.find("record layer failure") != std::string::npos ||
              se.text.find("http request") != std::string::npos)) {
    s.message = "the server's answer is not TLS (" + se.text + ")";
    if (!tr.first_record.empty()) {
      s.info.emplace_back("first_bytes", printable(tr.first_record));
      if (tr.first_record.rfind("HTTP", 0) == 0) s.message += ": it answered in plain HTTP; the port speaks plain text";
    }
  } else if (err == ECONNRESET || s.close == "rst") {
    s.message = "the server reset the connection during the TLS handshake (RST, no alert)";
  } else if (err == 0 && (e == SSL_ERROR_SYSCALL || se.reason ==
#ifdef SSL_R_UNEXPECTED_EOF_WHILE_READING
                                                    SSL_R_UNEXPECTED_EOF_WHILE_READING
#else
                                                    -1
#endif
                                                    )) {
    if (s.close.empty()) s.close = "fin";
    s.message = "the server closed the connection during the TLS handshake (FIN, no alert)";
  } else {
    s.message = "TLS handshake failed: " + (se.text.empty() ? (err ? errno_text(err) : std::string("unknown error")) : se.text);
  }
  t.finish(s);
  run.emit(s);
  return false;
}

bool http_error_status(int st) {
  return st >= 500 || st == 400 || st == 408 || st == 413 || st == 414 || st == 429 || st == 431 ||
         (st >= 494 && st <= 499);
}

std::string http_request(const Options& o) {
  std::string host = o.host.find(':') != std::string::npos ? "[" + o.host + "]" : o.host;
  if (!((o.tls && o.port == 443) || (!o.tls && o.port == 80))) host += ":" + std::to_string(o.port);
  std::string req = o.method + " " + (o.http_path.empty() ? std::string("/") : o.http_path) + " HTTP/1.1\r\n";
  bool has_host = false, has_ua = false;
  for (const std::string& h : o.headers) {
    if (strncasecmp(h.c_str(), "host:", 5) == 0) has_host = true;
    if (strncasecmp(h.c_str(), "user-agent:", 11) == 0) has_ua = true;
  }
  if (!has_host) req += "Host: " + host + "\r\n";
  if (!has_ua) req += std::string("User-Agent: rstscope-probe/") + RSTSCOPE_VERSION + "\r\n";
  req += "Accept: */*\r\n";
  for (const std::string& h : o.headers) req += h + "\r\n";
  req += "\r\n";
  return req;
}

// Sends the request and reads the answer. Returns true when the connection is still usable after it.
bool do_exchange(Run& run, int conn, Conn& c, std::string_view prefix, Clock::time_point& last_activity,
                 bool& alive) {
  const Options& o = run.opts;
  bool http = o.send_data.empty();
  std::string req = http ? http_request(o) : std::string();
  std::string_view payload = http ? std::string_view(req) : std::string_view(o.send_data);
  {
    Timer t;
    Step s = make_step(conn, std::string(prefix) + "request", &c);
    Io io = io_write(c, payload, Deadline::in_seconds(o.timeout_s));
    s.info.emplace_back("bytes", std::to_string(io.n));
    if (http) {
      s.info.emplace_back("method", o.method);
      s.info.emplace_back("path", o.http_path.empty() ? "/" : o.http_path);
    }
    if (io.timeout || io.closed) {
      fail_from_io(s, io, "while sending the request", o.timeout_s, c.ssl != nullptr);
      t.finish(s);
      run.emit(s);
      alive = false;
      return false;
    }
    s.result = "ok";
    s.message = http ? "sent " + o.method + " " + (o.http_path.empty() ? "/" : o.http_path) + " (" +
                           std::to_string(io.n) + " bytes)"
                     : "sent " + std::to_string(io.n) + " raw bytes";
    t.finish(s);
    run.emit(s);
  }
  Timer t;
  Step s = make_step(conn, std::string(prefix) + "response", &c);
  char buf[16384];
  Deadline d = Deadline::in_seconds(o.timeout_s);
  if (http) {
    HttpResponseReader rd(o.method == "HEAD");
    Io io;
    for (int guard = 0; guard < 10000000 && !rd.complete() && !rd.failed(); ++guard) {
      io = io_read(c, buf, sizeof buf, d);
      if (io.n > 0) {
        rd.feed(std::string_view(buf, static_cast<size_t>(io.n)));
        last_activity = Clock::now();
        continue;
      }
      if (io.closed) rd.close();
      break;
    }
    if (rd.headers_done()) {
      s.info.emplace_back("status", std::to_string(rd.status()));
      s.info.emplace_back("proto", rd.protocol());
      s.info.emplace_back("method", o.method);
      s.info.emplace_back("path", o.http_path.empty() ? "/" : o.http_path);
      s.info.emplace_back("bytes", std::to_string(rd.body_bytes()));
    }
    if (rd.complete()) {
      s.info.emplace_back("framing", std::string(rd.framing()));
      s.info.emplace_back("keepalive", rd.connection_close() || io.closed ? "0" : "1");
      s.result = http_error_status(rd.status()) ? "fail" : "ok";
      if (s.result == "fail") s.kind = "http-error";
      s.message = rd.protocol() + " " + std::to_string(rd.status()) + " " + rd.reason() + ", " +
                  std::to_string(rd.body_bytes()) + " body bytes (" + std::string(rd.framing()) + ")";
      if (rd.body_preview().find("plain HTTP request was sent to HTTPS port") != std::string::npos)
        s.message += ": nginx says the plain HTTP request was sent to its HTTPS port";
      if (rd.connection_close() || io.closed) s.message += "; the server closes the connection after it";
      alive = !(rd.connection_close() || io.closed);
      if (io.closed) s.close = io.close;
      t.finish(s);
      run.emit(s);
      return alive;
    }
    if (rd.failed() && !io.closed && !io.timeout) {
      s.result = "fail";
      s.kind = "other";
      s.message = rd.error();
    } else {
      std::string what = rd.total_bytes() == 0 ? "before any response byte"
                         : rd.headers_done()
                             ? "after " + std::to_string(rd.body_bytes()) + " of " +
                                   (rd.content_length() >= 0 ? std::to_string(rd.content_length()) : std::string("?")) +
                                   " body bytes (response cut off)"
                             : "inside the response headers";
      fail_from_io(s, io, what, o.timeout_s, c.ssl != nullptr);
      if (rd.total_bytes() == 0 && !io.err && !io.timeout && s.kind == "eof")
        s.message = std::string("the server closed the connection without answering (") +
                    (io.close == "rst" ? "RST" : "FIN") + (io.close_notify ? " after TLS close_notify" : "") + ")";
    }
    t.finish(s);
    run.emit(s);
    alive = false;
    return false;
  }
  // Raw bytes: read until close, the timeout before the first byte, or 500 ms of quiet after it.
  int64_t got = 0;
  std::string preview;
  Io io;
  for (int guard = 0; guard < 10000000; ++guard) {
    Deadline dd = got == 0 ? d : Deadline{std::min(d.at, Clock::now() + std::chrono::milliseconds(500))};
    io = io_read(c, buf, sizeof buf, dd);
    if (io.n > 0) {
      got += io.n;
      if (preview.size() < 80) preview.append(buf, std::min<size_t>(80 - preview.size(), static_cast<size_t>(io.n)));
      last_activity = Clock::now();
      continue;
    }
    break;
  }
  s.info.emplace_back("bytes", std::to_string(got));
  if (got > 0) {
    s.info.emplace_back("first_bytes", printable(preview));
    s.result = "ok";
    s.message = "received " + std::to_string(got) + " bytes: \"" + printable(preview) + "\"";
    if (io.closed) {
      s.close = io.close;
      s.message += std::string("; then the server closed (") + (io.close == "rst" ? "RST" : "FIN") + ")";
    }
    alive = !io.closed;
  } else if (io.timeout) {
    s.result = "ok";
    s.message = "no answer within " + fmt_s(o.timeout_s * 1000) + " s (connection still open)";
    alive = true;
  } else {
    fail_from_io(s, io, "before answering", o.timeout_s, c.ssl != nullptr);
    alive = false;
  }
  t.finish(s);
  run.emit(s);
  return alive;
}

// Holds the connection idle until the server closes it or the limit passes.
void do_idle(Run& run, int conn, Conn& c, Clock::time_point last_activity, double limit_s) {
  Step s = make_step(conn, "idle", &c);
  Deadline d{last_activity + std::chrono::microseconds(static_cast<int64_t>(limit_s * 1e6))};
  char buf[4096];
  int64_t unexpected = 0;
  Io io;
  for (int guard = 0; guard < 1000000; ++guard) {
    io = io_read(c, buf, sizeof buf, d);
    if (io.n > 0) {
      unexpected += io.n;
      continue;
    }
    break;
  }
  auto now = Clock::now();
  s.elapsed_ms = ms_between(last_activity, now);
  s.wall_us = wall_now_us();
  s.info.emplace_back("idle_ms", fmt_ms(s.elapsed_ms));
  if (unexpected) s.info.emplace_back("unexpected_bytes", std::to_string(unexpected));
  if (io.timeout) {
    s.result = "open";
    s.message = "the server kept the idle connection open for " + fmt_s(limit_s * 1000) +
                " s (its idle timeout is longer, or it has none)";
  } else {
    s.result = "closed";
    bool fin_then_rst = io.close == "fin" && rst_follows_fin(c.fd);
    if (fin_then_rst) {
      io.close = "rst";
      s.info.emplace_back("fin_then_rst", "1");
    }
    s.close = io.close;
    if (io.err) set_errno(s, io.err);
    if (io.close_notify) s.info.emplace_back("close_notify", "1");
    if (!io.tls_error.empty()) s.info.emplace_back("tls_reason", io.tls_error);
    run.res.idle_timeout_ms = s.elapsed_ms;
    run.res.idle_close = io.close;
    s.message = "the server closed the idle connection after " + fmt_s(s.elapsed_ms) + " s with " +
                (fin_then_rst ? std::string("FIN then RST (SO_LINGER 0, as HAProxy option nolinger does)")
                 : io.close == "rst" ? std::string("RST")
                 : io.close == "fin" ? std::string("FIN")
                                     : std::string("?")) +
                (io.close_notify ? " (TLS close_notify first)" : "");
    if (io.close == "rst")
      s.message += "; a client reusing it now gets ECONNRESET / WSAECONNRESET 10054 \"" +
                   std::string(wsa_message(10054)) + "\"";
  }
  run.emit(s);
}

// Pauses without reading, noticing (not consuming) a close by the server.
void do_pause(Run& run, int conn, Conn& c, Clock::time_point last_activity, double pause_s) {
  Step s = make_step(conn, "pause", &c);
  Deadline d{last_activity + std::chrono::microseconds(static_cast<int64_t>(pause_s * 1e6))};
  int ev = wait_fd(c.fd, POLLRDHUP, d);
  if (ev) {
    double after = ms_between(last_activity, Clock::now());
    std::string how = close_from_state(c.fd);
    if (how.empty()) how = (ev & POLLERR) ? "rst" : "fin";
    bool fin_then_rst = how == "fin" && rst_follows_fin(c.fd);
    if (fin_then_rst) {
      how = "rst";
      s.info.emplace_back("fin_then_rst", "1");
    }
    sleep_until(d);
    s.result = "closed";
    s.close = how;
    s.info.emplace_back("closed_after_ms", fmt_ms(after));
    run.res.idle_timeout_ms = after;
    run.res.idle_close = how;
    s.message = "the server closed the connection after " + fmt_s(after) + " s of the " + fmt_s(pause_s * 1000) +
                " s pause (" + (fin_then_rst ? "FIN then RST" : how == "rst" ? "RST" : "FIN") +
                "); reusing it anyway, as a pooled client would";
  } else {
    s.result = "ok";
    s.message = "the connection is still open after " + fmt_s(pause_s * 1000) + " s";
  }
  s.elapsed_ms = ms_between(last_activity, Clock::now());
  s.wall_us = wall_now_us();
  run.emit(s);
}

// The server answered and closes the connection after the response (Connection: close, HTTP/1.0,
// nginx keepalive_timeout 0): there is no idle time to measure and nothing to reuse. Waits (bounded)
// for that close to see how it comes, then reports it as the idle step (idle timeout 0) and, for
// --reuse-after, a reuse that could not be tried.
void do_no_keepalive(Run& run, int conn, Conn& c, Clock::time_point last_activity, const Step& response) {
  const Options& o = run.opts;
  std::string how = response.close;
  bool close_notify = false;
  if (how.empty()) {
    Deadline d = Deadline::in_seconds(std::min(o.timeout_s, 5.0));
    char buf[4096];
    Io io;
    for (int guard = 0; guard < 1000000; ++guard) {
      io = io_read(c, buf, sizeof buf, d);
      if (io.n <= 0) break;
    }
    if (io.closed) how = io.close.empty() ? "fin" : io.close;
    close_notify = io.close_notify;
  }
  double after = ms_between(last_activity, Clock::now());
  std::string how_text = how == "rst" ? "RST" : how == "fin" ? "FIN" : "";
  std::string why = "the server closed the connection right after the response (no keep-alive: " +
                    std::string(response.get("proto") == "HTTP/1.0" ? "HTTP/1.0" : "Connection: close") + ")";
  if (how.empty())
    why = "the server announced Connection: close but had not closed within " + fmt_s(std::min(o.timeout_s, 5.0) * 1000) +
          " s (no keep-alive)";
  if (o.reuse_after_s >= 0) {
    Step s = make_step(conn, "reuse-request", &c);
    s.result = "skip";
    s.close = how;
    s.info.emplace_back("closed_after_ms", fmt_ms(after));
    s.message = "the reuse could not be tried: " + why + (how_text.empty() ? "" : " with " + how_text) +
                "; a pooled client would open a new connection for every request";
    s.wall_us = wall_now_us();
    run.res.ok = false;
    run.res.reuse_not_tried = true;
    run.emit(s);
  }
  if (o.find_idle_max_s > 0 || o.idle_s >= 0) {
    Step s = make_step(conn, "idle", &c);
    s.elapsed_ms = after;
    s.wall_us = wall_now_us();
    s.info.emplace_back("idle_ms", fmt_ms(after));
    s.info.emplace_back("keepalive", "0");
    if (close_notify) s.info.emplace_back("close_notify", "1");
    if (how.empty()) {
      s.result = "open";
      s.message = why;
    } else {
      s.result = "closed";
      s.close = how;
      s.message = why + ": idle timeout 0, closed with " + how_text;
      run.res.idle_timeout_ms = 0;
      run.res.idle_close = how;
      run.res.no_keepalive = true;
    }
    run.emit(s);
  }
}

void run_connection(Run& run, int conn, const std::vector<Addr>& addrs) {
  const Options& o = run.opts;
  Conn c;
  if (!do_connect(run, conn, addrs, c, "connect")) return;
  Clock::time_point last = Clock::now();
  if (o.tls) {
    if (!do_tls(run, conn, c, "tls")) return;
    last = Clock::now();
  }
  bool want_request = !o.http_path.empty() || !o.send_data.empty() || o.find_idle_max_s > 0 || o.reuse_after_s > 0;
  bool alive = true;
  if (want_request) {
    do_exchange(run, conn, c, "", last, alive);
    if (!alive) {
      // A complete answer after which the server does not keep the connection.
      Step r = run.res.steps.back();  // a copy: emitting more steps may move the vector
      if (r.name == "response" && r.get("keepalive") == "0" &&
          (o.reuse_after_s >= 0 || o.find_idle_max_s > 0 || o.idle_s >= 0))
        do_no_keepalive(run, conn, c, last, r);
      return;
    }
  }
  if (o.reuse_after_s >= 0) {
    do_pause(run, conn, c, last, o.reuse_after_s);
    do_exchange(run, conn, c, "reuse-", last, alive);
    if (!alive) return;
  }
  double idle = o.find_idle_max_s > 0 ? o.find_idle_max_s : o.idle_s;
  if (idle >= 0) do_idle(run, conn, c, last, idle);
}

void run_protocol_check(Run& run, const std::vector<Addr>& addrs) {
  const Options& o = run.opts;
  bool tls_ok = false, plain_http = false, plain_other = false, nginx_https = false;
  std::string tls_note, plain_note;
  {
    Conn c;
    if (do_connect(run, 1, addrs, c, "protocol-connect")) {
      tls_ok = do_tls(run, 1, c, "protocol-tls");
      const Step& last = run.res.steps.back();
      tls_note = last.message;
    } else {
      run.res.speaks = "none";
      Step s = make_step(1, "protocol");
      s.result = "fail";
      s.kind = run.res.steps.back().kind;
      s.info.emplace_back("speaks", "none");
      s.message = "cannot check the protocol: the port does not accept connections";
      s.wall_us = wall_now_us();
      run.emit(s);
      return;
    }
  }
  {
    Conn c;
    if (do_connect(run, 2, addrs, c, "protocol-connect")) {
      Timer t;
      Step s = make_step(2, "protocol-plain", &c);
      char buf[4096];
      std::string got;
      // Server-first protocols (SMTP, FTP, SSH) talk before we do.
      Io io = io_read(c, buf, sizeof buf, Deadline::in_seconds(std::min(0.3, o.timeout_s)));
      if (io.n > 0) {
        got.assign(buf, static_cast<size_t>(io.n));
        s.info.emplace_back("first_bytes", printable(got));
        s.result = "ok";
        s.message = "the server talks first, in plain text: \"" + printable(got) + "\"";
        plain_other = true;
      } else if (io.closed) {
        s.result = "closed";
        s.close = io.close;
        s.message = "the server closed before we sent anything";
      } else {
        std::string host = o.host.find(':') != std::string::npos ? "[" + o.host + "]" : o.host;
        std::string req = "GET / HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: rstscope-probe\r\nConnection: close\r\n\r\n";
        Deadline d = Deadline::in_seconds(std::min(3.0, o.timeout_s));
        Io w = io_write(c, req, d);
        for (int guard = 0; guard < 100000 && got.size() < 4096 && !w.closed; ++guard) {
          io = io_read(c, buf, sizeof buf, d);
          if (io.n > 0) {
            got.append(buf, static_cast<size_t>(io.n));
            continue;
          }
          break;
        }
        if (!got.empty()) s.info.emplace_back("first_bytes", printable(got));
        if (got.rfind("HTTP/", 0) == 0) {
          size_t eol = got.find('\r');
          std::string status_line = got.substr(0, eol == std::string::npos ? got.size() : eol);
          s.info.emplace_back("status_line", status_line);
          s.result = "ok";
          if (got.find("plain HTTP request was sent to HTTPS port") != std::string::npos) {
            nginx_https = true;
            s.message = "answered \"" + status_line + "\": nginx says the plain HTTP request was sent to its HTTPS port";
          } else {
            plain_http = true;
            s.message = "answered in plain HTTP: \"" + status_line + "\"";
          }
        } else if (got.size() >= 2 && (got[0] == '\x15' || got[0] == '\x16') && got[1] == '\x03') {
          s.result = "ok";
          s.message = "answered with a TLS record (" + std::string(got[0] == '\x15' ? "alert" : "handshake") +
                      ") to plain text: the port speaks TLS";
        } else if (!got.empty()) {
          s.result = "ok";
          plain_other = true;
          s.message = "answered in some plain protocol: \"" + printable(got) + "\"";
        } else if (w.closed || io.closed) {
          s.result = "closed";
          s.close = w.closed ? w.close : io.close;
          if (w.err) set_errno(s, w.err);
          else if (io.err) set_errno(s, io.err);
          s.message = std::string("closed the connection (") + (s.close == "rst" ? "RST" : "FIN") +
                      ") without answering a plain HTTP request";
        } else {
          s.result = "open";
          s.message = "no answer to a plain HTTP request within " + fmt_s(std::min(3.0, o.timeout_s) * 1000) + " s";
        }
      }
      plain_note = s.message;
      t.finish(s);
      run.emit(s);
    }
  }
  Step s = make_step(0, "protocol");
  s.result = "ok";
  std::string speaks = tls_ok && plain_http ? "both" : tls_ok || nginx_https ? "tls"
                       : plain_http ? "plain-http" : plain_other ? "plain" : "none";
  run.res.speaks = speaks;
  run.res.ok = speaks != "none";  // a failed attempt is a finding here, not a failure
  s.info.emplace_back("speaks", speaks);
  if (speaks == "tls") s.message = "the port speaks TLS";
  else if (speaks == "plain-http") s.message = "the port speaks plain HTTP (not TLS)";
  else if (speaks == "plain") s.message = "the port speaks a plain-text protocol (not TLS, not HTTP)";
  else if (speaks == "both") s.message = "the port answers both TLS and plain HTTP";
  else s.message = "the port speaks neither TLS nor plain HTTP as far as this probe can tell";
  s.wall_us = wall_now_us();
  run.emit(s);
}

}  // namespace

Result run_probe(const Options& opts, const StepCallback& on_step) {
  std::signal(SIGPIPE, SIG_IGN);
  Result res;
  Run run{opts, res, on_step};
  int count = std::max(1, opts.count);
  for (int conn = 1; conn <= count; ++conn) {
    Timer t;
    Step s = make_step(conn, "resolve");
    std::vector<Addr> addrs;
    int sys_errno = 0;
    int eai = opts.host.empty() ? EAI_NONAME : resolve(opts, addrs, sys_errno);
    if (eai != 0 || addrs.empty()) {
      if (eai == 0) eai = EAI_NODATA;
      s.result = "fail";
      s.kind = eai == EAI_CANCELED ? "timeout" : "other";
      s.err = eai;
      s.error_name.assign(eai_name(eai));
      s.wsa = eai_wsa(eai);
      if (eai == EAI_CANCELED) {
        s.message = "DNS lookup of '" + opts.host + "' did not finish within " + fmt_s(opts.timeout_s * 1000) + " s";
      } else {
        s.message = "DNS lookup of '" + opts.host + "' failed: " + gai_strerror(eai);
        if (eai == EAI_SYSTEM && sys_errno) s.message += std::string(" (") + errno_text(sys_errno) + ")";
        if (eai == EAI_NONAME) s.message += " (no such host; check the name)";
        if (eai == EAI_AGAIN) s.message += " (the DNS server did not answer; try again or check resolv.conf)";
      }
      t.finish(s);
      run.emit(s);
      continue;
    }
    s.result = "ok";
    std::string list;
    for (const Addr& a : addrs) {
      if (!list.empty()) list += ",";
      std::string one = sockaddr_text(reinterpret_cast<const sockaddr*>(&a.ss));
      list += one.substr(0, one.rfind(':'));
    }
    s.info.emplace_back("addresses", list);
    s.message = opts.host + " -> " + list;
    t.finish(s);
    run.emit(s);
    if (opts.protocol_check) {
      run_protocol_check(run, addrs);
      break;
    }
    run_connection(run, conn, addrs);
  }
  return res;
}

}  // namespace rstscope::probe
