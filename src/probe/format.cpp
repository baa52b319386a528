// Rendering of probe steps: the `--log FILE` line (parsed back by parsers/probe_log.cpp) and the
// readable terminal line.
#include <cstdio>

#include "probe/probe.h"
#include "rstscope/timeutil.h"

namespace rstscope::probe {
namespace {

bool needs_quotes(std::string_view v) {
  if (v.empty()) return true;
  for (char c : v)
    if (c == ' ' || c == '"' || c == '=' || c == '\\' || static_cast<unsigned char>(c) < 0x20) return true;
  return false;
}

void append_kv(std::string& out, std::string_view key, std::string_view value) {
  out += ' ';
  out += key;
  out += '=';
  if (!needs_quotes(value)) {
    out += value;
    return;
  }
  out += '"';
  for (char c : value) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
    } else {
      out += c;
    }
  }
  out += '"';
}

std::string ms_text(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", ms);
  return buf;
}

}  // namespace

std::string format_log_line(const Step& s, std::string_view run, std::string_view target) {
  std::string out = format_iso_ms(s.wall_us);
  out += ' ';
  out += kLogTag;
  append_kv(out, "run", run);
  append_kv(out, "conn", std::to_string(s.conn));
  append_kv(out, "step", s.name);
  append_kv(out, "target", target);
  append_kv(out, "result", s.result);
  append_kv(out, "elapsed_ms", ms_text(s.elapsed_ms));
  if (!s.local.empty()) append_kv(out, "local", s.local);
  if (!s.remote.empty()) append_kv(out, "remote", s.remote);
  if (!s.kind.empty()) append_kv(out, "kind", s.kind);
  if (!s.error_name.empty()) {
    append_kv(out, "errno", std::to_string(s.err));
    append_kv(out, "error", s.error_name);
    if (s.wsa) append_kv(out, "wsa", std::to_string(s.wsa));
  }
  if (!s.close.empty()) append_kv(out, "close", s.close);
  for (const auto& [k, v] : s.info) append_kv(out, k, v);
  if (!s.message.empty()) append_kv(out, "msg", s.message);
  return out;
}

std::string format_text_line(const Step& s) {
  char head[96];
  std::snprintf(head, sizeof head, "  #%d %-15s %-6s %10.1f ms  ", s.conn, s.name.c_str(), s.result.c_str(),
                s.elapsed_ms);
  std::string out = head;
  out += s.message;
  if (!s.error_name.empty()) {
    out += " [";
    out += s.error_name;
    out += ' ';
    out += std::to_string(s.err);
    if (s.wsa) {
      out += ", Windows: WSA ";
      out += std::to_string(s.wsa);
      std::string_view text = wsa_message(s.wsa);
      if (!text.empty()) {
        out += " \"";
        out += text;
        out += '"';
      }
    }
    out += ']';
  }
  return out;
}

}  // namespace rstscope::probe
