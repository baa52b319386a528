// rstscope correlate DB / rstscope analyze BUNDLE... / rstscope rules list|test|explain
#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <type_traits>

#include "cli/cli.h"
#include "correlate/correlate.h"
#include "correlate/engine.h"
#include "correlate/rules.h"
#include "ingest/ingest.h"
#include "report/report.h"

namespace fs = std::filesystem;

namespace rstscope::cli {
namespace {

struct CorrelateArgs {
  std::vector<std::string> rules, aliases, skews;
  std::string aliases_file;
};

void add_correlate_options(CLI::App* c, CorrelateArgs& a) {
  c->add_option("--rules", a.rules, "A folder of your own rules (*.toml), added to the built-in ones");
  c->add_option("--alias", a.aliases, "NAME=ADDRESS: the client's target NAME is served at ADDRESS (repeatable)");
  c->add_option("--aliases", a.aliases_file, "A file of NAME ADDRESS lines (hosts-file syntax: ADDRESS NAME...)");
  c->add_option("--skew", a.skews, "SOURCE=+-DURATION: add this to the times of SOURCE (its path, or a suffix after / that only one path has), e.g. client/app.log=-2.5s");
}

correlate::CorrelateOptions to_options(const CorrelateArgs& a) {
  correlate::CorrelateOptions o;
  o.verbose = globals().verbose;
  o.rule_dirs.push_back(correlate::default_rules_dir());
  for (const auto& r : a.rules) o.rule_dirs.push_back(r);
  for (const auto& s : a.aliases) {
    size_t eq = s.find('=');
    if (eq == std::string::npos || eq == 0) throw CLI::ValidationError("--alias", "expected NAME=ADDRESS, got '" + s + "'");
    o.aliases.emplace_back(s.substr(0, eq), s.substr(eq + 1));
  }
  if (!a.aliases_file.empty()) {
    std::ifstream in(a.aliases_file);
    if (!in) throw std::runtime_error("--aliases " + a.aliases_file + ": cannot read");
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      std::istringstream ss(line);
      std::string addr, name;
      ss >> addr;
      while (ss >> name) o.aliases.emplace_back(name, addr);
    }
  }
  for (const auto& s : a.skews) {
    size_t eq = s.rfind('=');
    int64_t us;
    if (eq == std::string::npos || !correlate::parse_signed_duration_us(s.substr(eq + 1), us))
      throw CLI::ValidationError("--skew", "expected SOURCE=+-DURATION such as app.log=-2.5s, got '" + s + "'");
    o.skew.emplace_back(s.substr(0, eq), us);
  }
  return o;
}

std::string summary_line(const correlate::CorrelateSummary& s) {
  std::string out = fmt::format("correlated {} client failure(s) in {:.2f} s: {} explained, {} unexplained, {} finding(s)\n",
                                s.failures, s.seconds, s.explained, s.unexplained, s.findings);
  for (const auto& [c, n] : s.by_class) out += fmt::format("  {:<20} {}\n", c, n);
  for (const auto& n : s.skew_notes) out += "  skew: " + n + "\n";
  return out;
}

void setup_correlate(CLI::App& root, int* result) {
  auto db = std::make_shared<std::string>();
  auto args = std::make_shared<CorrelateArgs>();
  CLI::App* c = root.add_subcommand("correlate", "Explain every client failure in a timeline (re-runnable)");
  c->add_option("db", *db, "Timeline database written by `rstscope ingest`")->required()->check(CLI::ExistingFile);
  add_correlate_options(c, *args);
  c->footer(
      "Examples:\n"
      "  rstscope correlate incident.db\n"
      "  rstscope correlate incident.db --alias api.example.com=10.0.0.9 --skew client/app.log=+2s\n"
      "  rstscope correlate incident.db --rules my-rules/");
  c->callback([=] {
    try {
      auto s = correlate::correlate_db(*db, to_options(*args));
      if (!globals().quiet) std::cerr << summary_line(s);
      *result = kOk;
    } catch (const CLI::Error&) {
      throw;
    } catch (const correlate::OptionError& e) {
      std::cerr << "rstscope correlate: " << e.what() << "\n";
      *result = kUsage;
    } catch (const std::exception& e) {
      std::cerr << "rstscope correlate: " << e.what() << "\n";
      *result = kFatal;
    }
  });
}

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  return bool(out);
}

void setup_analyze(CLI::App& root, int* result) {
  auto opt = std::make_shared<IngestOptions>();
  auto args = std::make_shared<CorrelateArgs>();
  auto json = std::make_shared<std::string>();
  auto md = std::make_shared<std::string>();
  auto html = std::make_shared<std::string>();
  auto formats = std::make_shared<std::vector<std::string>>();
  auto keep = std::make_shared<bool>(false);
  CLI::App* c = root.add_subcommand("analyze", "Ingest a bundle, correlate, and print the incident summary");
  c->add_option("bundle", opt->bundles, "Folders, files or archives of the incident")->required();
  c->add_option("-o,--output", opt->db, "Timeline database (default: a temporary file that is removed)");
  c->add_option("--json", *json, "Write the incident JSON (shared/spec/incidents.md) to this file");
  c->add_option("--md", *md, "Write the Markdown report to this file");
  c->add_option("--html", *html, "Write the self-contained HTML report to this file");
  auto tzs = std::make_shared<std::vector<std::string>>();
  c->add_option("--tz", *tzs, "Zone for times written without one: ZONE (IANA name or offset) or PATH=ZONE (repeatable)");
  c->add_option("--format", *formats, "Force a parser: PATH=PARSER");
  c->add_option("--nginx-log-format", opt->nginx_log_formats, "nginx log_format when the bundle has no nginx.conf");
  c->add_flag("--force", *keep, "Overwrite the output database if it exists");
  add_correlate_options(c, *args);
  c->footer(
      "Examples:\n"
      "  rstscope analyze incident/ -o incident.db\n"
      "  rstscope analyze logs.tar.gz --json incidents.json --html report.html\n"
      "  rstscope analyze client.log nginx/ --alias api.example.com=127.0.0.1 --tz Europe/Berlin");
  c->callback([=] {
    bool temp_db = opt->db.empty();
    if (temp_db) opt->db = (fs::temp_directory_path() / fmt::format("rstscope-{}.db", ::getpid())).string();
    if (*keep || temp_db) {
      std::error_code ec;
      fs::remove(opt->db, ec);
    } else if (std::error_code ec; fs::exists(opt->db, ec)) {
      // analyze always builds a new timeline (no --append here, unlike ingest).
      std::cerr << "rstscope analyze: " << opt->db
                << " already exists: remove it, choose another -o, or add --force to overwrite it\n";
      *result = kFatal;
      return;
    }
    for (const std::string& f : *formats) {
      size_t eq = f.rfind('=');
      if (eq == std::string::npos) throw CLI::ValidationError("--format", "expected PATH=PARSER, got '" + f + "'");
      opt->overrides.emplace_back(f.substr(0, eq), f.substr(eq + 1));
    }
    try {
      apply_tz_args(*tzs, *opt);
    } catch (const std::exception& e) {
      throw CLI::ValidationError("--tz", e.what());
    }
    opt->quiet = globals().quiet;
    opt->verbose = globals().verbose;
    try {
      correlate::CorrelateOptions copt = to_options(*args);
      // A broken rule is reported before the bundle is read, and no DB is written.
      std::vector<correlate::Rule> rules = correlate::load_rules(copt.rule_dirs);
      copt.rules = &rules;
      IngestSummary s = ingest(*opt);
      if (!opt->quiet) std::cerr << format_summary(s, temp_db ? "(temporary)" : opt->db);
      auto cs = correlate::correlate_db(opt->db, copt);
      if (!opt->quiet) std::cerr << summary_line(cs);
      SQLite::Database db(opt->db, SQLite::OPEN_READONLY);
      report::ReportOptions ro;
      ro.db_path = temp_db ? std::string() : opt->db;
      auto emit = [&](const std::string& path, report::ReportFormat f) {
        if (path.empty()) return;
        std::string text = report::render_report(db, f, ro);
        if (!write_file(path, text)) throw std::runtime_error("cannot write " + path);
        ro.written.push_back(path);
      };
      emit(*json, report::ReportFormat::json);
      emit(*md, report::ReportFormat::md);
      emit(*html, report::ReportFormat::html);
      ro.color = report::want_color(stdout);
      std::cout << report::render_report(db, report::ReportFormat::text, ro);
      if (temp_db) {
        std::error_code ec;
        fs::remove(opt->db, ec);
      }
      *result = s.exit_code;
    } catch (const CLI::Error&) {
      throw;
    } catch (const correlate::OptionError& e) {
      std::cerr << "rstscope analyze: " << e.what() << "\n";
      *result = kUsage;
    } catch (const std::exception& e) {
      std::cerr << "rstscope analyze: " << e.what() << "\n";
      *result = kFatal;
    }
  });
}

int rules_test(const std::vector<correlate::Rule>& rules, bool verbose) {
  int pass = 0, fail = 0;
  for (const auto& r : rules) {
    for (const auto& c : r.cases) {
      correlate::Engine eng(c.model, rules);
      auto cands = eng.candidates(r, c.model.failures.front());
      bool matched = !cands.empty();
      bool ok = matched == c.expect_match;
      (ok ? pass : fail)++;
      if (!ok || verbose)
        std::cout << (ok ? "ok   " : "FAIL ") << r.id << ": " << c.name << " (" << r.file << ":" << c.line << ")"
                  << (ok ? "" : c.expect_match ? " — expected a match, got none" : " — expected no match, but it matched")
                  << "\n";
    }
  }
  std::cout << pass << " passed, " << fail << " failed\n";
  return fail ? 1 : 0;
}

void setup_rules(CLI::App& root, int* result) {
  auto dirs = std::make_shared<std::vector<std::string>>();
  auto id = std::make_shared<std::string>();
  auto verbose = std::make_shared<bool>(false);
  CLI::App* c = root.add_subcommand("rules", "List, test and explain the correlation rules");
  c->require_subcommand(1);
  c->footer("Examples:\n  rstscope rules list\n  rstscope rules test --rules my-rules/\n  rstscope rules explain idle-timeout.keepalive-reuse");
  auto load = [dirs] {
    std::vector<std::string> all{correlate::default_rules_dir()};
    all.insert(all.end(), dirs->begin(), dirs->end());
    return correlate::load_rules(all);
  };
  CLI::App* list = c->add_subcommand("list", "Every rule: id, cause class, strategy, title");
  CLI::App* test = c->add_subcommand("test", "Run every rule's own cases (must match / must not match)");
  CLI::App* explain = c->add_subcommand("explain", "Show one rule in full");
  for (CLI::App* s : {list, test, explain}) s->add_option("--rules", *dirs, "Extra folder of rules");
  test->add_flag("-v,--verbose", *verbose, "List every case, not only failures");
  explain->add_option("id", *id, "Rule id")->required();
  auto guard = [result](auto fn) {
    return [=] {
      try {
        *result = fn();
      } catch (const std::exception& e) {
        std::cerr << "rstscope rules: " << e.what() << "\n";
        *result = kFatal;
      }
    };
  };
  list->callback(guard([=] {
    for (const auto& r : load())
      std::cout << fmt::format("{:<40} {:<18} {:<11} {}\n", r.id, r.cause_class, r.strategy, r.title);
    return kOk;
  }));
  test->callback(guard([=] { return rules_test(load(), *verbose); }));
  explain->callback(guard([=] {
    for (const auto& r : load()) {
      if (r.id != *id) continue;
      auto list = [](const auto& v, const char* sep) {
        std::string out;
        for (const auto& x : v) {
          if (!out.empty()) out += sep;
          if constexpr (std::is_same_v<std::decay_t<decltype(x)>, Role>) out += std::string(to_string(x));
          else if constexpr (std::is_same_v<std::decay_t<decltype(x)>, int>) out += std::to_string(x);
          else out += x;
        }
        return out.empty() ? std::string("-") : out;
      };
      auto line = [](std::string_view label, const std::string& value) {
        std::cout << fmt::format("{:<22}{}\n", std::string(label) + ":", value);
      };
      line("id", r.id);
      line("class", r.cause_class);
      line("title", r.title);
      line("strategy", r.strategy);
      line("file", r.file);
      line("confidence", fmt::format("{:g}", r.confidence));
      line("kinds", r.kinds.empty() ? std::string("any") : list(r.kinds, " "));
      if (r.strategy == "evidence") {
        line("roles", r.roles.empty() ? std::string("any") : list(r.roles, " "));
        line("categories", list(r.categories, " "));
        line("window", fmt::format("{} s before .. {} s after the failure", double(r.before_us) / 1e6, double(r.after_us) / 1e6));
        if (!r.statuses.empty()) line("status", list(r.statuses, " "));
        if (!r.detail_contains.empty()) line("detail", list(r.detail_contains, "; "));
        if (!r.unless_detail.empty()) line("unless detail", list(r.unless_detail, "; "));
        if (!r.actions.empty()) line("actions", list(r.actions, " "));
        line("require client port", r.require_client_port ? "yes" : "no");
        line("shared evidence", r.shared_evidence ? "yes (one line may explain many failures)" : "no");
        if (!r.client_scheme.empty()) line("client scheme", r.client_scheme);
        if (!r.target_listener.empty()) line("target listener", r.target_listener);
        if (!r.client_text.empty()) line("client text", list(r.client_text, "; "));
        if (!r.unless_client_text.empty()) line("unless client text", list(r.unless_client_text, "; "));
      } else if (r.strategy == "idle-gap") {
        line("idle settings", list(r.setting_keys, "; "));
        line("tolerance", fmt::format("{:g}", r.tolerance));
      } else if (r.strategy == "setting") {
        line("setting keys", list(r.setting_keys, "; "));
        if (!r.setting_contains.empty()) line("setting contains", list(r.setting_contains, "; "));
      } else {
        line("client text", r.client_text.empty() ? std::string("any") : list(r.client_text, "; "));
        if (!r.setting_keys.empty()) line("settings", list(r.setting_keys, "; "));
        line("level hidden bonus", fmt::format("{:g}", r.level_hidden_bonus));
      }
      line("explanation", r.explanation);
      line("recommendation", r.recommendation);
      std::cout << "cases (" << r.cases.size() << "):\n";
      for (const auto& cs : r.cases)
        std::cout << fmt::format("  {:<9} {} (line {})\n", cs.expect_match ? "match" : "no-match", cs.name, cs.line);
      return kOk;
    }
    std::cerr << "rstscope rules explain: no rule '" << *id << "' (see `rstscope rules list`)\n";
    return kUsage;
  }));
}

RSTSCOPE_REGISTER_COMMAND(20, setup_correlate);
RSTSCOPE_REGISTER_COMMAND(5, setup_analyze);
RSTSCOPE_REGISTER_COMMAND(70, setup_rules);

}  // namespace
}  // namespace rstscope::cli
