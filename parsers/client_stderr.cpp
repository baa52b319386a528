// client-stderr: what a client program printed when it died or reported, with no timestamps:
// Python tracebacks (chained with "During handling of the above exception" / "The above
// exception was the direct cause"), Java "Exception in thread" + "Caused by:", Node's
// "node:events:NNN ... throw er" block with its "{ errno, code }" trailer and undici [cause],
// .NET "Unhandled exception." traces, PowerShell error records, Go one-line errors and panics,
// and tiny result lines a script prints ("502 '<html>...'", "status 200").
// The whole capture is one Record (whole_file); this parser groups it into exceptions itself,
// because whether "Traceback (most recent call last):" starts a new record depends on the line
// before it. One exception (with its whole chain) is one event; ts is null (the text has no
// time). A capture with nothing recognisable is counted once as unparsed.
#include <string>

#include "client_common.h"
#include "rstscope/parser.h"
#include "rstscope/text.h"

namespace rstscope {
namespace {

bool indented(std::string_view l) { return !l.empty() && (l[0] == ' ' || l[0] == '\t'); }

bool chain_line(std::string_view l) {
  return starts_with(l, "During handling of the above exception") ||
         starts_with(l, "The above exception was the direct cause");
}

// Lines that always belong to the record before them.
bool continuation_marker(std::string_view l) {
  return starts_with(l, "Caused by:") || starts_with(l, "Suppressed:") || chain_line(l) ||
         starts_with(l, "--- End of") || starts_with(l, "---> ") || starts_with(l, "Emitted 'error' event") ||
         starts_with(l, "Node.js v") || l == "}" || l == "{" || starts_with(l, "At line:") || starts_with(l, "+ ") ||
         l == "+" || starts_with(l, "... ") || starts_with(l, "goroutine ") || starts_with(l, "exit status ");
}

bool strong_start(std::string_view l) {
  return starts_with(l, "Traceback (most recent call last):") || starts_with(l, "Exception in thread ") ||
         starts_with(l, "Unhandled exception.") || starts_with(l, "Unhandled Exception:") ||
         (starts_with(l, "node:") && l.size() > 5 && l.find(' ') == std::string_view::npos) ||
         starts_with(l, "panic: ") || starts_with(l, "Invoke-WebRequest") || starts_with(l, "Invoke-RestMethod") ||
         starts_with(l, "fatal error: ");
}

// "502 '<html>...'", "200 'hello\n'", "status 200", "HTTP 503"
int64_t status_line(std::string_view l) {
  std::string_view s = l;
  if (starts_with(s, "status ")) s.remove_prefix(7);
  else if (starts_with(s, "HTTP ")) s.remove_prefix(5);
  if (s.size() < 3 || s[0] < '1' || s[0] > '5' || s[1] < '0' || s[1] > '9' || s[2] < '0' || s[2] > '9') return kNull;
  if (s.size() > 3 && s[3] != ' ') return kNull;
  if (s.size() > 3 && s.size() > 4 && s[4] != '\'' && s[4] != '"' && s[4] != 'b' && l.size() == s.size()) return kNull;
  return (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
}

enum class State { none, python_frames, python_done, node_prelude, node_body, block };

class ClientStderrFile : public FileParser {
 public:
  explicit ClientStderrFile(const ParseContext& ctx) : ctx_(ctx) {}

  void record(const Record& rec, Emitter& out) override {
    std::string_view text = rec.text;
    emitted_ = 0;
    size_t pos = 0;
    int64_t line_no = rec.line;
    size_t rec_begin = 0, rec_end = 0;
    int64_t rec_line = 0, rec_last = 0;
    bool open = false;
    State st = State::none;
    std::string_view prev_nonblank;
    auto close = [&]() {
      if (open) emit_block(text.substr(rec_begin, rec_end - rec_begin), rec_line, rec_last - rec_line + 1,
                           rec.offset + int64_t(rec_begin), out);
      open = false;
      st = State::none;
    };
    while (pos < text.size()) {
      size_t nl = text.find('\n', pos);
      if (nl == std::string_view::npos) nl = text.size();
      std::string_view l = text.substr(pos, nl - pos);
      if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
      size_t lbeg = pos;
      pos = nl + 1;
      int64_t this_line = line_no++;
      if (trim(l).empty()) continue;
      bool start = false;
      if (!open) {
        start = true;
      } else if (starts_with(l, "Traceback (most recent call last):")) {
        start = !chain_line(prev_nonblank);
      } else if (strong_start(l)) {
        start = true;
      } else if (indented(l) || continuation_marker(l)) {
        start = false;
      } else if (st == State::python_frames) {
        st = State::python_done;  // the exception line ends the traceback
      } else if (st == State::node_prelude) {
        st = State::node_body;  // "Error: read ECONNRESET" after "node:events:502 ... ^"
      } else if (status_line(l) != kNull) {
        start = true;
      } else {
        start = true;
      }
      if (start) {
        close();
        open = true;
        rec_begin = lbeg;
        rec_line = this_line;
        if (starts_with(l, "Traceback (")) st = State::python_frames;
        else if (starts_with(l, "node:")) st = State::node_prelude;
        else st = State::block;
      } else if (starts_with(l, "Traceback (")) {
        st = State::python_frames;
      }
      rec_end = lbeg + l.size();
      rec_last = this_line;
      prev_nonblank = l;
    }
    close();
    if (emitted_ == 0 && !trim(text).empty()) out.unparsed("no client failure or request in this capture");
  }

 private:
  void emit_block(std::string_view block, int64_t line, int64_t count, int64_t offset, Emitter& out) {
    client::Classification c;
    bool failed = client::classify(block, c);
    int64_t status = kNull;
    if (!failed) {
      size_t nl = block.find('\n');
      status = status_line(block.substr(0, nl));
      if (status == kNull) return;
    }
    Event& ev = out.event();
    ev.role = Role::client;
    ev.line = line;
    ev.line_count = count;
    ev.offset = offset;
    ev.raw.assign(block);
    if (failed) {
      client::apply_failure(c, ev);
      ev.message.assign(summary(block));
    } else {
      ev.status = status;
      if (client::is_http_error_status(status)) {
        ev.category.assign("client-failure");
        ev.kind.assign("http-error");
      } else {
        ev.category.assign("client-request");
      }
      size_t nl = block.find('\n');
      ev.message.assign(block.substr(0, std::min<size_t>(nl, 512)));
    }
    client::extract_from_text(block, ev, failed);
    ++emitted_;
  }

  // The line that states the failure: the last exception line of a Python traceback, the
  // first line of anything else (Node: the first line after the prelude).
  static std::string_view summary(std::string_view b) {
    std::string_view best;
    size_t pos = 0;
    bool python = starts_with(b, "Traceback (");
    bool node = starts_with(b, "node:");
    bool after_blank = false;
    while (pos < b.size()) {
      size_t nl = b.find('\n', pos);
      if (nl == std::string_view::npos) nl = b.size();
      std::string_view l = b.substr(pos, nl - pos);
      pos = nl + 1;
      if (trim(l).empty()) {
        after_blank = true;
        continue;
      }
      if (python) {
        if (!indented(l) && !starts_with(l, "Traceback (") && !chain_line(l)) best = l;
      } else if (node) {
        if (after_blank && !indented(l)) return l.substr(0, 512);
      } else {
        return l.substr(0, 512);
      }
    }
    if (best.empty()) best = b.substr(0, b.find('\n'));
    return best.substr(0, 512);
  }

  ParseContext ctx_;
  int emitted_ = 0;
};

class ClientStderrParser : public Parser {
 public:
  std::string_view name() const override { return "client-stderr"; }
  std::string_view description() const override {
    return "client stderr/stdout captures without timestamps (Python, Java, Node, .NET, Go, PowerShell traces, "
           "result lines): one event per exception, ts null";
  }
  Role role() const override { return Role::client; }
  bool whole_file() const override { return true; }
  Score sniff(const SniffInput& in) const override {
    int strong = 0, frames = 0, status = 0, timed = 0;
    for (std::string_view l : in.lines) {
      CivilTime when;
      if (!l.empty() && ((l[0] >= '0' && l[0] <= '9') || l[0] == '[') && parse_any_time(l, when)) ++timed;
      if (strong_start(l)) ++strong;
      std::string_view t = trim(l);
      if (starts_with(t, "at ") || starts_with(t, "File \"") || starts_with(l, "Caused by:")) ++frames;
      if (status_line(l) != kNull && l.size() < 200) ++status;
    }
    bool capture_name = in.name.find("stderr") != std::string_view::npos ||
                        in.name.find("stdout") != std::string_view::npos || ends_with(in.name, ".err") ||
                        ends_with(in.name, ".out");
    // A timestamped log that contains tracebacks belongs to client-app-log (it keeps the times).
    if (timed >= 2) return {};
    if (strong) return {70 + (capture_name ? 10 : 0), "an unhandled exception/traceback block"};
    if (frames >= 2) return {30 + (capture_name ? 20 : 0), "stack-frame lines without timestamps"};
    if (status && capture_name && in.lines.size() <= 3) return {40, "a client's status result line"};
    return {};
  }
  std::unique_ptr<FileParser> open(const ParseContext& ctx) const override {
    return std::make_unique<ClientStderrFile>(ctx);
  }
  const std::vector<Sample>& samples() const override {
    static const std::vector<Sample> s = {
        // Real (shared/corpus/client_python): requests, chained, one event.
        {"Traceback (most recent call last):\n"
         "  File \"/usr/local/lib/python3.11/http/client.py\", line 286, in _read_status\n"
         "    line = str(self.fp.readline(_MAXLINE + 1), \"iso-8859-1\")\n"
         "ConnectionResetError: [Errno 104] Connection reset by peer\n"
         "\n"
         "During handling of the above exception, another exception occurred:\n"
         "\n"
         "Traceback (most recent call last):\n"
         "  File \"/usr/local/lib/python3.11/site-packages/requests/adapters.py\", line 711, in send\n"
         "    raise ConnectionError(err, request=request)\n"
         "requests.exceptions.ConnectionError: ('Connection aborted.', ConnectionResetError(104, 'Connection reset by "
         "peer'))",
         {{"count", "1"},
          {"kind", "reset"},
          {"line", "1"},
          {"line_count", "11"},
          {"ts", ""},
          {"fields.errno", "104"},
          {"fields.error_name", "ECONNRESET"},
          {"fields.exception", "requests.exceptions.ConnectionError"},
          {"fields.root_exception", "ConnectionResetError"},
          {"fields.runtime", "python"},
          {"message", "requests.exceptions.ConnectionError: ('Connection aborted.', ConnectionResetError(104, "
                      "'Connection reset by peer'))"}}},
        // Real (client_node): node http, "socket hang up" carries ECONNRESET but means eof.
        {"node:events:502\n"
         "      throw er; // Unhandled 'error' event\n"
         "      ^\n"
         "\n"
         "Error: socket hang up\n"
         "    at Socket.socketOnEnd (node:_http_client:528:25)\n"
         "Emitted 'error' event on ClientRequest instance at:\n"
         "    at emitErrorEvent (node:_http_client:101:11) {\n"
         "  code: 'ECONNRESET'\n"
         "}\n"
         "\n"
         "Node.js v20.20.2",
         {{"count", "1"}, {"kind", "eof"}, {"fields.runtime", "node"}, {"message", "Error: socket hang up"},
          {"line_count", "12"}}},
        // Real (client_node): undici fetch with local and remote ends.
        {"TypeError: fetch failed\n"
         "    at node:internal/deps/undici/undici:14976:13 {\n"
         "  [cause]: SocketError: other side closed\n"
         "    code: 'UND_ERR_SOCKET',\n"
         "    socket: {\n"
         "      localAddress: '127.0.0.1',\n"
         "      localPort: 36066,\n"
         "      remoteAddress: '127.0.0.1',\n"
         "      remotePort: 18086,\n"
         "    },\n"
         "  }\n"
         "}",
         {{"count", "1"}, {"kind", "eof"}, {"client_port", "36066"}, {"client_ip", "127.0.0.1"},
          {"server_port", "18086"}, {"fields.root_exception", "SocketError"}, {"fields.exception", "TypeError"}}},
        // Real (client_java): java.net.http, root cause decides.
        {"Exception in thread \"main\" java.io.IOException: HTTP/1.1 header parser received no bytes\n"
         "\tat java.net.http/jdk.internal.net.http.HttpClientImpl.send(HttpClientImpl.java:591)\n"
         "Caused by: java.io.IOException: HTTP/1.1 header parser received no bytes\n"
         "Caused by: java.net.SocketException: Connection reset\n"
         "\tat java.base/sun.nio.ch.SocketChannelImpl.throwConnectionReset(SocketChannelImpl.java:394)\n"
         "\t... 9 more",
         {{"count", "1"}, {"kind", "reset"}, {"fields.exception", "java.io.IOException"},
          {"fields.root_exception", "java.net.SocketException"}, {"fields.runtime", "java"}}},
        // Go one-liners: two records.
        {"Get \"https://api.example.com/v1\": EOF\n"
         "Post \"https://api.example.com/v1\": write tcp 10.0.0.5:51234->93.184.216.34:443: write: broken pipe",
         {{"count", "2"}, {"kind", "broken-pipe"}, {"method", "POST"}, {"client_port", "51234"}, {"line", "2"}}},
        // A script's result line (client_python stdout).
        {"502 '<html><body><h1>502 Bad Gateway</h1>\\nThe server returned an '",
         {{"count", "1"}, {"kind", "http-error"}, {"status", "502"}}},
        {"200 'hello\\n'", {{"count", "1"}, {"category", "client-request"}, {"status", "200"}}},
        {"<html><head><title>x</title></head></html>", {{"unparsed", "1"}}},
    };
    return s;
  }
};

RSTSCOPE_REGISTER_PARSER(ClientStderrParser);

}  // namespace
}  // namespace rstscope
