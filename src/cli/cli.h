// The command line. Each subcommand lives in its own file under src/cli/ and registers itself
// with RSTSCOPE_REGISTER_COMMAND, so adding a command touches nothing else.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>

namespace rstscope::cli {

// Exit codes (docs/cli.md).
inline constexpr int kOk = 0;
inline constexpr int kUsage = 1;
inline constexpr int kPartial = 2;  // some input could not be read; the DB is complete for the rest
inline constexpr int kFatal = 3;

struct Globals {
  bool quiet = false;
  int verbose = 0;
};
Globals& globals();

// A setup function adds its subcommand to `root` and sets `*result` from its callback.
using Setup = std::function<void(CLI::App& root, int* result)>;
void register_command(int order, Setup setup);

struct CommandRegistrar {
  CommandRegistrar(int order, Setup setup) { register_command(order, std::move(setup)); }
};

int run(int argc, char** argv);

}  // namespace rstscope::cli

#define RSTSCOPE_REGISTER_COMMAND(order, fn) \
  static ::rstscope::cli::CommandRegistrar RSTSCOPE_CLI_CONCAT(rstscope_cmd_, __LINE__)(order, fn)
#define RSTSCOPE_CLI_CONCAT_INNER(a, b) a##b
#define RSTSCOPE_CLI_CONCAT(a, b) RSTSCOPE_CLI_CONCAT_INNER(a, b)
