// nginx.conf reader: a real tokenizer and block parser for nginx's configuration language, plus
// the log_format extraction the access-log parsers need.
//
// Contract:
// - Tokens follow ngx_conf_file.c: words end at whitespace, ';', '{', '}'; "double" and 'single'
//   quoted words (the quotes removed, \" \' \\ \t \r \n unescaped, other backslashes kept);
//   '#' starts a comment outside quotes; "${var}" and "$var" stay as written.
// - Blocks nest (http { server { location / { ... } } }). Every directive keeps its file and
//   1-based line. `include PATTERN;` is resolved through the IncludeResolver, which returns the
//   bundle files matching the pattern (glob, relative to the including file or absolute as written
//   in the config); the included directives replace the include in place. Depth is bounded
//   (kMaxIncludeDepth) and a file including itself is reported, not followed.
// - Bad input never throws: an unbalanced '}', a missing ';' at end of file, an unterminated quote
//   or block are recorded in NginxConf::errors with file:line, and everything read up to and after
//   the fault is kept (parsing resumes at the next line).
// Cost: one pass over the text, one allocation per token; configs are small (KBs). Not on a hot path.
// Thread-safety: free functions, no shared state.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rstscope::config {

inline constexpr int kMaxIncludeDepth = 8;

struct NginxDirective {
  std::string name;                   // "listen", "server", "keepalive_timeout", ...
  std::vector<std::string> args;      // unquoted, unescaped
  std::string file;                   // file the directive was read from (path as given)
  int64_t line = 0;                   // 1-based line of the directive's name
  bool block = false;                 // it opened a { ... } block
  std::vector<NginxDirective> children;  // directives inside the block
};

struct NginxConfError {
  std::string file;
  int64_t line = 0;
  std::string message;
};

// One include the parser followed: `from`:`line` says `include pattern;` and it read `path`.
struct NginxInclude {
  std::string from;
  int64_t line = 0;
  std::string pattern;
  std::string path;
};

struct NginxConf {
  std::vector<NginxDirective> directives;  // top level (main context)
  std::vector<NginxInclude> includes;      // every file read through an include, nested ones too
  std::vector<NginxConfError> errors;
  std::vector<std::string> unresolved_includes;  // include patterns that matched no bundle file
};

// One bundle file an include pattern matched.
struct IncludedFile {
  std::string path;
  std::string text;
};
// Returns the files matching `pattern` as written in an include directive of `from_path`
// (empty when none match or the bundle is not available).
using IncludeResolver =
    std::function<std::vector<IncludedFile>(std::string_view pattern, std::string_view from_path)>;

// Parses nginx configuration text. `resolve` may be empty (includes are then listed in
// unresolved_includes and skipped).
NginxConf parse_nginx_conf(std::string_view text, std::string_view path = "nginx.conf",
                           const IncludeResolver& resolve = {});

// Every `log_format NAME [escape=...] 'part' 'part' ...;` of the text (any context), in order, as
// name -> the concatenated format string. Includes are not followed (call it on each file).
// Never throws; an unparsable file yields what could be read.
std::vector<std::pair<std::string, std::string>> nginx_log_formats(std::string_view conf_text);

// Heuristic used by sniffers: text that looks like nginx configuration (http/server/location
// blocks, nginx-only directive names). Score 0-100.
int nginx_conf_score(std::string_view name, std::string_view text);

// Glob match for include patterns: '*' and '?' (not crossing '/'), "[abc]" classes.
bool glob_match(std::string_view pattern, std::string_view path);

}  // namespace rstscope::config
