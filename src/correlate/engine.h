// Engine: for every client failure, scores every rule's candidate explanation and keeps the best
// as the cause (the rest as alternatives), or says `unexplained` and which sources were searched.
//
// Cost: events are indexed per category and server port, sorted by time, so each failure costs a
// few binary searches and a walk through its time window of its own listener's lines (and those that
// name no listener) per rule: no failures x events scan. Thread-safe for concurrent reads of one
// Model, but an Engine keeps which evidence lines explain() used and the last failure's name
// resolution (use one Engine per thread; explain() in failure time order).
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "correlate/model.h"
#include "correlate/rules.h"

namespace rstscope::correlate {

struct EvidenceRef {
  int64_t event_id = 0;    // 0 when the evidence is a setting
  int64_t setting_id = 0;  // 0 when the evidence is an event
  std::string role;
  std::string why;
};

struct Candidate {
  const Rule* rule = nullptr;
  double confidence = 0;
  std::string explanation;
  std::vector<EvidenceRef> evidence;
  std::string listener;       // for the finding's recommendation
  std::string recommendation; // the rule's recommendation with the same placeholders filled
};

struct Verdict {
  const Failure* failure = nullptr;
  std::string cause_class, rule;
  double confidence = 0;
  std::string explanation;
  std::vector<EvidenceRef> evidence;
  std::vector<Candidate> alternatives;
  std::string searched;       // unexplained: sources searched
  std::string recommendation;
};

class Engine {
 public:
  Engine(const Model& m, const std::vector<Rule>& rules);
  Verdict explain(const Failure& f) const;
  // Candidates of one rule for one failure (rules test).
  std::vector<Candidate> candidates(const Rule& r, const Failure& f) const;

 private:
  void evidence_candidates(const Rule& r, const Failure& f, std::vector<Candidate>& out) const;
  void idle_candidates(const Rule& r, const Failure& f, std::vector<Candidate>& out) const;
  void client_only_candidates(const Rule& r, const Failure& f, std::vector<Candidate>& out) const;
  void setting_candidates(const Rule& r, const Failure& f, std::vector<Candidate>& out) const;
  // Whether event e can be about the failure's endpoint; quality scales the confidence, and
  // *assumed (when given) says why the match is only assumed ("" when the endpoint is known).
  // *port_assumed: the line does not say its port and nothing says its source serves the failure's.
  bool endpoint_matches(const Failure& f, const Ev& e, double& quality, std::string_view* assumed = nullptr,
                        bool* port_assumed = nullptr) const;
  // What the alias map knows about a target host (host_key), computed once per failure host.
  struct NameInfo {
    std::vector<std::string> addrs, names;  // addresses it resolves to; its own and alias names
    std::vector<int32_t> ports;             // listeners whose server_name it is
    std::vector<int64_t> sources;           // sources whose lines carry it as Host / SNI
  };
  std::unordered_map<std::string, NameInfo> names_;
  mutable const Failure* ni_failure_ = nullptr;  // the failure whose NameInfo ni_ is
  mutable const NameInfo* ni_ = nullptr;
  // "" or why the server logs for the failure's target may hide evidence (nginx at `error`).
  std::string hidden_by_level(const Failure& f) const;

  const Model& m_;
  const std::vector<Rule>& rules_;
  std::vector<uint8_t> detail_about_;  // interned string -> TlsAbout of it (version / cipher), computed once
  mutable const Failure* about_failure_ = nullptr;  // the failure whose text about_ describes
  mutable uint8_t about_ = 0;
  static constexpr size_t kMaxWindow = 20000;      // lines looked at per category and failure
  std::vector<std::vector<uint32_t>> by_category_;  // interned category -> indices into m_.events
  // category -> server port (-1: the line does not say) -> indices, in time order: a failure on a
  // known port looks only at its listener's lines and the port-less ones (sort once, search per failure).
  std::vector<std::unordered_map<int32_t, std::vector<uint32_t>>> by_category_port_;
  std::vector<bool> timed_category_;  // every line of the category has a time (else: whole-category window)
  // client port -> successful requests on it (indices, time order): server side and client side
  std::unordered_map<int32_t, std::vector<uint32_t>> server_requests_by_port_, client_requests_by_port_;
  // Connection set-up lines (handshakes, plain HTTP on a TLS port, ...) by client port, in time order.
  std::unordered_map<int32_t, std::vector<uint32_t>> server_setups_by_port_;
  // Evidence lines already chosen for an earlier failure: failures are explained in time order and
  // a line that already explains one is a weaker candidate for the next (same-second duplicates).
  mutable std::unordered_map<int64_t, int> claimed_;
};

// Fills {placeholders} of a rule template.
std::string render(const std::string& tmpl, const std::vector<std::pair<std::string, std::string>>& vars);

}  // namespace rstscope::correlate
