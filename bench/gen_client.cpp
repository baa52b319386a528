// gen_client: writes N lines of realistic client logs to stdout, for benchmarks and load tests.
//   gen_client N [app|json|single] [seed]
// app    : a Java/.NET/Python/Go client's text log: mostly request lines ("GET url -> 200 in 8 ms"),
//          some ordinary lines, ~3% failures of which half carry a multi-line trace (texts from
//          shared/reference/signatures.md Part A).
// json   : the same events as JSON lines (Serilog CLEF, pino, ECS shapes).
// single : app without multi-line traces (single-line records only).
// bench/client_bench.cpp includes this file with RSTSCOPE_GEN_CLIENT_NO_MAIN to reuse generate().
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace rstscope::gen {

struct Rng {
  uint64_t s;
  uint64_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
  int below(int n) { return int(next() % uint64_t(n)); }
};

inline void stamp(std::string& out, int64_t ms) {
  int64_t s = ms / 1000;
  char b[64];
  std::snprintf(b, sizeof b, "2026-11-23 %02d:%02d:%02d,%03d", int(s / 3600 % 24), int(s / 60 % 60), int(s % 60),
                int(ms % 1000));
  out += b;
}

inline void iso(std::string& out, int64_t ms) {
  int64_t s = ms / 1000;
  char b[64];
  std::snprintf(b, sizeof b, "2026-11-23T%02d:%02d:%02d.%03dZ", int(s / 3600 % 24), int(s / 60 % 60), int(s % 60),
                int(ms % 1000));
  out += b;
}

// Appends about `lines` lines to out.
inline void generate(std::string& out, int64_t lines, const std::string& mode, uint64_t seed = 42) {
  Rng r{seed * 2654435761u + 1};
  static const char* kHosts[] = {"api.example.com", "orders.internal", "10.0.4.17", "pay.example.com:8443"};
  static const char* kPaths[] = {"/v1/orders", "/v1/items/42", "/health", "/v2/payments?id=9"};
  static const char* kMethods[] = {"GET", "GET", "GET", "POST", "PUT"};
  static const char* kTraces[] = {
      " ---> System.IO.IOException: Unable to read data from the transport connection: An existing connection was "
      "forcibly closed by the remote host..\n"
      " ---> System.Net.Sockets.SocketException (10054): An existing connection was forcibly closed by the remote "
      "host.\n"
      "   at System.Net.Sockets.Socket.AwaitableSocketAsyncEventArgs.ThrowException(SocketError error, "
      "CancellationToken cancellationToken)\n"
      "   at System.Net.Http.HttpConnection.InitialFillAsync(Boolean async)\n"
      "   --- End of inner exception stack trace ---\n"
      "   at MyApp.ApiClient.GetOrdersAsync() in C:\\src\\MyApp\\ApiClient.cs:line 42\n",
      "java.net.SocketException: Connection reset\n"
      "\tat java.base/sun.nio.ch.NioSocketImpl.implRead(NioSocketImpl.java:318)\n"
      "\tat java.base/sun.nio.ch.NioSocketImpl.read(NioSocketImpl.java:346)\n"
      "\tat java.base/java.net.Socket$SocketInputStream.read(Socket.java:1095)\n"
      "\tat okhttp3.internal.connection.ConnectPlan.connectTls(ConnectPlan.kt:346)\n",
      "Traceback (most recent call last):\n"
      "  File \"/usr/local/lib/python3.11/site-packages/urllib3/connectionpool.py\", line 788, in urlopen\n"
      "    response = self._make_request(\n"
      "ConnectionResetError: [Errno 104] Connection reset by peer\n",
  };
  static const char* kOneLine[] = {
      "read tcp 10.0.0.5:%d->93.184.216.34:443: read: connection reset by peer",
      "failed: Remote end closed connection without response local=%d",
      "failed: socket hang up lport=%d",
      "failed: Connection refused (os error 111) local=%d",
  };
  int64_t ms = 20 * 3600 * 1000LL;
  int64_t n = 0;
  char buf[512];
  while (n < lines) {
    ms += 1 + r.below(40);
    const char* host = kHosts[r.below(4)];
    const char* path = kPaths[r.below(4)];
    const char* method = kMethods[r.below(5)];
    int port = 32768 + r.below(28000);
    int roll = r.below(1000);
    bool json = mode == "json";
    if (roll < 850) {
      int status = roll < 830 ? 200 : (roll < 840 ? 404 : 503);
      if (json) {
        out += "{\"@t\":\"";
        iso(out, ms);
        std::snprintf(buf, sizeof buf,
                      "\",\"@mt\":\"HTTP {Method} {Uri} responded {StatusCode} in {Elapsed} ms\",\"Method\":\"%s\","
                      "\"Uri\":\"https://%s%s\",\"StatusCode\":%d,\"Elapsed\":%d.%d,\"localPort\":%d,"
                      "\"SourceContext\":\"MyApp.ApiClient\"}\n",
                      method, host, path, status, r.below(900), r.below(10), port);
      } else {
        stamp(out, ms);
        std::snprintf(buf, sizeof buf, " INFO [http-client-%d] com.example.ApiClient - %s https://%s%s -> %d in %d ms local=%d\n",
                      r.below(8), method, host, path, status, 1 + r.below(900), port);
      }
      out += buf;
      ++n;
    } else if (roll < 970) {
      if (json) {
        out += "{\"level\":30,\"time\":";
        out += std::to_string(1795465200000LL + ms);
        out += ",\"pid\":7,\"hostname\":\"web-1\",\"msg\":\"cache refreshed\",\"entries\":";
        out += std::to_string(r.below(100000));
        out += "}\n";
      } else {
        stamp(out, ms);
        std::snprintf(buf, sizeof buf, " %s [scheduler-1] com.example.Cache - cache refreshed entries=%d ratio=0.%d\n",
                      roll < 940 ? "INFO" : "DEBUG", r.below(100000), r.below(100));
        out += buf;
      }
      ++n;
    } else if (roll < 985 || mode == "single") {
      if (json) {
        out += "{\"level\":50,\"time\":";
        out += std::to_string(1795465200000LL + ms);
        std::snprintf(buf, sizeof buf,
                      ",\"msg\":\"upstream call failed\",\"url\":\"http://%s%s\",\"err\":{\"type\":\"Error\","
                      "\"message\":\"read ECONNRESET\",\"stack\":\"Error: read ECONNRESET\\n    at TCP.onStreamRead "
                      "(node:internal/stream_base_commons:217:20)\",\"errno\":-104,\"code\":\"ECONNRESET\","
                      "\"syscall\":\"read\"},\"localPort\":%d}\n",
                      host, path, port);
        out += buf;
      } else {
        stamp(out, ms);
        std::snprintf(buf, sizeof buf, " WARN [http-client-%d] com.example.ApiClient - %s https://%s%s ", r.below(8),
                      method, host, path);
        out += buf;
        std::snprintf(buf, sizeof buf, kOneLine[r.below(4)], port);
        out += buf;
        out += '\n';
      }
      ++n;
    } else {
      int t = r.below(3);
      if (json) {
        out += "{\"@t\":\"";
        iso(out, ms);
        out += "\",\"@l\":\"Error\",\"@mt\":\"Request to {Uri} failed\",\"Uri\":\"https://";
        out += host;
        out += path;
        out += "\",\"@x\":\"System.Net.Http.HttpRequestException: An error occurred while sending the request.\\n "
               "---> System.Net.Sockets.SocketException (10054): An existing connection was forcibly closed by the "
               "remote host.\\n   at System.Net.Http.HttpConnection.InitialFillAsync(Boolean async)\"}\n";
        ++n;
      } else {
        stamp(out, ms);
        std::snprintf(buf, sizeof buf, " ERROR [http-client-%d] com.example.ApiClient - %s https://%s%s failed\n",
                      r.below(8), method, host, path);
        out += buf;
        if (t == 0) out += "System.Net.Http.HttpRequestException: An error occurred while sending the request.\n";
        out += kTraces[t];
        for (char c : std::string_view(kTraces[t])) n += c == '\n';
        n += 1 + (t == 0);
      }
    }
  }
}

}  // namespace rstscope::gen

#ifndef RSTSCOPE_GEN_CLIENT_NO_MAIN
int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: gen_client N [app|json|single] [seed]\n");
    return 1;
  }
  int64_t n = std::atoll(argv[1]);
  std::string mode = argc > 2 ? argv[2] : "app";
  uint64_t seed = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 42;
  if (n < 0 || (mode != "app" && mode != "json" && mode != "single")) {
    std::fprintf(stderr, "usage: gen_client N [app|json|single] [seed]\n");
    return 1;
  }
  std::string out;
  const int64_t chunk = 100000;
  for (int64_t done = 0; done < n; done += chunk) {
    out.clear();
    rstscope::gen::generate(out, std::min(chunk, n - done), mode, seed + uint64_t(done));
    std::fwrite(out.data(), 1, out.size(), stdout);
  }
  return 0;
}
#endif
