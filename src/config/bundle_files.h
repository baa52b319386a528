// Lets the config parsers see other files of the bundle (nginx/Apache `include`), without a
// change to the ParseContext contract: ingest attaches a resolver to the BundleInfo it hands to
// parsers, and the parsers look it up by that pointer.
//
// Contract: attach_bundle_resolver() before parsing, detach_bundle_resolver() before the
// BundleInfo dies. Lookups are guarded by a mutex (parsers may run on several threads).
// Without an attached resolver, includes are reported as unresolved and each file is read alone.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "config/nginx_conf.h"
#include "rstscope/parser.h"

namespace rstscope::config {

void attach_bundle_resolver(const BundleInfo* bundle, IncludeResolver resolver);
void detach_bundle_resolver(const BundleInfo* bundle);
// The resolver attached to `bundle`, or an empty function.
IncludeResolver bundle_resolver(const BundleInfo* bundle);

// True when an include pattern written in a config (absolute like /etc/nginx/conf.d/*.conf or
// relative like snippets/ssl.conf) names `bundle_path` (a path relative to the bundle root):
// the last min(2, components of pattern) components must glob-match the same number of trailing
// components of bundle_path. Bundles rarely keep /etc/... prefixes, so the tail decides.
bool include_matches(std::string_view pattern, std::string_view bundle_path);

// A ready resolver over a list of bundle paths: matches with include_matches() and reads the
// text of each match with `read` (which may throw; such files are skipped). When several
// matches differ in how many leading directories they share with the including file, only the
// closest are returned (one bundle holding two servers' conf.d folders).
IncludeResolver make_bundle_resolver(std::vector<std::string> bundle_paths,
                                     std::function<std::string(const std::string& path)> read);

}  // namespace rstscope::config
