// Shared by the nginx parsers: error-message splitting and the message/status -> category
// tables (docs/categories.md). Internal to parsers/.
#pragma once

#include <string_view>

#include "rstscope/event.h"

namespace rstscope::nginx {

// Splits "MESSAGE[ (ERRNO: TEXT)][ while ACTION], client: A, server: S, request: "...", ..."
// into ev.message, ev.category, client_ip, host, method/path/protocol and fields
// (errno, action, upstream, server_name, referrer).
void split_error_message(std::string_view text, Event& ev);

// Category of an error-log message (message without the trailer), "" if none matched.
std::string_view classify_error(std::string_view message, std::string_view action);

// Category implied by an access-log status code (400, 408, 413, 444, 494-499, 502, 504 ...),
// "request" for everything else.
std::string_view category_for_status(int64_t status);

}  // namespace rstscope::nginx
