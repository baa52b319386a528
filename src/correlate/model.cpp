#include "correlate/model.h"

#include <algorithm>
#include <functional>

#include "rstscope/text.h"

namespace rstscope::correlate {

std::string host_key(std::string_view h) {
  std::string_view name = h;
  if (!name.empty() && name.front() == '[') {
    size_t close = name.find(']');
    name = close == std::string_view::npos ? name.substr(1) : name.substr(1, close - 1);
  } else if (std::count(name.begin(), name.end(), ':') == 1) {
    name = name.substr(0, name.find(':'));
  }
  while (!name.empty() && name.back() == '.') name.remove_suffix(1);
  std::string out(name);
  to_lower_inplace(out);
  return out;
}

bool is_address(std::string_view s) { return looks_like_ipv4(s) || s.find(':') != std::string_view::npos; }

uint32_t path_hash(std::string_view path) {
  if (path.empty()) return 0;
  uint32_t h = uint32_t(std::hash<std::string_view>{}(path));
  return h ? h : 1;
}

uint32_t Interner::id(std::string_view s) {
  if (s.empty()) return 0;
  auto it = ids_.find(s);
  if (it != ids_.end()) return it->second;
  uint32_t id = uint32_t(strings_.size());
  strings_.emplace_back(s);
  ids_.emplace(strings_.back(), id);
  return id;
}

uint32_t Interner::find(std::string_view s) const {
  if (s.empty()) return 0;
  auto it = ids_.find(s);
  return it == ids_.end() ? UINT32_MAX : it->second;
}

const SourceRec* Model::source(int64_t id) const {
  for (const auto& s : sources)
    if (s.id == id) return &s;
  return nullptr;
}

void Model::sort() {
  auto by_ts = [](const auto& a, const auto& b) {
    int64_t ta = a.ts == kNull ? INT64_MAX : a.ts, tb = b.ts == kNull ? INT64_MAX : b.ts;
    return ta != tb ? ta < tb : a.id < b.id;
  };
  std::sort(events.begin(), events.end(), by_ts);
  std::sort(client_requests.begin(), client_requests.end(), by_ts);
  std::sort(failures.begin(), failures.end(), by_ts);
}

}  // namespace rstscope::correlate
