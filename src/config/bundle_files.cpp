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
// Leading directory components two bundle paths have in common ("a/b/x.conf", "a/c/y.conf" -> 1).
size_t shared_dirs(std::string_view a, std::string_view b) {
  auto ca = components(a), cb = components(b);
  size_t n = 0;
  while (n + 1 < ca.size() && n + 1 < cb.size() && ca[n] == cb[n]) ++n;
  return n;
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
    // Several instances in one bundle (edge/nginx/conf.d/..., legacy/nginx/conf.d/...) match the
    // same tail: keep the matches that share the most leading directories with the including file.
    std::vector<const std::string*> best;
    size_t best_shared = 0;
    for (const std::string& p : paths) {
      if (p == from || !include_matches(pattern, p)) continue;
      size_t shared = shared_dirs(from, p);
      if (best.empty() || shared > best_shared) {
        best.clear();
        best_shared = shared;
      }
      if (shared == best_shared) best.push_back(&p);
    }
    std::vector<IncludedFile> out;
    for (const std::string* p : best) {
      try {
        out.push_back({*p, read(*p)});
      } catch (...) {
        // unreadable: the include stays unresolved for this file
      }
    }
    return out;
  };
}

}  // namespace rstscope::config
