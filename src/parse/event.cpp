#include "rstscope/event.h"

#include <cmath>
#include <cstdio>

#include "rstscope/text.h"

namespace rstscope {

std::string_view to_string(Role r) {
  switch (r) {
    case Role::client: return "client";
    case Role::proxy: return "proxy";
    case Role::tls: return "tls";
    case Role::firewall: return "firewall";
    case Role::server: return "server";
    case Role::config: return "config";
    case Role::unknown: break;
  }
  return "unknown";
}

Role role_from_string(std::string_view s) {
  for (Role r : {Role::client, Role::proxy, Role::tls, Role::firewall, Role::server, Role::config})
    if (to_string(r) == s) return r;
  return Role::unknown;
}

std::string_view to_string(ZoneSource z) {
  switch (z) {
    case ZoneSource::explicit_: return "explicit";
    case ZoneSource::assumed: return "assumed";
    case ZoneSource::inferred: return "inferred";
    case ZoneSource::none: break;
  }
  return "none";
}

void FieldWriter::key(std::string_view k) {
  if (closed_) {
    buf_.pop_back();
    closed_ = false;
  }
  buf_.push_back(buf_.empty() ? '{' : ',');
  buf_.push_back('"');
  json_escape_append(buf_, k);
  buf_ += "\":";
}

void FieldWriter::add(std::string_view k, std::string_view v) {
  key(k);
  buf_.push_back('"');
  json_escape_append(buf_, v);
  buf_.push_back('"');
}

void FieldWriter::add(std::string_view k, int64_t v) {
  key(k);
  if (v == kNull) {
    buf_ += "null";
    return;
  }
  char tmp[32];
  int n = std::snprintf(tmp, sizeof tmp, "%lld", static_cast<long long>(v));
  buf_.append(tmp, static_cast<size_t>(n));
}

void FieldWriter::add(std::string_view k, double v) {
  key(k);
  if (!std::isfinite(v)) {
    buf_ += "null";
    return;
  }
  char tmp[40];
  int n = std::snprintf(tmp, sizeof tmp, "%.17g", v);
  buf_.append(tmp, static_cast<size_t>(n));
}

void FieldWriter::add_bool(std::string_view k, bool v) {
  key(k);
  buf_ += v ? "true" : "false";
}

void FieldWriter::add_raw(std::string_view k, std::string_view json) {
  key(k);
  buf_ += json;
}

std::string_view FieldWriter::json() {
  if (buf_.empty()) return {};
  if (!closed_) {
    buf_.push_back('}');
    closed_ = true;
  }
  return buf_;
}

std::string FieldWriter::lookup(std::string_view k) const {
  // Test helper: finds "k": and returns the value text (strings without quotes, escapes kept).
  std::string needle = "\"";
  json_escape_append(needle, k);
  needle += "\":";
  size_t pos = 0;
  while ((pos = buf_.find(needle, pos)) != std::string::npos) {
    char before = pos == 0 ? '{' : buf_[pos - 1];
    if (before == '{' || before == ',') break;
    pos += needle.size();
  }
  if (pos == std::string::npos) return {};
  size_t v = pos + needle.size();
  if (v < buf_.size() && buf_[v] == '"') {
    std::string out;
    for (size_t i = v + 1; i < buf_.size(); ++i) {
      if (buf_[i] == '\\' && i + 1 < buf_.size()) {
        char c = buf_[++i];
        out.push_back(c == 'n' ? '\n' : c == 't' ? '\t' : c);
        continue;
      }
      if (buf_[i] == '"') break;
      out.push_back(buf_[i]);
    }
    return out;
  }
  int depth = 0;
  size_t end = v;
  for (; end < buf_.size(); ++end) {
    char c = buf_[end];
    if (c == '{' || c == '[') ++depth;
    else if (c == '}' || c == ']') {
      if (--depth < 0) break;
    } else if (c == ',' && depth == 0) break;
  }
  return buf_.substr(v, end - v);
}

void Event::clear() {
  source_id = 0;
  line = 0;
  line_count = 1;
  offset = 0;
  ts = kNull;
  ts_raw.clear();
  ts_zone = ZoneSource::none;
  role = Role::unknown;
  category.clear();
  kind.clear();
  severity.clear();
  client_ip.clear();
  client_port = kNull;
  server_ip.clear();
  server_port = kNull;
  host.clear();
  protocol.clear();
  method.clear();
  path.clear();
  status = kNull;
  bytes = kNull;
  duration_us = kNull;
  conn_id.clear();
  request_id.clear();
  message.clear();
  raw.clear();
  fields.clear();
}

}  // namespace rstscope
