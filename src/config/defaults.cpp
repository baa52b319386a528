// Documented defaults (see defaults.h). The tables are data: one row per default, with the
// source the value was read from in shared/reference/signatures.md.
#include "config/defaults.h"

#include <string>

#include "rstscope/text.h"

namespace rstscope::config {
namespace {

struct Row {
  const char* component;
  const char* key;
  const char* raw;
  int64_t value;  // kNull when textual
  const char* unit;
  const char* text;
  const char* note;
};

constexpr int64_t S = 1000;  // ms per second

const Row kRows[] = {
    // nginx (B1.6, C1)
    {"nginx", "keepalive_timeout", "75s", 75 * S, "ms", "", "nginx default 75s (src/http/ngx_http_core_module.c:3945; signatures.md B1.6)"},
    {"nginx", "keepalive_requests", "1000", 1000, "count", "", "nginx default 1000 (ngx_http_core_module.c:3951)"},
    {"nginx", "keepalive_time", "1h", 3600 * S, "ms", "", "nginx default 1h (ngx_http_core_module.c:3943)"},
    {"nginx", "client_header_timeout", "60s", 60 * S, "ms", "", "nginx default 60s; expiry -> 408 (ngx_http_core_module.c:3584)"},
    {"nginx", "client_body_timeout", "60s", 60 * S, "ms", "", "nginx default 60s (ngx_http_core_module.c:3893)"},
    {"nginx", "send_timeout", "60s", 60 * S, "ms", "", "nginx default 60s (ngx_http_core_module.c:3934)"},
    {"nginx", "lingering_timeout", "5s", 5 * S, "ms", "", "nginx default 5s (ngx_http_core_module.c:3957)"},
    {"nginx", "reset_timedout_connection", "off", 0, "bool", "off", "nginx default off: timed-out connections get FIN, not RST (ngx_http_core_module.c:3988)"},
    {"nginx", "client_max_body_size", "1m", 1048576, "bytes", "", "nginx default 1m; larger bodies -> 413 and close (nginx docs, ngx_http_core_module)"},
    {"nginx", "proxy_connect_timeout", "60s", 60 * S, "ms", "", "nginx default 60s (ngx_http_proxy_module.c:3728-3735)"},
    {"nginx", "proxy_read_timeout", "60s", 60 * S, "ms", "", "nginx default 60s; expiry -> 504 (ngx_http_proxy_module.c:3728-3735)"},
    {"nginx", "proxy_send_timeout", "60s", 60 * S, "ms", "", "nginx default 60s (ngx_http_proxy_module.c:3728-3735)"},
    {"nginx", "ssl_protocols", "TLSv1.2 TLSv1.3", kNull, "protocols", "TLSv1.2-TLSv1.3", "nginx default since 1.23.4 (TLSv1 TLSv1.1 TLSv1.2 TLSv1.3 before); check the deployed version (nginx docs, not re-verified)"},
    {"nginx", "error_log_level", "error", kNull, "", "error", "nginx default error_log level is error: client resets (104), closed connections and SSL handshake failures are logged at info and are NOT in the log"},
    {"nginx", "upstream keepalive_timeout", "60s", 60 * S, "ms", "", "nginx upstream keepalive pool default 60s (ngx_http_upstream_keepalive_module.c:548-550)"},
    // HAProxy (B2.6, C1)
    {"haproxy", "timeout client", "", kNull, "ms", "infinite", "HAProxy: no default; unset = infinite (startup warning) (configuration.txt 4.2 timeout client)"},
    {"haproxy", "timeout server", "", kNull, "ms", "infinite", "HAProxy: no default; unset = infinite (startup warning) (configuration.txt timeout server)"},
    {"haproxy", "timeout connect", "", kNull, "ms", "infinite", "HAProxy: no default; unset = infinite (configuration.txt timeout connect)"},
    {"haproxy", "timeout http-request", "", kNull, "ms", "unset", "HAProxy: no default; unset -> timeout client applies to the request wait (configuration.txt)"},
    {"haproxy", "timeout http-keep-alive", "", kNull, "ms", "unset", "HAProxy: unset -> falls back to timeout http-request, then timeout client; expiry closes silently, no 408 (configuration.txt)"},
    {"haproxy", "http-reuse", "safe", kNull, "", "safe", "HAProxy default http-reuse safe: idle server connections are reused (configuration.txt)"},
    // stunnel
    {"stunnel", "TIMEOUTidle", "43200", 43200 * S, "ms", "", "stunnel default TIMEOUTidle 43200 s (12 h) (stunnel(8) manual, not re-verified)"},
    {"stunnel", "TIMEOUTbusy", "300", 300 * S, "ms", "", "stunnel default TIMEOUTbusy 300 s (stunnel(8) manual, not re-verified)"},
    {"stunnel", "TIMEOUTclose", "60", 60 * S, "ms", "", "stunnel default TIMEOUTclose 60 s (stunnel(8) manual, not re-verified)"},
    {"stunnel", "TIMEOUTconnect", "10", 10 * S, "ms", "", "stunnel default TIMEOUTconnect 10 s (stunnel(8) manual, not re-verified)"},
    {"stunnel", "debug", "notice", kNull, "", "notice", "stunnel default debug level notice (5) (stunnel(8) manual, not re-verified)"},
    {"stunnel", "reset", "yes", 1, "bool", "yes", "stunnel default reset = yes: a TCP RST is sent on errors (stunnel(8) manual, not re-verified)"},
    // Apache (B4.4)
    {"apache", "KeepAliveTimeout", "5", 5 * S, "ms", "", "Apache default 5 s (include/httpd.h DEFAULT_KEEPALIVE_TIMEOUT; signatures.md B4.4)"},
    {"apache", "Timeout", "60", 60 * S, "ms", "", "Apache default 60 s (include/httpd.h DEFAULT_TIMEOUT)"},
    {"apache", "MaxKeepAliveRequests", "100", 100, "count", "", "Apache default 100 (include/httpd.h DEFAULT_KEEPALIVE)"},
    {"apache", "KeepAlive", "On", 1, "bool", "on", "Apache default KeepAlive On (core docs)"},
    {"apache", "LogLevel", "warn", kNull, "", "warn", "Apache default LogLevel warn: mod_ssl handshake failures and client resets are logged at info and are NOT in the log (core docs)"},
    {"apache", "SSLProtocol", "all -SSLv3", kNull, "protocols", "TLSv1-TLSv1.3", "mod_ssl 2.4 default \"all -SSLv3\"; the OpenSSL build may disable TLSv1/1.1 (mod_ssl docs, not re-verified)"},
    {"apache", "LimitRequestBody", "1073741824", 1073741824, "bytes", "", "Apache 2.4.54+ default 1 GiB (0 = unlimited before); core docs, not re-verified"},
    // Envoy (B3.4)
    {"envoy", "idle_timeout", "1h", 3600 * S, "ms", "", "Envoy HttpProtocolOptions.idle_timeout default 1 h, downstream and upstream (docs/root/faq/configuration/timeouts.rst)"},
    {"envoy", "stream_idle_timeout", "5m", 300 * S, "ms", "", "Envoy HCM stream_idle_timeout default 5 min (timeouts.rst)"},
    {"envoy", "request_timeout", "0", 0, "ms", "disabled", "Envoy HCM request_timeout default disabled (timeouts.rst)"},
    {"envoy", "route timeout", "15s", 15 * S, "ms", "", "Envoy route timeout default 15 s (timeouts.rst)"},
    {"envoy", "connect_timeout", "5s", 5 * S, "ms", "", "Envoy cluster connect_timeout default 5 s (timeouts.rst)"},
    {"envoy", "tcp_proxy idle_timeout", "1h", 3600 * S, "ms", "", "Envoy tcp_proxy idle_timeout default 1 h (timeouts.rst)"},
    // Traefik (B5.3)
    {"traefik", "respondingTimeouts.idleTimeout", "180s", 180 * S, "ms", "", "Traefik v3 entryPoint idleTimeout default 180 s (pkg/config/static/static_config.go:48)"},
    {"traefik", "respondingTimeouts.readTimeout", "60s", 60 * S, "ms", "", "Traefik v3 readTimeout default 60 s (static_config.go:51)"},
    {"traefik", "forwardingTimeouts.idleConnTimeout", "90s", 90 * S, "ms", "", "Traefik serversTransport idleConnTimeout default 90 s (dynamic/http_config.go:573)"},
    {"traefik", "forwardingTimeouts.dialTimeout", "30s", 30 * S, "ms", "", "Traefik dialTimeout default 30 s (dynamic/http_config.go:573)"},
    // IIS / HTTP.sys, Kestrel, Node server
    {"iis", "connectionTimeout", "120s", 120 * S, "ms", "", "IIS/HTTP.sys limits/@connectionTimeout default 120 s (KB 820729)"},
    {"kestrel", "KeepAliveTimeout", "130s", 130 * S, "ms", "", "Kestrel KeepAliveTimeout default 130 s (aspnetcore KestrelServerLimits)"},
    {"kestrel", "RequestHeadersTimeout", "30s", 30 * S, "ms", "", "Kestrel RequestHeadersTimeout default 30 s (KestrelServerLimits)"},
    {"node", "keepAliveTimeout", "5000", 5 * S, "ms", "", "Node.js http.Server keepAliveTimeout default 5 s (lib/_http_server.js)"},
    {"node", "headersTimeout", "60000", 60 * S, "ms", "", "Node.js http.Server headersTimeout default 60 s (lib/_http_server.js)"},
    // Load balancers and middleboxes (B7.3, B9.3, C1)
    {"aws-alb", "idle_timeout.timeout_seconds", "60", 60 * S, "ms", "", "AWS ALB idle timeout default 60 s (ALB docs, load balancer attributes; signatures.md B7.3)"},
    {"aws-alb", "client_keep_alive.seconds", "3600", 3600 * S, "ms", "", "AWS ALB client keep-alive default 3600 s (ALB docs, not re-verified)"},
    {"aws-elb", "idle_timeout", "60", 60 * S, "ms", "", "AWS Classic ELB idle timeout default 60 s (doc_source/config-idle-timeout.md)"},
    {"aws-nlb", "tcp.idle_timeout.seconds", "350", 350 * S, "ms", "", "AWS NLB TCP idle timeout default 350 s; later packets get RST (NLB docs, not re-verified)"},
    {"azure-lb", "idle_timeout", "4m", 240 * S, "ms", "", "Azure Load Balancer idle timeout default 4 min, silent drop unless TCP reset on idle (load-balancer-tcp-reset.md)"},
    {"cisco-asa", "timeout conn", "1:00:00", 3600 * S, "ms", "", "Cisco ASA timeout conn default 1 h, no RST unless reset (Cisco doc 222075)"},
    {"panos", "tcp session timeout", "3600", 3600 * S, "ms", "", "PAN-OS TCP session timeout 3600 s (PAN docs, not re-verified)"},
    {"sysctl", "net.netfilter.nf_conntrack_tcp_timeout_established", "432000", 432000 * S, "ms", "", "Linux conntrack established timeout default 432000 s (5 days; kernel default)"},
    {"sysctl", "net.ipv4.tcp_keepalive_time", "7200", 7200 * S, "ms", "", "Linux tcp_keepalive_time default 7200 s (kernel default, ip-sysctl.rst)"},
    // Clients (C2)
    {"client-dotnet", "PooledConnectionIdleTimeout", "00:01:00", 60 * S, "ms", "", ".NET 6+ SocketsHttpHandler default 1 min (2 min in .NET Core 2.1-5) (HttpHandlerDefaults.cs)"},
    {"client-dotnet", "PooledConnectionLifetime", "infinite", kNull, "ms", "infinite", ".NET SocketsHttpHandler PooledConnectionLifetime default infinite (HttpHandlerDefaults.cs)"},
    {"client-java", "jdk.httpclient.keepalive.timeout", "30", 30 * S, "ms", "", "Java 11+ HttpClient default 30 s (1200 s in older releases, not re-verified) (java.net.http javadoc)"},
    {"client-okhttp", "keepAliveDuration", "5m", 300 * S, "ms", "", "OkHttp ConnectionPool keep-alive default 5 min (okhttp3/ConnectionPool.kt:38-39)"},
    {"client-go", "IdleConnTimeout", "90s", 90 * S, "ms", "", "Go net/http DefaultTransport IdleConnTimeout 90 s (src/net/http/transport.go)"},
    {"client-node", "keepAlive timeout", "5000", 5 * S, "ms", "", "Node.js >=19 global agent keepAlive true, timeout 5 s (lib/_http_agent.js)"},
    {"client-python", "pool idle timeout", "", kNull, "ms", "infinite", "urllib3/requests never expire idle pooled connections; reuse until the server closes (connectionpool.py:288)"},
    {"client-curl", "CURLOPT_MAXAGE_CONN", "118", 118 * S, "ms", "", "libcurl default max idle age 118 s (curl lib/url.c:421)"},
};

Setting to_setting(const Row& r) {
  Setting s;
  s.component = r.component;
  s.key = r.key;
  s.raw = r.raw;
  s.value = r.value;
  s.unit = r.unit;
  s.text = r.text;
  s.line = 0;
  s.assumed = true;
  s.scope = "default";
  s.note = r.note;
  return s;
}

}  // namespace

std::vector<Setting> documented_defaults(std::string_view component) {
  std::vector<Setting> out;
  for (const Row& r : kRows)
    if (component == r.component) out.push_back(to_setting(r));
  return out;
}

bool documented_default(std::string_view component, std::string_view key, Setting& out) {
  for (const Row& r : kRows)
    if (component == r.component && key == r.key) {
      out = to_setting(r);
      return true;
    }
  return false;
}

std::string_view component_of_parser(std::string_view p) {
  // Client components only for the client-<runtime> parser names: a server-side parser whose
  // name starts like a runtime (go-tls: Go's crypto/tls *server* log) must never get a client
  // pool default. Client parsers that read any runtime (client-app-log, client-json,
  // client-stderr) map to nothing here: ingest infers their runtime from their events
  // (component_of_runtime).
  static const char* const kClient[] = {"client-dotnet", "client-java", "client-okhttp", "client-go",
                                        "client-node", "client-python", "client-curl"};
  for (const char* c : kClient)
    if (p == c) return c;
  if (starts_with(p, "client-")) return "";
  struct Prefix { const char* prefix; const char* component; };
  static const Prefix kPrefixes[] = {
      {"nginx-", "nginx"}, {"ingress-nginx", "nginx"}, {"haproxy", "haproxy"}, {"stunnel", "stunnel"},
      {"apache-", "apache"}, {"httpd", "apache"}, {"envoy", "envoy"}, {"istio", "envoy"},
      {"traefik", "traefik"}, {"caddy", "caddy"}, {"iis-", "iis"}, {"httperr", "iis"}, {"http-sys", "iis"},
      {"kestrel", "kestrel"}, {"aspnet", "kestrel"}, {"aws-alb", "aws-alb"}, {"aws-elb", "aws-elb"},
      {"aws-nlb", "aws-nlb"}, {"azure-lb", "azure-lb"}, {"cisco-asa", "cisco-asa"}, {"asa", "cisco-asa"},
      {"panos", "panos"}, {"pan-", "panos"}, {"iptables", "sysctl"}, {"netfilter", "sysctl"},
      {"nft", "sysctl"}, {"ufw", "sysctl"},
  };
  for (const Prefix& x : kPrefixes)
    if (starts_with(p, x.prefix)) return x.component;
  return "";
}

std::string_view component_of_runtime(std::string_view runtime) {
  struct Map { const char* runtime; const char* component; };
  static const Map kMap[] = {
      {"dotnet", "client-dotnet"}, {"powershell", "client-dotnet"}, {"java", "client-java"},
      {"okhttp", "client-okhttp"}, {"go", "client-go"},             {"node", "client-node"},
      {"python", "client-python"}, {"curl", "client-curl"},
  };
  for (const Map& m : kMap)
    if (runtime == m.runtime) return m.component;
  return "";
}

std::string_view runtime_label(std::string_view runtime) {
  struct Map { const char* runtime; const char* label; };
  static const Map kMap[] = {
      {"dotnet", ".NET"}, {"powershell", "PowerShell (.NET HttpClient)"}, {"java", "Java"},
      {"okhttp", "OkHttp (Java/Kotlin)"}, {"go", "Go net/http"}, {"node", "Node.js"},
      {"python", "Python (urllib3/requests)"}, {"curl", "curl/libcurl"},
  };
  for (const Map& m : kMap)
    if (runtime == m.runtime) return m.label;
  return runtime;
}

}  // namespace rstscope::config
