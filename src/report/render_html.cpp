// One self-contained HTML file: inline CSS, inline SVG charts drawn here, no script, no external
// resource. A Content-Security-Policy (default-src 'none') makes the browser refuse any script or
// request even if an escape were missed; every log-derived string goes through html_escape().
#include <algorithm>
#include <map>

#include "report/format.h"
#include "report/renderers.h"

namespace rstscope::report {
namespace {

using std::string;

string h(std::string_view s) { return html_escape(s); }
string num(int64_t v) { return v == kNull ? "-" : std::to_string(v); }

constexpr const char* kCss = R"CSS(
:root{--fg:#1f2937;--muted:#6b7280;--bg:#fff;--card:#f9fafb;--line:#e5e7eb;--link:#1d4ed8}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:72rem;margin:0 auto;padding:1rem 1.25rem 3rem}
h1{font-size:1.6rem;margin:.25rem 0}
h2{font-size:1.2rem;border-bottom:2px solid var(--line);padding-bottom:.2rem;margin:2rem 0 .75rem}
h3{font-size:1.05rem;margin:0 0 .3rem}
a{color:var(--link)}
nav{font-size:.9em;margin:.5rem 0;display:flex;flex-wrap:wrap;gap:.2rem 1rem}
nav a{white-space:nowrap}
.window{color:var(--muted);margin:.25rem 0}
.kpis{display:flex;flex-wrap:wrap;gap:.5rem 2rem;list-style:none;padding:0;margin:.75rem 0}
.kpis li{color:var(--muted)}
.kpis b{display:block;font-size:1.6rem;color:var(--fg);line-height:1.1}
.badge{display:inline-block;padding:0 .45em;border-radius:.25em;color:#fff;font-weight:600;font-size:.85em;white-space:nowrap}
.finding{border:1px solid var(--line);border-left:6px solid var(--c,#9ca3af);border-radius:.4rem;padding:.75rem 1rem;margin:1rem 0;background:var(--card);break-inside:avoid}
.meta{color:var(--muted);font-size:.9em;margin:.1rem 0 .4rem}
.rec{background:#ecfdf5;border:1px solid #a7f3d0;padding:.45rem .75rem;border-radius:.3rem;margin:.5rem 0}
.rec b{color:#065f46}
pre,code,.mono{font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:var(--card);border:1px solid var(--line);padding:.5rem;border-radius:.3rem}
.evidence{list-style:none;padding:0;margin:.4rem 0}
.evidence li{padding:.3rem .5rem;border-top:1px solid var(--line);overflow-wrap:anywhere;background:#fff}
.evidence .loc{color:var(--link);white-space:nowrap;margin-right:.5rem}
.evidence .role{color:var(--muted);font-size:.8em;margin-right:.5rem;text-transform:uppercase}
.evidence code{white-space:pre-wrap}
.why{color:var(--muted);font-size:.85em;display:block}
.tl{overflow-x:auto}
.tl svg{min-width:34rem}
table{border-collapse:collapse;width:100%;font-size:.9em}
th,td{text-align:left;padding:.2rem .5rem;border-bottom:1px solid var(--line);vertical-align:top;overflow-wrap:anywhere}
th{font-weight:600;background:var(--card)}
.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.scroll{overflow-x:auto}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(19rem,1fr));gap:1rem}
.chart{border:1px solid var(--line);border-radius:.4rem;padding:.5rem;background:#fff;break-inside:avoid}
.chart h3{font-size:.95rem;overflow-wrap:anywhere}
svg{width:100%;height:auto;display:block}
svg text{font-family:system-ui,sans-serif;fill:#4b5563}
.legend{display:flex;flex-wrap:wrap;gap:.2rem 1rem;list-style:none;padding:0;margin:.4rem 0;font-size:.9em}
.sw{display:inline-block;width:.8em;height:.8em;border-radius:2px;margin-right:.3em;vertical-align:-.05em}
details{margin:.4rem 0}
summary{cursor:pointer;font-weight:600}
.muted{color:var(--muted)}
footer{margin-top:2.5rem;border-top:2px solid var(--line);padding-top:.75rem;font-size:.9em}
@media (max-width:40rem){body{font-size:14px}main{padding:.5rem .6rem 2rem}.finding{padding:.5rem .6rem}.kpis{gap:.5rem 1.2rem}}
@media print{body{font-size:10pt}main{max-width:none;padding:0}nav{display:none}a{color:inherit;text-decoration:none}
.finding,.chart{break-inside:avoid}details::details-content{content-visibility:visible;display:block}
.evidence li,.finding{background:none}}
)CSS";

struct Axis {
  int64_t t0 = 0, t1 = 1;
  int bucket(int64_t ts) const {
    if (ts == kNull || t1 <= t0) return 0;
    return int(std::clamp<int64_t>((ts - t0) * Model::kBuckets / (t1 - t0), 0, Model::kBuckets - 1));
  }
  int64_t bucket_start(int b) const { return t0 + (t1 - t0) * b / Model::kBuckets; }
};

// Cause classes in legend order: classes of ranked findings, then the rest alphabetically, then
// unexplained, then "" (not correlated).
std::vector<string> class_order(const Model& m) {
  std::vector<string> order;
  auto add = [&](const string& c) {
    if (std::find(order.begin(), order.end(), c) == order.end()) order.push_back(c);
  };
  for (const auto& f : m.findings) add(f.cause_class);
  std::vector<string> rest;
  for (const auto& p : m.points)
    if (!p.cause_class.empty() && p.cause_class != "unexplained") rest.push_back(p.cause_class);
  std::sort(rest.begin(), rest.end());
  for (const auto& c : rest) add(c);
  for (const auto& p : m.points)
    if (p.cause_class == "unexplained") add(p.cause_class);
  for (const auto& p : m.points)
    if (p.cause_class.empty()) add(p.cause_class);
  return order;
}

string class_label(const string& c) { return c.empty() ? "not correlated" : c; }

// Stacked bars of failures per bucket and class. Returns SVG elements; `top`/`height` frame the
// plot inside an x range [x0, x0 + width].
string stacked_bars(const std::vector<const FailurePoint*>& pts, const Axis& ax, const std::vector<string>& order,
                    double x0, double width, double top, double height, int64_t* max_out) {
  std::vector<std::map<size_t, int64_t>> buckets(Model::kBuckets);
  for (const auto* p : pts) {
    if (p->ts == kNull) continue;  // not on the time axis
    size_t ci = size_t(std::find(order.begin(), order.end(), p->cause_class) - order.begin());
    ++buckets[size_t(ax.bucket(p->ts))][ci];
  }
  int64_t maxv = 1;
  for (const auto& b : buckets) {
    int64_t s = 0;
    for (auto& [c, n] : b) s += n;
    maxv = std::max(maxv, s);
  }
  if (max_out) *max_out = maxv;
  string out;
  double bw = width / Model::kBuckets;
  char buf[256];
  for (int b = 0; b < Model::kBuckets; ++b) {
    double y = top + height;
    for (auto& [ci, n] : buckets[size_t(b)]) {
      double hgt = height * double(n) / double(maxv);
      y -= hgt;
      const string& cls = ci < order.size() ? order[ci] : string();
      std::snprintf(buf, sizeof buf, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">",
                    x0 + bw * b + 0.5, y, std::max(bw - 1.0, 1.0), hgt, class_color(cls));
      out += buf;
      out += "<title>" + h(human_time(ax.bucket_start(b))) + ": " + std::to_string(n) + " " + h(class_label(cls)) +
             "</title></rect>";
    }
  }
  return out;
}

string time_ticks(const Axis& ax, double x0, double width, double y, int ticks, int64_t ref) {
  string out;
  char buf[160];
  for (int i = 0; i <= ticks; ++i) {
    double x = x0 + width * i / ticks;
    int64_t ts = ax.t0 + (ax.t1 - ax.t0) * i / ticks;
    const char* anchor = i == 0 ? "start" : i == ticks ? "end" : "middle";
    std::snprintf(buf, sizeof buf, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#d1d5db\"/>", x, x,
                  y - 4, y);
    out += buf;
    std::snprintf(buf, sizeof buf, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"%s\">", x, y + 12,
                  anchor);
    string label = short_time(ts, ref);
    if (label.size() > 8 && label[2] == ':') label = label.substr(0, 8);  // hh:mm:ss
    out += string(buf) + h(label) + "</text>";
  }
  return out;
}

string legend(const std::vector<string>& order) {
  string out = "<ul class=\"legend\">";
  for (const auto& c : order)
    out += string("<li><span class=\"sw\" style=\"background:") + class_color(c) + "\"></span>" + h(class_label(c)) +
           "</li>";
  return out + "</ul>";
}

string timeline_svg(const Model& m, const Axis& ax, const std::vector<string>& order) {
  const double W = 1000, left = 80, right = 12, plot = W - left - right, bars_top = 10, bars_h = 150;
  std::vector<string> roles;
  for (const char* r : {"proxy", "tls", "server", "firewall"})
    for (const auto& b : m.server_buckets)
      if (b.role == r) {
        roles.push_back(r);
        break;
      }
  const double row_h = 22, rows_top = bars_top + bars_h + 28;
  const double H = rows_top + row_h * double(roles.size()) + (roles.empty() ? 0 : 20);
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "<svg viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-labelledby=\"tl-title\" "
                "xmlns=\"http://www.w3.org/2000/svg\">",
                W, H);
  string out = buf;
  out += "<title id=\"tl-title\">Client failures over time, stacked by cause, with server-side events beneath</title>";
  std::vector<const FailurePoint*> pts;
  for (const auto& p : m.points) pts.push_back(&p);
  int64_t maxv = 1;
  string bars = stacked_bars(pts, ax, order, left, plot, bars_top, bars_h, &maxv);
  std::snprintf(buf, sizeof buf,
                "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.0f\" y2=\"%.0f\" stroke=\"#9ca3af\"/>"
                "<text x=\"%.0f\" y=\"%.0f\" font-size=\"11\" text-anchor=\"end\">%lld</text>"
                "<text x=\"%.0f\" y=\"%.0f\" font-size=\"11\" text-anchor=\"end\">0</text>"
                "<text x=\"4\" y=\"%.0f\" font-size=\"12\">failures</text>",
                left, W - right, bars_top + bars_h, bars_top + bars_h, left - 6, bars_top + 10, (long long)maxv,
                left - 6, bars_top + bars_h, bars_top + bars_h / 2);
  out += buf + bars;
  out += time_ticks(ax, left, plot, bars_top + bars_h + 4, 4, m.window_first);
  // Server-side rows.
  for (size_t r = 0; r < roles.size(); ++r) {
    double y = rows_top + row_h * double(r);
    int64_t rmax = 1;
    for (const auto& b : m.server_buckets)
      if (b.role == roles[r]) rmax = std::max(rmax, b.n);
    std::snprintf(buf, sizeof buf,
                  "<text x=\"4\" y=\"%.1f\" font-size=\"12\">%s</text>"
                  "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#e5e7eb\"/>",
                  y + 15, roles[r].c_str(), left, W - right, y + row_h - 2, y + row_h - 2);
    out += buf;
    double bw = plot / Model::kBuckets;
    for (const auto& b : m.server_buckets) {
      if (b.role != roles[r]) continue;
      double hgt = std::max(2.0, (row_h - 4) * double(b.n) / double(rmax));
      std::snprintf(buf, sizeof buf, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#475569\">",
                    left + bw * b.bucket + 0.5, y + row_h - 2 - hgt, std::max(bw - 1.0, 1.0), hgt);
      out += buf;
      out += "<title>" + h(human_time(ax.bucket_start(b.bucket))) + ": " + std::to_string(b.n) + " " + h(roles[r]) +
             " events (errors, resets, timeouts)</title></rect>";
    }
  }
  if (!roles.empty()) {
    std::snprintf(buf, sizeof buf, "<text x=\"%.0f\" y=\"%.0f\" font-size=\"11\">server-side events (non-routine)</text>",
                  left, H - 4);
    out += buf;
  }
  return out + "</svg>";
}

string endpoint_svg(const Model& m, const Axis& ax, const std::vector<string>& order, const string& target,
                    int64_t* total) {
  const double W = 400, left = 30, right = 6, plot = W - left - right, top = 6, height = 70;
  std::vector<const FailurePoint*> pts;
  for (const auto& p : m.points)
    if ((p.target.empty() ? string("(unknown)") : p.target) == target) pts.push_back(&p);
  *total = int64_t(pts.size());
  int64_t maxv = 1;
  string bars = stacked_bars(pts, ax, order, left, plot, top, height, &maxv);
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "<svg viewBox=\"0 0 %.0f %.0f\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\">"
                "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.0f\" y2=\"%.0f\" stroke=\"#9ca3af\"/>"
                "<text x=\"%.0f\" y=\"%.0f\" font-size=\"11\" text-anchor=\"end\">%lld</text>",
                W, top + height + 22, left, W - right, top + height, top + height, left - 4, top + 10, (long long)maxv);
  string out = buf;
  out += "<title>" + h(target) + ": client failures over time by cause</title>";
  out += bars + time_ticks(ax, left, plot, top + height + 4, 2, m.window_first);
  return out + "</svg>";
}

string evidence_list(const std::vector<EvidenceRow>& rows) {
  string out = "<ul class=\"evidence\">";
  for (const auto& ev : rows) {
    out += "<li><span class=\"role\">" + h(ev.role) + "</span><span class=\"loc mono\">" + h(evidence_location(ev)) +
           "</span><code>" + h(evidence_text(ev)) + "</code>";
    string why;
    if (!ev.is_setting && ev.event.ts != kNull) why = human_time(ev.event.ts);
    if (!ev.why.empty()) why += (why.empty() ? "" : " \xc2\xb7 ") + ev.why;
    if (!why.empty()) out += "<span class=\"why\">" + h(why) + "</span>";
    out += "</li>";
  }
  return out + "</ul>";
}

string counts_table(const char* title, const std::vector<Count>& v, size_t limit) {
  string out = string("<div class=\"scroll\"><table><thead><tr><th>") + title +
               "</th><th class=\"n\">failures</th></tr></thead><tbody>";
  for (size_t i = 0; i < v.size() && i < limit; ++i)
    out += "<tr><td>" + h(v[i].key) + "</td><td class=\"n\">" + std::to_string(v[i].n) + "</td></tr>";
  if (v.size() > limit) {
    int64_t rest = 0;
    for (size_t i = limit; i < v.size(); ++i) rest += v[i].n;
    out += "<tr><td class=\"muted\">" + std::to_string(v.size() - limit) + " more</td><td class=\"n\">" +
           std::to_string(rest) + "</td></tr>";
  }
  return out + "</tbody></table></div>";
}

}  // namespace

std::string render_html(const Model& m, const ReportOptions& o) {
  const string version = o.version.empty() ? RSTSCOPE_VERSION : o.version;
  string out;
  out.reserve(64 * 1024);
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
         "img-src data:; base-uri 'none'; form-action 'none'\">\n"
         "<meta name=\"referrer\" content=\"no-referrer\">\n"
         "<meta name=\"generator\" content=\"rstscope " + h(version) + "\">\n"
         "<title>rstscope report" + (o.db_path.empty() ? string() : ": " + h(o.db_path)) + "</title>\n<style>" +
         kCss + "</style>\n</head>\n<body>\n<main>\n";

  // Header.
  out += "<header>\n<h1>rstscope incident report</h1>\n";
  if (m.window_first == kNull) {
    out += m.failures ? "<p class=\"window\">Incident window unknown: no client failure carries a time.</p>\n"
                      : "<p class=\"window\">No client failures in this timeline.</p>\n";
  } else {
    out += "<p class=\"window\">Incident window " + h(human_time(m.window_first)) + " to " +
           h(short_time(m.window_last, m.window_first)) + " UTC (" + h(human_duration_us(m.window_last - m.window_first)) +
           ")</p>\n";
  }
  int64_t in_findings = 0;
  for (const auto& f : m.findings) in_findings += int64_t(f.incidents.size());
  out += "<ul class=\"kpis\"><li><b>" + std::to_string(m.failures) + "</b>client failures</li><li><b>" +
         std::to_string(m.findings.size()) + "</b>findings (" + std::to_string(in_findings) +
         " failures)</li><li><b>" + std::to_string(m.unexplained_count) + "</b>unexplained</li><li><b>" +
         std::to_string(m.sources_read.size()) + "</b>sources read</li>";
  if (!m.sources_other.empty())
    out += "<li><b>" + std::to_string(m.sources_other.size()) + "</b>not recognised</li>";
  if (m.failures > m.correlated)
    out += "<li><b>" + std::to_string(m.failures - m.correlated) + "</b>not correlated</li>";
  out += "</ul>\n<nav><a href=\"#findings\">Findings</a><a href=\"#timeline\">Timeline</a>"
         "<a href=\"#endpoints\">Endpoints</a><a href=\"#failures\">Client failures</a>";
  if (!m.unexplained.empty()) out += "<a href=\"#unexplained\">Unexplained</a>";
  out += "<a href=\"#sources\">Sources</a></nav>\n</header>\n";

  Axis ax;
  if (m.chart_first != kNull) {
    ax.t0 = m.chart_first;
    ax.t1 = m.chart_last > m.chart_first ? m.chart_last : m.chart_first + 1;
  }
  std::vector<string> order = class_order(m);

  // Timeline.
  if (!m.points.empty() && m.chart_first != kNull) {
    out += "<section id=\"timeline\">\n<h2>Timeline</h2>\n" + legend(order) + "\n<div class=\"tl\">" +
           timeline_svg(m, ax, order) + "</div>\n</section>\n";
  }

  // Findings.
  out += "<section id=\"findings\">\n<h2>Findings, ranked by count</h2>\n";
  if (m.findings.empty()) out += "<p class=\"muted\">No findings.</p>\n";
  const size_t per_finding = std::min<size_t>(o.max_incidents, 50);
  for (size_t r = 0; r < m.findings.size(); ++r) {
    const Finding& f = m.findings[r];
    out += string("<article class=\"finding\" id=\"finding-") + std::to_string(r + 1) + "\" style=\"--c:" +
           class_color(f.cause_class) + "\">\n";
    out += "<h3>" + std::to_string(r + 1) + ". <span class=\"badge\" style=\"background:" + class_color(f.cause_class) +
           "\">" + h(f.cause_class) + "</span> " + (f.endpoint.empty() ? string() : h(f.endpoint) + " ") + "&middot; " +
           std::to_string(f.count) + " failure" + (f.count == 1 ? "" : "s") + "</h3>\n";
    out += "<p class=\"meta\">confidence " + confidence_str(f.confidence) + " (" + confidence_word(f.confidence) +
           ") &middot; first " + h(human_time(f.first_ts)) + " &middot; last " + h(human_time(f.last_ts)) +
           (f.rule.empty() ? string() : " &middot; rule <span class=\"mono\">" + h(f.rule) + "</span>") + "</p>\n";
    if (!f.title.empty() && f.title != f.explanation) out += "<p><strong>" + h(f.title) + "</strong></p>\n";
    if (!f.explanation.empty()) out += "<p>" + h(f.explanation) + "</p>\n";
    out += "<p class=\"rec\"><b>Recommendation:</b> " + h(f.advice()) + "</p>\n";
    if (!f.quoted.empty())
      out += "<details open><summary>Evidence (" + std::to_string(f.quoted.size()) + " line" +
             (f.quoted.size() == 1 ? "" : "s") + ")</summary>\n" + evidence_list(f.quoted) + "\n</details>\n";
    out += "<details><summary>Failures (" + std::to_string(f.incidents.size()) + ")</summary>\n"
           "<div class=\"scroll\"><table><thead><tr><th>time (UTC)</th><th>kind</th><th>client line</th>"
           "<th class=\"n\">port</th><th class=\"n\">conf.</th><th>explanation</th><th>alternatives</th></tr></thead><tbody>";
    for (size_t k = 0; k < f.incidents.size() && k < per_finding; ++k) {
      const Incident& in = m.incidents[f.incidents[k]];
      string alts;
      for (const auto& a : in.alternatives)
        alts += (alts.empty() ? "" : ", ") + h(a.cause_class) + " " + confidence_str(a.confidence);
      int64_t port = in.local_port != kNull ? in.local_port : in.client.client_port;
      out += "<tr><td class=\"mono\">" + h(short_time(in.ts, m.ref_ts)) + "</td><td>" + h(in.kind) +
             "</td><td class=\"mono\">" + h(event_location(in.client)) + "</td><td class=\"n\">" + num(port) +
             "</td><td class=\"n\">" + confidence_str(in.confidence) + "</td><td>" + h(in.explanation) + "</td><td>" +
             alts + "</td></tr>";
    }
    out += "</tbody></table></div>";
    if (f.incidents.size() > per_finding)
      out += "<p class=\"muted\">" + std::to_string(f.incidents.size() - per_finding) +
             " more: <code>rstscope query " + h(shell_quote(o.db_path)) +
             " \"SELECT * FROM incidents WHERE " +
             (f.id > 0 ? "finding_id = " + std::to_string(f.id) : "cause_class = &#39;" + h(f.cause_class) + "&#39;") +
             "\"</code></p>";
    out += "\n</details>\n</article>\n";
  }
  out += "</section>\n";

  // Per-endpoint charts.
  if (!m.points.empty() && m.chart_first != kNull) {
    out += "<section id=\"endpoints\">\n<h2>Failures per endpoint</h2>\n" + legend(order) + "\n<div class=\"grid\">\n";
    size_t shown = 0;
    for (const auto& t : m.by_target) {
      if (++shown > 12) break;
      int64_t total = 0;
      string svg = endpoint_svg(m, ax, order, t.key, &total);
      out += "<div class=\"chart\"><h3>" + h(t.key) + " <span class=\"muted\">&middot; " + std::to_string(total) +
             "</span></h3>" + svg + "</div>\n";
    }
    out += "</div>\n";
    if (m.by_target.size() > 12)
      out += "<p class=\"muted\">" + std::to_string(m.by_target.size() - 12) + " more endpoints not drawn.</p>\n";
    out += "</section>\n";
  }

  // Client failures.
  out += "<section id=\"failures\">\n<h2>Client failures</h2>\n<div class=\"grid\">\n" +
         counts_table("kind", m.by_kind, 15) + counts_table("client", m.by_client, 15) +
         counts_table("target", m.by_target, 15) + "</div>\n</section>\n";

  // Unexplained.
  if (!m.unexplained.empty()) {
    out += "<section id=\"unexplained\">\n<h2>Unexplained failures (" + std::to_string(m.unexplained_count) + ")</h2>\n";
    for (const auto& g : m.unexplained) {
      string kinds;
      for (auto& [k, n] : g.kinds) kinds += (kinds.empty() ? "" : ", ") + h(k) + " " + std::to_string(n);
      const Incident& first = m.incidents[g.incidents.front()];
      out += string("<article class=\"finding\" style=\"--c:") + class_color("unexplained") + "\"><h3>" +
             (g.target.empty() ? string("unknown target") : h(g.target)) + " &middot; " +
             std::to_string(g.incidents.size()) + " failure" + (g.incidents.size() == 1 ? "" : "s") + "</h3>\n" +
             "<p class=\"meta\">" + kinds +
             (g.first_ts == kNull ? string() : " &middot; " + h(human_time(g.first_ts)) + " to " + h(human_time(g.last_ts))) +
             " &middot; first at <span class=\"mono\">" + h(event_location(first.client)) +
             "</span></p>\n";
      if (!first.explanation.empty()) out += "<p>" + h(first.explanation) + "</p>\n";
      out += "<p><b>Searched:</b> " + (g.searched.empty() ? string("(not recorded)") : h(g.searched)) + "</p>\n";
      if (!first.client.raw.empty())
        out += "<details><summary>Client line</summary><pre>" + h(first.client.raw) + "</pre></details>\n";
      out += "</article>\n";
    }
    out += "</section>\n";
  }

  // Skew and sources.
  out += "<section id=\"sources\">\n";
  if (!m.skewed.empty()) {
    out += "<h2>Clock skew applied</h2>\n<div class=\"scroll\"><table><thead><tr><th>source</th><th class=\"n\">offset</th>"
           "<th class=\"n\">spread</th><th class=\"n\">pairs</th><th>method</th></tr></thead><tbody>";
    for (const auto& s : m.skewed)
      out += "<tr><td class=\"mono\">" + h(s.path) + "</td><td class=\"n\">" + h(signed_duration_us(s.skew_offset_us)) +
             "</td><td class=\"n\">" + h(s.skew_spread_us == kNull ? "-" : human_duration_us(s.skew_spread_us)) +
             "</td><td class=\"n\">" + num(s.skew_pairs) + "</td><td>" + h(s.skew_method) + "</td></tr>";
    out += "</tbody></table></div>\n";
  }
  out += "<h2>Sources read (" + std::to_string(m.sources_read.size()) + ")</h2>\n";
  out += "<div class=\"scroll\"><table><thead><tr><th>path</th><th>parser</th><th class=\"n\">lines</th>"
         "<th class=\"n\">events</th><th>first</th><th>last</th><th>status</th></tr></thead><tbody>";
  for (const auto& s : m.sources_read)
    out += "<tr><td class=\"mono\">" + h(s.path) + "</td><td>" + h(s.parser) + "</td><td class=\"n\">" + num(s.lines) +
           "</td><td class=\"n\">" + num(s.events) + "</td><td class=\"mono\">" + h(human_time(s.first_ts)) +
           "</td><td class=\"mono\">" + h(human_time(s.last_ts)) + "</td><td>" + h(s.status) + "</td></tr>";
  out += "</tbody></table></div>\n";
  if (!m.sources_other.empty()) {
    out += "<h2>Sources not recognised (" + std::to_string(m.sources_other.size()) + ")</h2>\n<ul>";
    for (const auto& s : m.sources_other) {
      out += "<li><span class=\"mono\">" + h(s.path) + "</span>: " + h(s.status);
      if (!s.errors.empty()) out += " <span class=\"muted\">(" + h(s.errors.substr(0, s.errors.find('\n'))) + ")</span>";
      out += "</li>";
    }
    out += "</ul>\n";
  }
  if (!m.assumed.empty()) {
    out += "<h2>Assumed defaults</h2>\n<ul>";
    for (const auto& g : m.assumed) {
      out += "<li>" + h(g.what());
      for (size_t i = 0; i < g.listeners.size(); ++i) out += (i ? ", " : " at ") + h(g.listeners[i]);
      if (!g.setting.note.empty()) out += " <span class=\"muted\">" + h(g.setting.note) + "</span>";
      out += "</li>";
    }
    out += "</ul>\n";
  }
  out += "</section>\n";

  // Footer.
  out += "<footer>\n<p>Database: <span class=\"mono\">" + h(o.db_path.empty() ? "(temporary, removed: rerun with -o incident.db to keep it)" : o.db_path) + "</span>";
  for (const auto& w : o.written) out += " &middot; report: <span class=\"mono\">" + h(w) + "</span>";
  out += "</p>\n<p>Dig deeper:</p>\n<pre>";
  for (const auto& q : query_examples(m, o.db_path)) out += h(q) + "\n";
  out += "</pre>\n<p class=\"muted\">Generated by rstscope " + h(version) + ".</p>\n</footer>\n</main>\n</body>\n</html>\n";
  return out;
}

}  // namespace rstscope::report
