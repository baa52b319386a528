#include "config/settings_report.h"

#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <map>
#include <stdexcept>
#include <vector>

#include "rstscope/event.h"
#include "rstscope/text.h"
#include "timeline/writer.h"

namespace rstscope::config {
namespace {

struct Row {
  int64_t id = 0;
  std::string component, scope, listener, key, raw, unit, text, status, note, path;
  int64_t value = kNull, line = 0;
};

std::string json_str(std::string_view s) {
  std::string out = "\"";
  json_escape_append(out, s);
  out += "\"";
  return out;
}

bool port_matches(const std::string& listener, const std::string& want) {
  if (want.empty()) return true;
  if (listener == want) return true;
  bool digits = std::all_of(want.begin(), want.end(), [](char c) { return c >= '0' && c <= '9'; });
  return digits && ends_with(listener, ":" + want);
}

}  // namespace

std::string one_line(std::string_view s, size_t max) {
  std::string out;
  for (unsigned char c : s) {
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (c < 0x20 || c == 0x7f) {
      static const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (max >= 4 && out.size() > max) {
    size_t cut = max - 3;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xc0) == 0x80) --cut;  // not inside a UTF-8 char
    out.resize(cut);
    out += "...";
  }
  return out;
}

std::string human_value(int64_t v, const std::string& unit, const std::string& text) {
  if (v == kNull) return text;
  std::string out;
  if (unit == "ms") {
    if (v < 0) return std::to_string(v) + " (disabled)";
    if (v == 0) out = "0";
    else if (v % 3600000 == 0) out = std::to_string(v / 3600000) + " h";
    else if (v % 60000 == 0) out = std::to_string(v / 60000) + " min";
    else if (v % 1000 == 0) out = std::to_string(v / 1000) + " s";
    else out = std::to_string(v) + " ms";
  } else if (unit == "bytes") {
    if (v != 0 && v % (1024 * 1024 * 1024) == 0) out = std::to_string(v / (1024 * 1024 * 1024)) + " GiB";
    else if (v != 0 && v % (1024 * 1024) == 0) out = std::to_string(v / (1024 * 1024)) + " MiB";
    else if (v != 0 && v % 1024 == 0) out = std::to_string(v / 1024) + " KiB";
    else out = std::to_string(v) + " B";
  } else if (unit == "bool") {
    out = text.empty() ? (v ? "on" : "off") : text;
    return out;
  } else {
    out = std::to_string(v);
  }
  if (!text.empty() && unit != "protocols") out += " (" + text + ")";
  return out;
}

int64_t print_settings(const std::string& db_path, const SettingsQuery& q, std::ostream& out) {
  timeline::play_back_journal(db_path);
  SQLite::Database db(db_path, SQLite::OPEN_READONLY);
  if (!db.tableExists("settings"))
    throw std::runtime_error(db_path + " has no settings table; is it a timeline DB made by `rstscope ingest`?");
  // Like every command: a DB whose ingest did not finish (meta.state != complete) is refused.
  timeline::check_complete(db.getHandle(), db_path);
  bool have_sources = db.tableExists("sources");
  std::string sql =
      "SELECT s.id, s.component, IFNULL(s.scope,''), IFNULL(s.listener,''), s.key, IFNULL(s.raw,''), s.value, "
      "IFNULL(s.unit,''), IFNULL(s.text,''), IFNULL(s.line,0), s.status, IFNULL(s.note,''), ";
  sql += have_sources ? "IFNULL(src.path,'') FROM settings s LEFT JOIN sources src ON src.id = s.source_id"
                      : "'' FROM settings s";
  SQLite::Statement st(db, sql);
  std::vector<Row> rows;
  while (st.executeStep()) {
    Row r;
    r.id = st.getColumn(0).getInt64();
    r.component = st.getColumn(1).getString();
    r.scope = st.getColumn(2).getString();
    r.listener = st.getColumn(3).getString();
    r.key = st.getColumn(4).getString();
    r.raw = st.getColumn(5).getString();
    r.value = st.getColumn(6).isNull() ? kNull : st.getColumn(6).getInt64();
    r.unit = st.getColumn(7).getString();
    r.text = st.getColumn(8).getString();
    r.line = st.getColumn(9).getInt64();
    r.status = st.getColumn(10).getString();
    r.note = st.getColumn(11).getString();
    r.path = st.getColumn(12).getString();
    if (!port_matches(r.listener, q.listener)) continue;
    if (!q.component.empty() && r.component != q.component) continue;
    rows.push_back(std::move(r));
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    bool ae = a.listener.empty(), be = b.listener.empty();
    if (ae != be) return be;
    if (a.listener != b.listener) return a.listener < b.listener;
    if (a.component != b.component) return a.component < b.component;
    if (a.scope != b.scope) return a.scope < b.scope;
    if (a.key != b.key) return a.key < b.key;
    return a.id < b.id;
  });
  auto where = [](const Row& r) {
    if (r.status == "assumed") return std::string("assumed default");
    return (r.path.empty() ? std::string("?") : r.path) + ":" + std::to_string(r.line);
  };
  if (q.format == "json") {
    out << "[";
    size_t i = 0;
    bool first_group = true;
    while (i < rows.size()) {
      size_t j = i;
      while (j < rows.size() && rows[j].listener == rows[i].listener) ++j;
      out << (first_group ? "\n" : ",\n") << "  {\"listener\": "
          << (rows[i].listener.empty() ? std::string("null") : json_str(rows[i].listener)) << ", \"settings\": [";
      first_group = false;
      for (size_t k = i; k < j; ++k) {
        const Row& r = rows[k];
        out << (k == i ? "\n" : ",\n") << "    {\"component\": " << json_str(r.component) << ", \"scope\": "
            << json_str(r.scope) << ", \"key\": " << json_str(r.key) << ", \"raw\": " << json_str(r.raw)
            << ", \"value\": " << (r.value == kNull ? std::string("null") : std::to_string(r.value))
            << ", \"unit\": " << json_str(r.unit) << ", \"text\": " << json_str(r.text)
            << ", \"status\": " << json_str(r.status) << ", \"source\": "
            << (r.path.empty() ? std::string("null") : json_str(r.path)) << ", \"line\": " << r.line
            << ", \"note\": " << json_str(r.note) << "}";
      }
      out << "\n  ]}";
      i = j;
    }
    out << (rows.empty() ? "]\n" : "\n]\n");
    return static_cast<int64_t>(rows.size());
  }
  if (rows.empty()) {
    out << "No settings" << (q.listener.empty() && q.component.empty() ? "" : " match the filter")
        << " (the bundle had no configuration files, and no component's defaults were assumed).\n";
    return 0;
  }
  size_t i = 0;
  while (i < rows.size()) {
    size_t j = i;
    while (j < rows.size() && rows[j].listener == rows[i].listener) ++j;
    out << "Listener " << (rows[i].listener.empty() ? std::string("(none: global, upstream or load balancer)") : rows[i].listener)
        << "\n";
    size_t wc = 9, ws = 5, wk = 3, wv = 5;
    std::vector<std::string> vals;
    for (size_t k = i; k < j; ++k) {
      const Row& r = rows[k];
      std::string v;
      if (r.value == kNull) {
        v = r.text.empty() ? r.raw : r.text;
      } else {
        v = human_value(r.value, r.unit, r.unit == "bool" ? r.text : std::string());
        if ((r.unit == "ms" || r.unit == "bytes") && !r.raw.empty() && r.raw != v) v += " (" + r.raw + ")";
        if (!r.text.empty() && r.unit != "bool" && r.unit != "protocols") v += " " + r.text;
      }
      vals.push_back(std::move(v));
      wc = std::min<size_t>(std::max(wc, one_line(rows[k].component).size()), 24);
      ws = std::min<size_t>(std::max(ws, one_line(rows[k].scope).size()), 48);
      wk = std::min<size_t>(std::max(wk, one_line(rows[k].key).size()), 40);
      wv = std::min<size_t>(std::max(wv, one_line(vals.back()).size()), 32);
    }
    // One line per setting whatever the config held (a broken file can leave a value spanning
    // lines): control characters escaped, long cells cut with "...".
    auto pad = [](const std::string& s, size_t w) {
      std::string c = one_line(s, w);
      c.resize(std::max(w, c.size()), ' ');
      return c;
    };
    out << "  " << pad("component", wc) << "  " << pad("scope", ws) << "  " << pad("key", wk) << "  "
        << pad("value", wv) << "  source\n";
    for (size_t k = i; k < j; ++k) {
      const Row& r = rows[k];
      out << "  " << pad(r.component, wc) << "  " << pad(r.scope, ws) << "  " << pad(r.key, wk) << "  "
          << pad(vals[k - i], wv) << "  " << one_line(where(r), 200) << "\n";
    }
    out << "\n";
    i = j;
  }
  out << rows.size() << " settings; values marked \"assumed default\" were not read from the bundle.\n";
  return static_cast<int64_t>(rows.size());
}

}  // namespace rstscope::config
