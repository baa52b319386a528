// Markdown for an incident ticket (GitHub / GitLab flavoured): inline text is backslash-escaped,
// log lines go into fenced code blocks whose fence is longer than any backtick run inside.
#include <algorithm>

#include "report/format.h"
#include "report/renderers.h"

namespace rstscope::report {
namespace {

std::string num(int64_t v) { return v == kNull ? "-" : std::to_string(v); }

std::string span(int64_t first, int64_t last) {
  if (first == kNull) return "-";
  if (last == kNull || last == first) return human_time(first);
  return human_time(first) + " to " + human_time(last);
}

void counts_table(std::string& out, const char* title, const std::vector<Count>& v, size_t limit) {
  out += std::string("| ") + title + " | failures |\n|---|---:|\n";
  for (size_t i = 0; i < v.size() && i < limit; ++i)
    out += "| " + md_escape(v[i].key) + " | " + std::to_string(v[i].n) + " |\n";
  if (v.size() > limit) {
    int64_t rest = 0;
    for (size_t i = limit; i < v.size(); ++i) rest += v[i].n;
    out += "| " + std::to_string(v.size() - limit) + " more | " + std::to_string(rest) + " |\n";
  }
  out += "\n";
}

}  // namespace

std::string render_md(const Model& m, const ReportOptions& o) {
  std::string out;
  out += "# rstscope incident report\n\n";
  if (m.window_first == kNull) {
    out += m.failures ? "**Window:** unknown (no client failure carries a time)  \n" : "No client failures in this timeline.\n\n";
  } else {
    out += "**Window:** " + human_time(m.window_first) + " to " + short_time(m.window_last, m.window_first) +
           " UTC (" + human_duration_us(m.window_last - m.window_first) + ")  \n";
  }
  if (m.failures > 0) {
    int64_t in_findings = 0;
    for (const auto& f : m.findings) in_findings += int64_t(f.incidents.size());
    out += "**Client failures:** " + std::to_string(m.failures) + ", of which " + std::to_string(in_findings) +
           " explained in " + std::to_string(m.findings.size()) + " finding" +
           (m.findings.size() == 1 ? "" : "s") + " and " + std::to_string(m.unexplained_count) +
           " unexplained";
    if (m.failures > m.correlated)
      out += "; " + std::to_string(m.failures - m.correlated) + " not correlated yet";
    out += "\n\n";
  }

  if (!m.findings.empty()) {
    out += "## Findings\n\n";
    out += "| # | cause | endpoint | failures | confidence | first seen | last seen |\n";
    out += "|---:|---|---|---:|---|---|---|\n";
    for (size_t r = 0; r < m.findings.size(); ++r) {
      const Finding& f = m.findings[r];
      out += "| " + std::to_string(r + 1) + " | " + md_escape(f.cause_class) + " | " +
             (f.endpoint.empty() ? "-" : md_escape(f.endpoint)) + " | " + std::to_string(f.count) + " | " +
             confidence_str(f.confidence) + " " + confidence_word(f.confidence) + " | " +
             human_time(f.first_ts) + " | " + human_time(f.last_ts) + " |\n";
    }
    out += "\n";
    for (size_t r = 0; r < m.findings.size(); ++r) {
      const Finding& f = m.findings[r];
      out += "### " + std::to_string(r + 1) + ". " + md_escape(f.cause_class) +
             (f.endpoint.empty() ? "" : " on " + md_escape(f.endpoint)) + " (" + std::to_string(f.count) +
             " failure" + (f.count == 1 ? "" : "s") + ")\n\n";
      if (!f.title.empty() && f.title != f.explanation) out += "**" + md_escape(f.title) + "**  \n";
      if (!f.explanation.empty()) out += md_escape(f.explanation) + "\n\n";
      out += "- **Confidence:** " + confidence_str(f.confidence) + " (" + confidence_word(f.confidence) + ")\n";
      out += "- **Seen:** " + span(f.first_ts, f.last_ts) + " UTC\n";
      if (!f.rule.empty()) out += "- **Rule:** " + md_escape(f.rule) + "\n";
      out += "- **Recommendation:** " + md_escape(f.advice()) + "\n\n";
      if (!f.quoted.empty()) {
        out += "Evidence:\n\n";
        std::vector<std::string> lines;
        size_t loc_w = 0;
        for (const auto& ev : f.quoted) loc_w = std::max(loc_w, columns(clean_text(evidence_location(ev))));
        for (const auto& ev : f.quoted) {
          std::string loc = clean_text(evidence_location(ev));
          loc.append(loc_w - columns(loc), ' ');
          lines.push_back(loc + "  " + evidence_text(ev));
        }
        out += md_code_block(lines) + "\n";
      }
    }
  }

  if (m.failures > 0) {
    out += "## Client failures\n\n";
    counts_table(out, "kind", m.by_kind, 12);
    counts_table(out, "client", m.by_client, 12);
    counts_table(out, "target", m.by_target, 12);
  }

  if (!m.unexplained.empty()) {
    out += "## Unexplained failures (" + std::to_string(m.unexplained_count) + ")\n\n";
    for (const auto& g : m.unexplained) {
      std::string kinds;
      for (auto& [k, n] : g.kinds) kinds += (kinds.empty() ? "" : ", ") + md_escape(k) + " " + std::to_string(n);
      const Incident& first = m.incidents[g.incidents.front()];
      out += "- **" + (g.target.empty() ? std::string("unknown target") : md_escape(g.target)) + "**: " +
             std::to_string(g.incidents.size()) + " failure" + (g.incidents.size() == 1 ? "" : "s") + " (" +
             kinds + ")" + (g.first_ts == kNull ? "" : ", " + span(g.first_ts, g.last_ts)) + ", first at " +
             md_escape(event_location(first.client)) + "  \n";
      if (!first.explanation.empty()) out += "  " + md_escape(first.explanation) + "  \n";
      out += "  Searched: " + (g.searched.empty() ? std::string("(not recorded)") : md_escape(g.searched)) + "\n";
    }
    out += "\n";
  }

  if (!m.skewed.empty()) {
    out += "## Clock skew applied\n\n| source | offset | spread | pairs | method |\n|---|---:|---:|---:|---|\n";
    for (const auto& s : m.skewed)
      out += "| " + md_escape(s.path) + " | " + signed_duration_us(s.skew_offset_us) + " | " +
             (s.skew_spread_us == kNull ? "-" : human_duration_us(s.skew_spread_us)) + " | " +
             num(s.skew_pairs) + " | " + md_escape(s.skew_method) + " |\n";
    out += "\n";
  }

  out += "## Sources read (" + std::to_string(m.sources_read.size()) + ")\n\n";
  if (m.sources_read.empty()) {
    out += "None.\n\n";
  } else {
    out += "| path | parser | lines | events | first | last | status |\n|---|---|---:|---:|---|---|---|\n";
    for (const auto& s : m.sources_read)
      out += "| " + md_escape(s.path) + " | " + md_escape(s.parser) + " | " + num(s.lines) + " | " +
             num(s.events) + " | " + human_time(s.first_ts) + " | " + human_time(s.last_ts) + " | " +
             md_escape(s.status) + " |\n";
    out += "\n";
  }
  if (!m.sources_other.empty()) {
    out += "## Sources not recognised (" + std::to_string(m.sources_other.size()) + ")\n\n";
    for (const auto& s : m.sources_other) {
      out += "- " + md_escape(s.path) + ": " + md_escape(s.status);
      if (!s.errors.empty()) out += " (" + md_escape(s.errors.substr(0, s.errors.find('\n'))) + ")";
      out += "\n";
    }
    out += "\n";
  }
  if (!m.assumed.empty()) {
    out += "## Assumed defaults\n\n";
    for (const auto& g : m.assumed) {
      out += "- " + md_escape(g.what());
      for (size_t i = 0; i < g.listeners.size(); ++i) out += (i ? ", " : " at ") + md_escape(g.listeners[i]);
      if (!g.setting.note.empty()) out += ": " + md_escape(g.setting.note);
      out += "\n";
    }
    out += "\n";
  }

  out += "## Dig deeper\n\n";
  std::vector<std::string> q = query_examples(m, o.db_path);
  out += md_code_block(q);
  out += "\n_Generated by rstscope " + md_escape(o.version.empty() ? RSTSCOPE_VERSION : o.version) + " from " +
         md_escape(o.db_path.empty() ? "the timeline" : o.db_path) + "._\n";
  return out;
}

}  // namespace rstscope::report
