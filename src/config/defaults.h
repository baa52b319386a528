// Documented defaults of the settings the correlation engine reasons with
// (shared/reference/signatures.md Part C, B1.6, B2.6, B3.4, B4.4, B5.3, B7.3, B9.3).
//
// Contract: every Setting returned has assumed=true, line=0, an empty listener (the caller fills
// it when it knows which listener the component serves), values normalised like read settings
// (durations in ms, sizes in bytes, protocol ranges as text) and a note naming where the default
// comes from. A value the reference marks "not re-verified" says so in its note. Unknown
// components yield an empty vector. Pure functions over static tables; thread-safe.
#pragma once

#include <string_view>
#include <vector>

#include "rstscope/setting.h"

namespace rstscope::config {

// Components: "nginx", "haproxy", "stunnel", "apache", "envoy", "traefik", "iis", "kestrel",
// "node", "aws-alb", "aws-elb", "aws-nlb", "azure-lb", "cisco-asa", "panos", "sysctl"
// (Linux conntrack / keepalive), and client libraries "client-dotnet", "client-java",
// "client-okhttp", "client-go", "client-node", "client-python", "client-curl".
std::vector<Setting> documented_defaults(std::string_view component);

// The default of one key of a component, if documented (assumed=true); false when not.
bool documented_default(std::string_view component, std::string_view key, Setting& out);

// Maps a parser name ("nginx-access", "haproxy-http", "stunnel", "apache-error", "envoy-access",
// "traefik-json", "caddy", "iis-w3c", "aws-alb", "aws-elb", "client-dotnet", ...) to the
// component whose defaults apply; "" when the parser's logs imply no configurable component.
// Only the client-<runtime> names map to client components; server-side parsers never do
// (go-tls is Go's TLS *server* log). Client parsers of any runtime (client-app-log, client-json,
// client-stderr) map to "": use component_of_runtime on what their events say.
std::string_view component_of_parser(std::string_view parser_name);

// Maps the runtime a client parser recognised (event field `runtime`: dotnet, powershell, java,
// go, node, python, curl; "okhttp" for Java failures that name okhttp3) to the client component
// whose pool defaults apply; "" when none is documented (ruby, php, rust, wget, unknown).
std::string_view component_of_runtime(std::string_view runtime);
// Human name of a runtime for notes (".NET", "Go net/http", ...); the runtime itself if unknown.
std::string_view runtime_label(std::string_view runtime);

}  // namespace rstscope::config
