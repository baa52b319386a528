// Setting: one configuration value read from (or assumed for) a component in the bundle.
// Rows of the `settings` table (docs/schema.md). Plain data, no invariants beyond the comments.
#pragma once

#include <cstdint>
#include <string>

#include "rstscope/event.h"

namespace rstscope {

struct Setting {
  std::string component;  // "nginx", "haproxy", "stunnel", "apache", "envoy", "aws-elb", "sysctl", "client", ...
  std::string scope;      // e.g. "server 10.0.0.9:443", "frontend fe_main", "backend be", "location /api", "service https"
  std::string listener;   // "ADDR:PORT" the setting governs ("*:443" for wildcard), empty if none
  std::string key;        // the directive name as written, e.g. "keepalive_timeout", "timeout http-keep-alive"
  std::string raw;        // value as written
  int64_t value = kNull;  // normalised number: durations in ms, sizes in bytes, counts as is
  std::string unit;       // "ms", "bytes", "count", "bool", "protocols", "" (text)
  std::string text;       // normalised text value (e.g. "TLSv1.2-TLSv1.3", "on")
  int64_t line = 0;       // 1-based line in the config file (0 when assumed)
  bool assumed = false;   // documented default, not read from the bundle
  std::string note;       // why it matters / where the default comes from
  // Bundle path of the file that holds the directive when it is not the file being parsed (a
  // directive read through an include); empty otherwise. Ingest stores such a row under that
  // file's source, so source + line always name the directive itself.
  std::string file;
};

}  // namespace rstscope
