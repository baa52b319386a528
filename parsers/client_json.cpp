// client-json: JSON-lines application logs (one object per line), read with simdjson On-Demand:
// Serilog compact/CLEF (@t @m @mt @l @x @tr), ECS (@timestamp, log.level, error.*, url.*,
// destination.*, http.*), log4j2 JsonLayout (instant, thrown.*) and EcsLayout, logstash-logback-encoder
// (stack_trace), Microsoft.Extensions.Logging JSON console (Timestamp, LogLevel, Category, Exception),
// pino/bunyan (time ms, numeric level, msg, err{type,message,stack,code,errno}), zap (ts, msg, error,
// errorVerbose, stacktrace) and python-json-logger (asctime, levelname, exc_info). Nested objects
// are read as dotted keys ("error": {"type": ..} == "error.type"). The exception text inside the
// JSON is classified like a text trace (client_common.h).
#include <simdjson.h>

#include <cstdio>
#include <string>

#include "client_common.h"
#include "rstscope/parser.h"
#include "rstscope/text.h"

namespace rstscope {
namespace {

struct Slots {
  std::string_view time, level, msg, tmpl, url, method, thread, logger, req_id, host, dest_ip, local_ip, err_type;
  std::string_view exc[6];
  int n_exc = 0;
  std::string_view code, syscall;
  int64_t status = kNull, dest_port = kNull, local_port = kNull, err_no = kNull, level_num = kNull;
  int64_t epoch_s = kNull, nanos = 0;
  std::string_view time_number;  // raw JSON number of a numeric time
  void clear() { *this = Slots{}; }
};

std::string_view last_segment(std::string_view path) {
  size_t d = path.rfind('.');
  return d == std::string_view::npos ? path : path.substr(d + 1);
}

bool is_any(std::string_view k, std::initializer_list<std::string_view> names) {
  for (std::string_view n : names)
    if (k == n) return true;
  return false;
}

void on_string(std::string_view path, std::string_view v, Slots& s) {
  std::string_view last = last_segment(path);
  if (is_any(path, {"@t", "@timestamp", "timestamp", "Timestamp", "time", "ts", "asctime", "datetime", "date", "@time"})) {
    if (s.time.empty()) s.time = v;
  } else if (is_any(path, {"@l", "level", "log.level", "LogLevel", "levelname", "severity", "lvl", "Level", "loglevel"})) {
    s.level = v;
  } else if (is_any(path, {"@m", "message", "msg", "Message", "RenderedMessage"})) {
    if (s.msg.empty()) s.msg = v;
  } else if (is_any(path, {"@mt", "MessageTemplate"})) {
    s.tmpl = v;
  } else if (is_any(path, {"@x", "exception", "Exception", "exc_info", "exc_text", "stack_trace", "stacktrace",
                           "error.stack_trace", "error.message", "err.stack", "err.message", "error", "errorVerbose",
                           "thrown.message", "error.stack", "err.cause.message", "exception.stacktrace",
                           "exception.message", "Exception.Message"}) ||
             (starts_with(path, "err.") && last == "message") || (starts_with(path, "error.") && last == "message")) {
    if (s.n_exc < 6) s.exc[s.n_exc++] = v;
  } else if (is_any(path, {"error.type", "thrown.name", "err.type", "exception.type", "exception.class"})) {
    if (s.err_type.empty()) s.err_type = v;
  } else if (is_any(path, {"url.full", "url", "Uri", "uri", "RequestUri", "requestUri", "http.url", "url.original",
                           "req.url", "Url", "request_url"})) {
    if (s.url.empty() || v.find("://") != std::string_view::npos) s.url = v;
  } else if (is_any(path, {"http.request.method", "method", "Method", "HttpMethod", "req.method", "RequestMethod"})) {
    s.method = v;
  } else if (is_any(path, {"thread", "thread_name", "process.thread.name", "threadName", "ThreadName"})) {
    s.thread = v;
  } else if (is_any(path, {"logger", "logger_name", "loggerName", "log.logger", "Category", "SourceContext", "name"})) {
    if (s.logger.empty()) s.logger = v;
  } else if (is_any(path, {"@tr", "trace.id", "traceId", "TraceId", "trace_id", "request_id", "requestId", "RequestId",
                           "req.id", "x_request_id", "correlation_id", "CorrelationId", "correlationId"})) {
    if (s.req_id.empty() || path == "request_id" || path == "RequestId" || path == "requestId") s.req_id = v;
  } else if (is_any(path, {"url.domain", "destination.address", "server.address", "destination.domain"}) ||
             last == "remoteAddress") {
    if (s.host.empty()) s.host = v;
  } else if (is_any(path, {"destination.ip", "server.ip"})) {
    s.dest_ip = v;
  } else if (is_any(path, {"source.ip", "client.ip"}) || last == "localAddress") {
    s.local_ip = v;
  } else if (last == "code" && (starts_with(path, "err") || starts_with(path, "error"))) {
    if (s.code.empty()) s.code = v;
  } else if (last == "syscall") {
    s.syscall = v;
  } else if (is_any(path, {"http.response.status_code", "status", "StatusCode", "statusCode", "status_code"})) {
    int64_t x;
    if (parse_int(v, x)) s.status = x;
  }
}

void on_number(std::string_view path, std::string_view raw, Slots& s) {
  std::string_view last = last_segment(path);
  int64_t x = kNull;
  bool is_int = parse_int(raw, x);
  if (is_any(path, {"time", "ts", "@t", "timestamp", "Timestamp", "timeMillis", "@timestamp"})) {
    if (s.time.empty() && s.time_number.empty()) s.time_number = raw;
  } else if (path == "instant.epochSecond") {
    if (is_int) s.epoch_s = x;
  } else if (path == "instant.nanoOfSecond") {
    if (is_int) s.nanos = x;
  } else if (is_any(path, {"level", "lvl"})) {
    if (is_int) s.level_num = x;
  } else if (is_any(path, {"http.response.status_code", "status", "StatusCode", "statusCode", "status_code",
                           "res.statusCode", "http.status_code"})) {
    if (is_int) s.status = x;
  } else if (is_any(path, {"url.port", "destination.port", "server.port"}) || last == "remotePort") {
    if (is_int) s.dest_port = x;
  } else if (is_any(path, {"source.port", "client.port", "local_port"}) || last == "localPort") {
    if (is_int) s.local_port = x;
  } else if (last == "errno" || (last == "code" && (starts_with(path, "err") || starts_with(path, "error")))) {
    if (is_int && s.err_no == kNull) s.err_no = x;
  }
}

void walk(simdjson::ondemand::object obj, std::string& path, int depth, Slots& s) {
  for (auto field_r : obj) {
    simdjson::ondemand::field field;
    if (std::move(field_r).get(field)) return;
    std::string_view key;
    if (field.unescaped_key().get(key)) return;
    size_t base = path.size();
    if (base) path.push_back('.');
    path.append(key);
    simdjson::ondemand::value v = field.value();
    simdjson::ondemand::json_type t;
    if (!v.type().get(t)) {
      switch (t) {
        case simdjson::ondemand::json_type::string: {
          std::string_view sv;
          if (!v.get_string().get(sv)) on_string(path, sv, s);
          break;
        }
        case simdjson::ondemand::json_type::number: {
          std::string_view raw = v.raw_json_token();
          on_number(path, trim(raw), s);
          break;
        }
        case simdjson::ondemand::json_type::object: {
          simdjson::ondemand::object inner;
          if (depth < 4 && !v.get_object().get(inner)) walk(inner, path, depth + 1, s);
          break;
        }
        default:
          break;
      }
    }
    path.resize(base);
  }
}

std::string_view level_from_number(int64_t n) {
  if (n >= 60) return "fatal";
  if (n >= 50) return "error";
  if (n >= 40) return "warn";
  if (n >= 30) return "info";
  if (n >= 20) return "debug";
  return "trace";
}

class ClientJsonFile : public FileParser {
 public:
  explicit ClientJsonFile(const ParseContext& ctx) : ctx_(ctx) {}

  void record(const Record& rec, Emitter& out) override {
    std::string_view line = trim(rec.text);
    if (line.empty()) return;
    if (line.front() != '{') {
      out.unparsed("not a JSON object");
      return;
    }
    if (buf_.capacity() < line.size() + simdjson::SIMDJSON_PADDING) buf_.reserve(line.size() + simdjson::SIMDJSON_PADDING);
    buf_.assign(line);
    simdjson::ondemand::document doc;
    simdjson::ondemand::object obj;
    if (parser_.iterate(buf_.data(), buf_.size(), buf_.capacity()).get(doc) || doc.get_object().get(obj)) {
      out.unparsed("invalid JSON");
      return;
    }
    s_.clear();
    path_.clear();
    walk(obj, path_, 0, s_);
    // Everything the record says about the failure, as one text for the classifier.
    text_.clear();
    text_.append(s_.msg.empty() ? s_.tmpl : s_.msg);
    if (!s_.err_type.empty()) {
      text_.push_back('\n');
      text_.append(s_.err_type);
      text_.append(": ");
    }
    for (int i = 0; i < s_.n_exc; ++i) {
      text_.push_back(i == 0 && !s_.err_type.empty() ? ' ' : '\n');
      text_.append(s_.exc[i]);
    }
    if (!s_.code.empty()) {
      text_.append("\ncode: '");
      text_.append(s_.code);
      text_.push_back('\'');
    }
    if (s_.err_no != kNull) {
      text_.append("\nerrno: ");
      text_.append(std::to_string(s_.err_no));
    }
    std::string_view level = s_.level;
    if (level.empty() && s_.level_num != kNull) level = level_from_number(s_.level_num);
    std::string_view lw = client::level_word(level);
    client::Classification c;
    bool failed = client::classify(text_, c) && lw != "debug" && lw != "trace";
    bool request = !failed && s_.status != kNull && (!s_.url.empty() || !s_.host.empty() || !s_.method.empty());
    if (!failed && !request) return;  // an ordinary log line
    Event& ev = out.event();
    ev.role = Role::client;
    resolve_time(ev);
    if (!level.empty()) {
      ev.severity.assign(level);
      to_lower_inplace(ev.severity);
    }
    std::string_view msg = s_.msg.empty() ? s_.tmpl : s_.msg;
    ev.message.assign(msg.size() > 2048 ? msg.substr(0, 2048) : msg);
    if (!s_.method.empty()) {
      ev.method.assign(s_.method);
      for (char& ch : ev.method) ch = (ch >= 'a' && ch <= 'z') ? char(ch - 32) : ch;
    }
    if (!s_.url.empty() && !client::apply_url(s_.url, ev) && s_.url[0] == '/') ev.path.assign(s_.url);
    if (!s_.host.empty() && ev.host.empty()) ev.host.assign(s_.host);
    if (!s_.dest_ip.empty()) ev.server_ip.assign(s_.dest_ip);
    if (s_.dest_port != kNull && ev.server_port == kNull) ev.server_port = s_.dest_port;
    if (s_.local_port != kNull) ev.client_port = s_.local_port;
    if (!s_.local_ip.empty()) ev.client_ip.assign(s_.local_ip);
    if (!s_.req_id.empty()) ev.request_id.assign(s_.req_id);
    ev.status = s_.status;
    if (failed) {
      client::apply_failure(c, ev);
    } else if (client::is_http_error_status(s_.status)) {
      ev.category.assign("client-failure");
      ev.kind.assign("http-error");
    } else {
      ev.category.assign("client-request");
    }
    if (!s_.thread.empty()) ev.fields.add("thread", s_.thread);
    if (!s_.logger.empty()) ev.fields.add("logger", s_.logger);
    if (!s_.err_type.empty() && s_.n_exc == 0) {
      ev.fields.add("exception", s_.err_type);
      ev.fields.add("root_exception", s_.err_type);
    }
    if (!s_.syscall.empty()) ev.fields.add("syscall", s_.syscall);
    client::extract_from_text(text_, ev, failed);
  }

 private:
  void resolve_time(Event& ev) {
    CivilTime t;
    if (!s_.time.empty()) {
      if (parse_any_time(s_.time, t)) {
        ev.ts_raw.assign(s_.time);
        ctx_.time->resolve(t, ev);
      }
      return;
    }
    if (!s_.time_number.empty()) {
      std::string_view n = s_.time_number;
      if (parse_epoch(n, t)) {
        ev.ts_raw.assign(n);
        ctx_.time->resolve(t, ev);
      }
      return;
    }
    if (s_.epoch_s != kNull) {
      char b[40];
      int k = std::snprintf(b, sizeof b, "%lld.%06lld", static_cast<long long>(s_.epoch_s),
                            static_cast<long long>((s_.nanos / 1000) % 1000000));
      if (k > 0 && parse_epoch(std::string_view(b, size_t(k)), t)) {
        ev.ts_raw.assign(b, size_t(k));
        ctx_.time->resolve(t, ev);
      }
    }
  }

  ParseContext ctx_;
  simdjson::ondemand::parser parser_;
  std::string buf_, path_, text_;
  Slots s_;
};

class ClientJsonParser : public Parser {
 public:
  std::string_view name() const override { return "client-json"; }
  std::string_view description() const override {
    return "client JSON-lines logs (Serilog CLEF, ECS, log4j2, logstash-logback, MEL JSON, pino, bunyan, zap, "
           "python-json-logger): exceptions classified, logged requests kept";
  }
  Role role() const override { return Role::client; }
  Score sniff(const SniffInput& in) const override {
    int json = 0, logish = 0, exc = 0, total = 0;
    for (std::string_view l : in.lines) {
      ++total;
      l = trim(l);
      if (l.empty() || l.front() != '{' || l.back() != '}') continue;
      ++json;
      if (l.find("\"@t\"") != std::string_view::npos || l.find("\"@timestamp\"") != std::string_view::npos ||
          l.find("\"level\"") != std::string_view::npos || l.find("\"LogLevel\"") != std::string_view::npos ||
          l.find("\"levelname\"") != std::string_view::npos || l.find("\"log.level\"") != std::string_view::npos ||
          l.find("\"@l\"") != std::string_view::npos || l.find("\"instant\"") != std::string_view::npos)
        ++logish;
      if (l.find("\"@x\"") != std::string_view::npos || l.find("\"Exception\"") != std::string_view::npos ||
          l.find("\"stack_trace\"") != std::string_view::npos || l.find("\"exc_info\"") != std::string_view::npos ||
          l.find("\"err\":{") != std::string_view::npos || l.find("\"error.type\"") != std::string_view::npos ||
          l.find("\"thrown\"") != std::string_view::npos || l.find("\"errorVerbose\"") != std::string_view::npos ||
          l.find("HttpClient") != std::string_view::npos || l.find("ECONNRESET") != std::string_view::npos)
        ++exc;
    }
    if (!json || !logish) return {};
    int score = 15 + 20 * logish / total + (exc ? 25 : 0);
    return {score, std::to_string(logish) + " of " + std::to_string(total) + " lines are JSON log objects" +
                       (exc ? ", with exception fields" : "")};
  }
  std::unique_ptr<FileParser> open(const ParseContext& ctx) const override {
    return std::make_unique<ClientJsonFile>(ctx);
  }
  const std::vector<Sample>& samples() const override {
    static const std::vector<Sample> s = {
        // Serilog CLEF (signatures.md A11)
        {R"J({"@t":"2024-05-01T10:00:00.123Z","@mt":"Request to {Uri} failed","@l":"Error","@x":"System.Net.Http.HttpRequestException: An error occurred while sending the request.\n ---> System.IO.IOException: Unable to read data from the transport connection: An existing connection was forcibly closed by the remote host..\n ---> System.Net.Sockets.SocketException (10054): An existing connection was forcibly closed by the remote host.","Uri":"https://api/x","@tr":"4bf92f3577b34da6a3ce929d0e0e4736"})J",
         {{"ts", "2024-05-01T10:00:00.123Z"},
          {"category", "client-failure"},
          {"kind", "reset"},
          {"severity", "error"},
          {"host", "api"},
          {"server_port", "443"},
          {"request_id", "4bf92f3577b34da6a3ce929d0e0e4736"},
          {"fields.wsa", "10054"},
          {"fields.exception", "System.Net.Http.HttpRequestException"},
          {"fields.root_exception", "System.Net.Sockets.SocketException"},
          {"fields.runtime", "dotnet"}}},
        // pino (A6)
        {R"J({"level":50,"time":1700000000123,"pid":1,"hostname":"h","err":{"type":"Error","message":"read ECONNRESET","stack":"Error: read ECONNRESET\n    at TCP.onStreamRead (node:internal/stream_base_commons:217:20)","errno":-104,"code":"ECONNRESET","syscall":"read"},"msg":"upstream call failed","url":"http://10.0.0.7:8080/v1/items"})J",
         {{"ts", "2023-11-14T22:13:20.123Z"},
          {"kind", "reset"},
          {"severity", "error"},
          {"server_ip", "10.0.0.7"},
          {"server_port", "8080"},
          {"fields.error_name", "ECONNRESET"},
          {"fields.errno", "104"},
          {"fields.syscall", "read"},
          {"fields.runtime", "node"}}},
        // ECS / log4j2 EcsLayout (A11)
        {R"J({"@timestamp":"2026-11-23T20:34:33.123Z","log.level":"ERROR","message":"call failed","process.thread.name":"main","log.logger":"com.example.Client","error.type":"javax.net.ssl.SSLHandshakeException","error.message":"Remote host terminated the handshake","url":{"full":"https://pay.example.com:8443/charge"},"source":{"port":50123}})J",
         {{"kind", "tls"},
          {"host", "pay.example.com"},
          {"server_port", "8443"},
          {"client_port", "50123"},
          {"fields.thread", "main"},
          {"fields.logger", "com.example.Client"},
          {"fields.exception", "javax.net.ssl.SSLHandshakeException"}}},
        // MEL JSON console (A2.3)
        {R"J({"Timestamp":"2026-11-23T20:34:33.5+00:00","EventId":0,"LogLevel":"Error","Category":"MyApp.Worker","Message":"Sync failed","Exception":"System.Net.Http.HttpRequestException: No connection could be made because the target machine actively refused it. (localhost:5001)\n ---> System.Net.Sockets.SocketException (10061): No connection could be made because the target machine actively refused it.","State":{"Message":"Sync failed"}})J",
         {{"kind", "refused"}, {"host", "localhost"}, {"server_port", "5001"}, {"fields.wsa", "10061"},
          {"fields.logger", "MyApp.Worker"}}},
        // zap (A11)
        {R"J({"level":"error","ts":1700000000.5,"logger":"client","msg":"request failed","error":"Get \"https://api.example.com/v1\": EOF"})J",
         {{"kind", "eof"}, {"method", "GET"}, {"host", "api.example.com"}, {"fields.runtime", "go"}}},
        // python-json-logger, log4j2 JsonLayout
        {R"J({"asctime":"2026-11-23 20:34:33,123","levelname":"ERROR","name":"sync","message":"failed","exc_info":"Traceback (most recent call last):\n  File \"/srv/app/x.py\", line 3, in <module>\nConnectionResetError: [Errno 104] Connection reset by peer"})J",
         {{"kind", "reset"}, {"fields.runtime", "python"}, {"fields.root_exception", "ConnectionResetError"}}},
        {R"J({"instant":{"epochSecond":1700000000,"nanoOfSecond":250000000},"thread":"main","level":"ERROR","loggerName":"c.e.C","message":"x","thrown":{"name":"java.net.SocketException","message":"Connection reset"}})J",
         {{"kind", "reset"}, {"ts", "2023-11-14T22:13:20.250Z"}, {"fields.exception", "java.net.SocketException"}}},
        // A logged successful request; an ordinary line (no event); garbage.
        {R"J({"level":"info","time":"2026-11-23T20:34:30Z","msg":"request done","method":"get","url":"https://api.example.com/v1","status":200,"localPort":51234})J",
         {{"category", "client-request"}, {"method", "GET"}, {"status", "200"}, {"client_port", "51234"}}},
        {R"J({"level":"info","time":"2026-11-23T20:34:30Z","msg":"started"})J", {{"count", "0"}}},
        {"not json at all", {{"unparsed", "1"}}},
    };
    return s;
  }
};

RSTSCOPE_REGISTER_PARSER(ClientJsonParser);

}  // namespace
}  // namespace rstscope
