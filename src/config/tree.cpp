// YAML-subset and JSON readers into config::Node (see tree.h for what is and is not supported).
#include "config/tree.h"

#include <simdjson.h>

#include <algorithm>
#include <cctype>

#include "rstscope/text.h"

namespace rstscope::config {

const Node* Node::get(std::string_view key) const {
  if (kind != Kind::map) return nullptr;
  for (const auto& [k, v] : map)
    if (k == key) return &v;
  return nullptr;
}

std::string_view Node::str(std::string_view key) const {
  const Node* n = get(key);
  return n && n->kind == Kind::scalar ? std::string_view(n->scalar) : std::string_view{};
}

namespace {

struct YLine {
  int indent = 0;
  std::string text;  // without indentation and comment
  int64_t number = 0;
};

// Strips a comment (" #" outside quotes) and trailing space.
std::string strip_comment(std::string_view s) {
  char q = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (q) {
      if (c == '\\' && q == '"') { ++i; continue; }
      if (c == q) q = 0;
      continue;
    }
    if ((c == '"' || c == '\'') && (i == 0 || s[i - 1] == ' ' || s[i - 1] == ':' || s[i - 1] == '-' ||
                                    s[i - 1] == '[' || s[i - 1] == '{' || s[i - 1] == ',')) {
      q = c;
      continue;
    }
    if (c == '#' && (i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t')) {
      s = s.substr(0, i);
      break;
    }
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return std::string(s);
}

std::string unquote(std::string_view v) {
  v = trim(v);
  if (!v.empty() && v[0] == '!') {  // tag: drop it
    size_t sp = v.find(' ');
    v = sp == std::string_view::npos ? std::string_view{} : trim(v.substr(sp + 1));
  }
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') {
    std::string out;
    for (size_t i = 1; i + 1 < v.size(); ++i) {
      char c = v[i];
      if (c == '\\' && i + 2 < v.size()) {
        char e = v[++i];
        switch (e) {
          case 'n': out.push_back('\n'); break;
          case 't': out.push_back('\t'); break;
          case 'r': out.push_back('\r'); break;
          case '0': out.push_back('\0'); break;
          default: out.push_back(e); break;
        }
      } else {
        out.push_back(c);
      }
    }
    return out;
  }
  if (v.size() >= 2 && v.front() == '\'' && v.back() == '\'') {
    std::string out;
    for (size_t i = 1; i + 1 < v.size(); ++i) {
      out.push_back(v[i]);
      if (v[i] == '\'' && i + 2 < v.size() && v[i + 1] == '\'') ++i;
    }
    return out;
  }
  return std::string(v);
}

// Position of the ':' that ends a mapping key, or npos.
size_t key_colon(std::string_view s) {
  char q = 0;
  int depth = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (q) {
      if (c == '\\' && q == '"') { ++i; continue; }
      if (c == q) q = 0;
      continue;
    }
    if ((c == '"' || c == '\'') && i == 0) { q = c; continue; }
    if (c == '[' || c == '{') {
      if (i == 0) return std::string_view::npos;  // a flow collection, not a key
      ++depth;
    }
    if (c == ']' || c == '}') --depth;
    if (c == ':' && depth <= 0 && (i + 1 == s.size() || s[i + 1] == ' ' || s[i + 1] == '\t')) return i;
  }
  return std::string_view::npos;
}

class FlowParser {
 public:
  FlowParser(std::string_view s, int64_t line) : s_(s), line_(line) {}
  bool parse(Node& out) {
    skip();
    bool ok = value(out);
    skip();
    return ok && pos_ == s_.size();
  }

 private:
  void skip() { while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n')) ++pos_; }
  bool value(Node& out) {
    out.line = line_;
    if (++depth_ > 128) return false;  // hostile nesting: the caller keeps the text as a scalar
    struct Guard { int& d; ~Guard() { --d; } } guard{depth_};
    skip();
    if (pos_ >= s_.size()) return false;
    char c = s_[pos_];
    if (c == '[') {
      out.kind = Node::Kind::seq;
      ++pos_;
      skip();
      if (pos_ < s_.size() && s_[pos_] == ']') { ++pos_; return true; }
      for (int guard = 0; guard < 100000; ++guard) {
        Node item;
        if (!value(item)) return false;
        out.seq.push_back(std::move(item));
        skip();
        if (pos_ < s_.size() && s_[pos_] == ',') { ++pos_; skip(); if (pos_ < s_.size() && s_[pos_] == ']') { ++pos_; return true; } continue; }
        if (pos_ < s_.size() && s_[pos_] == ']') { ++pos_; return true; }
        return false;
      }
      return false;
    }
    if (c == '{') {
      out.kind = Node::Kind::map;
      ++pos_;
      skip();
      if (pos_ < s_.size() && s_[pos_] == '}') { ++pos_; return true; }
      for (int guard = 0; guard < 100000; ++guard) {
        std::string key = scalar_text(true);
        skip();
        Node v;
        v.line = line_;
        if (pos_ < s_.size() && s_[pos_] == ':') {
          ++pos_;
          skip();
          if (pos_ < s_.size() && s_[pos_] != ',' && s_[pos_] != '}' && !value(v)) return false;
        }
        out.map.emplace_back(unquote(key), std::move(v));
        skip();
        if (pos_ < s_.size() && s_[pos_] == ',') { ++pos_; skip(); if (pos_ < s_.size() && s_[pos_] == '}') { ++pos_; return true; } continue; }
        if (pos_ < s_.size() && s_[pos_] == '}') { ++pos_; return true; }
        return false;
      }
      return false;
    }
    std::string t = scalar_text(false);
    out.kind = t.empty() ? Node::Kind::null : Node::Kind::scalar;
    out.scalar = unquote(t);
    return true;
  }
  std::string scalar_text(bool is_key) {
    size_t b = pos_;
    if (pos_ < s_.size() && (s_[pos_] == '"' || s_[pos_] == '\'')) {
      char q = s_[pos_++];
      while (pos_ < s_.size() && s_[pos_] != q) {
        if (s_[pos_] == '\\' && q == '"') ++pos_;
        ++pos_;
      }
      if (pos_ < s_.size()) ++pos_;
      return std::string(s_.substr(b, pos_ - b));
    }
    while (pos_ < s_.size() && s_[pos_] != ',' && s_[pos_] != ']' && s_[pos_] != '}') {
      if (is_key && s_[pos_] == ':' && (pos_ + 1 >= s_.size() || s_[pos_ + 1] == ' ')) break;
      ++pos_;
    }
    return std::string(trim(s_.substr(b, pos_ - b)));
  }
  std::string_view s_;
  size_t pos_ = 0;
  int64_t line_;
  int depth_ = 0;
};

class YamlReader {
 public:
  YamlReader(std::vector<YLine> lines, const std::vector<std::string_view>& raw, TreeDoc& doc)
      : l_(std::move(lines)), raw_(raw), doc_(doc) {}

  Node document() {
    Node root;
    if (i_ >= l_.size()) return root;
    root = block(l_[i_].indent);
    while (i_ < l_.size()) {  // leftovers at a lower indent than the first line
      doc_.errors.emplace_back(l_[i_].number, "line is indented less than the document start; skipped");
      ++i_;
    }
    return root;
  }

 private:
  Node block(int indent) {
    Node n;
    if (i_ >= l_.size()) return n;
    if (depth_ >= kMaxDepth) {  // hostile nesting: skip the deeper lines instead of recursing
      doc_.errors.emplace_back(l_[i_].number, "nesting deeper than 128 levels; lines skipped");
      while (i_ < l_.size() && l_[i_].indent >= indent) ++i_;
      return n;
    }
    struct Guard { int& d; explicit Guard(int& x) : d(x) { ++d; } ~Guard() { --d; } } guard(depth_);
    n.line = l_[i_].number;
    if (is_seq_item(l_[i_].text)) return sequence(indent);
    return mapping(indent);
  }

  static bool is_seq_item(std::string_view t) { return t == "-" || starts_with(t, "- "); }

  Node sequence(int indent) {
    Node n;
    n.kind = Node::Kind::seq;
    n.line = l_[i_].number;
    for (size_t guard = 0; i_ < l_.size() && guard < l_.size() * 2 + 8; ++guard) {
      YLine& cur = l_[i_];
      if (cur.indent < indent) break;
      if (cur.indent == indent && !is_seq_item(cur.text)) break;  // "key:" after a same-column sequence
      if (cur.indent > indent) {
        doc_.errors.emplace_back(cur.number, "unexpected indentation in a sequence; line skipped");
        ++i_;
        continue;
      }
      std::string rest = cur.text.size() > 1 ? std::string(trim(std::string_view(cur.text).substr(2))) : std::string();
      if (rest.empty()) {
        ++i_;
        Node item;
        item.line = cur.number;
        if (i_ < l_.size() && l_[i_].indent > indent) item = block(l_[i_].indent);
        n.seq.push_back(std::move(item));
        continue;
      }
      // "- key: v" or "- scalar": re-read the rest as a line at the column it starts at.
      size_t col = cur.text.size() - rest.size();
      cur.indent = indent + static_cast<int>(col);
      cur.text = rest;
      if (is_seq_item(rest) || key_colon(rest) != std::string_view::npos) {
        n.seq.push_back(block(cur.indent));
      } else {
        n.seq.push_back(scalar_or_flow(rest, cur.number));
        ++i_;
      }
    }
    return n;
  }

  Node mapping(int indent) {
    Node n;
    n.kind = Node::Kind::map;
    n.line = l_[i_].number;
    for (size_t guard = 0; i_ < l_.size() && guard < l_.size() * 2 + 8; ++guard) {
      const YLine& cur = l_[i_];
      if (cur.indent < indent) break;
      if (cur.indent > indent) {
        doc_.errors.emplace_back(cur.number, "unexpected indentation; line skipped");
        ++i_;
        continue;
      }
      if (is_seq_item(cur.text)) break;  // a sequence at the parent key's column ends this map
      size_t colon = key_colon(cur.text);
      if (colon == std::string::npos) {
        doc_.errors.emplace_back(cur.number, "expected \"key: value\"; line skipped");
        ++i_;
        continue;
      }
      std::string key = unquote(std::string_view(cur.text).substr(0, colon));
      std::string val(trim(std::string_view(cur.text).substr(colon + 1)));
      int64_t number = cur.number;
      ++i_;
      Node v;
      v.line = number;
      if (val.empty()) {
        if (i_ < l_.size() && l_[i_].indent > indent) {
          v = block(l_[i_].indent);
        } else if (i_ < l_.size() && l_[i_].indent == indent && is_seq_item(l_[i_].text)) {
          v = sequence(indent);
        }
        v.line = number;
      } else if (val[0] == '|' || val[0] == '>') {
        v = block_scalar(val[0] == '>', indent, number);
      } else if (val[0] == '&' || val[0] == '*') {
        doc_.errors.emplace_back(number, "YAML anchors/aliases are not supported; value kept as text");
        v = scalar_or_flow(val, number);
      } else {
        v = scalar_or_flow(val, number);
      }
      n.map.emplace_back(std::move(key), std::move(v));
    }
    return n;
  }

  Node block_scalar(bool folded, int indent, int64_t number) {
    Node v;
    v.kind = Node::Kind::scalar;
    v.line = number;
    // Block scalar lines: every raw line after `number` that is blank or indented more than
    // `indent`. Our preprocessed lines dropped comments, so use the raw text.
    int64_t ln = number + 1;
    int block_indent = -1;
    while (ln <= static_cast<int64_t>(raw_.size())) {
      std::string_view r = raw_[ln - 1];
      if (!r.empty() && r.back() == '\r') r.remove_suffix(1);
      size_t ind = r.find_first_not_of(' ');
      if (ind == std::string_view::npos) { v.scalar += "\n"; ++ln; continue; }
      if (static_cast<int>(ind) <= indent) break;
      if (block_indent < 0) block_indent = static_cast<int>(ind);
      std::string_view content = r.substr(std::min<size_t>(r.size(), block_indent));
      v.scalar += content;
      v.scalar += folded ? " " : "\n";
      ++ln;
    }
    while (i_ < l_.size() && l_[i_].number < ln) ++i_;
    return v;
  }

  Node scalar_or_flow(const std::string& val, int64_t number) {
    Node v;
    v.line = number;
    if (!val.empty() && (val[0] == '[' || val[0] == '{')) {
      std::string text = val;
      // Multi-line flow: join following lines until the brackets balance.
      auto balance = [](std::string_view s) {
        int d = 0;
        char q = 0;
        for (char c : s) {
          if (q) { if (c == q) q = 0; continue; }
          if (c == '"' || c == '\'') q = c;
          else if (c == '[' || c == '{') ++d;
          else if (c == ']' || c == '}') --d;
        }
        return d;
      };
      while (balance(text) > 0 && i_ < l_.size()) {
        text += " ";
        text += l_[i_].text;
        ++i_;
      }
      FlowParser fp(text, number);
      if (!fp.parse(v)) {
        doc_.errors.emplace_back(number, "malformed flow collection; kept as text");
        v = Node{};
        v.kind = Node::Kind::scalar;
        v.scalar = text;
        v.line = number;
      }
      return v;
    }
    v.scalar = unquote(val);
    v.kind = (val == "~" || val == "null") ? Node::Kind::null : Node::Kind::scalar;
    if (v.kind == Node::Kind::null) v.scalar.clear();
    return v;
  }

  static constexpr int kMaxDepth = 128;
  std::vector<YLine> l_;
  const std::vector<std::string_view>& raw_;
  TreeDoc& doc_;
  size_t i_ = 0;
  int depth_ = 0;
};

}  // namespace

TreeDoc parse_yaml(std::string_view text) {
  TreeDoc doc;
  std::vector<std::string_view> raw;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    raw.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  std::vector<YLine> cur;
  auto flush = [&]() {
    if (cur.empty()) return;
    YamlReader r(std::move(cur), raw, doc);
    doc.documents.push_back(r.document());
    cur.clear();
  };
  for (size_t i = 0; i < raw.size(); ++i) {
    std::string_view r = raw[i];
    if (!r.empty() && r.back() == '\r') r.remove_suffix(1);
    if (starts_with(r, "---") && (r.size() == 3 || r[3] == ' ')) {
      flush();
      std::string rest = strip_comment(trim(r.substr(3)));
      if (!rest.empty()) cur.push_back({0, rest, static_cast<int64_t>(i + 1)});
      continue;
    }
    if (starts_with(r, "...")) { flush(); continue; }
    if (starts_with(r, "%")) {
      doc.errors.emplace_back(static_cast<int64_t>(i + 1), "YAML directives are not supported; skipped");
      continue;
    }
    size_t ind = 0;
    while (ind < r.size() && r[ind] == ' ') ++ind;
    if (ind < r.size() && r[ind] == '\t') {
      doc.errors.emplace_back(static_cast<int64_t>(i + 1), "tab used for indentation (not allowed in YAML)");
      while (ind < r.size() && (r[ind] == ' ' || r[ind] == '\t')) ++ind;
    }
    std::string t = strip_comment(r.substr(ind));
    if (t.empty()) continue;
    cur.push_back({static_cast<int>(ind), std::move(t), static_cast<int64_t>(i + 1)});
  }
  flush();
  return doc;
}

namespace {

class JsonBuilder {
 public:
  JsonBuilder(const char* base, std::string_view text) : base_(base), text_(text) {
    for (size_t i = 0; i < text.size(); ++i)
      if (text[i] == '\n') nl_.push_back(i);
  }
  int64_t line_at(const char* p) const {
    if (p < base_ || p > base_ + text_.size()) return 0;
    size_t off = static_cast<size_t>(p - base_);
    return static_cast<int64_t>(std::upper_bound(nl_.begin(), nl_.end(), off) - nl_.begin()) + 1;
  }
  simdjson::error_code build(simdjson::ondemand::value v, Node& out, int depth) {
    if (depth > 64) return simdjson::DEPTH_ERROR;
    simdjson::ondemand::json_type t;
    if (auto e = v.type().get(t)) return e;
    switch (t) {
      case simdjson::ondemand::json_type::object: {
        out.kind = Node::Kind::map;
        simdjson::ondemand::object obj;
        if (auto e = v.get_object().get(obj)) return e;
        for (auto field : obj) {
          simdjson::ondemand::raw_json_string rk;
          if (auto e = field.key().get(rk)) return e;
          std::string_view key;
          if (auto e = field.unescaped_key().get(key)) return e;
          Node child;
          child.line = line_at(rk.raw());
          simdjson::ondemand::value cv;
          if (auto e = field.value().get(cv)) return e;
          if (auto e = build(cv, child, depth + 1)) return e;
          out.map.emplace_back(std::string(key), std::move(child));
        }
        return simdjson::SUCCESS;
      }
      case simdjson::ondemand::json_type::array: {
        out.kind = Node::Kind::seq;
        simdjson::ondemand::array arr;
        if (auto e = v.get_array().get(arr)) return e;
        for (auto item : arr) {
          simdjson::ondemand::value iv;
          if (auto e = item.get(iv)) return e;
          Node child;
          child.line = out.line;
          if (auto e = build(iv, child, depth + 1)) return e;
          out.seq.push_back(std::move(child));
        }
        return simdjson::SUCCESS;
      }
      case simdjson::ondemand::json_type::string: {
        std::string_view s;
        if (auto e = v.get_string().get(s)) return e;
        out.kind = Node::Kind::scalar;
        out.scalar.assign(s);
        return simdjson::SUCCESS;
      }
      case simdjson::ondemand::json_type::null:
        out.kind = Node::Kind::null;
        return simdjson::SUCCESS;
      default: {  // number, boolean: keep as written
        std::string_view raw = v.raw_json_token();
        out.kind = Node::Kind::scalar;
        out.scalar.assign(trim(raw));
        return simdjson::SUCCESS;
      }
    }
  }

 private:
  const char* base_;
  std::string_view text_;
  std::vector<size_t> nl_;
};

}  // namespace

TreeDoc parse_json_tree(std::string_view text) {
  TreeDoc doc;
  // Comments are common in appsettings.json (JSON with comments): blank them out, keeping offsets.
  std::string clean(text);
  {
    char q = 0;
    for (size_t i = 0; i < clean.size(); ++i) {
      char c = clean[i];
      if (q) {
        if (c == '\\') { ++i; continue; }
        if (c == '"') q = 0;
        continue;
      }
      if (c == '"') { q = c; continue; }
      if (c == '/' && i + 1 < clean.size() && clean[i + 1] == '/') {
        while (i < clean.size() && clean[i] != '\n') clean[i++] = ' ';
      } else if (c == '/' && i + 1 < clean.size() && clean[i + 1] == '*') {
        size_t e = clean.find("*/", i + 2);
        size_t stop = e == std::string::npos ? clean.size() : e + 2;
        for (; i < stop; ++i)
          if (clean[i] != '\n') clean[i] = ' ';
        --i;
      }
    }
  }
  simdjson::padded_string padded(clean);
  simdjson::ondemand::parser parser;
  simdjson::ondemand::document d;
  if (auto e = parser.iterate(padded).get(d)) {
    doc.errors.emplace_back(0, std::string("JSON: ") + simdjson::error_message(e));
    return doc;
  }
  JsonBuilder b(padded.data(), clean);
  Node root;
  root.line = 1;
  simdjson::ondemand::value v;
  simdjson::error_code e = d.get_value().get(v);
  if (!e) e = b.build(v, root, 0);
  if (e) {
    const char* loc = nullptr;
    int64_t line = 0;
    if (!d.current_location().get(loc)) line = b.line_at(loc);
    doc.errors.emplace_back(line, std::string("JSON: ") + simdjson::error_message(e) +
                                      "; values before this point were kept");
  }
  doc.documents.push_back(std::move(root));
  return doc;
}

}  // namespace rstscope::config
