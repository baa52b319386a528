// A small document tree shared by the YAML and JSON config readers, so Envoy, Kubernetes,
// appsettings and AWS readers walk one shape whatever the file syntax was.
//
// YAML: parse_yaml() reads a documented SUBSET of YAML 1.2 (docs/config.md "YAML subset"):
//   block mappings and sequences by indentation (including "- key: v" items and sequences
//   indented at their key's column), plain / 'single' / "double" quoted scalars, comments,
//   "---" document separators, literal/folded block scalars (| and >, kept as text), and
//   single- or multi-line flow collections ([a, b], {k: v}). NOT supported: anchors and
//   aliases (&a / *a are kept as plain text), tags (a leading !tag is dropped), multi-line
//   plain scalars, complex keys ("? "), tabs for indentation, directives (%YAML).
//   Unsupported or malformed lines become errors (line, message) and are skipped; the rest of
//   the document is still returned.
// JSON: parse_json_tree() uses simdjson (on-demand) and records each key's line.
// Cost: one pass; allocation per node; for config files only. Thread-safe (no shared state).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rstscope::config {

struct Node {
  enum class Kind { null, scalar, map, seq };
  Kind kind = Kind::null;
  std::string scalar;                             // scalar text (numbers/bools as written)
  std::vector<std::pair<std::string, Node>> map;  // in document order
  std::vector<Node> seq;
  int64_t line = 0;                               // 1-based line of the key or item (0 unknown)

  bool is_map() const { return kind == Kind::map; }
  bool is_seq() const { return kind == Kind::seq; }
  bool is_scalar() const { return kind == Kind::scalar; }
  const Node* get(std::string_view key) const;       // map member or nullptr
  std::string_view str(std::string_view key) const;  // scalar member text or ""
};

struct TreeDoc {
  std::vector<Node> documents;                          // one per YAML document ("---")
  std::vector<std::pair<int64_t, std::string>> errors;  // line, message
};

TreeDoc parse_yaml(std::string_view text);
TreeDoc parse_json_tree(std::string_view text);

}  // namespace rstscope::config
