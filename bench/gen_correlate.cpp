// gen_correlate DIR [SERVER_EVENTS] [FAILURES] [SEED]: writes an incident bundle for the correlation
// benchmark (bench/correlate.sh): SERVER_EVENTS server-side log lines (default 10,000,000) and client
// logs with FAILURES client failures (default SERVER_EVENTS / 100) among ten times as many successful
// requests. Deterministic for a seed. The layout an operator would collect:
//
//   DIR/edge/nginx.conf   nginx on 10.0.1.10: :8080 plain, :8443 TLS (TLSv1.2+), keepalive_timeout 15s,
//                         error_log at info, log_format `edge` with rport=$remote_port
//   DIR/edge/access.log   that log_format;  DIR/edge/error.log  keep-alive closes, upstream errors, TLS
//   DIR/lb/haproxy.cfg    HAProxy on 10.0.1.11: fe_api :9080 (timeout http-keep-alive 5s), fe_tls :9443
//   DIR/lb/haproxy.log    option httplog lines through syslog, SSL handshake failures
//   DIR/client/*.log      three Python services (10.0.9.5-7) logging every call with its local port
//
// Background traffic (about 500 server lines a second, so 10,000,000 lines span 5.6 hours) comes from
// 30,000 client addresses over keep-alive connections, with the usual few percent of 4xx/5xx. Each
// failure is one scenario of shared/spec/incidents.md, with the server lines a real server writes:
//   idle keep-alive reuse (26%)  requests on a connection, an idle gap past the listener's timeout,
//                                then RemoteDisconnected / ECONNRESET on the same local port;
//   upstream reset (18%)         nginx `recv() failed (104...) from upstream` + 502, or HAProxy SH-- 502;
//   TLS version refused (14%)    nginx `SSL_do_handshake() failed ... unsupported protocol` or HAProxy
//                                `SSL handshake failure`, client TLSV1_ALERT_PROTOCOL_VERSION;
//   plain HTTP to TLS (8%)       nginx `client sent plain HTTP request to HTTPS port` + 400;
//   upstream timeout (10%)       nginx `upstream timed out (110...)` + 504 after 30 s;
//   body too large (6%)          nginx `client intended to send too large body` + 413;
//   no cause in the bundle (18%) resets on recently used connections, refusals from a backend whose
//                                logs are not collected.
// stderr gets the counts per scenario; DIR.truth.tsv (beside the bundle, so that analyze never reads
// it) the scenario of every failure by its request id (rid= in the URL): the ground truth that
// bench/correlate.sh compares the incidents with.
#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <queue>
#include <string>
#include <vector>

#include "bench_support.h"

namespace {

using rstscope::bench::Civil;
using rstscope::bench::civil_utc;
using rstscope::bench::month_abbr;
using rstscope::bench::SplitMix;

constexpr int64_t kStart = 1795500000LL * 1'000'000;  // 2026-11-24 06:00:00 UTC

// One output file with a large buffer.
struct Out {
  FILE* f = nullptr;
  std::string buf;
  int64_t lines = 0;
  void open(const std::string& path) {
    f = std::fopen(path.c_str(), "w");
    if (!f) {
      std::perror(path.c_str());
      std::exit(1);
    }
  }
  void put(const std::string& s) {
    buf += s;
    for (char c : s) lines += c == '\n';
    if (buf.size() > (1u << 20)) flush();
  }
  void flush() {
    std::fwrite(buf.data(), 1, buf.size(), f);
    buf.clear();
  }
  void close() {
    flush();
    std::fclose(f);
  }
};

enum File { kAccess, kError, kHaproxy, kClient0, kClient1, kClient2, kFiles };

std::string fmt(const char* f, auto... a) {
  char b[1024];
  int n = std::snprintf(b, sizeof b, f, a...);
  return std::string(b, size_t(n < 0 ? 0 : n >= int(sizeof b) ? int(sizeof b) - 1 : n));
}

std::string nginx_access_time(int64_t us) {  // 24/Nov/2026:10:24:04 +0000
  Civil c = civil_utc(us);
  return fmt("%02d/%s/%d:%02d:%02d:%02d +0000", c.day, month_abbr(c.month), c.year, c.hour, c.minute, c.second);
}
std::string nginx_error_time(int64_t us) {  // 2026/11/24 10:24:25
  Civil c = civil_utc(us);
  return fmt("%d/%02d/%02d %02d:%02d:%02d", c.year, c.month, c.day, c.hour, c.minute, c.second);
}
std::string haproxy_prefix(int64_t us) {  // Nov 24 10:24:04 lb1 haproxy[1711]: ... [24/Nov/2026:10:24:04.360]
  Civil c = civil_utc(us);
  return fmt("%s %2d %02d:%02d:%02d lb1 haproxy[1711]: ", month_abbr(c.month), c.day, c.hour, c.minute, c.second);
}
std::string haproxy_accept(int64_t us) {
  Civil c = civil_utc(us);
  return fmt("%02d/%s/%d:%02d:%02d:%02d.%03d", c.day, month_abbr(c.month), c.year, c.hour, c.minute, c.second,
             c.micro / 1000);
}
std::string client_time(int64_t us) {  // 2026-11-24 10:24:04,416
  Civil c = civil_utc(us);
  return fmt("%d-%02d-%02d %02d:%02d:%02d,%03d", c.year, c.month, c.day, c.hour, c.minute, c.second, c.micro / 1000);
}

const char* kPaths[] = {"/api/orders", "/api/orders/1842", "/api/customers/77", "/api/stock", "/api/search?q=red",
                        "/api/payments/9", "/api/inventory/items/31", "/healthz"};
const char* kMethods[] = {"GET", "GET", "GET", "GET", "POST", "PUT"};
const char* kAgents[] = {"python-requests/2.28.1", "okhttp/4.12.0", "Go-http-client/1.1", "curl/7.88.1",
                         "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"};

// A keep-alive connection of a background client or of one of our services.
struct Conn {
  std::string ip;
  int port = 0;
  int64_t id = 0;
  int requests = 0;
  int64_t last_us = 0;
};

struct Listener {
  const char* name;   // for the client URL
  const char* host;   // address:port the client calls
  bool tls;
  bool nginx;         // else HAProxy
  const char* frontend;
  int64_t idle_us;    // the server's keep-alive timeout
};
const Listener kListeners[] = {
    {"edge-http", "10.0.1.10:8080", false, true, "", 15'000'000},
    {"edge-tls", "10.0.1.10:8443", true, true, "", 15'000'000},
    {"lb-http", "10.0.1.11:9080", false, false, "fe_api", 5'000'000},
    {"lb-tls", "10.0.1.11:9443", true, false, "fe_tls", 5'000'000},
};

struct Pending {
  int64_t us;
  int file;
  std::string text;
  bool operator>(const Pending& o) const { return us > o.us; }
};

class Generator {
 public:
  Generator(const std::string& dir, int64_t server_events, int64_t failures, uint64_t seed)
      : dir_(dir), n_(server_events), f_(failures), r_{seed * 0x2545F4914F6CDD1DULL + 7} {}

  void run();

 private:
  void write_configs();
  void emit(int file, const std::string& s) { out_[file].put(s); }
  // Lines are written when the clock reaches them, so that every file is in time order.
  void emit_at(int64_t us, int file, std::string s) {
    if (us <= now_) emit(file, s);
    else later(us, file, std::move(s));
  }
  void later(int64_t us, int file, std::string s) { pending_.push({us, file, std::move(s)}); }
  int64_t server_lines() const { return out_[kAccess].lines + out_[kError].lines + out_[kHaproxy].lines; }
  void flush_pending(int64_t upto) {
    while (!pending_.empty() && pending_.top().us <= upto) {
      emit(pending_.top().file, pending_.top().text);
      pending_.pop();
    }
  }
  std::string rid() { return fmt("r%08lld", (long long)++rid_); }
  std::string with_rid(std::string path) { return path + (path.find('?') == std::string::npos ? "?rid=" : "&rid=") + rid(); }
  int ephemeral_port() { return 32768 + r_.below(28232); }
  Conn new_background_conn(int listener);
  // A request as the server logs it (nginx access line or HAProxy httplog line).
  void server_request(int64_t us, int listener, const Conn& c, const char* method, const std::string& path, int status,
                      const char* agent, int ms, const char* haproxy_state = "----");
  void background(int64_t us);
  void client_request(int64_t us);
  void failure(int64_t us);
  void client_ok(int64_t us, int client, int listener, Conn& c, const char* method, const std::string& path, int ms);
  void client_fail(int64_t us, int client, const char* url_host, bool https, const char* method, const std::string& path,
                   int port, int ms, const std::string& trace);
  Conn& pool_conn(int client, int listener, int64_t us);

  std::string dir_;
  FILE* truth_ = nullptr;
  const char* scenario_name_ = "";
  int64_t n_, f_;
  SplitMix r_;
  Out out_[kFiles];
  std::priority_queue<Pending, std::vector<Pending>, std::greater<Pending>> pending_;
  std::vector<Conn> bg_[4];
  std::vector<Conn> pool_[3][4];
  int64_t now_ = 0, nginx_conn_ = 1000, rid_ = 0;
  int64_t client_lines_ok_ = 0, failures_done_ = 0;
  int64_t scenario_[8] = {};
};

void Generator::write_configs() {
  mkdir(dir_.c_str(), 0755);
  for (const char* d : {"/edge", "/lb", "/client"}) mkdir((dir_ + d).c_str(), 0755);
  FILE* f = std::fopen((dir_ + "/edge/nginx.conf").c_str(), "w");
  if (!f) {
    std::perror(dir_.c_str());
    std::exit(1);
  }
  std::fputs(
      "user www-data;\n"
      "worker_processes 2;\n"
      "pid /run/nginx.pid;\n"
      "error_log /var/log/nginx/error.log info;\n"
      "events {\n    worker_connections 4096;\n}\n"
      "http {\n"
      "    log_format edge '$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent "
      "\"$http_referer\" \"$http_user_agent\" rport=$remote_port conn=$connection creq=$connection_requests "
      "rt=$request_time';\n"
      "    access_log /var/log/nginx/access.log edge;\n"
      "    keepalive_timeout 15s;\n"
      "    keepalive_requests 100;\n"
      "    client_max_body_size 1m;\n"
      "    upstream orders_api {\n        server 10.0.2.21:8000;\n        server 10.0.2.22:8000;\n        keepalive 32;\n    }\n"
      "    server {\n"
      "        listen 10.0.1.10:8080;\n"
      "        server_name api.internal;\n"
      "        location /api/ {\n            proxy_pass http://orders_api;\n            proxy_read_timeout 30s;\n"
      "            proxy_http_version 1.1;\n            proxy_set_header Connection \"\";\n        }\n"
      "    }\n"
      "    server {\n"
      "        listen 10.0.1.10:8443 ssl;\n"
      "        server_name api.internal;\n"
      "        ssl_certificate /etc/nginx/tls/api.crt;\n"
      "        ssl_certificate_key /etc/nginx/tls/api.key;\n"
      "        ssl_protocols TLSv1.2 TLSv1.3;\n"
      "        location / {\n            proxy_pass http://orders_api;\n        }\n"
      "    }\n"
      "}\n",
      f);
  std::fclose(f);
  f = std::fopen((dir_ + "/lb/haproxy.cfg").c_str(), "w");
  std::fputs(
      "global\n    log /dev/log local0\n    maxconn 20000\n\n"
      "defaults\n    log global\n    mode http\n    option httplog\n    timeout connect 5s\n"
      "    timeout client 30s\n    timeout server 30s\n    timeout http-keep-alive 5s\n\n"
      "frontend fe_api\n    bind 10.0.1.11:9080\n    default_backend be_orders\n\n"
      "frontend fe_tls\n    bind 10.0.1.11:9443 ssl crt /etc/haproxy/api.pem ssl-min-ver TLSv1.2\n"
      "    default_backend be_orders\n\n"
      "backend be_orders\n    server app1 10.0.2.21:8000 check\n    server app2 10.0.2.22:8000 check\n",
      f);
  std::fclose(f);
}

Conn Generator::new_background_conn(int) {
  Conn c;
  c.ip = fmt("10.%d.%d.%d", 20 + r_.below(8), r_.below(64), 1 + r_.below(60));  // ~30,000 addresses
  c.port = ephemeral_port();
  c.id = ++nginx_conn_;
  return c;
}

void Generator::server_request(int64_t us, int listener, const Conn& c, const char* method, const std::string& path,
                               int status, const char* agent, int ms, const char* haproxy_state) {
  const Listener& l = kListeners[listener];
  if (l.nginx) {
    emit_at(us, kAccess, fmt("%s - - [%s] \"%s %s HTTP/1.1\" %d %d \"-\" \"%s\" rport=%d conn=%lld creq=%d rt=%d.%03d\n",
                      c.ip.c_str(), nginx_access_time(us).c_str(), method, path.c_str(), status,
                      status == 200 ? 200 + r_.below(4000) : 150 + r_.below(400), agent, c.port, (long long)c.id,
                      c.requests, ms / 1000, ms % 1000));
  } else {
    int tr = status == 502 ? -1 : ms;
    int bytes = status == 502 ? 209 : 200 + r_.below(4000);
    int actconn = 100 + r_.below(400);
    emit_at(us, kHaproxy, haproxy_prefix(us) +
                       fmt("%s:%d [%s] %s%s be_orders/app%d 0/0/1/%d/%d %d %d - - %s %d/%d/%d/%d/0 0/0 \"%s %s HTTP/1.1\"\n",
                           c.ip.c_str(), c.port, haproxy_accept(us - ms * 1000LL).c_str(), l.frontend, l.tls ? "~" : "",
                           1 + r_.below(2), tr, ms + 1, status, bytes, haproxy_state, actconn, actconn - 3, r_.below(40),
                           r_.below(20), method, path.c_str()));
  }
}

// One line of other people's traffic: requests over keep-alive connections, the odd error.
void Generator::background(int64_t us) {
  int listener = r_.below(100);
  listener = listener < 48 ? 0 : listener < 68 ? 1 : listener < 90 ? 2 : 3;
  auto& pool = bg_[listener];
  if (pool.size() < 3000) pool.push_back(new_background_conn(listener));
  Conn& c = pool[size_t(r_.below(int(pool.size())))];
  if (c.requests > 0 && r_.chance(0.06)) {
    // The old connection went idle and was closed; nginx at `info` says so.
    if (kListeners[listener].nginx && r_.chance(0.5)) {
      emit(kError, fmt("%s [info] 2211#2211: *%lld client %s closed keepalive connection\n",
                       nginx_error_time(us).c_str(), (long long)c.id, c.ip.c_str()));
      return;
    }
    c = new_background_conn(listener);
  }
  ++c.requests;
  int roll = r_.below(1000);
  int status = roll < 880 ? 200 : roll < 920 ? 304 : roll < 960 ? 404 : roll < 975 ? 401 : roll < 985 ? 499
             : roll < 993 ? 502 : 504;
  std::string path = kPaths[r_.below(8)];
  const char* method = kMethods[r_.below(6)];
  int ms = 1 + r_.below(120);
  if (status == 502 && r_.chance(0.5)) {
    // Someone else's upstream failure: the error line and the access line.
    if (kListeners[listener].nginx)
      emit(kError, fmt("%s [error] 2211#2211: *%lld upstream prematurely closed connection while reading response "
                       "header from upstream, client: %s, server: api.internal, request: \"%s %s HTTP/1.1\", upstream: "
                       "\"http://10.0.2.2%d:8000%s\", host: \"%s\"\n",
                       nginx_error_time(us).c_str(), (long long)c.id, c.ip.c_str(), method, path.c_str(),
                       1 + r_.below(2), path.c_str(), kListeners[listener].host));
    else {
      server_request(us, listener, c, method, path, 502, kAgents[r_.below(5)], ms, "SH--");
      return;
    }
  }
  if (status == 504) ms = 30000 + r_.below(20);
  server_request(us, listener, c, method, path, status, kAgents[r_.below(5)], ms);
}

Conn& Generator::pool_conn(int client, int listener, int64_t us) {
  // A client pool of up to four connections per target. It does not reuse a connection that sat idle
  // close to the server's timeout, and the servers close a connection after 100 requests
  // (keepalive_requests 100).
  auto& pool = pool_[client][listener];
  int64_t idle = kListeners[listener].idle_us;
  auto usable = [&](const Conn& c) { return c.requests && c.requests < 100 && us - c.last_us < idle - 2'000'000; };
  if (pool.size() < 4) pool.resize(4);
  Conn& pick = pool[size_t(r_.below(4))];
  if (usable(pick)) return pick;
  for (Conn& c : pool)
    if (usable(c)) return c;
  pick = Conn{};
  pick.ip = fmt("10.0.9.%d", 5 + client);
  pick.port = ephemeral_port();
  pick.id = ++nginx_conn_;
  return pick;
}

const char* kLoggers[] = {"orders.client", "sync.worker", "billing.http"};

void Generator::client_ok(int64_t us, int client, int listener, Conn& c, const char* method, const std::string& path,
                          int ms) {
  const Listener& l = kListeners[listener];
  ++c.requests;
  c.last_us = us + ms * 1000LL;
  server_request(us + ms * 1000LL, listener, c, method, path, 200, "python-requests/2.28.1", ms);
  later(us + ms * 1000LL + 300, kClient0 + client,
        fmt("%s INFO %s: %s %s://%s%s -> 200 OK in %d ms (local=%s:%d)\n", client_time(us + ms * 1000LL).c_str(),
            kLoggers[client], method, l.tls ? "https" : "http", l.host, path.c_str(), ms, c.ip.c_str(), c.port));
  ++client_lines_ok_;
}

void Generator::client_fail(int64_t us, int client, const char* url_host, bool https, const char* method,
                            const std::string& path, int port, int ms, const std::string& trace) {
  later(us, kClient0 + client,
        fmt("%s ERROR %s: %s %s://%s%s failed after %d ms (local=10.0.9.%d:%d)\n", client_time(us).c_str(),
            kLoggers[client], method, https ? "https" : "http", url_host, path.c_str(), ms, 5 + client, port) +
            "Traceback (most recent call last):\n  File \"/srv/app/client.py\", line 212, in call\n"
            "    r = self.session.request(method, url, timeout=60)\n" + trace + "\n");
  size_t rid = path.find("rid=");
  std::fprintf(truth_, "%s\t%s\n", rid == std::string::npos ? "-" : path.c_str() + rid + 4, scenario_name_);
  ++failures_done_;
}

void Generator::client_request(int64_t us) {
  int client = r_.below(3), listener = r_.below(4);
  Conn& c = pool_conn(client, listener, us);
  client_ok(us, client, listener, c, kMethods[r_.below(6)], with_rid(kPaths[r_.below(7)]),
            2 + r_.below(80));
}

void Generator::failure(int64_t us) {
  int client = r_.below(3);
  int roll = r_.below(100);
  std::string path = "/api/orders?rid=" + rid();
  if (roll < 26) {
    scenario_name_ = "idle-reuse";
    // Idle keep-alive reuse: the pool keeps a connection longer than the server does.
    int listener = r_.chance(0.6) ? 0 : 2;
    const Listener& l = kListeners[listener];
    Conn c;
    c.ip = fmt("10.0.9.%d", 5 + client);
    c.port = ephemeral_port();
    c.id = ++nginx_conn_;
    int n = 1 + r_.below(3);
    int64_t t = us;
    for (int i = 0; i < n; ++i) {
      client_ok(t, client, listener, c, "GET", "/api/orders?rid=" + rid(), 2 + r_.below(30));
      t = c.last_us + 100'000 + r_.below(900'000);
    }
    int64_t fail = c.last_us + l.idle_us + 200'000 + int64_t(r_.below(20'000'000));
    if (l.nginx)
      later(c.last_us + l.idle_us, kError,
            fmt("%s [info] 2211#2211: *%lld client %s closed keepalive connection\n",
                nginx_error_time(c.last_us + l.idle_us).c_str(), (long long)c.id, c.ip.c_str()));
    bool eof = r_.chance(0.6);
    client_fail(fail, client, l.host, false, "GET", path, c.port, 0,
                eof ? "http.client.RemoteDisconnected: Remote end closed connection without response"
                    : "ConnectionResetError: [Errno 104] Connection reset by peer");
    ++scenario_[0];
  } else if (roll < 44) {
    scenario_name_ = "upstream-reset";
    // The backend reset the proxy's upstream connection mid-request: 502.
    bool nginx = r_.chance(0.6);
    int listener = nginx ? 0 : 2;
    Conn& c = pool_conn(client, listener, us);
    ++c.requests;
    c.last_us = us;
    std::string p = "/api/checkout?rid=" + rid();
    int ms = 3 + r_.below(40);
    int64_t t = us + ms * 1000LL;
    if (nginx)
      emit_at(t, kError, fmt("%s [error] 2211#2211: *%lld recv() failed (104: Connection reset by peer) while reading "
                       "response header from upstream, client: %s, server: api.internal, request: \"POST %s "
                       "HTTP/1.1\", upstream: \"http://10.0.2.2%d:8000%s\", host: \"10.0.1.10:8080\"\n",
                       nginx_error_time(t).c_str(), (long long)c.id, c.ip.c_str(), p.c_str(), 1 + r_.below(2),
                       p.c_str()));
    server_request(t, listener, c, "POST", p, 502, "python-requests/2.28.1", ms, "SH--");
    client_fail(t + 400, client, kListeners[listener].host, false, "POST", p, c.port, ms,
                fmt("requests.exceptions.HTTPError: 502 Server Error: Bad Gateway for url: http://%s%s",
                    kListeners[listener].host, p.c_str()));
    ++scenario_[1];
  } else if (roll < 58) {
    scenario_name_ = "tls-version";
    // An old TLS stack: the server refuses TLS 1.0/1.1.
    bool nginx = r_.chance(0.6);
    int port = ephemeral_port();
    int64_t t = us + 2000;
    const char* host = nginx ? "10.0.1.10:8443" : "10.0.1.11:9443";
    if (nginx)
      emit_at(t, kError, fmt("%s [info] 2211#2211: *%lld SSL_do_handshake() failed (SSL: error:0A000102:SSL "
                       "routines::unsupported protocol) while SSL handshaking, client: 10.0.9.%d, server: "
                       "10.0.1.10:8443\n",
                       nginx_error_time(t).c_str(), (long long)++nginx_conn_, 5 + client));
    else
      emit_at(t, kHaproxy, haproxy_prefix(t) + fmt("10.0.9.%d:%d [%s] fe_tls/1: SSL handshake failure (error:0A000102:SSL "
                                             "routines::unsupported protocol)\n",
                                             5 + client, port, haproxy_accept(t).c_str()));
    client_fail(t + 300, client, host, true, "GET", path, port, 2,
                "ssl.SSLError: [SSL: TLSV1_ALERT_PROTOCOL_VERSION] tlsv1 alert protocol version (_ssl.c:992)");
    ++scenario_[2];
  } else if (roll < 66) {
    scenario_name_ = "plain-to-tls";
    // A plain-HTTP URL for the TLS port.
    Conn c;
    c.ip = fmt("10.0.9.%d", 5 + client);
    c.port = ephemeral_port();
    c.id = ++nginx_conn_;
    c.requests = 1;
    int64_t t = us + 1000;
    emit_at(t, kError, fmt("%s [info] 2211#2211: *%lld client sent plain HTTP request to HTTPS port while reading client "
                     "request headers, client: %s, server: api.internal, request: \"GET %s HTTP/1.1\", host: "
                     "\"10.0.1.10:8443\"\n",
                     nginx_error_time(t).c_str(), (long long)c.id, c.ip.c_str(), path.c_str()));
    server_request(t, 1, c, "GET", path, 400, "python-requests/2.28.1", 0);
    client_fail(t + 300, client, "10.0.1.10:8443", false, "GET", path, c.port, 1,
                "requests.exceptions.HTTPError: 400 Client Error: Bad Request for url: http://10.0.1.10:8443" + path);
    ++scenario_[3];
  } else if (roll < 76) {
    scenario_name_ = "upstream-timeout";
    // A slow report: nginx gives up on the upstream after proxy_read_timeout (30 s).
    Conn& c = pool_conn(client, 0, us);
    ++c.requests;
    std::string p = "/api/reports/daily?rid=" + rid();
    int64_t t = us + 30'000'000 + r_.below(5000);
    c.last_us = t;
    later(t, kError,
          fmt("%s [error] 2211#2211: *%lld upstream timed out (110: Connection timed out) while reading response "
              "header from upstream, client: %s, server: api.internal, request: \"GET %s HTTP/1.1\", upstream: "
              "\"http://10.0.2.21:8000%s\", host: \"10.0.1.10:8080\"\n",
              nginx_error_time(t).c_str(), (long long)c.id, c.ip.c_str(), p.c_str(), p.c_str()));
    later(t, kAccess,
          fmt("%s - - [%s] \"GET %s HTTP/1.1\" 504 167 \"-\" \"python-requests/2.28.1\" rport=%d conn=%lld creq=%d "
              "rt=30.%03d\n",
              c.ip.c_str(), nginx_access_time(t).c_str(), p.c_str(), c.port, (long long)c.id, c.requests,
              r_.below(1000)));
    client_fail(t + 500, client, "10.0.1.10:8080", false, "GET", p, c.port, 30004,
                "requests.exceptions.HTTPError: 504 Server Error: Gateway Time-out for url: http://10.0.1.10:8080" + p);
    ++scenario_[4];
  } else if (roll < 82) {
    scenario_name_ = "body-too-large";
    // An upload over client_max_body_size.
    Conn& c = pool_conn(client, 0, us);
    ++c.requests;
    c.last_us = us;
    std::string p = "/api/upload?rid=" + rid();
    emit(kError, fmt("%s [error] 2211#2211: *%lld client intended to send too large body: %d bytes, client: %s, "
                     "server: api.internal, request: \"POST %s HTTP/1.1\", host: \"10.0.1.10:8080\"\n",
                     nginx_error_time(us).c_str(), (long long)c.id, 1048577 + r_.below(8000000), c.ip.c_str(),
                     p.c_str()));
    server_request(us, 0, c, "POST", p, 413, "python-requests/2.28.1", 0);
    client_fail(us + 9000, client, "10.0.1.10:8080", false, "POST", p, c.port, 9,
                "requests.exceptions.HTTPError: 413 Client Error: Request Entity Too Large for url: "
                "http://10.0.1.10:8080" + p);
    ++scenario_[5];
  } else {
    scenario_name_ = "no-cause";
    // Nothing in the bundle explains it: a reset on a connection used a moment ago (a middlebox not
    // in the bundle), or a refusal from a backend called directly.
    if (r_.chance(0.7)) {
      int listener = r_.chance(0.5) ? 0 : 2;
      Conn& c = pool_conn(client, listener, us);
      if (!c.requests) client_ok(us, client, listener, c, "GET", "/api/orders?rid=" + rid(), 3);
      int64_t t = std::max(us, c.last_us + 50'000);
      c.requests = 0;  // the connection is gone: the pool opens a new one next time
      client_fail(t, client, kListeners[listener].host, false, "GET", path, c.port, 1,
                  "ConnectionResetError: [Errno 104] Connection reset by peer");
    } else {
      client_fail(us, client, "10.0.3.30:8000", false, "GET", path, ephemeral_port(), 0,
                  "ConnectionRefusedError: [Errno 111] Connection refused");
    }
    ++scenario_[6];
  }
}

void Generator::run() {
  write_configs();
  const char* names[kFiles] = {"/edge/access.log",        "/edge/error.log",       "/lb/haproxy.log",
                               "/client/orders-app.log", "/client/sync-worker.log", "/client/billing-job.log"};
  for (int i = 0; i < kFiles; ++i) out_[i].open(dir_ + names[i]);
  truth_ = std::fopen((dir_ + ".truth.tsv").c_str(), "w");
  if (!truth_) {
    std::perror((dir_ + ".truth.tsv").c_str());
    std::exit(1);
  }
  emit(kError, nginx_error_time(kStart - 60'000'000) + " [notice] 2210#2210: using the \"epoll\" event method\n");
  emit(kError, nginx_error_time(kStart - 60'000'000) + " [notice] 2210#2210: start worker processes\n");
  const int64_t client_requests = f_ * 10;
  int64_t us = kStart;
  while (server_lines() < n_) {
    us += r_.below(4001);  // ~500 server lines a second
    now_ = us;
    flush_pending(us);
    int64_t done = server_lines();
    if (failures_done_ < f_ && double(failures_done_) < double(f_) * double(done) / double(n_)) failure(us);
    else if (client_lines_ok_ < client_requests && double(client_lines_ok_) < double(client_requests) * double(done) / double(n_))
      client_request(us);
    else background(us);
  }
  flush_pending(INT64_MAX);
  for (Out& o : out_) o.close();
  std::fclose(truth_);
  std::fprintf(stderr,
               "gen_correlate: %lld server lines (access %lld, error %lld, haproxy %lld), %lld client failures, %lld "
               "successful client requests\n"
               "  idle-reuse %lld, upstream-reset %lld, tls-version %lld, plain-to-tls %lld, upstream-timeout %lld, "
               "body-too-large %lld, no-cause %lld\n",
               (long long)server_lines(), (long long)out_[kAccess].lines, (long long)out_[kError].lines,
               (long long)out_[kHaproxy].lines, (long long)failures_done_, (long long)client_lines_ok_,
               (long long)scenario_[0], (long long)scenario_[1], (long long)scenario_[2], (long long)scenario_[3],
               (long long)scenario_[4], (long long)scenario_[5], (long long)scenario_[6]);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: gen_correlate DIR [SERVER_EVENTS=10000000] [FAILURES=SERVER_EVENTS/100] [SEED]\n");
    return 1;
  }
  int64_t n = argc > 2 ? std::atoll(argv[2]) : 10'000'000;
  int64_t f = argc > 3 ? std::atoll(argv[3]) : n / 100;
  uint64_t seed = argc > 4 ? std::strtoull(argv[4], nullptr, 10) : 42;
  if (n <= 0 || f < 0) {
    std::fprintf(stderr, "gen_correlate: SERVER_EVENTS must be > 0 and FAILURES >= 0\n");
    return 1;
  }
  Generator(argv[1], n, f, seed).run();
  return 0;
}
