// Shared by the nginx parsers: error-message splitting and the message/status -> category
// tables (docs/categories.md). Internal to parsers/.
#pragma once

#include <string_view>

#include "rstscope/event.h"
#include "rstscope/timeutil.h"

namespace rstscope::nginx {

// "YYYY/MM/DD HH:MM:SS" at the start of l (the error-log time; cheap byte checks only).
bool starts_with_error_time(std::string_view l);

// Why l is not an error-log line "YYYY/MM/DD HH:MM:SS [level] ...", "" when it is one (then t
// holds its time).
std::string_view error_line_problem(std::string_view l, CivilTime& t);

// Fills ev (role proxy, time, severity, pid, conn_id, message, category, trailer fields) from an
// error-log line that error_line_problem() accepted, with the time t it returned. The line has
// no zone: when `zone` has an offset (an RFC 5424 / ISO syslog time the line arrived with), that
// offset is used, else the resolver's --tz or inferred UTC. No allocation beyond the event's own
// buffers.
void parse_error_line(std::string_view l, CivilTime t, Event& ev, TimeResolver& time, const CivilTime* zone = nullptr);

// Splits "MESSAGE[ (ERRNO: TEXT)][ while ACTION], client: A, server: S, request: "...", ..."
// into ev.message, ev.category, client_ip, host, method/path/protocol and fields
// (errno, action, upstream, server_name, referrer).
void split_error_message(std::string_view text, Event& ev);

// Category of an error-log message (message without the trailer), "" if none matched.
std::string_view classify_error(std::string_view message, std::string_view action);

// An IPv4 address or an IPv6 one (hex digits, ':' and dots with at least two ':'); no allocation.
bool looks_like_ip(std::string_view s);

// A $remote_addr column that holds more than one address (a log_format that starts with
// $http_x_forwarded_for, or "$host $remote_addr"): "10.0.0.2, 10.0.0.1, 127.0.0.1",
// "\"10.5.102.222, 199.96.1.1\" 10.2.1.185", "www.example.com:80 192.168.1.1".
// client_ip = the first valid address (the originating client); fields.forwarded_for = all the
// addresses in order, ", "-separated, when there are several; a leading host name (with an
// optional :port) fills host / server_port. No allocation.
void split_remote_addr_list(std::string_view v, Event& ev);

// Category implied by an access-log status code (400, 408, 413, 444, 494-499, 502, 504 ...),
// "request" for everything else.
std::string_view category_for_status(int64_t status);

}  // namespace rstscope::nginx
