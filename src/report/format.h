// Formatting helpers shared by the report renderers: times, durations, setting values, escaping
// for each output format, and column-aware truncation and wrapping for the terminal.
//
// Contract: every function accepts arbitrary bytes (log text is attacker-controlled) and returns
// valid UTF-8; none throws except on allocation failure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "report/model.h"

namespace rstscope::report {

// "2026-03-02T10:15:04.118Z"; "" for kNull.
std::string iso_ms(int64_t us);
// "2026-03-02 10:15:04.118" (UTC, for people); "-" for kNull.
std::string human_time(int64_t us);
// "10:15:04.118" when `us` falls on the same UTC day as `ref`, else human_time(us).
std::string short_time(int64_t us, int64_t ref);
// 850 ms, 12.5 s, 75 s, 1 min 16 s, 2 h 5 min, 3 d 4 h.
std::string human_duration_us(int64_t us);
// A setting's value for people: durations as human_duration, sizes as 1 MiB, else text or raw.
std::string setting_value(const SettingRow& s);
// "config/nginx.conf:31" or "assumed default".
std::string setting_location(const SettingRow& s);
// "source:line", or "source" when the line is unknown.
std::string event_location(const EventRow& e);
// "0.92" or "-" when unknown (< 0).
std::string confidence_str(double c);
// "high" (>= 0.8), "medium" (>= 0.5), "low", "unknown".
const char* confidence_word(double c);
// Short text for a signed offset: "+2.500 s", "-120 ms".
std::string signed_duration_us(int64_t us);

// Valid UTF-8 with control bytes made visible: tab -> space, others -> "\xNN" (ESC cannot reach
// the terminal), invalid bytes -> U+FFFD.
std::string clean_text(std::string_view s);
// clean_text, then HTML-escaped (& < > " ').
std::string html_escape(std::string_view s);
// clean_text, then Markdown inline-escaped: \ ` * _ [ ] < > | # ~ & ! get a backslash, newlines
// become spaces. Safe inside a table cell.
std::string md_escape(std::string_view s);
// A Markdown fenced code block for `lines` (fence longer than any backtick run inside).
std::string md_code_block(const std::vector<std::string>& lines);
// A single-quoted shell word when `s` needs quoting, else s.
std::string shell_quote(std::string_view s);

// Columns of clean UTF-8 text (code points; wide characters counted as one).
size_t columns(std::string_view s);
// Cuts clean text to at most `cols` columns, ending with "..." when cut.
std::string truncate_cols(std::string_view s, size_t cols);
// Word-wraps clean text into lines of at most `width` columns (long words are cut).
std::vector<std::string> wrap(std::string_view s, size_t width);

}  // namespace rstscope::report
