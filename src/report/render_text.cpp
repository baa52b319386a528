// Terminal summary: at most o.width columns (>= 60), ANSI colour only when o.color.
// Lines are built as clean text, cut to width, and only then coloured, so colour never counts.
#include <algorithm>

#include "report/format.h"
#include "report/renderers.h"

namespace rstscope::report {
namespace {

class Text {
 public:
  Text(const ReportOptions& o) : width_(size_t(std::max(60, o.width))), color_(o.color) {}

  size_t width() const { return width_; }

  // A plain line, cut to the width.
  void line(std::string_view s = {}) { out_ += truncate_cols(s, width_) + "\n"; }
  // A line with a coloured part: prefix (plain) + colored + suffix (plain), cut to the width.
  void line3(std::string_view pre, std::string_view mid, const char* sgr, std::string_view post) {
    std::string all = std::string(pre) + std::string(mid) + std::string(post);
    if (columns(all) > width_ || !color_) {
      line(all);
      return;
    }
    out_ += std::string(pre) + paint(mid, sgr) + std::string(post) + "\n";
  }
  void heading(std::string_view s) {
    if (!out_.empty()) out_ += "\n";
    std::string t = truncate_cols(s, width_);
    out_ += paint(t, "1") + "\n";
  }
  // Word-wrapped paragraph with a first-line label and a hanging indent.
  void para(std::string_view indent, std::string_view label, std::string_view text, const char* sgr = nullptr) {
    std::string hang(columns(indent) + columns(label), ' ');
    size_t avail = width_ > hang.size() + 20 ? width_ - hang.size() : 20;
    auto lines = wrap(clean_text(text), avail);
    if (lines.empty()) lines.push_back("");
    for (size_t i = 0; i < lines.size(); ++i) {
      std::string pre = i == 0 ? std::string(indent) + std::string(label) : hang;
      if (sgr && color_)
        out_ += truncate_cols(pre, width_) + paint(lines[i], sgr) + "\n";
      else
        line(pre + lines[i]);
    }
  }
  std::string paint(std::string_view s, const char* sgr) const {
    if (!color_ || !sgr || s.empty()) return std::string(s);
    return "\x1b[" + std::string(sgr) + "m" + std::string(s) + "\x1b[0m";
  }
  // A line that must not be cut (a command to copy); clean text only.
  void whole(std::string_view s) { out_ += std::string(s) + "\n"; }
  std::string take() { return std::move(out_); }

 private:
  size_t width_;
  bool color_;
  std::string out_;
};

const char* class_sgr(const std::string& c) {
  if (c == "idle-timeout") return "33";
  if (c == "upstream-failure" || c == "server-unavailable") return "31";
  if (c == "tls-mismatch" || c == "protocol-mismatch") return "35";
  if (c == "firewall") return "34";
  if (c == "server-timeout") return "33";
  if (c == "request-rejected") return "36";
  return "1";
}

const char* conf_sgr(double c) {
  if (c >= 0.8) return "32";
  if (c >= 0.5) return "33";
  return "31";
}

std::string pad(std::string_view s, size_t n) {
  std::string t = truncate_cols(s, n);
  size_t c = columns(t);
  if (c < n) t.append(n - c, ' ');
  return t;
}

// "10:14:03.118 .. 10:17:40.002", or one time when both are the same.
std::string span(int64_t first, int64_t last, int64_t ref) {
  if (first == kNull) return "-";
  if (last == kNull || last == first) return short_time(first, ref);
  return short_time(first, ref) + " .. " + short_time(last, ref);
}

std::string thousands(int64_t v) {
  if (v == kNull) return "-";
  std::string s = std::to_string(v < 0 ? -v : v), out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i && (s.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(s[i]);
  }
  return v < 0 ? "-" + out : out;
}

}  // namespace

std::string render_text(const Model& m, const ReportOptions& o) {
  Text t(o);
  const size_t W = t.width();
  t.line3("rstscope report  ", clean_text(o.db_path.empty() ? "(database)" : o.db_path), "1", "");

  // Window and headline.
  t.heading("Incident window");
  if (m.window_first == kNull) {
    t.line(m.failures ? "  unknown: no client failure carries a time" : "  no client failures in this timeline");
  } else {
    t.line("  " + human_time(m.window_first) + " .. " + short_time(m.window_last, m.window_first) +
           " UTC (" + human_duration_us(m.window_last - m.window_first) + ")");
  }
  if (m.failures > 0) {
    std::string head = std::to_string(m.failures) + " client failure" + (m.failures == 1 ? "" : "s");
    int64_t in_findings = 0;
    for (const auto& f : m.findings) in_findings += int64_t(f.incidents.size());
    head += ": " + std::to_string(in_findings) + " explained in " + std::to_string(m.findings.size()) +
            " finding" + (m.findings.size() == 1 ? "" : "s") + ", " + std::to_string(m.unexplained_count) +
            " unexplained";
    if (m.failures > m.correlated)
      head += ", " + std::to_string(m.failures - m.correlated) + " not correlated (run rstscope correlate)";
    t.para("  ", "", head);
  }

  // Client failures.
  if (m.failures > 0) {
    t.heading("Client failures");
    t.para("  ", "by kind    ", counts_line(m.by_kind, 8));
    t.para("  ", "by client  ", counts_line(m.by_client, 6));
    t.para("  ", "by target  ", counts_line(m.by_target, 6));
  }

  // Findings.
  if (!m.findings.empty()) {
    t.heading("Findings, ranked by count");
    for (size_t r = 0; r < m.findings.size(); ++r) {
      const Finding& f = m.findings[r];
      std::string num = (r + 1 < 10 ? "  " : " ") + std::to_string(r + 1) + ". ";
      std::string rest = "  " + std::to_string(f.count) + " failure" + (f.count == 1 ? "" : "s") +
                         (f.endpoint.empty() ? "" : " on " + clean_text(f.endpoint));
      t.line3(num, f.cause_class, class_sgr(f.cause_class), rest);
      t.line3("     confidence ", confidence_str(f.confidence) + " (" + confidence_word(f.confidence) + ")",
              f.confidence >= 0 ? conf_sgr(f.confidence) : nullptr,
              "  " + span(f.first_ts, f.last_ts, m.ref_ts) +
                  (f.rule.empty() ? "" : "  rule " + clean_text(f.rule)));
      if (!f.title.empty() && f.title != f.explanation) t.para("     ", "", f.title);
      if (!f.explanation.empty()) t.para("     ", "", f.explanation);
      if (!f.quoted.empty()) {
        t.line("     evidence:");
        size_t loc_w = 0;
        for (const auto& ev : f.quoted) loc_w = std::max(loc_w, columns(clean_text(evidence_location(ev))));
        loc_w = std::min<size_t>(loc_w, 36);
        for (const auto& ev : f.quoted) {
          std::string loc = pad(clean_text(evidence_location(ev)), loc_w);
          std::string body = evidence_text(ev);
          std::string l = "       " + loc + "  " + body;
          if (o.color) {
            std::string cut = truncate_cols(l, W);
            // colour the location only (it is a prefix of the cut line)
            size_t pre = 7 + loc.size();
            if (cut.size() >= pre)
              t.line3("       ", loc, "2", cut.substr(pre));
            else
              t.line(cut);
          } else {
            t.line(l);
          }
        }
      }
      t.para("     ", "do: ", f.advice(), "1");
      if (r + 1 < m.findings.size()) t.line();
    }
  }

  // Unexplained.
  if (!m.unexplained.empty()) {
    t.heading("Unexplained failures (" + std::to_string(m.unexplained_count) + ")");
    for (const auto& g : m.unexplained) {
      std::string kinds;
      for (auto& [k, n] : g.kinds) kinds += (kinds.empty() ? "" : ", ") + clean_text(k) + " " + std::to_string(n);
      t.para("  ", "",
             (g.target.empty() ? std::string("(unknown target)") : clean_text(g.target)) + ": " +
                 std::to_string(g.incidents.size()) + " failure" + (g.incidents.size() == 1 ? "" : "s") +
                 " (" + kinds + ")" + (g.first_ts == kNull ? "" : ", " + span(g.first_ts, g.last_ts, m.ref_ts)));
      const Incident& first = m.incidents[g.incidents.front()];
      t.line("     first: " + clean_text(event_location(first.client)));
      if (!first.explanation.empty()) t.para("     ", "", first.explanation);
      t.para("     ", "searched: ", g.searched.empty() ? "(not recorded)" : g.searched);
    }
  }

  // Clock skew.
  if (!m.skewed.empty()) {
    t.heading("Clock skew applied");
    size_t pw = 6;
    for (const auto& s : m.skewed) pw = std::max(pw, columns(clean_text(s.path)));
    pw = std::min<size_t>(pw, W - 46);
    t.line("  " + pad("source", pw) + "  " + pad("offset", 12) + pad("spread", 11) + pad("pairs", 7) + "method");
    for (const auto& s : m.skewed)
      t.line("  " + pad(clean_text(s.path), pw) + "  " + pad(signed_duration_us(s.skew_offset_us), 12) +
             pad(s.skew_spread_us == kNull ? "-" : human_duration_us(s.skew_spread_us), 11) +
             pad(thousands(s.skew_pairs), 7) + clean_text(s.skew_method));
  }

  // Sources.
  t.heading("Sources read (" + std::to_string(m.sources_read.size()) + ")");
  if (m.sources_read.empty()) t.line("  none");
  {
    size_t pw = 0;
    for (const auto& s : m.sources_read) pw = std::max(pw, columns(clean_text(s.path)));
    pw = std::clamp<size_t>(pw, 6, W - 68);
    if (!m.sources_read.empty())
      t.line("  " + pad("path", pw) + "  " + pad("parser", 18) + pad("lines", 11) + "time span");
    for (const auto& s : m.sources_read) {
      std::string l = "  " + pad(clean_text(s.path), pw) + "  " + pad(clean_text(s.parser), 18) +
                      pad(thousands(s.lines), 11) + span(s.first_ts, s.last_ts, m.ref_ts);
      if (s.status == "partial") l += "  partial";
      t.line(l);
    }
  }
  if (!m.sources_other.empty()) {
    t.heading("Sources not recognised (" + std::to_string(m.sources_other.size()) + ")");
    size_t pw = 6;
    for (const auto& s : m.sources_other) pw = std::max(pw, columns(clean_text(s.path)));
    pw = std::min<size_t>(pw, W / 2);
    for (const auto& s : m.sources_other) {
      std::string why;
      if (!s.errors.empty()) {
        std::string e = s.errors.substr(0, s.errors.find('\n'));
        why = ": " + e;
      }
      t.line("  " + pad(clean_text(s.path), pw) + "  " + clean_text(s.status) + clean_text(why));
    }
  }
  if (!m.assumed.empty()) {
    t.heading("Assumed defaults (not in the bundle)");
    const size_t shown = std::min<size_t>(m.assumed.size(), 10);
    for (size_t i = 0; i < shown; ++i) {
      const AssumedGroup& g = m.assumed[i];
      std::string l = g.what();
      if (!g.listeners.empty()) {
        l += " at " + clean_text(g.listeners.front());
        if (g.listeners.size() > 1) l += " and " + std::to_string(g.listeners.size() - 1) + " more";
      }
      t.para("  - ", "", l + (g.setting.note.empty() ? "" : ": " + g.setting.note));
    }
    if (m.assumed.size() > shown)
      t.line("  and " + std::to_string(m.assumed.size() - shown) +
             " more (table settings, status 'assumed')");
  }

  // Footer.
  t.heading("Written");
  t.line("  database  " + clean_text(o.db_path.empty() ? "(temporary, removed: rerun with -o incident.db to keep it)" : o.db_path));
  for (const auto& w : o.written) t.line("  report    " + clean_text(w));
  t.heading("Dig deeper");
  // Pasteable commands that fit the width (a long DB path goes into a shell variable first).
  std::string db = clean_text(o.db_path.empty() ? "incident.db" : o.db_path);
  bool var = query_needs_db_variable(db, t.width());
  if (var) t.whole("  db=" + shell_quote(db));
  for (const auto& sql : query_example_sql(m))
    for (const auto& l : query_command_lines(db, clean_text(sql), t.width(), var)) t.whole(l);
  return t.take();
}

}  // namespace rstscope::report
