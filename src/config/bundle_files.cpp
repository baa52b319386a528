#include "config/bundle_files.h"

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

}  // namespace rstscope::config
