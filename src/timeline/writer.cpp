#include "timeline/writer.h"

#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "timeline/schema.h"

namespace fs = std::filesystem;

namespace rstscope::timeline {

namespace {

// The port indexes may be dropped during a load whose rows mostly carry that port (see write()).
// Dropped only past this many rows with the port, and only when they are at least half the rows
// so far: below it random inserts are cheap, and a mostly port-less load (nginx combined) keeps the
// index so that finish() does not scan the whole table for a few entries.
constexpr int64_t kPortRowsBeforeDrop = 100000;
// The server-port index is dropped only when its ports interleave (the port differs from the
// previous row's in at least 1 row in 20): each such row is an insert in the middle of the B-tree
// (client logs to several targets, firewalls); one listener's port only appends at its right edge.
constexpr int64_t kServerPortChangesPer = 20;

// A client-port key: port << 48 | event id (see Writer::port_keys_).
constexpr int kPortKeyIdBits = 48;
// idx_events_client_port as sqlite_schema records it (kIndexes below, without IF NOT EXISTS).
constexpr const char* kClientPortIndexSql =
    "CREATE INDEX idx_events_client_port ON events(client_port) WHERE client_port IS NOT NULL";

constexpr const char* kIndexes = R"SQL(
CREATE INDEX IF NOT EXISTS idx_events_ts ON events(ts);
CREATE INDEX IF NOT EXISTS idx_events_category ON events(category, ts) WHERE category NOT IN ('request', 'client-request');
CREATE INDEX IF NOT EXISTS idx_events_server_port ON events(server_port, ts) WHERE server_port IS NOT NULL;
CREATE INDEX IF NOT EXISTS idx_events_client_port ON events(client_port) WHERE client_port IS NOT NULL;
CREATE INDEX IF NOT EXISTS idx_settings_listener ON settings(listener, key);
)SQL";

constexpr const char* kViews = R"SQL(
DROP VIEW IF EXISTS timeline;
CREATE VIEW timeline AS
  SELECT e.id, strftime('%Y-%m-%dT%H:%M:%fZ', COALESCE(e.ts_corrected, e.ts) / 1000000.0, 'unixepoch') AS time,
         s.path || ':' || e.line AS at, e.role, e.category, e.kind, e.severity,
         e.client_ip, e.client_port, e.server_ip, e.server_port, e.host, e.method, e.path, e.status,
         e.message, e.raw, e.ts, e.ts_corrected, e.source_id, e.line, e.fields
  FROM events e JOIN sources s ON s.id = e.source_id;
DROP VIEW IF EXISTS failures;
CREATE VIEW failures AS
  SELECT id, time, at, kind, host, server_ip, server_port, client_port, message, raw, ts
  FROM timeline WHERE role = 'client' AND category = 'client-failure' ORDER BY ts;
DROP VIEW IF EXISTS server_side;
CREATE VIEW server_side AS
  SELECT * FROM timeline
  WHERE role IN ('proxy', 'server', 'tls', 'firewall') AND category NOT IN ('request', 'conn-accepted', 'conn-closed')
  ORDER BY ts;
DROP VIEW IF EXISTS problems;
CREATE VIEW problems AS
  SELECT s.path, s.parser, s.status, s.unparsed, s.errors FROM sources s
  WHERE s.status <> 'ok' OR s.unparsed > 0 OR (s.errors IS NOT NULL AND s.errors <> '');
DROP VIEW IF EXISTS incident_list;
CREATE VIEW incident_list AS
  SELECT i.id, strftime('%Y-%m-%dT%H:%M:%fZ', i.ts / 1000000.0, 'unixepoch') AS time,
         s.path || ':' || e.line AS at, i.kind, i.target, i.local_port, i.cause_class, i.rule,
         i.confidence, i.explanation, i.finding_id
  FROM incidents i JOIN events e ON e.id = i.event_id JOIN sources s ON s.id = e.source_id
  ORDER BY i.ts;
)SQL";

// One definition for the timeline's table and the full-text build's (their shadow tables must match).
constexpr const char* kCreateFts =
    "CREATE VIRTUAL TABLE IF NOT EXISTS events_fts USING fts5(message, raw, content='events', content_rowid='id');";
// The shadow tables that hold an external-content FTS5 index (events_fts_config holds only the
// format version, the same in both files).
constexpr const char* kMergeFts = R"SQL(
DELETE FROM main.events_fts_data; DELETE FROM main.events_fts_idx; DELETE FROM main.events_fts_docsize;
INSERT INTO main.events_fts_data SELECT * FROM fts_build.events_fts_data;
INSERT INTO main.events_fts_idx SELECT * FROM fts_build.events_fts_idx;
INSERT INTO main.events_fts_docsize SELECT * FROM fts_build.events_fts_docsize;
)SQL";

// A read-write connection to path (created if missing); throws "cannot create PATH: why".
sqlite3* open_rw(const std::string& path, bool creating) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string m = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    throw std::runtime_error("cannot " + std::string(creating ? "create " : "open ") + path + ": " + m);
  }
  return db;
}

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

constexpr int kEventParams = 28;
// Rows per INSERT statement: one sqlite3_step per 16 rows instead of one per row (docs/performance.md:
// about 8% less writer CPU; more rows per statement measured no better).
constexpr size_t kRowsPerInsert = 16;

// "INSERT OR FAIL INTO events(...) VALUES(...),(...)" for `rows` rows. OR FAIL, not the default
// ABORT: a multi-row INSERT that may abort needs a statement journal, and every statement savepoint
// makes FTS5 flush its pending terms into a new segment (one tiny segment per batch, then merges);
// a failed row ends the whole ingest anyway, so FAIL's keeping of earlier rows never shows.
// Row r binds ?(r*28+1) .. ?(r*28+28)
// (the id is given, so that the full-text row can name it; ts is bound once and written to both ts
// and ts_corrected).
std::string insert_events_sql(int rows) {
  std::string sql =
      "INSERT OR FAIL INTO events(id, source_id, line, line_count, offset, ts, ts_corrected, ts_raw, ts_zone, role, category, "
      "kind, severity, client_ip, client_port, server_ip, server_port, host, protocol, method, path, status, "
      "bytes, duration_ms, conn_id, request_id, message, raw, fields) VALUES";
  for (int r = 0; r < rows; ++r) {
    int b = r * kEventParams;
    sql += r ? ",(" : "(";
    for (int k = 1; k <= kEventParams; ++k) {
      if (k > 1) sql += ',';
      sql += '?';
      sql += std::to_string(b + k);
      if (k == 6) {
        sql += ",?";
        sql += std::to_string(b + 6);
      }
    }
    sql += ')';
  }
  return sql;
}

}  // namespace

static inline void bind_text(sqlite3_stmt* st, int i, const std::string& s) {
  if (s.empty()) sqlite3_bind_null(st, i);
  else sqlite3_bind_text(st, i, s.data(), int(s.size()), SQLITE_STATIC);
}
static inline void bind_sv(sqlite3_stmt* st, int i, std::string_view s) {
  if (s.empty()) sqlite3_bind_null(st, i);
  else sqlite3_bind_text(st, i, s.data(), int(s.size()), SQLITE_STATIC);
}
static inline void bind_int(sqlite3_stmt* st, int i, int64_t v) {
  if (v == kNull) sqlite3_bind_null(st, i);
  else sqlite3_bind_int64(st, i, v);
}

// "PATH: what: SQLite's message (the OS error, e.g. No space left on device)".
std::string Writer::failure(sqlite3* db, const std::string& path, const std::string& what) {
  std::string m = path + ": " + what + ": " + (db ? sqlite3_errmsg(db) : "out of memory");
  int e = db ? sqlite3_system_errno(db) : 0;
  if (e) m += std::string(" (") + std::strerror(e) + ")";
  return m;
}

void Writer::check(int rc, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) throw std::runtime_error(failure(db_, work_path_, what));
}

void Writer::exec(const char* sql) {
  if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) throw std::runtime_error(failure(db_, work_path_, "SQLite"));
}

sqlite3_stmt* Writer::prepare(const char* sql) {
  sqlite3_stmt* st = nullptr;
  check(sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, nullptr), "prepare");
  return st;
}

Writer::Writer(const WriterOptions& opt) : opt_(opt) {
  bool exists = fs::exists(opt.path);
  if (exists && !opt.append)
    throw std::runtime_error(opt.path + " already exists: remove it, choose another -o, or add --append");
  if (!exists && opt.append) opt_.append = false;  // appending to nothing is a new DB
  work_path_ = opt_.append ? opt.path : opt.path + ".partial";
  if (!opt_.append) fs::remove(work_path_);
  open_db(true);
  try {
    exec(std::string(kCreateTables).c_str());
    exec(kCreateFts);
    {
      sqlite3_stmt* st = prepare("SELECT COALESCE(MAX(id), 0) FROM sources");
      if (sqlite3_step(st) == SQLITE_ROW) next_source_id_ = sqlite3_column_int64(st, 0) + 1;
      sqlite3_finalize(st);
      st = prepare("SELECT COALESCE(MAX(id), 0) FROM events");
      if (sqlite3_step(st) == SQLITE_ROW) first_event_id_ = sqlite3_column_int64(st, 0) + 1;
      sqlite3_finalize(st);
      st = prepare("SELECT sha256 FROM sources WHERE sha256 IS NOT NULL");
      while (sqlite3_step(st) == SQLITE_ROW)
        known_sha_.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
      sqlite3_finalize(st);
    }
    // Indexes exist before the load and are maintained row by row on the writer thread: logs arrive
    // nearly in ts order, so idx_events_ts grows at its right edge, the partial indexes take only the
    // rows they select, and the work overlaps parsing instead of running serially after it (measured
    // cheaper than CREATE INDEX after the load, which re-reads the whole table once per index).
    exec(kIndexes);
    next_event_id_ = first_event_id_;
    // Inside the transaction: a failed --append rolls back to the previous 'complete' (a new DB
    // is a .partial file until published, so there it makes no difference).
    exec("BEGIN");
    exec("INSERT OR REPLACE INTO meta(key, value) VALUES('state', 'loading');");
    prepare_event_inserts();
    if (opt_.append) ins_fts_ = prepare("INSERT INTO events_fts(rowid, message, raw) VALUES(?,?,?)");
    else open_fts_build();
    ins_unparsed_ = prepare("INSERT INTO unparsed(source_id, line, offset, reason, raw) VALUES(?,?,?,?,?)");
    ins_setting_ = prepare(
        "INSERT INTO settings(source_id, component, scope, listener, key, raw, value, unit, text, line, status, note) "
        "VALUES(?,?,?,?,?,?,?,?,?,?,?,?)");
    ins_source_ = prepare(
        "INSERT INTO sources(id, path, member, parser, score, size, mtime, status) VALUES(?,?,?,?,?,?,?,'loading')");
    upd_source_ = prepare(
        "UPDATE sources SET parser=?2, score=?3, size=?4, sha256=?5, lines=?6, events=?7, unparsed=?8, first_ts=?9, "
        "last_ts=?10, zone=?11, status=?12, errors=?13 WHERE id=?1");
  } catch (...) {
    abort();
    throw;
  }
  thread_ = std::thread([this] { run(); });
  next_submit_id_ = first_event_id_;
  if (fts_db_) fts_thread_ = std::thread([this] { run_fts(); });
}

// Opens (or, after the full-text merge, reopens) the connection to work_path_ with the load's settings.
void Writer::open_db(bool creating) {
  db_ = open_rw(work_path_, creating);
  try {
    if (opt_.append) {
      check_complete(db_, opt_.path);
      exec("PRAGMA journal_mode=DELETE; PRAGMA synchronous=NORMAL;");
    } else {
      // 32 KiB pages: half the page writes and page-level work of 16 KiB (end to end, alternating
      // hyperfine runs: nginx -7.6 %, HAProxy -3 %, client logs -2.6 %); 64 KiB gains no more and
      // makes every indexed lookup of a reader copy 64 KiB (docs/performance.md).
      exec("PRAGMA page_size=32768; PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;");
    }
    // 16 MiB page cache: the load appends (rowid order, ts index mostly at its right edge), so a
    // larger cache buys nothing and costs RSS and page faults (docs/performance.md).
    exec("PRAGMA cache_size=-16384; PRAGMA temp_store=FILE; PRAGMA locking_mode=EXCLUSIVE; PRAGMA threads=2;");
  } catch (...) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw;
  }
}

void Writer::exec_fts(const char* sql) {
  if (sqlite3_exec(fts_db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK)
    throw std::runtime_error(failure(fts_db_, fts_path_, "SQLite"));
}

// The full-text build file: same FTS5 definition, no journal (it is thrown away on any failure).
void Writer::open_fts_build() {
  fts_path_ = opt_.path + ".fts.partial";
  fs::remove(fts_path_);
  fts_db_ = open_rw(fts_path_, true);
  exec_fts("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA locking_mode=EXCLUSIVE; PRAGMA cache_size=-2048;");
  exec_fts(kCreateFts);
  // Fewer, larger flushes and merges: FTS5 flushes its pending terms into a new segment per
  // `hashsize` bytes (1 MiB by default) and merges a level's segments when it holds `automerge` of
  // them (4 by default); 4 MiB and 16 took the full-text build of 139,115 HAProxy lines from 1.04 to
  // 0.65 s (docs/performance.md). Build-only settings: events_fts_config is not copied into the
  // timeline, whose index keeps FTS5's defaults for --append.
  exec_fts("INSERT INTO events_fts(events_fts, rank) VALUES('hashsize', 4194304);"
           "INSERT INTO events_fts(events_fts, rank) VALUES('automerge', 16);");
  exec_fts("BEGIN");
  if (sqlite3_prepare_v3(fts_db_, "INSERT INTO events_fts(rowid, message, raw) VALUES(?,?,?)", -1,
                         SQLITE_PREPARE_PERSISTENT, &fts_ins_, nullptr) != SQLITE_OK)
    throw std::runtime_error(failure(fts_db_, fts_path_, "prepare full-text insert"));
}

// Copies the finished full-text build into the timeline's (still empty) events_fts shadow tables,
// then reopens the timeline's connection so that its FTS5 module reads the new index from disk
// instead of anything it cached about the empty one.
void Writer::merge_fts_build() {
  exec_fts("COMMIT");
  sqlite3_finalize(fts_ins_);
  fts_ins_ = nullptr;
  sqlite3_close(fts_db_);
  fts_db_ = nullptr;
  exec("COMMIT");  // ATTACH is not allowed inside a transaction; the file is still <path>.partial
  sqlite3_stmt* st = prepare("ATTACH DATABASE ?1 AS fts_build");
  sqlite3_bind_text(st, 1, fts_path_.c_str(), -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  check(rc, "attach the full-text build");
  exec("BEGIN");
  exec(kMergeFts);
  exec("COMMIT; DETACH DATABASE fts_build;");
  fs::remove(fts_path_);
  reopen();
}

void Writer::prepare_event_inserts() {
  if (ins_event_) sqlite3_finalize(ins_event_);
  if (ins_events_multi_) sqlite3_finalize(ins_events_multi_);
  ins_event_ = ins_events_multi_ = nullptr;
  ins_event_ = prepare(insert_events_sql(1).c_str());
  ins_events_multi_ = prepare(insert_events_sql(int(kRowsPerInsert)).c_str());
  bound_one_.assign(size_t(kEventParams) + 1, BoundParam{});
  bound_multi_.assign(size_t(kEventParams) * kRowsPerInsert + 1, BoundParam{});
}

Writer::~Writer() {
  if (!finished_) abort();
}

bool Writer::has_sha256(const std::string& sha) const {
  for (const auto& s : known_sha_)
    if (s == sha) return true;
  return false;
}

Batch* Writer::acquire() {
  std::unique_lock<std::mutex> lk(mu_);
  if (!error_.empty()) throw std::runtime_error(error_);
  // Up to kBatches: one being filled, the others queued for or in the writer and full-text threads.
  if (free_.empty() && all_.size() < Batch::kBatches) {
    all_.push_back(std::make_unique<Batch>());
    all_.back()->events.reserve(Batch::kCapacity);
    return all_.back().get();
  }
  cv_.wait(lk, [&] { return !free_.empty() || !error_.empty(); });
  if (!error_.empty()) throw std::runtime_error(error_);
  Batch* b = free_.back();
  free_.pop_back();
  return b;
}

void Writer::submit(Batch* b) {
  // The writer gives each batch the next ids in the order batches are submitted (write() checks).
  b->first_id = next_submit_id_;
  next_submit_id_ += int64_t(b->n_events);
  if (fts_db_) hand_to_fts(*b);
  {
    std::lock_guard<std::mutex> lk(mu_);
    full_.push_back(b);
  }
  cv_.notify_all();
}

// Copies the rows the full-text index takes (every event with --fts-all, else all but plain
// requests) into a job for the full-text thread, and keeps the client-port keys, in one pass over
// the batch. Waits while kFtsJobs jobs are queued (the full-text thread is that far behind); after
// a failure it copies nothing (the load is lost).
void Writer::hand_to_fts(const Batch& b) {
  constexpr size_t kFtsJobs = 32;
  FtsJob* job = nullptr;
  {
    std::unique_lock<std::mutex> lk(mu_);
    if (fts_free_.empty() && fts_jobs_.size() < kFtsJobs) {
      fts_jobs_.push_back(std::make_unique<FtsJob>());
      fts_free_.push_back(fts_jobs_.back().get());
    }
    cv_.wait(lk, [&] { return !fts_free_.empty() || !error_.empty(); });
    if (!error_.empty()) return;
    job = fts_free_.back();
    fts_free_.pop_back();
  }
  job->clear();
  for (size_t k = 0; k < b.n_events; ++k) {
    const Event& e = b.events[k];
    if (e.client_port != kNull && port_keys_ok_) keep_port_key(e.client_port, b.first_id + int64_t(k));
    if (!in_full_text(e)) continue;
    job->ids.push_back(b.first_id + int64_t(k));
    job->text += e.message;
    job->ends.push_back(uint32_t(job->text.size()));
    job->text += e.raw;
    job->ends.push_back(uint32_t(job->text.size()));
  }
  {
    std::lock_guard<std::mutex> lk(mu_);
    fts_q_.push_back(job);
  }
  cv_.notify_all();
}

void Writer::recycle(Batch* b) {
  b->reset();
  {
    std::lock_guard<std::mutex> lk(mu_);
    free_.push_back(b);
  }
  cv_.notify_all();
}

// The next item of queue q for a worker thread, or nullptr once `stop` is set and q is drained
// (then the thread's CPU time goes to *cpu). `failed`: an earlier item failed, skip the work.
template <class T>
T* Writer::next_item(std::deque<T*>& q, const bool& stop, double* cpu, bool& failed) {
  std::unique_lock<std::mutex> lk(mu_);
  cv_.wait(lk, [&] { return !q.empty() || stop; });
  if (q.empty()) {
    *cpu = thread_cpu_seconds();
    return nullptr;
  }
  T* item = q.front();
  q.pop_front();
  failed = !error_.empty();
  return item;
}

void Writer::fail(const std::exception& e) {
  std::lock_guard<std::mutex> lk(mu_);
  error_ = e.what();
}

void Writer::run() {
  pthread_setname_np(pthread_self(), "rst-writer");  // names for top -H and perf
  bool failed = false;
  while (Batch* b = next_item(full_, stop_, &writer_cpu_, failed)) {
    try {
      if (!failed) write(*b);
    } catch (const std::exception& e) {
      fail(e);
      failed = true;
    }
    recycle(b);
  }
}

void Writer::run_fts() {
  pthread_setname_np(pthread_self(), "rst-fulltext");
  bool failed = false;
  while (FtsJob* job = next_item(fts_q_, fts_stop_, &fts_cpu_, failed)) {
    try {
      if (!failed) write_fts(*job);
    } catch (const std::exception& e) {
      fail(e);
    }
    {
      std::lock_guard<std::mutex> lk(mu_);
      fts_free_.push_back(job);
    }
    cv_.notify_all();
  }
}

// On the producer thread, at submit: the client-port key of one row.
void Writer::keep_port_key(int64_t port, int64_t id) {
  if (port < 0 || port > 65535 || id < 0 || id >= (int64_t(1) << kPortKeyIdBits) || port_keys_.size() >= opt_.port_keys_limit) {
    port_keys_ok_ = false;
    std::vector<uint64_t>().swap(port_keys_);
    return;
  }
  port_keys_.push_back(uint64_t(port) << kPortKeyIdBits | uint64_t(id));
}

// Writes idx_events_client_port from the collected keys, sorted, without reading the table: CREATE
// INDEX would read every row back (the whole DB) and sort through SQLite's sorter (HAProxy,
// 2,000,000 rows: 1.1 s wall, 1.8 s CPU; this: see docs/performance.md).
// An index on events(client_port) is a B-tree of records (client_port, rowid); a WITHOUT ROWID table
// with PRIMARY KEY(client_port, id) is a B-tree of exactly those records. So the keys are inserted,
// in order, into such a table, whose sqlite_schema row then becomes the index's (same root page),
// and the schema cookie is bumped so that SQLite re-reads the schema. The caller's transaction is
// committed and the connection reopened. Rows are deleted after this (duplicates) through the index
// as usual. Returns false, having changed nothing, when the connection refuses schema edits
// (SQLITE_DBCONFIG_DEFENSIVE): then CREATE INDEX builds it.
bool Writer::build_client_port_index() {
  int defensive = 0;
  sqlite3_db_config(db_, SQLITE_DBCONFIG_DEFENSIVE, -1, &defensive);
  if (defensive) return false;
  // Counting sort by port: the keys were collected in id order, so a stable pass by port leaves
  // them sorted by (port, id) (about 10x faster than std::sort here).
  {
    std::vector<size_t> start(65537, 0);
    for (uint64_t k : port_keys_) ++start[(k >> kPortKeyIdBits) + 1];
    for (size_t p = 1; p < start.size(); ++p) start[p] += start[p - 1];
    std::vector<uint64_t> sorted(port_keys_.size());
    for (uint64_t k : port_keys_) sorted[start[k >> kPortKeyIdBits]++] = k;
    port_keys_.swap(sorted);
  }
  exec("CREATE TABLE rst_client_port_build(client_port INTEGER, id INTEGER, PRIMARY KEY(client_port, id)) WITHOUT ROWID");
  // 256 rows per statement: a key's row costs little more than its two binds (16 rows: +10 %).
  constexpr size_t kKeysPerInsert = 256;
  std::string sql = "INSERT INTO rst_client_port_build(client_port, id) VALUES(?,?)";
  for (size_t r = 1; r < kKeysPerInsert; ++r) sql += ",(?,?)";
  sqlite3_stmt* many = prepare(sql.c_str());
  sqlite3_stmt* one = prepare("INSERT INTO rst_client_port_build(client_port, id) VALUES(?,?)");
  const uint64_t id_mask = (uint64_t(1) << kPortKeyIdBits) - 1;
  auto put = [&](sqlite3_stmt* st, int at, uint64_t key) {
    sqlite3_bind_int64(st, at + 1, int64_t(key >> kPortKeyIdBits));
    sqlite3_bind_int64(st, at + 2, int64_t(key & id_mask));
  };
  int rc = SQLITE_DONE;
  size_t i = 0;
  for (; rc == SQLITE_DONE && i + kKeysPerInsert <= port_keys_.size(); i += kKeysPerInsert) {
    for (size_t r = 0; r < kKeysPerInsert; ++r) put(many, int(2 * r), port_keys_[i + r]);
    rc = sqlite3_step(many);
    sqlite3_reset(many);
  }
  for (; rc == SQLITE_DONE && i < port_keys_.size(); ++i) {
    put(one, 0, port_keys_[i]);
    rc = sqlite3_step(one);
    sqlite3_reset(one);
  }
  sqlite3_finalize(many);
  sqlite3_finalize(one);
  check(rc, "write idx_events_client_port");
  int64_t cookie = 0;
  {
    sqlite3_stmt* st = prepare("PRAGMA schema_version");
    if (sqlite3_step(st) == SQLITE_ROW) cookie = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
  }
  sqlite3_db_config(db_, SQLITE_DBCONFIG_WRITABLE_SCHEMA, 1, nullptr);
  sqlite3_stmt* st = prepare(
      "UPDATE sqlite_schema SET type = 'index', name = 'idx_events_client_port', tbl_name = 'events', sql = ?1 "
      "WHERE type = 'table' AND name = 'rst_client_port_build'");
  sqlite3_bind_text(st, 1, kClientPortIndexSql, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  sqlite3_finalize(st);
  const int changed = sqlite3_changes(db_);
  if (rc == SQLITE_DONE && changed == 1) exec(("PRAGMA schema_version = " + std::to_string(cookie + 1)).c_str());
  sqlite3_db_config(db_, SQLITE_DBCONFIG_WRITABLE_SCHEMA, 0, nullptr);
  check(rc, "register idx_events_client_port");
  if (changed != 1) throw std::runtime_error(work_path_ + ": register idx_events_client_port: schema row not found");
  exec("COMMIT");
  reopen();
  // The index now answers for exactly the rows it was written from.
  st = prepare("SELECT count(*) FROM events INDEXED BY idx_events_client_port WHERE client_port IS NOT NULL");
  int64_t n = -1;
  if (sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  if (n != int64_t(port_keys_.size()))
    throw std::runtime_error(work_path_ + ": idx_events_client_port holds " + std::to_string(n) + " entries, not " +
                             std::to_string(port_keys_.size()));
  std::vector<uint64_t>().swap(port_keys_);
  return true;
}

// Closes and reopens the connection (with the load's settings; the caller has committed) and begins
// a transaction again: the new connection reads the schema and indexes from the file.
void Writer::reopen() {
  sqlite3_close(db_);
  db_ = nullptr;
  open_db(false);
  exec("BEGIN");
}

// The full-text rows of a job, into the full-text build (on its thread).
void Writer::write_fts(const FtsJob& job) {
  uint32_t at = 0;
  for (size_t r = 0; r < job.ids.size(); ++r) {
    const uint32_t message_end = job.ends[2 * r], raw_end = job.ends[2 * r + 1];
    sqlite3_bind_int64(fts_ins_, 1, job.ids[r]);
    bind_sv(fts_ins_, 2, std::string_view(job.text).substr(at, message_end - at));
    bind_sv(fts_ins_, 3, std::string_view(job.text).substr(message_end, raw_end - message_end));
    at = raw_end;
    int rc = sqlite3_step(fts_ins_);
    sqlite3_reset(fts_ins_);
    if (rc != SQLITE_DONE) throw std::runtime_error(failure(fts_db_, fts_path_, "insert full-text row"));
  }
}

// Full-text rows of a written batch, into the timeline's own index (--append, on the writer thread).
void Writer::write_fts_in_place(const Batch& b) {
  for (size_t k = 0; k < b.n_events; ++k) {
    const Event& e = b.events[k];
    if (!in_full_text(e)) continue;
    sqlite3_bind_int64(ins_fts_, 1, b.first_id + int64_t(k));
    bind_text(ins_fts_, 2, e.message);
    bind_text(ins_fts_, 3, e.raw);
    int rc = sqlite3_step(ins_fts_);
    sqlite3_reset(ins_fts_);
    if (rc != SQLITE_DONE) throw std::runtime_error(failure(db_, work_path_, "insert full-text row"));
  }
}

// Event parameters, skipping a bind whose value the parameter already holds. Skipping text with the
// same buffer and length is exact because SQLITE_STATIC text is only read when the statement steps,
// and the buffer then holds this event's text (slots and their strings are reused batch to batch).
// For an access log this skips about half of the 28 binds per row (NULL columns, source_id,
// line_count, the static role and ts_zone words).
namespace {
using BoundParam = Writer::BoundParam;
inline void put_null(sqlite3_stmt* st, int i, BoundParam& b) {
  if (b.n == -2) return;
  sqlite3_bind_null(st, i);
  b.n = -2;
}
inline void put_int(sqlite3_stmt* st, int i, BoundParam& b, int64_t v) {
  if (v == kNull) return put_null(st, i, b);
  if (b.n == -3 && b.v == v) return;
  sqlite3_bind_int64(st, i, v);
  b.n = -3;
  b.v = v;
}
inline void put_text(sqlite3_stmt* st, int i, BoundParam& b, std::string_view s) {
  if (s.empty()) return put_null(st, i, b);
  if (b.n == int(s.size()) && b.p == s.data()) return;
  sqlite3_bind_text(st, i, s.data(), int(s.size()), SQLITE_STATIC);
  b.n = int(s.size());
  b.p = s.data();
}
inline void put_ms(sqlite3_stmt* st, int i, BoundParam& b, int64_t us) {
  if (us == kNull) return put_null(st, i, b);
  if (b.n == -4 && b.v == us) return;
  sqlite3_bind_double(st, i, double(us) / 1000.0);
  b.n = -4;
  b.v = us;
}

// Binds one event, with its id, to parameters base+1 .. base+28 of st; bound[k] describes parameter k.
inline void bind_event(sqlite3_stmt* st, BoundParam* bound, int base, int64_t id, Event& e) {
  BoundParam* b = bound + base;
  put_int(st, base + 1, b[1], id);
  put_int(st, base + 2, b[2], e.source_id);
  put_int(st, base + 3, b[3], e.line);
  put_int(st, base + 4, b[4], e.line_count);
  put_int(st, base + 5, b[5], e.offset);
  put_int(st, base + 6, b[6], e.ts);
  put_text(st, base + 7, b[7], e.ts_raw);
  put_text(st, base + 8, b[8], e.ts_zone == ZoneSource::none ? std::string_view() : to_string(e.ts_zone));
  put_text(st, base + 9, b[9], e.role == Role::unknown ? std::string_view() : to_string(e.role));
  put_text(st, base + 10, b[10], e.category);
  put_text(st, base + 11, b[11], e.kind);
  put_text(st, base + 12, b[12], e.severity);
  put_text(st, base + 13, b[13], e.client_ip);
  put_int(st, base + 14, b[14], e.client_port);
  put_text(st, base + 15, b[15], e.server_ip);
  put_int(st, base + 16, b[16], e.server_port);
  put_text(st, base + 17, b[17], e.host);
  put_text(st, base + 18, b[18], e.protocol);
  put_text(st, base + 19, b[19], e.method);
  put_text(st, base + 20, b[20], e.path);
  put_int(st, base + 21, b[21], e.status);
  put_int(st, base + 22, b[22], e.bytes);
  put_ms(st, base + 23, b[23], e.duration_us);
  put_text(st, base + 24, b[24], e.conn_id);
  put_text(st, base + 25, b[25], e.request_id);
  put_text(st, base + 26, b[26], e.message);
  put_text(st, base + 27, b[27], e.raw);
  put_text(st, base + 28, b[28], e.fields.json());
}
}  // namespace

void Writer::write(Batch& b) {
  // Source rows first: starts are inserted before their events, totals updated after.
  for (const SourceRow& s : b.sources) {
    if (s.final) continue;
    sqlite3_stmt* st = ins_source_;
    sqlite3_bind_int64(st, 1, s.id);
    bind_text(st, 2, s.path);
    bind_text(st, 3, s.member);
    bind_text(st, 4, s.parser);
    bind_int(st, 5, s.score);
    bind_int(st, 6, s.size);
    bind_int(st, 7, s.mtime);
    check(sqlite3_step(st), "insert source");
    sqlite3_reset(st);
  }
  // Client ports arrive in random order: each row would be a random insert into the index's
  // B-tree (binary search over cold pages, cell shifts, splits), which at 2,000,000 HAProxy rows cost
  // more CPU than building the index once after the load (docs/performance.md). New DBs only:
  // rebuilding an appended-to DB's index would re-read every older row.
  // Server ports of client logs and firewalls interleave a few values: each row is an insert at the
  // end of its port's run, in the middle of the tree (client logs, 2,000,000 lines: the writer
  // thread spent 1.15 s more CPU on it than finish() spends building it, docs/performance.md).
  if (!opt_.append && (!client_port_.dropped || !server_port_.dropped)) {
    for (size_t k = 0; k < b.n_events; ++k) {
      const Event& e = b.events[k];
      client_port_.rows += e.client_port != kNull;
      if (e.server_port != kNull) {
        ++server_port_.rows;
        server_port_.changes += e.server_port != last_server_port_;
        last_server_port_ = e.server_port;
      }
    }
    const int64_t all = rows_written_ + int64_t(b.n_events);
    bool changed = false;
    for (PortIndex* ix : {&client_port_, &server_port_}) {
      bool interleaved = ix->any_order || ix->changes * kServerPortChangesPer >= ix->rows;
      if (ix->dropped || ix->rows < kPortRowsBeforeDrop || ix->rows * 2 < all || !interleaved) continue;
      exec((std::string("DROP INDEX ") + ix->name).c_str());
      ix->dropped = changed = true;
    }
    if (changed) prepare_event_inserts();  // the statements were compiled with the index
  }
  const int64_t first_id = next_event_id_;
  if (b.first_id != first_id) throw std::logic_error("batch ids out of step with the rows written");
  size_t i = 0;
  for (; i + kRowsPerInsert <= b.n_events; i += kRowsPerInsert) {
    for (size_t r = 0; r < kRowsPerInsert; ++r)
      bind_event(ins_events_multi_, bound_multi_.data(), int(r) * kEventParams, first_id + int64_t(i + r), b.events[i + r]);
    check(sqlite3_step(ins_events_multi_), "insert event");
    sqlite3_reset(ins_events_multi_);
  }
  for (; i < b.n_events; ++i) {
    bind_event(ins_event_, bound_one_.data(), 0, first_id + int64_t(i), b.events[i]);
    check(sqlite3_step(ins_event_), "insert event");
    sqlite3_reset(ins_event_);
  }
  next_event_id_ += int64_t(b.n_events);
  // Full-text rows: here only when appending; a new timeline's are built by run_fts().
  if (ins_fts_) write_fts_in_place(b);
  // Id range of each source's events (one file's events are consecutive), for duplicates in finish().
  for (size_t k = 0; k < b.n_events;) {
    int64_t sid = b.events[k].source_id;
    size_t end = k + 1;
    while (end < b.n_events && b.events[end].source_id == sid) ++end;
    auto [it, fresh] = event_ids_.try_emplace(sid, first_id + int64_t(k), first_id + int64_t(end) - 1);
    if (!fresh) {
      it->second.first = std::min(it->second.first, first_id + int64_t(k));
      it->second.second = std::max(it->second.second, first_id + int64_t(end) - 1);
    }
    k = end;
  }
  rows_written_ += int64_t(b.n_events);
  for (size_t i = 0; i < b.n_unparsed; ++i) {
    const UnparsedRow& u = b.unparsed[i];
    sqlite3_stmt* q = ins_unparsed_;
    sqlite3_bind_int64(q, 1, u.source_id);
    sqlite3_bind_int64(q, 2, u.line);
    sqlite3_bind_int64(q, 3, u.offset);
    bind_text(q, 4, u.reason);
    bind_text(q, 5, u.raw);
    check(sqlite3_step(q), "insert unparsed");
    sqlite3_reset(q);
  }
  for (const auto& [sid, s] : b.settings) {
    sqlite3_stmt* q = ins_setting_;
    if (sid > 0) sqlite3_bind_int64(q, 1, sid);
    else sqlite3_bind_null(q, 1);
    bind_text(q, 2, s.component);
    bind_text(q, 3, s.scope);
    bind_text(q, 4, s.listener);
    bind_text(q, 5, s.key);
    bind_text(q, 6, s.raw);
    bind_int(q, 7, s.value);
    bind_text(q, 8, s.unit);
    bind_text(q, 9, s.text);
    if (s.line > 0) sqlite3_bind_int64(q, 10, s.line);
    else sqlite3_bind_null(q, 10);
    sqlite3_bind_text(q, 11, s.assumed ? "assumed" : "read", -1, SQLITE_STATIC);
    bind_text(q, 12, s.note);
    check(sqlite3_step(q), "insert setting");
    sqlite3_reset(q);
  }
  for (const SourceRow& s : b.sources) {
    if (!s.final) continue;
    sqlite3_stmt* q = upd_source_;
    sqlite3_bind_int64(q, 1, s.id);
    bind_text(q, 2, s.parser);
    bind_int(q, 3, s.score);
    bind_int(q, 4, s.size);
    bind_text(q, 5, s.sha256);
    bind_int(q, 6, s.lines);
    bind_int(q, 7, s.events);
    bind_int(q, 8, s.unparsed);
    bind_int(q, 9, s.first_ts);
    bind_int(q, 10, s.last_ts);
    bind_text(q, 11, s.zone);
    bind_text(q, 12, s.status);
    bind_text(q, 13, s.errors);
    check(sqlite3_step(q), "update source");
    sqlite3_reset(q);
  }
}

void Writer::finish() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  {
    std::lock_guard<std::mutex> lk(mu_);
    fts_stop_ = true;
  }
  cv_.notify_all();
  if (fts_thread_.joinable()) fts_thread_.join();
  if (opt_.verbose) {
    std::fprintf(stderr, "timeline: writer thread %.2f s cpu for %lld rows (%.2f us per row)\n", writer_cpu_,
                 (long long)rows_written_, rows_written_ ? writer_cpu_ / double(rows_written_) * 1e6 : 0.0);
    if (fts_db_) std::fprintf(stderr, "timeline: full-text thread %.2f s cpu\n", fts_cpu_);
  }
  if (!error_.empty()) {
    std::string e = error_;
    abort();
    throw std::runtime_error(e);
  }
  try {
    for (sqlite3_stmt* s : {ins_event_, ins_events_multi_, ins_fts_, ins_unparsed_, ins_setting_, ins_source_, upd_source_}) sqlite3_finalize(s);
    ins_event_ = ins_events_multi_ = ins_fts_ = ins_unparsed_ = ins_setting_ = ins_source_ = upd_source_ = nullptr;
    auto t0 = std::chrono::steady_clock::now();
    std::clock_t c0 = std::clock();
    auto lap = [&](const char* what) {
      if (!opt_.verbose) return;
      auto now = std::chrono::steady_clock::now();
      std::clock_t c = std::clock();
      std::fprintf(stderr, "timeline: %s %.2f s wall, %.2f s cpu\n", what,
                   std::chrono::duration<double>(now - t0).count(), double(c - c0) / CLOCKS_PER_SEC);
      t0 = now;
      c0 = c;
    };
    if (fts_db_) {
      merge_fts_build();
      lap("full-text index copied in");
    }
    if (client_port_.dropped && port_keys_ok_ && !port_keys_.empty() && build_client_port_index()) {
      client_port_.dropped = false;
      lap("idx_events_client_port written from sorted keys");
    }
    std::vector<uint64_t>().swap(port_keys_);
    // A duplicate file (same sha256 as one already in the DB) keeps its source row as
    // status 'duplicate' but contributes no events: its events (an id range) and their full-text
    // rows are removed by id, without scanning the table.
    std::vector<int64_t> dups;
    {
      sqlite3_stmt* st = prepare("SELECT id FROM sources WHERE status = 'duplicate'");
      while (sqlite3_step(st) == SQLITE_ROW) dups.push_back(sqlite3_column_int64(st, 0));
      sqlite3_finalize(st);
    }
    if (!dups.empty()) {
      std::string pick = opt_.fts_all ? "" : " AND category NOT IN ('request', 'client-request')";
      sqlite3_stmt* del_fts = prepare(("INSERT INTO events_fts(events_fts, rowid, message, raw) SELECT 'delete', id, "
                                       "message, raw FROM events WHERE id BETWEEN ?1 AND ?2" + pick).c_str());
      sqlite3_stmt* del_ev = prepare("DELETE FROM events WHERE id BETWEEN ?1 AND ?2");
      try {
        for (int64_t sid : dups) {
          auto it = event_ids_.find(sid);
          if (it == event_ids_.end()) continue;
          for (sqlite3_stmt* q : {del_fts, del_ev}) {
            sqlite3_bind_int64(q, 1, it->second.first);
            sqlite3_bind_int64(q, 2, it->second.second);
            check(sqlite3_step(q), "remove duplicate events");
            sqlite3_reset(q);
          }
        }
      } catch (...) {
        sqlite3_finalize(del_fts);
        sqlite3_finalize(del_ev);
        throw;
      }
      sqlite3_finalize(del_fts);
      sqlite3_finalize(del_ev);
      exec(
          "DELETE FROM unparsed WHERE source_id IN (SELECT id FROM sources WHERE status = 'duplicate');"
          "DELETE FROM settings WHERE source_id IN (SELECT id FROM sources WHERE status = 'duplicate');");
    }
    // Created before the load and maintained during it; only a dropped client-port index is built here.
    exec(kIndexes);
    if (client_port_.dropped || server_port_.dropped)
      lap(client_port_.dropped && server_port_.dropped ? "idx_events_client_port and idx_events_server_port built after the load"
          : client_port_.dropped                       ? "idx_events_client_port built after the load"
                                                       : "idx_events_server_port built after the load");
    exec(kViews);
    std::string meta = "INSERT OR REPLACE INTO meta(key, value) VALUES('schema_version', '" +
                       std::to_string(kSchemaVersion) + "'), ('tool', 'rstscope " RSTSCOPE_VERSION "'), "
                       "('fts', '" + std::string(opt_.fts_all ? "all" : "all but categories request and client-request") + "'), "
                       "('state', 'complete');";
    exec(meta.c_str());
    exec("COMMIT");
    if (!opt_.append) exec("PRAGMA journal_mode=DELETE;");
    lap("duplicates, views, meta and commit");
    sqlite3_close(db_);
    db_ = nullptr;
    if (!opt_.append) fs::rename(work_path_, opt_.path);
    finished_ = true;
  } catch (...) {
    abort();
    throw;
  }
}

void Writer::abort() noexcept {
  {
    std::lock_guard<std::mutex> lk(mu_);
    stop_ = true;
    full_.clear();
    fts_stop_ = true;
    fts_q_.clear();
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (fts_thread_.joinable()) fts_thread_.join();
  if (fts_ins_) sqlite3_finalize(fts_ins_);
  fts_ins_ = nullptr;
  if (fts_db_) sqlite3_close(fts_db_);
  fts_db_ = nullptr;
  if (!fts_path_.empty()) {
    std::error_code ec;
    fs::remove(fts_path_, ec);
  }
  for (sqlite3_stmt* s : {ins_event_, ins_events_multi_, ins_fts_, ins_unparsed_, ins_setting_, ins_source_, upd_source_})
    if (s) sqlite3_finalize(s);
  ins_event_ = ins_events_multi_ = ins_fts_ = ins_unparsed_ = ins_setting_ = ins_source_ = upd_source_ = nullptr;
  if (db_) {
    if (opt_.append) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(db_);
    db_ = nullptr;
    // After an I/O error (disk full) SQLite leaves the rollback journal for the next connection to
    // play back; do it now, so that the read-only commands find the previous, complete DB.
    if (opt_.append) play_back_journal(opt_.path);
  }
  if (!opt_.append && !finished_) {
    std::error_code ec;
    fs::remove(work_path_, ec);
  }
  finished_ = true;
}

void play_back_journal(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path + "-journal", ec) || fs::file_size(path + "-journal", ec) == 0) return;
  sqlite3* h = nullptr;
  if (sqlite3_open_v2(path.c_str(), &h, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK)
    sqlite3_exec(h, "SELECT count(*) FROM sqlite_schema", nullptr, nullptr, nullptr);
  sqlite3_close(h);
}

void check_complete(sqlite3* db, const std::string& path) {
  sqlite3_stmt* st = nullptr;
  int rc = sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'state'", -1, &st, nullptr);
  std::string state;
  if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) state = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  if (rc != SQLITE_OK)
    throw std::runtime_error(path + " is not an rstscope timeline (" + sqlite3_errmsg(db) +
                             "): create one with `rstscope ingest BUNDLE -o " + path + "`");
  if (state != "complete")
    throw std::runtime_error(path + " is incomplete (an ingest was interrupted): delete it and ingest again");
}

}  // namespace rstscope::timeline
