// rstscope ingest BUNDLE... -o DB
#include <iostream>

#include "cli/cli.h"
#include "ingest/ingest.h"

namespace rstscope::cli {
namespace {

void setup(CLI::App& root, int* result) {
  auto opt = std::make_shared<IngestOptions>();
  auto formats = std::make_shared<std::vector<std::string>>();
  auto tzs = std::make_shared<std::vector<std::string>>();
  CLI::App* c = root.add_subcommand("ingest", "Parse a bundle of logs and configs into a SQLite timeline");
  c->add_option("bundle", opt->bundles, "Folders, files, compressed files (.gz .bz2 .xz .zst) or archives (.tar .tgz .zip)")
      ->required();
  c->add_option("-o,--output", opt->db, "The timeline database to write")->required();
  c->add_option("--tz", *tzs,
                "Zone for times written without one: IANA name (Europe/Berlin) or offset (+01:00), for every file, or "
                "PATH=ZONE for the files PATH matches (a path, suffix or glob; repeatable); default UTC, marked inferred");
  c->add_option("--format", *formats, "Force a parser for matching files: PATH=PARSER (PATH: a path, suffix or glob)");
  c->add_option("--nginx-log-format", opt->nginx_log_formats,
                "nginx log_format for access logs when the bundle has no nginx.conf: 'FORMAT' or 'NAME=FORMAT'");
  c->add_flag("--append", opt->append, "Add new files to an existing timeline (files already in it, by sha256, are skipped)");
  c->add_flag("--fts-all", opt->fts_all, "Full-text index every event (default: all but successful requests; slower)");
  c->footer(
      "Examples:\n"
      "  rstscope ingest incident/ -o incident.db\n"
      "  rstscope ingest logs.tar.gz client.log -o incident.db --tz Europe/Berlin\n"
      "  rstscope ingest more-logs/ -o incident.db --append\n"
      "  rstscope ingest incident/ -o incident.db --tz UTC --tz 'app/*.log=Europe/Berlin'\n"
      "  rstscope ingest app/ -o incident.db --format 'app/*.log=client-app-log'\n"
      "Exit codes: 0 ok, 1 usage, 2 some input could not be read (the DB is complete for the rest), 3 fatal.");
  c->callback([opt, formats, tzs, result] {
    for (const std::string& f : *formats) {
      size_t eq = f.rfind('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == f.size())
        throw CLI::ValidationError("--format", "expected PATH=PARSER, got '" + f + "'");
      opt->overrides.emplace_back(f.substr(0, eq), f.substr(eq + 1));
    }
    try {
      apply_tz_args(*tzs, *opt);
    } catch (const std::exception& e) {
      throw CLI::ValidationError("--tz", e.what());
    }
    opt->quiet = globals().quiet;
    opt->verbose = globals().verbose;
    try {
      IngestSummary s = ingest(*opt);
      if (!opt->quiet) std::cerr << format_summary(s, opt->db);
      *result = s.exit_code;
    } catch (const std::exception& e) {
      std::cerr << "rstscope ingest: " << e.what() << "\n";
      *result = kFatal;
    }
  });
}

RSTSCOPE_REGISTER_COMMAND(10, setup);

}  // namespace
}  // namespace rstscope::cli
