// Server crash and restart signals in generic server logs (syslog/journal exports, kern.log,
// container stdout, gunicorn/uwsgi/Kestrel/Go/Java service logs) as role=server events.
//
// Every record becomes an event (time from a syslog prefix or any common timestamp at the start;
// message = the rest); the signal catalog below, matched in ONE RE2::Set pass, gives the category:
// worker-crashed (nginx "exited on signal", Go "panic:"/"fatal error:", Segmentation fault,
// OutOfMemoryError, kernel OOM killer, systemd "Main process exited, code=killed|dumped", .NET
// unhandled exceptions, gunicorn WORKER TIMEOUT, uwsgi HARAKIRI / "DAMN ! worker ... died", exit
// code 137/OOMKilled, CrashLoopBackOff), server-start / server-stop / server-signal (systemd
// Started/Stopped, gunicorn Booting worker / Shutting down, uwsgi Respawned, Kestrel "Now listening
// on"), client-reset (Kestrel ConnectionResetException, "Connection reset by peer"),
// client-broken-pipe / client-closed (uwsgi SIGPIPE / writev Broken pipe). Lines that match
// nothing keep their level as category (or "info"). uwsgi request-log lines are parsed as requests.
// Multi-line: indented lines, "goroutine N [...]:", "Caused by:", "--- End of" join their record.
#include <re2/re2.h>
#include <re2/set.h>

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "rstscope/parser.h"
#include "rstscope/text.h"
#include "syslog_common.h"

namespace rstscope {
namespace {

struct Signal {
  const char* pattern;  // RE2, unanchored
  std::string_view category;
  std::string_view signal;  // fields.signal: what kind of event
};

// Order = priority when several match (lowest index wins).
constexpr std::array<Signal, 40> kSignals{{
    {R"(exited on signal \d+)", "worker-crashed", "killed-by-signal"},
    {R"(Out of memory: Kill(ed)? process|invoked oom-killer|oom-kill:|Memory cgroup out of memory|OOMKilled)",
     "worker-crashed", "oom-killer"},
    {R"((java\.lang\.)?OutOfMemoryError)", "worker-crashed", "out-of-memory"},
    {R"(JavaScript heap out of memory|fatal error: runtime: out of memory)", "worker-crashed", "out-of-memory"},
    {R"((^|\s)panic: )", "worker-crashed", "go-panic"},
    {R"(^fatal error: |\sfatal error: (concurrent|all goroutines|unexpected signal))", "worker-crashed", "go-fatal"},
    {R"(Segmentation fault|SIGSEGV|segfault at|\(core dumped\))", "worker-crashed", "segfault"},
    {R"(SIGABRT|Aborted \(core dumped\))", "worker-crashed", "abort"},
    {R"(Main process exited, code=(killed|dumped))", "worker-crashed", "systemd-killed"},
    {R"(Main process exited, code=exited, status=[1-9])", "worker-crashed", "systemd-exit-failure"},
    {R"(Failed with result '(signal|core-dump|oom-kill|exit-code|timeout|watchdog)')", "worker-crashed",
     "systemd-failed"},
    {R"(Unhandled [Ee]xception\.|Unhandled Exception:|UnhandledExceptionEventArgs)", "worker-crashed",
     "dotnet-unhandled"},
    {R"(WORKER TIMEOUT \(pid:\s*\d+\))", "worker-crashed", "gunicorn-worker-timeout"},
    {R"(Worker \(pid:\s*\d+\) was sent SIG(KILL|ABRT)|Worker with pid \d+ was terminated due to signal)",
     "worker-crashed", "gunicorn-worker-killed"},
    {R"(HARAKIRI)", "worker-crashed", "uwsgi-harakiri"},
    {R"(DAMN ! worker \d+ \(pid: \d+\) died)", "worker-crashed", "uwsgi-worker-died"},
    {R"(exit(ed)? (with )?code[ =:]*(137|139|134))", "worker-crashed", "exit-code"},
    {R"(Back-off restarting failed container|CrashLoopBackOff)", "worker-crashed", "crash-loop"},
    {R"(Scheduled restart job, restart counter is at \d+)", "server-start", "systemd-restart"},
    {R"(Respawned uWSGI worker|respawned|Booting worker with pid)", "server-start", "worker-respawn"},
    // Kestrel's own connection log (Microsoft.AspNetCore.Server.Kestrel.* LoggerMessage texts): the
    // transport saw the client's RST; the min-data-rate guard aborted a client too slow to send or read.
    {R"(Connection id "[^"]*" reset\.)", "client-reset", "kestrel-connection-reset"},
    {R"(not (sent|read) by the client at (a|the specified) minimum)", "client-timeout", "kestrel-min-data-rate"},
    {R"(ConnectionResetException|The client reset the request stream|Connection reset by peer)", "client-reset",
     "connection-reset"},
    {R"(uwsgi_response_write\w*\(\): Broken pipe|writev\(\) failed \(32: Broken pipe\)|Broken pipe)",
     "client-broken-pipe", "broken-pipe"},
    {R"(SIGPIPE: writing to a closed pipe/socket/fd|client (closed|disconnected))", "client-closed",
     "client-disconnected"},
    {R"(An unhandled exception (was thrown|has occurred) while executing the request|[Rr]equest processing ended abnormally)",
     "server-error", "request-exception"},
    {R"(bad request data|BadHttpRequestException)", "bad-request", "bad-request"},
    {R"(Main process exited, code=exited, status=0)", "server-stop", "systemd-exit"},
    {R"(Handling signal: |received signal|Caught SIG|SIGTERM|SIGHUP|SIGINT)", "server-signal", "signal"},
    {R"(Shutting down: Master|Application is shutting down|Worker exiting \(pid|gracefully (stopping|shutting))",
     "server-stop", "shutdown"},
    {R"(worker \d+ buried after|goodbye to uWSGI|Stopped |Stopping )", "server-stop", "stop"},
    {R"(Starting gunicorn|Listening at: |Now listening on: |Application started\.|\*\*\* Starting uWSGI|Started )",
     "server-start", "start"},
    {R"(Starting )", "server-start", "starting"},
    {R"(Deactivated successfully)", "server-stop", "stop"},
    {R"(Killed process \d+)", "worker-crashed", "killed"},
    {R"(traps: .* general protection)", "worker-crashed", "segfault"},
    {R"(terminate called after throwing)", "worker-crashed", "abort"},
    {R"(Fatal Python error)", "worker-crashed", "python-fatal"},
    {R"(MemoryError)", "worker-crashed", "out-of-memory"},
    {R"(too many open files|Too many open files)", "conn-limited", "fd-exhausted"},
}};

const RE2::Set& signal_set() {
  static const std::unique_ptr<RE2::Set> set = [] {
    RE2::Options opt;
    opt.set_log_errors(false);
    auto s = std::make_unique<RE2::Set>(opt, RE2::UNANCHORED);
    for (const Signal& sig : kSignals) {
      std::string err;
      s->Add(sig.pattern, &err);  // patterns are constants; a bad one shows up in the samples test
    }
    s->Compile();
    return s;
  }();
  return *set;
}

// Index of the highest-priority signal matching `text`, -1 if none.
int classify(std::string_view text) {
  std::vector<int> hits;
  if (!signal_set().Match(text, &hits) || hits.empty()) return -1;
  int best = hits[0];
  for (int h : hits) best = std::min(best, h);
  return best;
}

// "Sun Mar 13 22:49:12 2016" (ctime, uwsgi) -> civil time; bytes consumed or 0.
size_t parse_ctime(std::string_view s, CivilTime& c) {
  if (s.size() < 24 || s[3] != ' ') return 0;
  CivilTime t;
  size_t n = parse_syslog_time(s.substr(4), t);  // "Mar 13 22:49:12"
  if (!n || 4 + n + 5 > s.size() || s[4 + n] != ' ') return 0;
  int64_t year;
  if (!parse_int(s.substr(4 + n + 1, 4), year)) return 0;
  t.year = static_cast<int>(year);
  c = t;
  return 4 + n + 5;
}

std::string_view level_word(std::string_view m) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 12> kLevels{{
      {"CRITICAL", "crit"}, {"FATAL", "crit"}, {"ERROR", "error"}, {"[error]", "error"}, {"WARNING", "warn"},
      {"WARN", "warn"}, {"[warn]", "warn"}, {"NOTICE", "notice"}, {"INFO", "info"}, {"[info]", "info"},
      {"DEBUG", "debug"}, {"fail:", "error"},
  }};
  std::string_view head = m.substr(0, 64);
  for (const auto& [w, lvl] : kLevels)
    if (head.find(w) != std::string_view::npos) return lvl;
  return {};
}

// Microsoft.Extensions.Logging console level ("info: ", "fail: " ...) -> severity word, "" if none.
std::string_view mel_level(std::string_view m) {
  if (m.size() < 6 || m[4] != ':' || m[5] != ' ') return {};
  std::string_view p = m.substr(0, 4);
  if (p == "info") return "info";
  if (p == "warn") return "warn";
  if (p == "fail") return "error";
  if (p == "crit") return "crit";
  if (p == "dbug") return "debug";
  if (p == "trce") return "trace";
  return {};
}

// "Microsoft.AspNetCore.Server.Kestrel.Connections[19]" at the start of m: the MEL category and
// event id. Consumes it (and the space after it) from m.
bool take_logger(std::string_view& m, Event& ev) {
  size_t open = m.find('[');
  if (open == std::string_view::npos || open == 0 || open > 160) return false;
  std::string_view name = m.substr(0, open);
  if (name.find(' ') != std::string_view::npos || name.find('.') == std::string_view::npos) return false;
  size_t close = m.find(']', open);
  int64_t id;
  if (close == std::string_view::npos || !parse_int(m.substr(open + 1, close - open - 1), id)) return false;
  ev.fields.add("logger", name);
  ev.fields.add("event_id", id);
  m = trim(m.substr(close + 1));
  return true;
}

// Kestrel: 'Connection id "0HMAB"[, Request id "0HMAB:00000002"]' -> conn_id, request_id.
void kestrel_ids(std::string_view text, Event& ev) {
  auto quoted_after = [&](std::string_view key) -> std::string_view {
    size_t at = text.find(key);
    if (at == std::string_view::npos) return {};
    std::string_view v = text.substr(at + key.size());
    size_t end = v.find('"');
    return end == std::string_view::npos || end > 64 ? std::string_view{} : v.substr(0, end);
  };
  std::string_view c = quoted_after("Connection id \""), r = quoted_after("Request id \"");
  if (!c.empty()) ev.conn_id.assign(c);
  if (!r.empty()) ev.request_id.assign(r);
}

bool kestrel_line(std::string_view l) {
  return l.find("Microsoft.AspNetCore.Server.Kestrel") != std::string_view::npos ||
         l.find("Connection id \"") != std::string_view::npos;
}

class ServerSignalsFile : public FileParser {
 public:
  explicit ServerSignalsFile(const ParseContext& ctx) : ctx_(ctx) {}

  void record(const Record& rec, Emitter& out) override {
    std::string_view text = rec.text;
    if (trim(text).empty()) return;  // a blank line holds nothing to keep
    std::string_view first = text.substr(0, text.find('\n'));
    Event& ev = out.event();
    ev.role = Role::server;
    syslog::Prefix p;
    std::string_view msg;
    if (syslog::split(first, p) && p.has_time) {
      ev.ts_raw.assign(p.time_text);
      ctx_.time->resolve(p.time, ev);
      if (!p.host.empty()) ev.fields.add("host", p.host);
      if (!p.app.empty()) ev.fields.add("program", p.app);
      if (!p.pid.empty()) ev.fields.add("pid", p.pid);
      if (p.severity >= 0) ev.severity.assign(syslog::severity_name(p.severity));
      msg = p.message;
    } else if (starts_with(first, "[pid: ")) {
      uwsgi_request(first, ev);
      return;
    } else {
      CivilTime c;
      size_t n = parse_any_time(first, c);
      if (n) {
        ev.ts_raw.assign(first.substr(0, n));
        ctx_.time->resolve(c, ev);
        msg = trim(first.substr(n));
      } else {
        msg = first;
      }
    }
    msg = trim(msg);
    // Microsoft.Extensions.Logging console: "info: Category[EventId]" then the message on the
    // next, indented line (or on the same line with the single-line formatter).
    if (std::string_view lvl = mel_level(msg); !lvl.empty()) {
      if (ev.severity.empty()) ev.severity.assign(lvl);
      msg = trim(msg.substr(6));
      if (take_logger(msg, ev) && msg.empty() && first.size() < text.size()) {
        std::string_view next = text.substr(first.size() + 1);
        msg = trim(next.substr(0, next.find('\n')));
      }
    } else {
      // Serilog / NLog style "[DBG] Microsoft.AspNetCore.Server.Kestrel.Connections[19] ..." or a
      // level word before the category.
      std::string_view m = msg;
      if (m.size() > 7 && (m[0] == '+' || m[0] == '-') && m[1] >= '0' && m[1] <= '9' && m.find(' ') < 8)
        m = trim(m.substr(m.find(' ')));  // " +00:00" after the time (Serilog text sinks)
      if (!m.empty() && m[0] == '[') {
        size_t close = m.find("] ");
        if (close != std::string_view::npos && close < 12) m = trim(m.substr(close + 2));
      }
      if (take_logger(m, ev)) msg = m;
    }
    if (msg.find("Connection id \"") != std::string_view::npos) kestrel_ids(msg, ev);
    ev.message.assign(msg);
    if (ev.severity.empty()) ev.severity.assign(level_word(msg));
    // The whole record (with its trace lines) is classified: "panic:" may sit on line 1, the
    // exception type on line 2.
    int idx = classify(text);
    if (idx >= 0) {
      const Signal& s = kSignals[static_cast<size_t>(idx)];
      ev.category.assign(s.category);
      ev.fields.add("signal", s.signal);
    } else {
      ev.category.assign(ev.severity.empty() ? std::string_view("info") : std::string_view(ev.severity));
    }
  }

 private:
  // [pid: 88185|app: 0|req: 1/1] 127.0.0.1 () {38 vars in 696 bytes} [Sun Mar 13 22:49:12 2016]
  //   POST /update_metrics => generated 47 bytes in 129 msecs (HTTP/1.1 200) 9 headers in 378 bytes ...
  void uwsgi_request(std::string_view l, Event& ev) {
    size_t close = l.find("] ");
    std::string_view rest = close == std::string_view::npos ? std::string_view{} : l.substr(close + 2), tok;
    ev.fields.add("program", "uwsgi");
    ev.message.assign(l);
    ev.category.assign("request");
    if (next_token(rest, tok)) ev.client_ip.assign(tok);
    size_t tb = rest.find("} [");
    if (tb != std::string_view::npos) {
      CivilTime c;
      std::string_view t = rest.substr(tb + 3);
      size_t n = parse_ctime(t, c);
      if (n) {
        ev.ts_raw.assign(t.substr(0, n));
        ctx_.time->resolve(c, ev);
        rest = n < t.size() ? t.substr(n + 1) : std::string_view{};
      }
    }
    if (next_token(rest, tok)) ev.method.assign(tok);
    if (next_token(rest, tok)) ev.path.assign(tok);
    size_t g = rest.find("generated ");
    int64_t v;
    if (g != std::string_view::npos) {
      std::string_view r = rest.substr(g + 10);
      if (next_token(r, tok) && parse_int(tok, v)) ev.bytes = v;
      std::string_view unit;
      if (next_token(r, tok) && next_token(r, tok) && next_token(r, tok) && parse_int(tok, v) &&
          next_token(r, unit))
        ev.duration_us = unit == "msecs" ? v * 1000 : unit == "micros" ? v : v * 1000000;
    }
    size_t h = rest.find("(HTTP/");
    if (h != std::string_view::npos) {
      std::string_view r = rest.substr(h + 1);
      if (next_token(r, tok)) ev.protocol.assign(tok);
      if (next_token(r, tok)) {
        if (!tok.empty() && tok.back() == ')') tok.remove_suffix(1);
        if (parse_int(tok, v)) ev.status = v;
      }
    }
    if (ev.status >= 500) ev.category.assign("server-error");
  }

  ParseContext ctx_;
};

bool is_continuation(std::string_view l) {
  if (l.empty()) return true;  // blank lines inside a trace (Go panics) stay with it
  if (l[0] == ' ' || l[0] == '\t') return true;
  // An exception line without its own time: "Microsoft.AspNetCore.Connections.ConnectionResetException: ..."
  size_t ex = l.substr(0, 160).find("Exception");
  if (ex != std::string_view::npos && ((l[0] >= 'A' && l[0] <= 'Z') || (l[0] >= 'a' && l[0] <= 'z')) &&
      l.substr(0, ex).find(' ') == std::string_view::npos)
    return true;
  // Go frame "main.main()" / "net/http.(*conn).serve(0xc000)" (its file line is indented)
  size_t paren = l.find('(');
  if (paren != std::string_view::npos && paren > 0 && l.back() == ')' &&
      l.substr(0, paren).find(' ') == std::string_view::npos && l.substr(0, paren).find('.') != std::string_view::npos)
    return true;
  return starts_with(l, "goroutine ") || starts_with(l, "Caused by:") || starts_with(l, "--- End of") ||
         starts_with(l, "created by ") || starts_with(l, "Traceback (most recent") || starts_with(l, "[signal ");
}

class ServerSignalsParser : public Parser {
 public:
  std::string_view name() const override { return "server-signals"; }
  std::string_view description() const override {
    return "crash/restart signals in generic server logs: exited on signal, Go panic, segfault, OOM killer, "
           "systemd, .NET unhandled, Kestrel resets, gunicorn/uwsgi worker timeouts (uwsgi request log too)";
  }
  Role role() const override { return Role::server; }
  bool joins_lines() const override { return true; }
  bool continues(std::string_view line) const override { return is_continuation(line); }
  Score sniff(const SniffInput& in) const override {
    int total = 0, hits = 0, uwsgi = 0, kestrel = 0, http_client = 0;
    for (std::string_view l : in.lines) {
      ++total;
      if (starts_with(l, "[pid: ") && l.find("=> generated") != std::string_view::npos) ++uwsgi;
      else if (int i = classify(l); i >= 0 && kSignals[static_cast<size_t>(i)].category == "worker-crashed") ++hits;
      if (kestrel_line(l)) ++kestrel;
      // An ASP.NET service that also calls others logs its HttpClient requests and failures: that
      // log is a client's (client-app-log), whatever Kestrel says in it.
      if (l.find("System.Net.Http.HttpClient") != std::string_view::npos ||
          l.find("Net.Http.HttpRequestException") != std::string_view::npos)  // not Kestrel's BadHttpRequestException
        ++http_client;
    }
    bool named = icontains(in.name, "gunicorn") || icontains(in.name, "uwsgi") || icontains(in.name, "kestrel") ||
                 icontains(in.name, "journal") || icontains(in.name, "daemon") || icontains(in.name, "supervisor");
    bool server_log = kestrel > 0 && !http_client;
    if (!total || (!hits && !uwsgi && !named && !server_log)) return {};
    int score = uwsgi ? 50 + 45 * uwsgi / total : named ? 45 : 0;
    if (hits) score = std::max(score, std::min(85, 50 + 10 * hits));
    // Above client-app-log (at most 65), which would keep only the lifecycle lines of it.
    if (server_log) score = std::max(score, std::min(85, 66 + 4 * kestrel));
    std::string why = std::to_string(hits) + " of " + std::to_string(total) + " lines carry server crash signals";
    if (uwsgi) why += ", " + std::to_string(uwsgi) + " are uwsgi request lines";
    if (server_log) why += ", " + std::to_string(kestrel) + " are Kestrel connection lines";
    return {score, why};
  }
  std::unique_ptr<FileParser> open(const ParseContext& ctx) const override {
    return std::make_unique<ServerSignalsFile>(ctx);
  }
  const std::vector<Sample>& samples() const override {
    static const std::vector<Sample> s = {
        {"2026/11/23 20:21:40 [alert] 30975#30975: worker process 30977 exited on signal 11 (core dumped)",
         {{"category", "worker-crashed"}, {"fields.signal", "killed-by-signal"}, {"role", "server"},
          {"ts", "2026-11-23T20:21:40.000Z"}}},
        {"Nov 23 20:21:40 web1 kernel: [12345.678] Out of memory: Killed process 4242 (python3) total-vm:2048000kB",
         {{"category", "worker-crashed"}, {"fields.signal", "oom-killer"}, {"fields.program", "kernel"}}},
        {"Nov 23 20:21:41 web1 systemd[1]: api.service: Main process exited, code=killed, status=9/KILL",
         {{"category", "worker-crashed"}, {"fields.signal", "systemd-killed"}}},
        {"Nov 23 20:21:42 web1 systemd[1]: api.service: Scheduled restart job, restart counter is at 3.",
         {{"category", "server-start"}, {"fields.signal", "systemd-restart"}}},
        {"panic: runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: segmentation "
         "violation code=0x1 addr=0x0 pc=0x4a1b2c]\n\ngoroutine 1 [running]:\nmain.main()\n\t/srv/app/main.go:12 "
         "+0x1d",
         {{"category", "worker-crashed"}, {"fields.signal", "go-panic"}, {"count", "1"}}},
        {"[2026-11-23 20:21:43 +0000] [4711] [CRITICAL] WORKER TIMEOUT (pid:4712)",
         {{"category", "worker-crashed"}, {"fields.signal", "gunicorn-worker-timeout"}, {"severity", "crit"},
          {"ts", "2026-11-23T20:21:43.000Z"}}},
        {"[2026-11-23 20:21:44 +0000] [4711] [INFO] Booting worker with pid: 4713",
         {{"category", "server-start"}}},
        {"Mon Nov 23 20:21:45 2026 - *** HARAKIRI ON WORKER 2 (pid: 5101, try: 1) ***",
         {{"category", "worker-crashed"}, {"fields.signal", "uwsgi-harakiri"}}},
        {"DAMN ! worker 1 (pid: 5100) died, killed by signal 9 :( trying respawn ...",
         {{"category", "worker-crashed"}, {"fields.signal", "uwsgi-worker-died"}}},
        {"Unhandled exception. System.InvalidOperationException: boom\n   at Program.Main(String[] args) in "
         "/srv/app/Program.cs:line 5",
         {{"category", "worker-crashed"}, {"fields.signal", "dotnet-unhandled"}}},
        {"2026-11-23 20:21:46.123 +00:00 [DBG] Connection id \"0HN1\" communication error.\n"
         "Microsoft.AspNetCore.Connections.ConnectionResetException: Connection reset by peer",
         {{"category", "client-reset"}, {"ts", "2026-11-23T20:21:46.123Z"}}},
        // Kestrel's own connection log, MEL console layout (category line, indented message)
        {"dbug: Microsoft.AspNetCore.Server.Kestrel.Connections[19]\n      Connection id \"0HMAB\" reset.",
         {{"category", "client-reset"}, {"fields.signal", "kestrel-connection-reset"}, {"conn_id", "0HMAB"},
          {"severity", "debug"}, {"message", "Connection id \"0HMAB\" reset."},
          {"fields.logger", "Microsoft.AspNetCore.Server.Kestrel.Connections"}, {"fields.event_id", "19"},
          {"count", "1"}, {"role", "server"}}},
        {"2026-11-23 20:34:33.123 +00:00 [DBG] Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets[19] Connection id "
         "\"0HMAC\" reset.",
         {{"category", "client-reset"}, {"conn_id", "0HMAC"}, {"ts", "2026-11-23T20:34:33.123Z"},
          {"fields.event_id", "19"}}},
        {"info: Microsoft.AspNetCore.Server.Kestrel[28]\n      Connection id \"0HMAD\", Request id \"0HMAD:00000002\": "
         "the connection was closed because the response was not read by the client at the specified minimum data "
         "rate.",
         {{"category", "client-timeout"}, {"fields.signal", "kestrel-min-data-rate"}, {"conn_id", "0HMAD"},
          {"request_id", "0HMAD:00000002"}, {"severity", "info"}}},
        {"info: Microsoft.AspNetCore.Server.Kestrel[27]\n      Connection id \"0HMAE\", Request id \"0HMAE:00000001\": "
         "the request timed out because it was not sent by the client at a minimum of 240 bytes/second.",
         {{"category", "client-timeout"}, {"fields.signal", "kestrel-min-data-rate"}}},
        {"dbug: Microsoft.AspNetCore.Server.Kestrel.BadRequests[17]\n      Connection id \"0HMAF\" bad request data: "
         "\"Invalid request line: 'GET / HTTP/1.1\\x0D'\"\n      Microsoft.AspNetCore.Server.Kestrel.Core."
         "BadHttpRequestException: Invalid request line: 'GET / HTTP/1.1\\x0D'",
         {{"category", "bad-request"}, {"conn_id", "0HMAF"}, {"fields.event_id", "17"}}},
        {"Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space",
         {{"category", "worker-crashed"}, {"fields.signal", "out-of-memory"}}},
        // tstack/lnav test fixture (uwsgi request log)
        {"[pid: 88185|app: 0|req: 1/1] 127.0.0.1 () {38 vars in 696 bytes} [Sun Mar 13 22:49:12 2016] POST "
         "/update_metrics => generated 47 bytes in 129 msecs (HTTP/1.1 200) 9 headers in 378 bytes (1 switches on "
         "core 3)",
         {{"category", "request"}, {"ts", "2016-03-13T22:49:12.000Z"}, {"client_ip", "127.0.0.1"},
          {"method", "POST"}, {"path", "/update_metrics"}, {"status", "200"}, {"bytes", "47"},
          {"duration_us", "129000"}}},
        {"Nov 23 20:21:47 web1 app[99]: just a normal line", {{"category", "info"}}},
    };
    return s;
  }
};

RSTSCOPE_REGISTER_PARSER(ServerSignalsParser);

}  // namespace
}  // namespace rstscope
