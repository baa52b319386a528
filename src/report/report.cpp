// render_report: loads the Model and dispatches to a renderer; helpers the renderers share.
#include "report/report.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <unistd.h>

#include <cstdlib>
#include <functional>

#include "report/format.h"
#include "report/renderers.h"

namespace rstscope::report {

std::string render_report(SQLite::Database& db, ReportFormat f, const ReportOptions& o) {
  Model m = load_model(db, o.evidence_per_finding);
  switch (f) {
    case ReportFormat::text: return render_text(m, o);
    case ReportFormat::md: return render_md(m, o);
    case ReportFormat::json: return render_json(m, o);
    case ReportFormat::html: return render_html(m, o);
  }
  return render_text(m, o);
}

bool parse_format(std::string_view s, ReportFormat& out) {
  if (s == "text" || s == "txt") { out = ReportFormat::text; return true; }
  if (s == "md" || s == "markdown") { out = ReportFormat::md; return true; }
  if (s == "json") { out = ReportFormat::json; return true; }
  if (s == "html") { out = ReportFormat::html; return true; }
  return false;
}

const char* format_extension(ReportFormat f) {
  switch (f) {
    case ReportFormat::text: return "txt";
    case ReportFormat::md: return "md";
    case ReportFormat::json: return "json";
    case ReportFormat::html: return "html";
  }
  return "txt";
}

bool want_color(std::FILE* stream) {
  const char* nc = std::getenv("NO_COLOR");
  if (nc && *nc) return false;
  const char* term = std::getenv("TERM");
  if (term && std::string_view(term) == "dumb") return false;
  return stream && isatty(fileno(stream));
}

std::vector<std::string> query_example_sql(const Model& m) {
  std::vector<std::string> out;
  if (!m.findings.empty()) {
    const Finding& f = m.findings.front();
    if (f.id > 0)
      out.push_back("SELECT ts, kind, target, explanation FROM incidents WHERE finding_id = " + std::to_string(f.id));
    else
      out.push_back("SELECT ts, kind, target, explanation FROM incidents WHERE cause_class = '" + f.cause_class + "'");
    if (!f.incidents.empty())
      out.push_back("SELECT event_id, setting_id, role, why FROM evidence WHERE incident_id = " +
                    std::to_string(m.incidents[f.incidents.front()].id));
  } else {
    out.push_back("SELECT kind, COUNT(*) FROM events WHERE category = 'client-failure' GROUP BY kind");
  }
  if (out.size() < 2 && m.unexplained_count > 0)
    out.push_back("SELECT id, kind, target, searched FROM incidents WHERE cause_class = 'unexplained'");
  if (out.size() < 2) out.push_back("SELECT path, parser, status, lines FROM sources");
  return out;
}

std::vector<std::string> query_examples(const Model& m, const std::string& db_path) {
  std::string pre = "rstscope query " + shell_quote(db_path.empty() ? "incident.db" : db_path) + " \"";
  std::vector<std::string> out;
  for (const auto& sql : query_example_sql(m)) out.push_back(pre + sql + "\"");
  return out;
}

namespace {
constexpr std::string_view kIndent = "  ";      // the command
constexpr std::string_view kContinued = "    ";  // its continuation lines
std::string db_word(const std::string& db_path) { return shell_quote(db_path.empty() ? "incident.db" : db_path); }
}  // namespace

bool query_needs_db_variable(const std::string& db_path, size_t width) {
  // "  rstscope query PATH \" must fit.
  return kIndent.size() + 15 + columns(db_word(db_path)) + 2 > width;
}

std::vector<std::string> query_command_lines(const std::string& db_path, const std::string& sql, size_t width,
                                             bool use_db_variable) {
  std::string db = use_db_variable ? std::string("\"$db\"") : db_word(db_path);
  std::string head = std::string(kIndent) + "rstscope query " + db;
  std::string quoted = "\"" + sql + "\"";
  if (columns(head) + 1 + columns(quoted) <= width) return {head + " " + quoted};
  std::vector<std::string> out{head + " \\"};
  // The SQL in double quotes, broken at spaces; each line starts with the continuation indent.
  size_t avail = width > kContinued.size() + 20 ? width - kContinued.size() : 20;
  std::string cur;
  size_t pos = 0;
  while (pos <= quoted.size()) {
    size_t sp = quoted.find(' ', pos);
    std::string word = quoted.substr(pos, sp == std::string::npos ? std::string::npos : sp - pos);
    if (!cur.empty() && columns(cur) + 1 + columns(word) > avail) {
      out.push_back(std::string(kContinued) + cur);
      cur.clear();
    }
    cur += (cur.empty() ? "" : " ") + word;
    if (sp == std::string::npos) break;
    pos = sp + 1;
  }
  if (!cur.empty()) out.push_back(std::string(kContinued) + cur);
  return out;
}

std::string evidence_location(const EvidenceRow& ev) {
  return ev.is_setting ? setting_location(ev.setting) : event_location(ev.event);
}

std::string evidence_text(const EvidenceRow& ev) {
  if (ev.is_setting) {
    const SettingRow& s = ev.setting;
    std::string t = s.component.empty() ? "" : s.component + " ";
    t += s.key + " " + (s.raw.empty() ? setting_value(s) : s.raw);
    if (!s.scope.empty()) t += "  [" + s.scope + "]";
    if (s.assumed() && !s.note.empty()) t += "  (" + s.note + ")";
    return clean_text(t);
  }
  const EventRow& e = ev.event;
  return clean_text(!e.raw.empty() ? e.raw : !e.message.empty() ? e.message : e.category);
}

std::string counts_line(const std::vector<Count>& v, size_t limit) {
  std::string out;
  for (size_t i = 0; i < v.size() && i < limit; ++i) {
    if (i) out += ", ";
    out += clean_text(v[i].key) + " " + std::to_string(v[i].n);
  }
  if (v.size() > limit) out += ", and " + std::to_string(v.size() - limit) + " more";
  if (out.empty()) out = "none";
  return out;
}

const char* class_color(const std::string& c) {
  if (c == "idle-timeout") return "#d97706";
  if (c == "tls-mismatch") return "#7c3aed";
  if (c == "protocol-mismatch") return "#db2777";
  if (c == "upstream-failure") return "#dc2626";
  if (c == "server-timeout") return "#ea580c";
  if (c == "request-rejected") return "#0891b2";
  if (c == "firewall") return "#2563eb";
  if (c == "server-unavailable") return "#65a30d";
  if (c == "unexplained") return "#6b7280";
  if (c.empty()) return "#cbd5e1";
  static const char* extra[] = {"#0d9488", "#9333ea", "#b45309", "#be123c", "#4d7c0f"};
  return extra[std::hash<std::string>{}(c) % 5];
}

}  // namespace rstscope::report
