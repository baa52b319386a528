#include "cli/cli.h"

#include <algorithm>
#include <iostream>
#include <vector>

namespace rstscope::cli {
namespace {
std::vector<std::pair<int, Setup>>& commands() {
  static std::vector<std::pair<int, Setup>> v;
  return v;
}
}  // namespace

Globals& globals() {
  static Globals g;
  return g;
}

void register_command(int order, Setup setup) { commands().emplace_back(order, std::move(setup)); }

int run(int argc, char** argv) {
  CLI::App app{
      "rstscope: find the server-side cause of client connection resets "
      "(\"An existing connection was forcibly closed by the remote host\", ECONNRESET, EOF, TLS resets)"};
  app.set_version_flag("--version", std::string("rstscope ") + RSTSCOPE_VERSION);
  app.add_flag("-q,--quiet", globals().quiet, "No progress and no summary on stderr");
  app.add_flag("-v,--verbose", globals().verbose, "More detail on stderr (repeat for more)");
  app.require_subcommand(1);
  app.footer(
      "Examples:\n"
      "  rstscope analyze incident-bundle/ -o incident.db\n"
      "  rstscope ingest logs.tar.gz -o incident.db\n"
      "  rstscope query incident.db \"SELECT * FROM failures LIMIT 10\"\n"
      "Exit codes: 0 ok, 1 usage, 2 some input could not be read (the rest is complete), 3 fatal.\n"
      "Docs: docs/cli.md, docs/schema.md");
  auto& cmds = commands();
  std::stable_sort(cmds.begin(), cmds.end(), [](auto& a, auto& b) { return a.first < b.first; });
  int result = kOk;
  for (auto& [order, setup] : cmds) setup(app, &result);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? kOk : kUsage;
  } catch (const std::exception& e) {
    std::cerr << "rstscope: " << e.what() << "\n";
    return kFatal;
  }
  return result;
}

}  // namespace rstscope::cli
