#include "config/bundle_files.h"

#include <algorithm>
#include <map>
#include <mutex>

namespace rstscope::config {
namespace {
std::mutex& mu() {
  static std::mutex m;
  return m;
}
std::map<const BundleInfo*, IncludeResolver>& table() {
  static std::map<const BundleInfo*, IncludeResolver> t;
  return t;
}
}  // namespace

void attach_bundle_resolver(const BundleInfo* bundle, IncludeResolver resolver) {
  std::lock_guard<std::mutex> g(mu());
  table()[bundle] = std::move(resolver);
}

void detach_bundle_resolver(const BundleInfo* bundle) {
  std::lock_guard<std::mutex> g(mu());
  table().erase(bundle);
}

IncludeResolver bundle_resolver(const BundleInfo* bundle) {
  std::lock_guard<std::mutex> g(mu());
  auto it = table().find(bundle);
  return it == table().end() ? IncludeResolver{} : it->second;
}

namespace {
std::vector<std::string_view> components(std::string_view p) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (pos <= p.size()) {
    size_t slash = p.find('/', pos);
    if (slash == std::string_view::npos) slash = p.size();
    if (slash > pos) out.push_back(p.substr(pos, slash - pos));
    pos = slash + 1;
  }
  return out;
}
}  // namespace

bool include_matches(std::string_view pattern, std::string_view bundle_path) {
  // Archive members: "a.tar!/etc/nginx/x.conf" -> the member part.
  size_t bang = bundle_path.find("!/");
  if (bang != std::string_view::npos) bundle_path = bundle_path.substr(bang + 2);
  auto pc = components(pattern);
  auto bc = components(bundle_path);
  if (pc.empty() || bc.empty()) return false;
  size_t k = std::min<size_t>(2, pc.size());
  if (bc.size() < k) return false;
  for (size_t i = 0; i < k; ++i)
    if (!glob_match(pc[pc.size() - k + i], bc[bc.size() - k + i])) return false;
  return true;
}

IncludeResolver make_bundle_resolver(std::vector<std::string> bundle_paths,
                                     std::function<std::string(const std::string& path)> read) {
  return [paths = std::move(bundle_paths), read = std::move(read)](std::string_view pattern,
                                                                   std::string_view from) {
    std::vector<IncludedFile> out;
    for (const std::string& p : paths) {
      if (p == from || !include_matches(pattern, p)) continue;
      try {
        out.push_back({p, read(p)});
      } catch (...) {
        // unreadable: the include stays unresolved for this file
      }
    }
    return out;
  };
}

}  // namespace rstscope::config
