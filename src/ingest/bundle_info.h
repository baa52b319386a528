// What ingest learns about the bundle as a whole before and after parsing files:
// nginx log_format definitions (read from every nginx config in the bundle, before the access
// logs are parsed) and the documented defaults assumed for components whose logs are present
// but whose configuration is not.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "config/nginx_conf.h"
#include "rstscope/parser.h"
#include "source/bundle.h"
#include "timeline/writer.h"

namespace rstscope {

// Text of every archive member that may be a config (*.conf, nginx.conf, sites-enabled/...), by
// display path ("a.tgz!/etc/nginx/nginx.conf"), each archive read once (texts capped at 4 MiB).
std::map<std::string, std::string> archive_config_texts(const std::vector<Input>& inputs);

// Config files of the bundle that an nginx `include` or Apache `Include`/`IncludeOptional` of
// another config of the bundle reads (followed through `resolve`, nested includes too): bundle
// path -> "PARENT:LINE" of the include that reads it. Ingest does not parse these alone (their
// settings come from the including file, with their own source and lines). A file only reached
// from inside an include cycle stays unmarked for the first file of the cycle in bundle order, so
// every config is read once. `read` returns a bundle file's text (may throw: the file is skipped).
std::map<std::string, std::string> find_included_configs(
    const std::vector<Input>& inputs, const config::IncludeResolver& resolve,
    const std::function<std::string(const std::string& display)>& read);

// `user_formats`: --nginx-log-format values, "FORMAT" (named "main") or "NAME=FORMAT".
BundleInfo collect_bundle_info(const std::vector<Input>& inputs, const std::vector<std::string>& user_formats,
                               std::vector<std::string>& warnings);

// Settings rows (source_id 0, status assumed) for every component in `components_with_logs` and
// every key of `inferred` (component -> why it was inferred, appended to each note) that has no
// row in `components_with_config`.
void add_assumed_settings(timeline::Batch& batch, const std::set<std::string>& components_with_logs,
                          const std::set<std::string>& components_with_config,
                          const std::map<std::string, std::string>& inferred = {});

}  // namespace rstscope
