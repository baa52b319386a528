// Timeline writer: bulk-loads Events into the SQLite timeline on its own thread.
//
// Contract: the producer (one parsing thread) fills Batches obtained from acquire() and hands them
// back with submit(); the writer thread inserts them in order inside one transaction and recycles
// the batch, so steady-state ingest allocates nothing. The indexes exist before the load and the
// writer thread maintains them as it inserts (overlapping the parser; see docs/performance.md).
// Exceptions: when a new timeline's rows mostly carry a client port (HAProxy, client logs),
// idx_events_client_port is dropped during the load and built once by finish(), because its keys
// arrive in random order (random B-tree inserts cost more than one sort): written in order from the
// (port, id) keys submit() collected, without reading the table back (CREATE INDEX
// past WriterOptions::port_keys_limit keys). The same for idx_events_server_port, by CREATE INDEX,
// when most rows carry a server port and the ports interleave. Either way every index exists when
// the DB is published.
//
// Full text: for a new timeline a third thread builds the FTS5 index in its own SQLite file
// ("<path>.fts.partial", the same FTS5 definition) from the rows submit() copies out of each batch
// (FtsJob; the ids are known at submit time: the writer gives consecutive ids in submit order), and
// finish() copies its shadow tables into the timeline: tokenising is the costliest per-row step and
// no longer runs on the writer thread.
// --append indexes on the writer thread (an existing index cannot take a second one's segments).
//
// finish() removes duplicate files' events, marks the DB complete, and publishes it atomically: a
// new DB is written to "<path>.partial" and renamed at the end; --append runs in one
// rollback-journal transaction. Either way a crash leaves the previous state (or no DB), never a
// DB that looks complete.
#pragma once

#include <sqlite3.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "rstscope/event.h"
#include "rstscope/setting.h"

namespace rstscope::timeline {

struct SourceRow {
  int64_t id = 0;
  std::string path, member, parser;
  int64_t score = kNull, size = kNull, mtime = kNull;
  std::string sha256;
  int64_t lines = 0, events = 0, unparsed = 0;
  int64_t first_ts = kNull, last_ts = kNull;
  std::string zone, status, errors;
  bool final = false;  // false: insert at start of the file; true: update with totals
};

struct UnparsedRow {
  int64_t source_id = 0, line = 0, offset = 0;
  std::string reason, raw;
};

struct Batch {
  std::vector<Event> events;
  int64_t first_id = 0;  // id of events[0], set by the writer
  size_t n_events = 0;
  std::vector<UnparsedRow> unparsed;
  size_t n_unparsed = 0;
  std::vector<std::pair<int64_t, Setting>> settings;  // source_id (0 = assumed), setting
  std::vector<SourceRow> sources;
  Event& next_event() {
    if (n_events == events.size()) events.emplace_back();
    Event& e = events[n_events++];
    e.clear();
    return e;
  }
  void reset() {
    n_events = 0;
    n_unparsed = 0;
    settings.clear();
    sources.clear();
  }
  // 1,024 events per batch and at most kBatches of them in flight (~8,000 events, a few MB): the
  // writer reads what the parser core has just written, and a small working set keeps it in cache
  // (against 4,096 x 6: user CPU -7 to -10 %, wall -2 to -5 % on nginx, HAProxy and client logs).
  static constexpr size_t kCapacity = 1024;
  static constexpr size_t kBatches = 8;
  bool full() const { return n_events >= kCapacity || n_unparsed >= kCapacity; }
};

// The rows of one batch the full-text thread indexes (ids, message and raw texts), copied out when
// the batch is submitted, so that a batch goes back to the parser as soon as the writer is done with
// it: FTS5 works in bursts (a segment flush and merge every megabyte or so of terms), and a burst
// that held batches starved the writer (HAProxy: ~30 waits of ~8 ms).
struct FtsJob {
  std::vector<int64_t> ids;
  std::vector<uint32_t> ends;  // per row: end of its message, end of its raw, in text
  std::string text;
  void clear() {
    ids.clear();
    ends.clear();
    text.clear();
  }
};

struct WriterOptions {
  std::string path;
  bool append = false;
  bool fts_all = false;  // index every event in FTS (default: all but plain successful requests)
  bool verbose = false;  // print phase timings to stderr
  // Client-port keys (8 bytes each) kept for finish() to write idx_events_client_port from; past
  // this many rows with a client port, CREATE INDEX builds it after the load instead (64 MiB).
  size_t port_keys_limit = size_t(8) << 20;
};

class Writer {
 public:
  explicit Writer(const WriterOptions& opt);  // throws std::runtime_error with a clear message
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  int64_t next_source_id() { return next_source_id_++; }
  // sha256 already ingested? (consulted before parsing a file when appending)
  bool has_sha256(const std::string& sha) const;

  Batch* acquire();
  void submit(Batch* b);
  // Indexes, FTS, meta; commit and publish. Throws on failure (the partial DB is removed).
  void finish();
  // Abandons the load: rolls back / removes the partial file.
  void abort() noexcept;
  int64_t rows_written() const { return rows_written_; }
  // CPU seconds the writer thread used (valid after finish() or abort()).
  double writer_cpu_seconds() const { return writer_cpu_; }

  // What each parameter of the two event INSERTs holds (bindings survive sqlite3_reset), so that a
  // parameter that would get the same value again (NULL, the same integer, the same text buffer
  // and length: SQLITE_STATIC text is read at step time) is not bound again.
  struct BoundParam {
    int64_t v = 0;
    const void* p = nullptr;
    int n = -1;  // -1 unknown, -2 NULL, -3 integer, -4 real, >= 0 text of n bytes at p
  };

 private:
  void run();
  void run_fts();
  template <class T>
  T* next_item(std::deque<T*>& q, const bool& stop, double* cpu, bool& failed);
  void hand_to_fts(const Batch& b);
  void fail(const std::exception& e);
  void write(Batch& b);
  void write_fts(const FtsJob& job);
  void write_fts_in_place(const Batch& b);
  // The events events_fts covers: every one with --fts-all, else all but plain requests.
  bool in_full_text(const Event& e) const {
    return opt_.fts_all || (e.category != "request" && e.category != "client-request");
  }
  void recycle(Batch* b);
  void open_fts_build();
  void merge_fts_build();
  void keep_port_key(int64_t port, int64_t id);
  bool build_client_port_index();
  void reopen();
  void open_db(bool creating);
  void exec(const char* sql);
  void exec_fts(const char* sql);  // on the full-text build connection
  void prepare_event_inserts();
  sqlite3_stmt* prepare(const char* sql);
  void check(int rc, const char* what);
  static std::string failure(sqlite3* db, const std::string& path, const std::string& what);

  WriterOptions opt_;
  std::string work_path_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* ins_event_ = nullptr;
  sqlite3_stmt* ins_events_multi_ = nullptr;  // kRowsPerInsert rows per statement
  sqlite3_stmt* ins_fts_ = nullptr;
  sqlite3_stmt* ins_unparsed_ = nullptr;
  sqlite3_stmt* ins_setting_ = nullptr;
  sqlite3_stmt* ins_source_ = nullptr;
  sqlite3_stmt* upd_source_ = nullptr;
  int64_t next_source_id_ = 1;
  int64_t first_event_id_ = 1;
  int64_t next_event_id_ = 1;   // id of the next event row (ids are given, not chosen by SQLite)
  int64_t next_submit_id_ = 1;  // the same, counted by submit() on the producer thread
  std::map<int64_t, std::pair<int64_t, int64_t>> event_ids_;  // source id -> first, last event id
  std::vector<std::string> known_sha_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Batch*> full_;
  std::vector<std::unique_ptr<Batch>> all_;
  std::vector<Batch*> free_;
  bool stop_ = false;
  std::string error_;
  std::thread thread_;
  // Full-text build (new timelines): its own connection and thread, fed the written batches.
  std::string fts_path_;
  sqlite3* fts_db_ = nullptr;
  sqlite3_stmt* fts_ins_ = nullptr;
  std::deque<FtsJob*> fts_q_;
  std::vector<std::unique_ptr<FtsJob>> fts_jobs_;
  std::vector<FtsJob*> fts_free_;
  bool fts_stop_ = false;
  std::thread fts_thread_;
  double fts_cpu_ = 0;
  int64_t rows_written_ = 0;
  double writer_cpu_ = 0;
  std::vector<BoundParam> bound_one_, bound_multi_;
  // A port index that write() may drop for finish() to build after the load.
  struct PortIndex {
    const char* name;
    bool any_order;       // keys arrive in random order (client ports); else only when they interleave
    int64_t rows = 0;     // rows written with the port
    int64_t changes = 0;  // rows whose port differs from the previous row's (server port only)
    bool dropped = false;
  };
  PortIndex client_port_{"idx_events_client_port", true};
  // (client port << 48 | event id) of every row with a client port, collected by submit() for a
  // new timeline, so that finish() can write a dropped client-port index from sorted
  // keys instead of re-reading the whole table (see build_client_port_index()). Emptied and off past
  // opt_.port_keys_limit rows or for a port outside 0..65535 (then CREATE INDEX builds it).
  std::vector<uint64_t> port_keys_;
  bool port_keys_ok_ = true;
  PortIndex server_port_{"idx_events_server_port", false};
  int64_t last_server_port_ = kNull;
  bool finished_ = false;
};

// Opens a finished timeline read-only (for query, report, settings). Throws if the file is not a
// complete rstscope timeline, with a message saying what to do.
void check_complete(sqlite3* db, const std::string& path);

// A rollback journal beside the DB is what an --append killed mid-way leaves; SQLite plays it back
// on the next read-write open, which a read-only connection cannot do ("attempt to write a readonly
// database"). Call before a read-only open: restores the last committed (complete) state.
void play_back_journal(const std::string& path);

}  // namespace rstscope::timeline
