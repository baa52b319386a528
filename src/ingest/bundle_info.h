// What ingest learns about the bundle as a whole before and after parsing files:
// nginx log_format definitions (read from every nginx config in the bundle, before the access
// logs are parsed) and the documented defaults assumed for components whose logs are present
// but whose configuration is not.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "rstscope/parser.h"
#include "source/bundle.h"
#include "timeline/writer.h"

namespace rstscope {

// `user_formats`: --nginx-log-format values, "FORMAT" (named "main") or "NAME=FORMAT".
BundleInfo collect_bundle_info(const std::vector<Input>& inputs, const std::vector<std::string>& user_formats,
                               std::vector<std::string>& warnings);

// Settings rows (source_id 0, status assumed) for every component in `components_with_logs` that
// has no row in `components_with_config`.
void add_assumed_settings(timeline::Batch& batch, const std::set<std::string>& components_with_logs,
                          const std::set<std::string>& components_with_config);

}  // namespace rstscope
