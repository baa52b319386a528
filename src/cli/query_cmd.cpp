// rstscope query DB "SQL" [--format table|csv|json]
#include <sqlite3.h>

#include <iostream>
#include <string>
#include <vector>

#include "cli/cli.h"
#include "rstscope/text.h"
#include "timeline/writer.h"

namespace rstscope::cli {
namespace {

std::string cell(sqlite3_stmt* st, int i) {
  const unsigned char* t = sqlite3_column_text(st, i);
  return t ? std::string(reinterpret_cast<const char*>(t), size_t(sqlite3_column_bytes(st, i))) : std::string();
}

std::string csv_quote(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string o = "\"";
  for (char c : s) {
    if (c == '"') o += '"';
    o += c;
  }
  return o + "\"";
}

int run_query(const std::string& db_path, const std::string& sql, const std::string& format, int max_width) {
  sqlite3* db = nullptr;
  timeline::play_back_journal(db_path);
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    std::cerr << "rstscope query: cannot open " << db_path << ": " << (db ? sqlite3_errmsg(db) : "out of memory") << "\n";
    sqlite3_close(db);
    return kFatal;
  }
  try {
    timeline::check_complete(db, db_path);
  } catch (const std::exception& e) {
    std::cerr << "rstscope query: " << e.what() << "\n";
    sqlite3_close(db);
    return kFatal;
  }
  sqlite3_stmt* st = nullptr;
  const char* tail = sql.c_str();
  int rc = SQLITE_OK;
  while (*tail) {
    rc = sqlite3_prepare_v2(db, tail, -1, &st, &tail);
    if (rc != SQLITE_OK) {
      std::cerr << "rstscope query: " << sqlite3_errmsg(db) << "\n  in: " << sql << "\n";
      sqlite3_close(db);
      return kUsage;
    }
    if (!st) continue;  // whitespace or comment
    int cols = sqlite3_column_count(st);
    std::vector<std::string> names;
    for (int i = 0; i < cols; ++i) names.emplace_back(sqlite3_column_name(st, i));
    std::vector<std::vector<std::string>> rows;
    std::vector<std::vector<int>> types;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      std::vector<std::string> r;
      std::vector<int> t;
      for (int i = 0; i < cols; ++i) {
        r.push_back(cell(st, i));
        t.push_back(sqlite3_column_type(st, i));
      }
      rows.push_back(std::move(r));
      types.push_back(std::move(t));
    }
    if (rc != SQLITE_DONE) {
      std::cerr << "rstscope query: " << sqlite3_errmsg(db) << "\n";
      sqlite3_finalize(st);
      sqlite3_close(db);
      return kFatal;
    }
    sqlite3_finalize(st);
    if (format == "csv") {
      for (int i = 0; i < cols; ++i) std::cout << (i ? "," : "") << csv_quote(names[size_t(i)]);
      std::cout << "\n";
      for (auto& r : rows) {
        for (int i = 0; i < cols; ++i) std::cout << (i ? "," : "") << csv_quote(r[size_t(i)]);
        std::cout << "\n";
      }
    } else if (format == "json") {
      std::cout << "[";
      for (size_t k = 0; k < rows.size(); ++k) {
        std::cout << (k ? ",\n " : "\n ") << "{";
        for (int i = 0; i < cols; ++i) {
          std::string v;
          int t = types[k][size_t(i)];
          if (t == SQLITE_NULL) v = "null";
          else if (t == SQLITE_INTEGER || t == SQLITE_FLOAT) v = rows[k][size_t(i)];
          else {
            v = "\"";
            json_escape_append(v, rows[k][size_t(i)]);
            v += "\"";
          }
          std::string key;
          json_escape_append(key, names[size_t(i)]);
          std::cout << (i ? ", " : "") << "\"" << key << "\": " << v;
        }
        std::cout << "}";
      }
      std::cout << (rows.empty() ? "]\n" : "\n]\n");
    } else {
      std::vector<size_t> w(static_cast<size_t>(cols), 0);
      auto shown = [&](const std::string& s) {
        std::string o;
        for (char c : s) o += (c == '\n' || c == '\t' || c == '\r') ? ' ' : c;
        if (int(o.size()) > max_width) o = o.substr(0, size_t(max_width) - 3) + "...";
        return o;
      };
      for (int i = 0; i < cols; ++i) w[size_t(i)] = shown(names[size_t(i)]).size();
      for (auto& r : rows)
        for (int i = 0; i < cols; ++i) w[size_t(i)] = std::max(w[size_t(i)], shown(r[size_t(i)]).size());
      auto line = [&](const std::vector<std::string>& r) {
        for (int i = 0; i < cols; ++i) {
          std::string s = shown(r[size_t(i)]);
          std::cout << (i ? " | " : "") << s << std::string(w[size_t(i)] - s.size(), ' ');
        }
        std::cout << "\n";
      };
      line(names);
      for (int i = 0; i < cols; ++i) std::cout << (i ? "-+-" : "") << std::string(w[size_t(i)], '-');
      std::cout << "\n";
      for (auto& r : rows) line(r);
      std::cout << "(" << rows.size() << " row" << (rows.size() == 1 ? "" : "s") << ")\n";
    }
  }
  sqlite3_close(db);
  return kOk;
}

void setup(CLI::App& root, int* result) {
  auto db = std::make_shared<std::string>();
  auto sql = std::make_shared<std::string>();
  auto format = std::make_shared<std::string>("table");
  auto width = std::make_shared<int>(60);
  CLI::App* c = root.add_subcommand("query", "Run SQL on a timeline (read-only)");
  c->add_option("db", *db, "Timeline database")->required();
  c->add_option("sql", *sql, "SQL: tables sources, events, settings, incidents, evidence, findings; views timeline, failures, server_side, problems, incident_list")
      ->required();
  c->add_option("--format", *format, "Output: table, csv or json")->check(CLI::IsMember({"table", "csv", "json"}));
  c->add_option("--max-width", *width, "Table format: cut cells longer than this")->check(CLI::Range(8, 100000));
  c->footer(
      "Examples:\n"
      "  rstscope query incident.db \"SELECT time, at, kind, host, server_port FROM failures\"\n"
      "  rstscope query incident.db \"SELECT category, count(*) FROM events GROUP BY 1 ORDER BY 2 DESC\"\n"
      "  rstscope query incident.db \"SELECT at, raw FROM timeline WHERE id IN (SELECT rowid FROM events_fts WHERE events_fts MATCH 'reset')\" --format json\n"
      "The schema is documented in docs/schema.md.");
  c->callback([=] { *result = run_query(*db, *sql, *format, *width); });
}

RSTSCOPE_REGISTER_COMMAND(30, setup);

}  // namespace
}  // namespace rstscope::cli
