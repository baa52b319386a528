#include <algorithm>
#include <stdexcept>
#include <string>

#include "rstscope/parser.h"

namespace rstscope {
namespace {
std::vector<std::unique_ptr<Parser>>& owned() {
  static std::vector<std::unique_ptr<Parser>> v;
  return v;
}
std::vector<const Parser*>& sorted() {
  static std::vector<const Parser*> v;
  return v;
}
}  // namespace

void register_parser(std::unique_ptr<Parser> p) {
  for (const auto& q : owned())
    if (q->name() == p->name())
      throw std::logic_error("two parsers are named " + std::string(p->name()));
  sorted().push_back(p.get());
  owned().push_back(std::move(p));
  std::stable_sort(sorted().begin(), sorted().end(),
                   [](const Parser* a, const Parser* b) { return a->name() < b->name(); });
}

const std::vector<const Parser*>& all_parsers() { return sorted(); }

const Parser* find_parser(std::string_view name) {
  for (const Parser* p : sorted())
    if (p->name() == name) return p;
  return nullptr;
}

}  // namespace rstscope
