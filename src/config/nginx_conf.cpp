// nginx.conf tokenizer and block parser (see nginx_conf.h for the contract).
#include "config/nginx_conf.h"

#include <algorithm>
#include <cctype>

namespace rstscope::config {
namespace {

struct Token {
  std::string text;
  int64_t line = 0;
  char special = 0;  // ';', '{', '}' for punctuation, 0 for a word
};

class Tokenizer {
 public:
  Tokenizer(std::string_view text, std::string_view path, std::vector<NginxConfError>& errors)
      : s_(text), path_(path), errors_(errors) {}

  // False at end of input.
  bool next(Token& t) {
    t.text.clear();
    t.special = 0;
    for (;;) {
      if (pos_ >= s_.size()) return false;
      char c = s_[pos_];
      if (c == '\n') { ++line_; ++pos_; continue; }
      if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') { ++pos_; continue; }
      if (c == '#') {
        while (pos_ < s_.size() && s_[pos_] != '\n') ++pos_;
        continue;
      }
      break;
    }
    t.line = line_;
    char c = s_[pos_];
    if (c == ';' || c == '{' || c == '}') {
      t.special = c;
      t.text.assign(1, c);
      ++pos_;
      return true;
    }
    if (c == '"' || c == '\'') {
      char q = c;
      ++pos_;
      int64_t start_line = line_;
      while (pos_ < s_.size() && s_[pos_] != q) {
        char d = s_[pos_];
        if (d == '\\' && pos_ + 1 < s_.size()) {
          char e = s_[pos_ + 1];
          switch (e) {
            case '"': case '\'': case '\\': t.text.push_back(e); break;
            case 't': t.text.push_back('\t'); break;
            case 'r': t.text.push_back('\r'); break;
            case 'n': t.text.push_back('\n'); break;
            default: t.text.push_back('\\'); t.text.push_back(e); break;
          }
          if (e == '\n') ++line_;
          pos_ += 2;
          continue;
        }
        if (d == '\n') ++line_;
        t.text.push_back(d);
        ++pos_;
      }
      if (pos_ >= s_.size()) {
        errors_.push_back({std::string(path_), start_line, "unterminated quoted string"});
        return true;
      }
      ++pos_;  // closing quote
      return true;
    }
    // Plain word; "${" ... "}" is part of the word.
    while (pos_ < s_.size()) {
      char d = s_[pos_];
      if (d == '{' && !t.text.empty() && t.text.back() == '$') {  // "${var}"
        t.text.push_back(d);
        ++pos_;
        continue;
      }
      if (d == ' ' || d == '\t' || d == '\r' || d == '\n' || d == ';' || d == '{') break;
      if (d == '}') {
        // "${var}" keeps its brace.
        size_t open = t.text.rfind("${");
        if (open == std::string::npos || t.text.find('}', open) != std::string::npos) break;
      }
      if (d == '\\' && pos_ + 1 < s_.size() && s_[pos_ + 1] != '\n') {
        t.text.push_back(s_[pos_ + 1]);
        pos_ += 2;
        continue;
      }
      t.text.push_back(d);
      ++pos_;
    }
    return true;
  }

 private:
  std::string_view s_;
  std::string_view path_;
  std::vector<NginxConfError>& errors_;
  size_t pos_ = 0;
  int64_t line_ = 1;
};

struct Parser {
  NginxConf& conf;
  const IncludeResolver& resolve;
  std::vector<std::string> stack;  // include chain, for cycle detection

  void parse_file(std::string_view text, std::string_view path, std::vector<NginxDirective>& into,
                  int depth) {
    Tokenizer tok(text, path, conf.errors);
    // Stack of open blocks: pointer to the children vector being filled.
    std::vector<std::vector<NginxDirective>*> blocks{&into};
    std::vector<int64_t> open_lines;
    NginxDirective cur;
    bool have = false;
    Token t;
    auto flush_missing_semicolon = [&](int64_t line) {
      if (!have) return;
      conf.errors.push_back({std::string(path), cur.line,
                             "directive \"" + cur.name + "\" is not terminated by \";\""});
      (void)line;
      finish(std::move(cur), *blocks.back(), path, depth);
      cur = NginxDirective{};
      have = false;
    };
    while (tok.next(t)) {
      if (t.special == ';') {
        if (!have) continue;  // stray ';' is harmless
        finish(std::move(cur), *blocks.back(), path, depth);
        cur = NginxDirective{};
        have = false;
      } else if (t.special == '{') {
        if (!have) {
          conf.errors.push_back({std::string(path), t.line, "unexpected \"{\""});
          cur.name = "";
          cur.line = t.line;
          cur.file = std::string(path);
        }
        cur.block = true;
        blocks.back()->push_back(std::move(cur));
        cur = NginxDirective{};
        have = false;
        blocks.push_back(&blocks.back()->back().children);
        open_lines.push_back(t.line);
      } else if (t.special == '}') {
        flush_missing_semicolon(t.line);
        if (blocks.size() == 1) {
          conf.errors.push_back({std::string(path), t.line, "unexpected \"}\""});
          continue;
        }
        blocks.pop_back();
        open_lines.pop_back();
      } else if (!have) {
        cur.name = std::move(t.text);
        cur.line = t.line;
        cur.file = std::string(path);
        have = true;
      } else {
        // A word on a later line than a directive that never ended is most likely a new
        // directive after a forgotten ';'. nginx would reject the file; we keep both.
        if (t.line > cur.line && !cur.args.empty() && looks_like_directive_start(t.text, cur)) {
          flush_missing_semicolon(t.line);
          cur.name = std::move(t.text);
          cur.line = t.line;
          cur.file = std::string(path);
          have = true;
          continue;
        }
        cur.args.push_back(std::move(t.text));
      }
    }
    if (have) flush_missing_semicolon(0);
    for (int64_t l : open_lines)
      conf.errors.push_back({std::string(path), l, "block opened here is not closed by \"}\""});
  }

  // Heuristic for a forgotten ';': a multi-line value is legal (log_format, map entries), so only
  // split when the previous directive is one that takes a fixed, short argument list.
  static bool looks_like_directive_start(std::string_view word, const NginxDirective& cur) {
    static const char* kMultiLine[] = {"log_format", "add_header", "more_set_headers", "ssl_ciphers",
                                       "set", "return", "rewrite", "if", "proxy_set_header", "js_set"};
    for (const char* m : kMultiLine)
      if (cur.name == m) return false;
    if (word.empty() || !(std::isalpha(static_cast<unsigned char>(word[0])))) return false;
    return word.find('_') != std::string_view::npos || word == "listen" || word == "root" ||
           word == "server" || word == "location" || word == "include" || word == "return";
  }

  void finish(NginxDirective d, std::vector<NginxDirective>& into, std::string_view path, int depth) {
    if (d.name == "include" && d.args.size() == 1) {
      if (!resolve) {
        conf.unresolved_includes.push_back(d.args[0]);
        into.push_back(std::move(d));
        return;
      }
      if (depth >= kMaxIncludeDepth) {
        conf.errors.push_back({d.file, d.line, "include nesting deeper than " +
                                                   std::to_string(kMaxIncludeDepth) + " levels"});
        return;
      }
      std::vector<IncludedFile> files = resolve(d.args[0], path);
      if (files.empty()) {
        conf.unresolved_includes.push_back(d.args[0]);
        into.push_back(std::move(d));  // keep the include itself as evidence
        return;
      }
      std::sort(files.begin(), files.end(),
                [](const IncludedFile& a, const IncludedFile& b) { return a.path < b.path; });
      for (IncludedFile& f : files) {
        if (std::find(stack.begin(), stack.end(), f.path) != stack.end()) {
          conf.errors.push_back({d.file, d.line, "include of " + f.path + " would loop; not followed"});
          continue;
        }
        conf.includes.push_back({d.file, d.line, d.args[0], f.path});
        stack.push_back(f.path);
        parse_file(f.text, f.path, into, depth + 1);
        stack.pop_back();
      }
      return;
    }
    into.push_back(std::move(d));
  }
};

void collect_log_formats(const std::vector<NginxDirective>& ds,
                         std::vector<std::pair<std::string, std::string>>& out) {
  for (const NginxDirective& d : ds) {
    if (d.name == "log_format" && !d.args.empty()) {
      std::string fmt;
      for (size_t i = 1; i < d.args.size(); ++i) {
        if (i == 1 && d.args[i].rfind("escape=", 0) == 0) continue;
        fmt += d.args[i];
      }
      out.emplace_back(d.args[0], std::move(fmt));
    }
    if (d.block) collect_log_formats(d.children, out);
  }
}

}  // namespace

NginxConf parse_nginx_conf(std::string_view text, std::string_view path, const IncludeResolver& resolve) {
  NginxConf conf;
  Parser p{conf, resolve, {std::string(path)}};
  p.parse_file(text, path, conf.directives, 0);
  return conf;
}

std::vector<std::pair<std::string, std::string>> nginx_log_formats(std::string_view conf_text) {
  std::vector<std::pair<std::string, std::string>> out;
  NginxConf conf = parse_nginx_conf(conf_text);
  collect_log_formats(conf.directives, out);
  return out;
}

int nginx_conf_score(std::string_view name, std::string_view text) {
  int score = 0;
  auto has = [&](std::string_view w) { return text.find(w) != std::string_view::npos; };
  if (name == "nginx.conf") score += 60;
  if (has("server {") || has("server{")) score += 20;
  if (has("http {") || has("http{")) score += 20;
  if (has("location ")) score += 10;
  if (has("listen ")) score += 10;
  for (std::string_view w : {"server_name ", "proxy_pass ", "keepalive_timeout ", "worker_processes",
                             "error_log ", "access_log ", "ssl_certificate", "upstream ", "log_format "})
    if (has(w)) score += 8;
  if (has("<VirtualHost") || has("frontend ") || has("backend ")) score -= 40;
  return std::clamp(score, 0, 95);
}

bool glob_match(std::string_view p, std::string_view s) {
  size_t pi = 0, si = 0, star_p = std::string_view::npos, star_s = 0;
  while (si < s.size()) {
    if (pi < p.size() && p[pi] == '[') {
      size_t close = p.find(']', pi + 1);
      if (close != std::string_view::npos) {
        bool neg = pi + 1 < close && (p[pi + 1] == '!' || p[pi + 1] == '^');
        std::string_view set = p.substr(pi + 1 + (neg ? 1 : 0), close - pi - 1 - (neg ? 1 : 0));
        bool in = false;
        for (size_t k = 0; k < set.size(); ++k) {
          if (k + 2 < set.size() && set[k + 1] == '-') {
            if (s[si] >= set[k] && s[si] <= set[k + 2]) in = true;
            k += 2;
          } else if (set[k] == s[si]) {
            in = true;
          }
        }
        if (in != neg) { pi = close + 1; ++si; continue; }
      }
    } else if (pi < p.size() && (p[pi] == '?' ? s[si] != '/' : p[pi] == s[si]) && p[pi] != '*') {
      ++pi; ++si; continue;
    } else if (pi < p.size() && p[pi] == '*') {
      star_p = pi++;
      star_s = si;
      continue;
    }
    if (star_p != std::string_view::npos && s[star_s] != '/') {
      pi = star_p + 1;
      si = ++star_s;
      continue;
    }
    return false;
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

}  // namespace rstscope::config
