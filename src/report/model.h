// The report model: everything a report shows, read from the timeline in a few queries
// (src/timeline/schema.h). Renderers (text, md, json, html) only format a Model; they never query.
//
// Contract: load_model only SELECTs. NULL integers become kNull, NULL text becomes "". Ordering is
// deterministic: findings by count desc, then first time, then id; incidents by time, then id.
// Incidents the correlator left without a finding (and not unexplained) are grouped here into
// synthetic findings (id < 0) by cause class, rule and target, so that nothing is silently dropped.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "rstscope/event.h"

namespace SQLite { class Database; }

namespace rstscope::report {

struct SourceRow {
  int64_t id = 0;
  std::string path, parser, status, zone, errors;
  int64_t lines = kNull, events = kNull, unparsed = kNull, first_ts = kNull, last_ts = kNull;
  // From the skew table (offset_us == kNull: no row).
  int64_t skew_offset_us = kNull, skew_spread_us = kNull, skew_pairs = kNull;
  std::string skew_method;
};

struct SettingRow {
  int64_t id = 0;
  std::string source;  // path of the config file, "" for assumed defaults
  std::string component, scope, listener, key, raw, unit, text, status, note;
  int64_t value = kNull, line = kNull;
  bool assumed() const { return status == "assumed"; }
};

struct EventRow {
  int64_t id = 0;
  std::string source;  // sources.path
  int64_t line = kNull;
  int64_t ts = kNull;  // corrected when known, else as logged
  std::string role, category, kind, raw, message, client_ip, server_ip, host;
  int64_t client_port = kNull, server_port = kNull;
  // Request and parser facts the recommendations name (empty / kNull when not logged).
  int64_t status = kNull;
  std::string method, path;
  // fields.tls_reason, .upstream, .backend, .server, .termination_state, .prefix, .frontend,
  // .action (nginx error-log context or firewall action)
  std::string tls_reason, upstream, backend, server, termination, prefix, frontend, action;
};

struct EvidenceRow {
  bool is_setting = false;
  EventRow event;       // when !is_setting
  SettingRow setting;   // when is_setting
  std::string role, why;
};

struct Alternative {
  std::string cause_class, rule;
  double confidence = -1;  // < 0: unknown
};

struct Incident {
  int64_t id = 0;
  int64_t finding_id = kNull;
  EventRow client;  // the client failure
  int64_t ts = kNull;
  std::string kind, target, cause_class, rule, explanation, searched;
  int64_t local_port = kNull;
  double confidence = 0;
  std::vector<EvidenceRow> evidence;
  std::vector<Alternative> alternatives;
};

struct Finding {
  int64_t id = 0;  // < 0: synthesised by the report from ungrouped incidents
  std::string cause_class, rule, endpoint, title, explanation, recommendation;
  int64_t count = 0, first_ts = kNull, last_ts = kNull;
  double confidence = -1;
  std::vector<size_t> incidents;    // indexes into Model::incidents, in time order
  std::vector<EvidenceRow> quoted;  // up to evidence_per_finding lines, distinct, settings last
  // Derived by the report from the cause class, the evidence and the listener's settings.
  std::string derived_recommendation;
  // The derived text names concrete values (a setting, a reason, an address, a rule line); it then
  // wins over the rule's template in `recommendation`, which is only the fallback.
  bool derived_concrete = false;
  bool advice_derived() const { return derived_concrete || recommendation.empty(); }
  const std::string& advice() const {
    return advice_derived() ? derived_recommendation : recommendation;
  }
};

// Incidents without evidence, grouped by target and by what was searched.
struct UnexplainedGroup {
  std::string target, searched;
  std::vector<size_t> incidents;
  int64_t first_ts = kNull, last_ts = kNull;
  std::map<std::string, int64_t> kinds;
};

// Assumed defaults with the same component, key, value and note, over all their listeners.
struct AssumedGroup {
  SettingRow setting;                  // the first of the group
  std::vector<std::string> listeners;  // distinct, in order; empty when none applies
  // "nginx client_max_body_size = 1 MiB" (clean text)
  std::string what() const;
};

struct Count {
  std::string key;
  int64_t n = 0;
};

// One client failure on the time axis (for charts).
struct FailurePoint {
  int64_t ts = kNull;
  std::string cause_class;  // "" when not correlated
  std::string target;
};

// Server-side events of one role in one time bucket (charts): non-routine categories only.
struct ServerBucket {
  std::string role;
  int bucket = 0;
  int64_t n = 0;
};

struct Model {
  int64_t window_first = kNull, window_last = kNull;
  int64_t failures = 0;         // client failure records
  int64_t correlated = 0;       // of which have an incident
  std::vector<Count> by_kind, by_client, by_target;  // sorted by n desc, key
  std::vector<Finding> findings;                     // ranked; unexplained ones are not here
  std::vector<Incident> incidents;                   // all, in time order
  std::vector<UnexplainedGroup> unexplained;
  int64_t unexplained_count = 0;
  std::vector<SourceRow> sources_read;      // status ok | partial
  std::vector<SourceRow> sources_other;     // unrecognised | unreadable | skipped | anything else
  std::vector<SourceRow> skewed;            // sources with a skew row
  std::vector<AssumedGroup> assumed;        // settings with status 'assumed', grouped
  std::vector<SettingRow> settings;         // every setting (recommendations look up listeners)
  // Reference for short times: the window start, else the earliest source time.
  int64_t ref_ts = kNull;
  std::vector<FailurePoint> points;         // every client failure, time order
  static constexpr int kBuckets = 60;
  // Chart time axis: the window, widened to a minute when it is shorter than a second.
  int64_t chart_first = kNull, chart_last = kNull;
  std::vector<ServerBucket> server_buckets;  // over [chart_first, chart_last] in kBuckets
};

Model load_model(SQLite::Database& db, int evidence_per_finding);

// The recommendation the report derives for a finding from its cause class, its evidence and the
// settings of its listener (`settings`: every setting of the timeline, may be empty). `concrete`
// says whether it names values read from the bundle; when false the text is generic advice.
struct Derived {
  std::string text;
  bool concrete = false;
};
Derived derive_recommendation(const Finding& f, const std::vector<Incident>& incidents,
                              const std::vector<SettingRow>& settings = {});

}  // namespace rstscope::report
