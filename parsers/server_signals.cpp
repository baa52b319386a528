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
constexpr std::array<Signal, 38> kSignals{{
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
    {R"(ConnectionResetException|The client reset the request stream|Connection reset by peer)", "client-reset",
     "connection-reset"},
    {R"(uwsgi_response_write\w*\(\): Broken pipe|writev\(\) failed \(32: Broken pipe\)|Broken pipe)",
     "client-broken-pipe", "broken-pipe"},
    {R"(SIGPIPE: writing to a closed pipe/socket/fd|client (closed|disconnected))", "client-closed",
     "client-disconnected"},
    {R"(An unhandled exception (was thrown|has occurred) while executing the request|Request processing ended abnormally)",
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
    ev.message.assign(trim(msg));
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
    int total = 0, hits = 0, uwsgi = 0;
    for (std::string_view l : in.lines) {
      ++total;
      if (starts_with(l, "[pid: ") && l.find("=> generated") != std::string_view::npos) ++uwsgi;
      else if (int i = classify(l); i >= 0 && kSignals[static_cast<size_t>(i)].category == "worker-crashed") ++hits;
    }
    bool named = icontains(in.name, "gunicorn") || icontains(in.name, "uwsgi") || icontains(in.name, "kestrel") ||
                 icontains(in.name, "journal") || icontains(in.name, "daemon") || icontains(in.name, "supervisor");
    if (!total || (!hits && !uwsgi && !named)) return {};
    int score = uwsgi ? 50 + 45 * uwsgi / total : named ? 45 : 0;
    if (hits) score = std::max(score, std::min(85, 50 + 10 * hits));
    return {score, std::to_string(hits) + " of " + std::to_string(total) +
                       " lines carry server crash signals" +
                       (uwsgi ? ", " + std::to_string(uwsgi) + " are uwsgi request lines" : std::string())};
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
