#include <sqlite3.h>

#include "cli/cli.h"

int main(int argc, char** argv) {
  // Before SQLite's first use: no memory statistics. With them on (SQLite's default), every SQLite
  // allocation and free takes one process-wide mutex, whose cache line the ingest's writer and
  // full-text threads then pass between the cores (2,000,000 lines end to end, alternating hyperfine
  // medians: HAProxy 4.23 / 4.27 -> 3.79 / 3.91 s, nginx 2.97 / 3.00 -> 2.72 / 2.78 s;
  // docs/performance.md). rstscope reads none of them (sqlite3_memory_used, soft heap limits).
  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  return rstscope::cli::run(argc, argv);
}
