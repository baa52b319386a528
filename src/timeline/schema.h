// The timeline schema (docs/schema.md is its documentation; keep both in step).
#pragma once

#include <string_view>

namespace rstscope::timeline {

inline constexpr int kSchemaVersion = 1;

// Tables created before the load.
inline constexpr std::string_view kCreateTables = R"SQL(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS sources(
  id INTEGER PRIMARY KEY,
  path TEXT NOT NULL,          -- relative to the bundle root; archive members: ARCHIVE!/MEMBER
  member TEXT,                 -- the member name inside an archive, or NULL
  parser TEXT,                 -- parser name, NULL when unrecognised
  score INTEGER,               -- sniff score of the chosen parser
  size INTEGER,                -- bytes after decompression
  sha256 TEXT,
  mtime INTEGER,               -- file or member mtime, UTC microseconds
  lines INTEGER,
  events INTEGER,
  unparsed INTEGER,
  first_ts INTEGER,
  last_ts INTEGER,
  zone TEXT,                   -- explicit | assumed:ZONE | inferred
  status TEXT NOT NULL,        -- ok | partial | unrecognised | unreadable | skipped
  errors TEXT                  -- warnings, one per line, "path:line: message"
);
CREATE TABLE IF NOT EXISTS events(
  id INTEGER PRIMARY KEY,
  source_id INTEGER NOT NULL REFERENCES sources(id),
  line INTEGER NOT NULL,
  line_count INTEGER NOT NULL DEFAULT 1,
  offset INTEGER,
  ts INTEGER,                  -- UTC microseconds, as written in the log
  ts_corrected INTEGER,        -- ts after clock-skew correction (set by correlate; = ts before)
  ts_raw TEXT,
  ts_zone TEXT,                -- explicit | assumed | inferred | none
  role TEXT,                   -- client | proxy | tls | firewall | server | config
  category TEXT,               -- docs/categories.md
  kind TEXT,                   -- client failure kind (spec/incidents.md)
  severity TEXT,
  client_ip TEXT, client_port INTEGER,
  server_ip TEXT, server_port INTEGER,
  host TEXT, protocol TEXT,
  method TEXT, path TEXT, status INTEGER, bytes INTEGER,
  duration_ms REAL,
  conn_id TEXT, request_id TEXT,
  message TEXT,
  raw TEXT,
  fields TEXT                  -- JSON object of parser-specific fields
);
CREATE TABLE IF NOT EXISTS unparsed(
  source_id INTEGER NOT NULL REFERENCES sources(id),
  line INTEGER NOT NULL,
  offset INTEGER,
  reason TEXT,
  raw TEXT
);
CREATE TABLE IF NOT EXISTS settings(
  id INTEGER PRIMARY KEY,
  source_id INTEGER REFERENCES sources(id),   -- NULL for assumed defaults
  component TEXT NOT NULL,
  scope TEXT,
  listener TEXT,
  key TEXT NOT NULL,
  raw TEXT,
  value INTEGER,
  unit TEXT,
  text TEXT,
  line INTEGER,
  status TEXT NOT NULL,        -- read | assumed
  note TEXT
);
CREATE TABLE IF NOT EXISTS skew(
  source_id INTEGER PRIMARY KEY REFERENCES sources(id),
  offset_us INTEGER NOT NULL,  -- add to ts to get ts_corrected
  spread_us INTEGER,           -- median absolute deviation of the pair offsets
  pairs INTEGER,
  method TEXT                  -- estimated | user | reference
);
CREATE TABLE IF NOT EXISTS findings(
  id INTEGER PRIMARY KEY,
  cause_class TEXT NOT NULL,
  rule TEXT,
  endpoint TEXT,               -- host:port the failures targeted
  count INTEGER NOT NULL,
  first_ts INTEGER, last_ts INTEGER,
  confidence REAL,
  title TEXT,
  explanation TEXT,
  recommendation TEXT
);
CREATE TABLE IF NOT EXISTS incidents(
  id INTEGER PRIMARY KEY,
  event_id INTEGER NOT NULL REFERENCES events(id),   -- the client failure
  finding_id INTEGER REFERENCES findings(id),
  ts INTEGER,                  -- corrected time of the client failure
  kind TEXT,
  target TEXT,                 -- host:port, NULL when the log does not say
  local_port INTEGER,
  cause_class TEXT NOT NULL,
  rule TEXT,
  confidence REAL NOT NULL,
  explanation TEXT,
  searched TEXT                -- for unexplained: which sources were searched
);
CREATE TABLE IF NOT EXISTS evidence(
  incident_id INTEGER NOT NULL REFERENCES incidents(id),
  event_id INTEGER REFERENCES events(id),       -- a log line, or
  setting_id INTEGER REFERENCES settings(id),   -- a configuration setting
  role TEXT,
  why TEXT
);
CREATE TABLE IF NOT EXISTS alternatives(
  incident_id INTEGER NOT NULL REFERENCES incidents(id),
  cause_class TEXT NOT NULL,
  rule TEXT,
  confidence REAL
);
)SQL";

}  // namespace rstscope::timeline
