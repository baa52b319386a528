#include "cli/cli.h"

int main(int argc, char** argv) { return rstscope::cli::run(argc, argv); }
