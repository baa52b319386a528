// Lets the config parsers see other files of the bundle (nginx/Apache `include`), without a
// change to the ParseContext contract: ingest attaches a resolver to the BundleInfo it hands to
// parsers, and the parsers look it up by that pointer.
//
// Contract: attach_bundle_resolver() before parsing, detach_bundle_resolver() before the
// BundleInfo dies. Lookups are guarded by a mutex (parsers may run on several threads).
// Without an attached resolver, includes are reported as unresolved and each file is read alone.
#pragma once

#include "config/nginx_conf.h"
#include "rstscope/parser.h"

namespace rstscope::config {

void attach_bundle_resolver(const BundleInfo* bundle, IncludeResolver resolver);
void detach_bundle_resolver(const BundleInfo* bundle);
// The resolver attached to `bundle`, or an empty function.
IncludeResolver bundle_resolver(const BundleInfo* bundle);

}  // namespace rstscope::config
