// Syslog prefix splitting shared by every parser whose lines may arrive through syslog
// (HAProxy, nginx to syslog, kernel, firewalls, generic servers). Internal to parsers/.
//
// Contract: split() recognises, at the start of a line, any of
//   [<PRI>]Mmm dd HH:MM:SS[.frac] HOST TAG[PID]: MSG          RFC 3164 (BSD), journald short
//   [<PRI>]YYYY-MM-DDTHH:MM:SS[.frac](Z|+hh:mm) HOST TAG[PID]: MSG   rsyslog high-precision
//   <PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD...] MSG        RFC 5424
//   TAG[PID]: MSG                                             bare tag (no time, no host)
// and fills Prefix with views into the line (no allocation, no copy). It never throws and
// costs one pass over the prefix. Not locale dependent. Thread-safe (pure function; a TimeCache
// belongs to one caller).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "rstscope/timeutil.h"

namespace rstscope::syslog {

struct Prefix {
  int version = -1;            // -1 = no syslog prefix, 0 = RFC 3164 style, 1 = RFC 5424
  int facility = -1;           // from <PRI>, -1 when absent
  int severity = -1;           // 0 (emerg) .. 7 (debug), -1 when absent
  bool has_time = false;
  CivilTime time;              // year 0 for RFC 3164 times (TimeResolver supplies it)
  std::string_view time_text;  // as written
  std::string_view host;       // may be empty
  std::string_view app;        // program / TAG / APP-NAME ("haproxy"), may be empty
  std::string_view pid;        // "14389", may be empty
  std::string_view msgid;      // RFC 5424 only
  std::string_view structured; // RFC 5424 structured data ("-" or "[...]"), may be empty
  std::string_view message;    // everything after the prefix (the whole line when version == -1)
};

// The last BSD time text split() parsed and its value: a parser that keeps one per file lets
// consecutive lines of the same second skip the time parse (the text always parses the same way).
struct TimeCache {
  char text[32] = {};
  size_t len = 0;
  CivilTime time;
};

// Splits the syslog prefix off `line`. Returns false (and sets message = line) when the line
// does not start with one of the shapes above. With a cache (owned by the caller, one per file)
// the result is the same, faster when lines repeat their second.
bool split(std::string_view line, Prefix& out, TimeCache* cache = nullptr);

// Lower-case level name for a syslog severity number ("err" -> "error", "warning" -> "warn").
std::string_view severity_name(int severity);

// Writes "2026-11-23T20:34:33.123Z" (24 chars, no NUL) into buf; no allocation.
// Returns the number of bytes written.
size_t format_iso_ms(int64_t us, char (&buf)[32]);

}  // namespace rstscope::syslog
