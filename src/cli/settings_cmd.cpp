// rstscope settings DB [--listener X] [--component C] [--format table|json]
#include <iostream>
#include <memory>

#include "cli/cli.h"
#include "config/settings_report.h"

namespace rstscope::cli {
namespace {

void setup(CLI::App& root, int* result) {
  auto* cmd = root.add_subcommand("settings", "Print the configuration settings of a timeline DB, grouped by listener");
  struct Opts {
    std::string db;
    config::SettingsQuery q;
  };
  auto opts = std::make_shared<Opts>();
  cmd->add_option("db", opts->db, "Timeline DB written by `rstscope ingest` / `analyze`")->required();
  cmd->add_option("--listener", opts->q.listener, "Only this listener (\"10.0.0.9:443\", \"*:443\") or port (\"443\")");
  cmd->add_option("--component", opts->q.component, "Only this component (nginx, haproxy, stunnel, apache, envoy, ...)");
  cmd->add_option("--format", opts->q.format, "Output format")->check(CLI::IsMember({"table", "json"}));
  cmd->footer(
      "Each setting is read from a config file of the bundle (shown as path:line) or is a documented\n"
      "default assumed because the bundle had logs of the component but not its configuration.\n"
      "Durations are in ms, sizes in bytes, TLS ranges as text (docs/config.md).\n"
      "Examples:\n"
      "  rstscope settings incident.db\n"
      "  rstscope settings incident.db --listener 443\n"
      "  rstscope settings incident.db --component haproxy --format json");
  cmd->callback([opts, result]() {
    try {
      config::print_settings(opts->db, opts->q, std::cout);
      *result = kOk;
    } catch (const std::exception& e) {
      std::cerr << "rstscope settings: " << e.what() << "\n";
      *result = kFatal;
    }
  });
}

}  // namespace

RSTSCOPE_REGISTER_COMMAND(60, setup);

}  // namespace rstscope::cli
