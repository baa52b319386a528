// client-app-log: a client application's own log. A record starts with a timestamp in any
// common shape (ISO-8601 with/without T, zone and fraction; "2026-11-23 20:34:33,123";
// "[23/Nov/2026:20:34:33 +0000]"; syslog; epoch s/ms; .NET "11/23/2026 8:34:33 PM"; Java
// "Nov 23, 2026 8:34:33 PM") or with a Microsoft.Extensions.Logging console prefix ("fail: ").
// Every other line (stack frames, "Caused by:", "Traceback", " ---> ", JUL's second line ...)
// continues the record, so one exception is one event.
// Events: client-failure (kind from the whole record, client_common.h), client-request for a
// logged request with a status; other lines are not events (they carry nothing to correlate).
#include <algorithm>

#include "client_common.h"
#include "rstscope/parser.h"
#include "rstscope/text.h"

namespace rstscope {
namespace {

bool mel_prefix(std::string_view l) {
  if (l.size() < 6 || l[4] != ':' || l[5] != ' ') return false;
  std::string_view p = l.substr(0, 4);
  return p == "info" || p == "warn" || p == "fail" || p == "crit" || p == "dbug" || p == "trce";
}

// Bytes of the timestamp at the start of l (0 = none), with an optional " +00:00" zone after it.
size_t leading_time(std::string_view l, CivilTime& t) {
  if (l.size() < 8) return 0;
  char c = l[0];
  if (!((c >= '0' && c <= '9') || c == '[' || (c >= 'A' && c <= 'Z'))) return 0;
  size_t n = parse_any_time(l, t);
  if (!n) return 0;
  // A bare 10/13-digit number is a timestamp only when followed by a space.
  if (n < l.size() && l[n] != ' ' && l[n] != '\t' && l[n] != ']' && l[n] != '|' && l[n] != ',') return 0;
  if (!t.has_offset && n + 2 < l.size() && l[n] == ' ' && (l[n + 1] == '+' || l[n + 1] == '-') && l[n + 2] >= '0' &&
      l[n + 2] <= '9') {
    int off = 0;
    size_t z = parse_zone_offset(l.substr(n + 1), off);
    if (z >= 3) {
      t.has_offset = true;
      t.offset_seconds = off;
      n += 1 + z;
    }
  }
  return n;
}

bool starts_record(std::string_view l) {
  if (l.empty()) return false;
  if (mel_prefix(l)) return true;
  CivilTime t;
  return leading_time(l, t) != 0;
}

// The nginx/Apache/HAProxy error-log shapes a generic reader must leave to their parsers.
bool looks_like_server_line(std::string_view l) {
  size_t b = l.find("] ");
  if (b != std::string_view::npos && b < 40) {
    std::string_view after = l.substr(b + 2, 24);
    size_t hash = after.find('#');
    if (hash != std::string_view::npos && hash > 0 && after[0] >= '0' && after[0] <= '9') return true;  // pid#tid
  }
  return l.find(" haproxy[") != std::string_view::npos || l.find("[proxy:") != std::string_view::npos ||
         l.find(" stunnel") != std::string_view::npos || l.find(" kernel: ") != std::string_view::npos;
}

// "" or server-start / server-stop for a service's own lifecycle line.
std::string_view server_lifecycle(std::string_view m) {
  static constexpr std::string_view kStart[] = {"listening on ", "Listening on ", "Now listening on: ", "started server on ",
                                                "Server started", "server started"};
  static constexpr std::string_view kStop[] = {"shutting down", "Shutting down", "received SIGTERM", "received SIGINT",
                                               "Application is shutting down", "server stopped", "Server stopped"};
  for (std::string_view k : kStop)
    if (m.find(k) != std::string_view::npos) return "server-stop";
  for (std::string_view k : kStart)
    if (m.find(k) != std::string_view::npos) return "server-start";
  if (m == "stopped" || ends_with(m, ": stopped") || ends_with(m, " stopped")) return "server-stop";
  return {};
}

// Kestrel's own connection lines (aspnetcore LoggerMessage texts) in the log of an ASP.NET
// service that is also a client: the server side of its own connections. Category or "".
std::string_view kestrel_connection(std::string_view m) {
  if (!starts_with(m, "Connection id \"")) return {};
  if (ends_with(m, "\" reset.")) return "client-reset";
  if (m.find("by the client at the specified minimum data rate") != std::string_view::npos ||
      m.find("not sent by the client at a minimum of") != std::string_view::npos)
    return "client-timeout";
  if (m.find("\" bad request data: ") != std::string_view::npos) return "bad-request";
  return {};
}

// 'Connection id "X"[, Request id "Y"]' -> the quoted value after key, "" if none.
std::string_view quoted_after(std::string_view m, std::string_view key) {
  size_t at = m.find(key);
  if (at == std::string_view::npos) return {};
  std::string_view v = m.substr(at + key.size());
  size_t end = v.find('"');
  return end == std::string_view::npos || end > 64 ? std::string_view{} : v.substr(0, end);
}

class ClientAppFile : public FileParser {
 public:
  explicit ClientAppFile(const ParseContext& ctx) : ctx_(ctx) {}

  void record(const Record& rec, Emitter& out) override {
    std::string_view text = rec.text;
    size_t nl = text.find('\n');
    std::string_view first = text.substr(0, nl);
    if (!first.empty() && first.back() == '\r') first.remove_suffix(1);
    CivilTime t;
    size_t tn = leading_time(first, t);
    bool mel = !tn && mel_prefix(first);
    std::string_view rest = tn ? first.substr(tn) : mel ? first.substr(6) : first;
    std::string_view severity, level, thread, logger;
    if (mel) {
      severity = first.substr(0, 4);
      level = client::level_word(severity);
      logger = trim(rest);
      size_t br = logger.find('[');
      if (br != std::string_view::npos) logger = logger.substr(0, br);
    }
    // Header: up to 6 tokens for level, [thread], logger, then a separator or the message.
    std::string_view msg = rest;
    if (tn) {
      std::string_view s = rest, tok;
      for (int i = 0; i < 6; ++i) {
        std::string_view before = s;
        while (!s.empty() && s[0] == ' ') s.remove_prefix(1);
        bool bracket = !s.empty() && s[0] == '[';
        if (!next_token(s, tok)) break;
        if (tok == "-" || tok == ":" || tok == "|" || tok == "---" || tok == "--") {
          msg = s;
          if (tok == "---") continue;  // Spring Boot: "ERROR 1 --- [thread] logger : message"
          break;
        }
        std::string_view lw = level.empty() ? client::level_word(tok) : std::string_view{};
        if (!lw.empty()) {
          level = lw;
          severity = tok;
          msg = s;
          continue;
        }
        if (bracket && thread.empty()) {
          thread = tok;
          msg = s;
          continue;
        }
        if (!level.empty() && logger.empty() && tok.find('.') != std::string_view::npos && tok.size() > 2 &&
            !starts_with(tok, "http")) {
          logger = tok;
          if (!tok.empty() && tok.back() == ':') logger = tok.substr(0, tok.size() - 1);
          msg = s;
          continue;
        }
        if (!level.empty() || i >= 2) {
          msg = before;
          break;
        }
      }
      msg = trim(msg);
      if (!msg.empty() && (msg[0] == '-' || msg[0] == ':') && msg.size() > 1 && msg[1] == ' ') msg = msg.substr(2);
    } else if (mel) {
      // MEL console puts the message on the next (indented) line.
      msg = nl == std::string_view::npos ? std::string_view{} : trim(text.substr(nl + 1, text.find('\n', nl + 1) - nl - 1));
    }

    client::Classification c;
    bool failed = client::classify(text, c) && level != "debug" && level != "trace";
    int64_t status = kNull;
    // HttpClientFactory logs the URL on "Start processing HTTP request GET url" and only the status
    // on "End processing HTTP request after 12ms - 200": remember the request for the end line.
    std::string_view start_mark = "Start processing HTTP request ";
    size_t sp = msg.find(start_mark);
    if (sp != std::string_view::npos) last_request_.assign(msg.substr(sp + start_mark.size()));
    bool end_line = !last_request_.empty() && (msg.find("End processing HTTP request after") != std::string_view::npos ||
                                               msg.find("Received HTTP response headers after") != std::string_view::npos);
    // One event of this record: its time, severity and message (the caller adds the rest).
    auto record_event = [&](Role role) -> Event& {
      Event& ev = out.event();
      ev.role = role;
      if (tn) {
        ev.ts_raw.assign(first.substr(0, tn));
        ctx_.time->resolve(t, ev);
      }
      if (!severity.empty()) {
        ev.severity.assign(severity);
        to_lower_inplace(ev.severity);
      }
      ev.message.assign(msg.size() > 2048 ? msg.substr(0, 2048) : msg);
      return ev;
    };
    // A line of the service itself (Kestrel, its own lifecycle) is a role=server event; Kestrel's
    // lines are never a client failure, though "the request timed out" reads like one.
    if (std::string_view k = kestrel_connection(msg); !k.empty()) {
      Event& ev = record_event(Role::server);
      ev.category.assign(k);
      ev.conn_id.assign(quoted_after(msg, "Connection id \""));
      ev.request_id.assign(quoted_after(msg, "Request id \""));
      if (!logger.empty()) ev.fields.add("logger", logger);
      return;
    }
    if (!failed && level != "debug" && level != "trace") {
      // A service's own lifecycle in its log ("listening on 127.0.0.1:8080", "received SIGTERM,
      // shutting down", "stopped"): server events, so a refused connection can meet its cause.
      std::string_view life = server_lifecycle(msg.empty() ? first : msg);
      if (!life.empty()) {
        Event& ev = record_event(Role::server);
        ev.category.assign(life);
        size_t on = msg.find("listening on ");
        if (on != std::string_view::npos) {
          std::string_view addr = msg.substr(on + 13);
          addr = addr.substr(0, addr.find_first_of(" ,;)"));
          if (starts_with(addr, "http://")) addr.remove_prefix(7);
          std::string_view h;
          int64_t port;
          split_host_port(addr, h, port);
          if (port >= 0) {
            ev.server_ip.assign(h);
            ev.server_port = port;
          }
        }
        return;
      }
    }
    if (!failed) {
      if (text.find("://") == std::string_view::npos && !end_line) {
        if (!tn && !mel) out.unparsed("no timestamp at the start of the record");
        return;
      }
      status = client::find_status(msg.empty() ? first : msg);
      if (status == kNull) return;  // a normal line: nothing to correlate
    }
    Event& ev = record_event(Role::client);
    if (failed) {
      client::apply_failure(c, ev);
    } else {
      ev.status = status;
      if (client::is_http_error_status(status)) {
        ev.category.assign("client-failure");
        ev.kind.assign("http-error");
        if (!c.runtime.empty()) ev.fields.add("runtime", c.runtime);
      } else {
        ev.category.assign("client-request");
      }
    }
    if (!thread.empty()) ev.fields.add("thread", thread);
    if (!logger.empty()) ev.fields.add("logger", logger);
    client::extract_from_text(text, ev, failed);
    if (end_line && ev.host.empty()) client::extract_from_text(last_request_, ev, false);
    if (failed && ev.status == kNull) {
      int64_t st = client::find_status(ev.kind == "http-error" ? text : first);
      if (st != kNull) ev.status = st;
    }
  }

  std::string last_request_;

 private:
  ParseContext ctx_;
};

class ClientAppParser : public Parser {
 public:
  std::string_view name() const override { return "client-app-log"; }
  std::string_view description() const override {
    return "client application log: timestamp + level + message, multi-line traces of any runtime joined into one "
           "record; client failures classified, logged requests kept";
  }
  Role role() const override { return Role::client; }
  bool joins_lines() const override { return true; }
  bool continues(std::string_view line) const override { return !starts_record(line); }
  Score sniff(const SniffInput& in) const override {
    int timed = 0, leveled = 0, server = 0, traces = 0, failures = 0, total = 0;
    for (std::string_view l : in.lines) {
      ++total;
      CivilTime t;
      size_t n = leading_time(l, t);
      if (n || mel_prefix(l)) {
        ++timed;
        // Year-less syslog lines are daemons' (syslog parsers read them), not an application's own log.
        if (looks_like_server_line(l) || (n && t.year == 0)) ++server;
        std::string_view s = n ? l.substr(n) : l, tok;
        for (int i = 0; i < 4 && next_token(s, tok); ++i)
          if (!client::level_word(tok).empty()) {
            ++leveled;
            break;
          }
        if (mel_prefix(l)) ++leveled;
        client::Classification c;
        if (!looks_like_server_line(l) && t.year != 0 && client::classify(l, c)) ++failures;
      } else {
        std::string_view s = trim(l);
        if (starts_with(s, "at ") || starts_with(s, "Caused by:") || starts_with(s, "Traceback (") ||
            starts_with(s, "File \"") || starts_with(s, "---> ") || starts_with(s, "--- End of"))
          ++traces;
      }
    }
    if (!total || server * 2 > timed) return {};
    if (!leveled && (!failures || failures * 4 < timed)) return {};
    int score = 20 + 25 * std::max(leveled, failures) / total;
    std::string why = std::to_string(std::max(leveled, failures)) + " of " + std::to_string(total) +
                      " lines start with a time and a level or a client error";
    if (traces) {
      score += 20;
      why += ", with stack-trace continuation lines";
    }
    return {score, why};
  }
  std::unique_ptr<FileParser> open(const ParseContext& ctx) const override {
    return std::make_unique<ClientAppFile>(ctx);
  }
  const std::vector<Sample>& samples() const override {
    static const std::vector<Sample> s = {
        // .NET (signatures.md A2.2) logged by an app with a Serilog-style text sink.
        {"2026-11-23 20:34:33.123 +00:00 [ERR] Request to https://api.example.com/orders failed\n"
         "System.Net.Http.HttpRequestException: An error occurred while sending the request.\n"
         " ---> System.IO.IOException: Unable to read data from the transport connection: An existing connection was "
         "forcibly closed by the remote host..\n"
         " ---> System.Net.Sockets.SocketException (10054): An existing connection was forcibly closed by the remote "
         "host.\n"
         "   at System.Net.Sockets.Socket.AwaitableSocketAsyncEventArgs.ThrowException(SocketError error, "
         "CancellationToken cancellationToken)\n"
         "   --- End of inner exception stack trace ---\n"
         "   --- End of inner exception stack trace ---\n"
         "   at MyApp.ApiClient.GetOrdersAsync() in C:\\src\\MyApp\\ApiClient.cs:line 42",
         {{"count", "1"},
          {"ts", "2026-11-23T20:34:33.123Z"},
          {"category", "client-failure"},
          {"kind", "reset"},
          {"severity", "err"},
          {"host", "api.example.com"},
          {"server_port", "443"},
          {"path", "/orders"},
          {"fields.wsa", "10054"},
          {"fields.error_name", "WSAECONNRESET"},
          {"fields.exception", "System.Net.Http.HttpRequestException"},
          {"fields.root_exception", "System.Net.Sockets.SocketException"},
          {"fields.runtime", "dotnet"},
          {"line_count", "8"}}},
        // Java (A3.1/A3.2) through logback: thread and logger.
        {"2026-11-23 20:34:33,123 ERROR [http-nio-8080-exec-1] com.example.OrderClient - GET "
         "http://orders.internal:8080/v1/orders failed\n"
         "org.springframework.web.client.ResourceAccessException: I/O error on GET request for "
         "\"http://orders.internal:8080/v1/orders\": Connection reset\n"
         "Caused by: java.net.SocketException: Connection reset\n"
         "\tat java.base/sun.nio.ch.NioSocketImpl.implRead(NioSocketImpl.java:318)\n"
         "\t... 12 more",
         {{"count", "1"},
          {"kind", "reset"},
          {"fields.thread", "http-nio-8080-exec-1"},
          {"fields.logger", "com.example.OrderClient"},
          {"method", "GET"},
          {"host", "orders.internal"},
          {"server_port", "8080"},
          {"fields.exception", "org.springframework.web.client.ResourceAccessException"},
          {"fields.root_exception", "java.net.SocketException"},
          {"fields.runtime", "java"}}},
        // Python logging.exception (A4.2), chained traceback kept in one record.
        {"2026-11-23 20:34:33,123 - app.sync - ERROR - sync failed request_id=7f3a9c1e\n"
         "Traceback (most recent call last):\n"
         "  File \"/srv/app/sync.py\", line 10, in run\n"
         "    r = s.get(url)\n"
         "ConnectionResetError: [Errno 104] Connection reset by peer\n"
         "\n"
         "During handling of the above exception, another exception occurred:\n"
         "\n"
         "Traceback (most recent call last):\n"
         "  File \"/srv/app/sync.py\", line 12, in run\n"
         "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='api.example.com', port=443): Max retries "
         "exceeded with url: /v1/x (Caused by ProtocolError('Connection aborted.', ConnectionResetError(104, "
         "'Connection reset by peer')))",
         {{"count", "1"},
          {"kind", "reset"},
          {"fields.errno", "104"},
          {"host", "api.example.com"},
          {"server_port", "443"},
          {"request_id", "7f3a9c1e"},
          {"fields.exception", "requests.exceptions.ConnectionError"},
          {"fields.root_exception", "ConnectionResetError"},
          {"fields.runtime", "python"}}},
        // Go log package: local and remote ends in one line (A5).
        {"2026/11/23 20:34:33 Get \"https://api.example.com/v1\": read tcp 10.0.0.5:51234->93.184.216.34:443: read: "
         "connection reset by peer",
         {{"kind", "reset"},
          {"method", "GET"},
          {"host", "api.example.com"},
          {"server_ip", "93.184.216.34"},
          {"server_port", "443"},
          {"client_ip", "10.0.0.5"},
          {"client_port", "51234"},
          {"fields.runtime", "go"}}},
        // A successful request: history, not a failure.
        {"2026-11-23T20:34:30.001Z INFO http GET https://api.example.com/v1/orders -> 200 in 8 ms local=51234",
         {{"category", "client-request"}, {"status", "200"}, {"client_port", "51234"}, {"kind", ""}}},
        // MEL console, HttpClientFactory start and end lines (A2.3): the end line gets the URL.
        {"info: System.Net.Http.HttpClient.orders.LogicalHandler[100]\n"
         "      Start processing HTTP request GET https://api.example.com/orders\n"
         "info: System.Net.Http.HttpClient.orders.LogicalHandler[101]\n"
         "      End processing HTTP request after 123.4ms - 503",
         {{"count", "1"}, {"category", "client-failure"}, {"kind", "http-error"}, {"status", "503"}, {"ts", ""},
          {"method", "GET"}, {"host", "api.example.com"}, {"path", "/orders"}, {"line", "3"},
          {"fields.logger", "System.Net.Http.HttpClient.orders.LogicalHandler"}}},
        // A normal line is not an event; Java JUL two-line record with a time in US style.
        {"2026-11-23 20:34:33,123 INFO [main] com.example.App - started in 2.1 s", {{"count", "0"}}},
        {"Nov 23, 2026 8:34:33 PM com.example.Client call\nSEVERE: request failed\n"
         "java.net.ConnectException: Connection refused",
         {{"kind", "refused"}, {"ts", "2026-11-23T20:34:33.000Z"}, {"fields.root_exception", "java.net.ConnectException"}}},
    };
    return s;
  }
};

RSTSCOPE_REGISTER_PARSER(ClientAppParser);

}  // namespace
}  // namespace rstscope
