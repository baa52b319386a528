#include "ingest/bundle_info.h"

#include <algorithm>
#include <map>

#include "config/defaults.h"
#include "config/nginx_conf.h"
#include "rstscope/text.h"

namespace rstscope {
namespace {

constexpr size_t kMaxConf = 4 << 20;

std::string slurp(ByteSource& src) {
  std::string out;
  char buf[65536];
  for (;;) {
    long n = src.read(buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, size_t(n));
    if (out.size() > kMaxConf) break;
  }
  return out;
}

bool maybe_nginx_conf(const std::string& name) {
  std::string n = strip_compression(name);
  size_t slash = n.rfind('/');
  std::string base = slash == std::string::npos ? n : n.substr(slash + 1);
  return ends_with(base, ".conf") || base == "nginx.conf" || n.find("sites-enabled/") != std::string::npos ||
         n.find("sites-available/") != std::string::npos;
}

void add_formats(BundleInfo& info, std::string_view text) {
  for (auto& [name, fmt] : config::nginx_log_formats(text)) {
    auto it = std::find_if(info.nginx_log_formats.begin(), info.nginx_log_formats.end(),
                           [&](const auto& p) { return p.first == name; });
    if (it != info.nginx_log_formats.end()) it->second = fmt;
    else info.nginx_log_formats.emplace_back(name, fmt);
  }
}

// Direct includes of one config text: (line, pattern) of each nginx `include X;` (any block) or,
// for a file that is not nginx syntax, each Apache `Include`/`IncludeOptional` line.
struct IncludeLine {
  int64_t line;
  std::string pattern;
};

void nginx_includes(const std::vector<config::NginxDirective>& ds, std::vector<IncludeLine>& out) {
  for (const config::NginxDirective& d : ds) {
    if (d.name == "include" && d.args.size() == 1) out.push_back({d.line, d.args[0]});
    if (d.block) nginx_includes(d.children, out);
  }
}

std::vector<IncludeLine> direct_includes(const std::string& display, std::string_view text) {
  std::vector<IncludeLine> out;
  if (config::nginx_conf_score(display, text) > 0) {
    nginx_includes(config::parse_nginx_conf(text, display).directives, out);
    return out;
  }
  int64_t n = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view l = trim(text.substr(pos, nl - pos));
    ++n;
    pos = nl + 1;
    std::string_view word, rest = l;
    if (!next_token(rest, word) || !(iequals(word, "Include") || iequals(word, "IncludeOptional"))) continue;
    std::string_view pat;
    if (!next_token(rest, pat)) continue;
    if (!pat.empty() && pat.back() == ';') pat.remove_suffix(1);  // an nginx snippet that did not look like nginx
    if (pat.size() >= 2 && pat.front() == '"' && pat.back() == '"') pat = pat.substr(1, pat.size() - 2);
    out.push_back({n, std::string(pat)});
  }
  return out;
}

}  // namespace

std::map<std::string, std::string> archive_config_texts(const std::vector<Input>& inputs) {
  std::map<std::string, std::string> out;
  std::map<std::string, std::map<std::string, std::string>> wanted;  // archive -> member -> display
  for (const Input& in : inputs)
    if (in.archive && maybe_nginx_conf(in.member)) wanted[in.fs_path][in.member] = in.display;
  for (const auto& [archive, members] : wanted)
    for_each_member(archive, [&](const std::string& m, int64_t, int64_t, ByteSource& bs) {
      auto it = members.find(m);
      if (it != members.end()) out[it->second] = slurp(bs);
    });
  return out;
}

std::map<std::string, std::string> find_included_configs(
    const std::vector<Input>& inputs, const config::IncludeResolver& resolve,
    const std::function<std::string(const std::string& display)>& read) {
  std::map<std::string, std::string> included_by;
  if (!resolve) return included_by;
  // Edges parent -> child (with the include's line), in bundle order.
  std::vector<std::string> files;
  std::map<std::string, std::vector<std::pair<std::string, int64_t>>> edges;
  std::set<std::string> has_parent;
  for (const Input& in : inputs) {
    if (!maybe_nginx_conf(in.archive ? in.member : in.fs_path)) continue;
    std::string text;
    try {
      text = read(in.display);
    } catch (const std::exception&) {
      continue;  // reported when ingest reads it
    }
    files.push_back(in.display);
    for (const IncludeLine& inc : direct_includes(in.display, text))
      for (const config::IncludedFile& f : resolve(inc.pattern, in.display)) {
        if (f.path == in.display) continue;
        edges[in.display].emplace_back(f.path, inc.line);
        has_parent.insert(f.path);
      }
  }
  // Walk from the roots (configs nobody includes), then from what is left (cycles), depth-first.
  auto mark = [&](const std::string& root) {
    std::vector<std::string> todo{root};
    while (!todo.empty()) {
      std::string f = todo.back();
      todo.pop_back();
      for (const auto& [child, line] : edges[f]) {
        if (child == root || included_by.count(child)) continue;
        included_by[child] = f + ":" + std::to_string(line);
        todo.push_back(child);
      }
    }
  };
  for (const std::string& f : files)
    if (!has_parent.count(f)) mark(f);
  for (const std::string& f : files)
    if (!included_by.count(f)) mark(f);
  return included_by;
}

BundleInfo collect_bundle_info(const std::vector<Input>& inputs, const std::vector<std::string>& user_formats,
                               std::vector<std::string>& warnings) {
  BundleInfo info;
  info.nginx_log_formats.emplace_back(
      "combined",
      "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent \"$http_referer\" "
      "\"$http_user_agent\"");
  std::set<std::string> archives_with_conf;
  for (const Input& in : inputs) {
    if (!maybe_nginx_conf(in.archive ? in.member : in.fs_path)) continue;
    if (in.archive) {
      archives_with_conf.insert(in.fs_path);
      continue;
    }
    try {
      auto src = open_input(in);
      std::string text = slurp(*src);
      if (config::nginx_conf_score(in.display, text) > 0) add_formats(info, text);
    } catch (const std::exception& e) {
      warnings.push_back(in.display + ": " + e.what());
    }
  }
  for (const std::string& a : archives_with_conf) {
    for_each_member(a, [&](const std::string& m, int64_t, int64_t, ByteSource& bs) {
      if (!maybe_nginx_conf(m)) return;
      std::string text = slurp(bs);
      if (config::nginx_conf_score(m, text) > 0) add_formats(info, text);
    });
  }
  for (const std::string& f : user_formats) {
    size_t eq = f.find('=');
    bool named = eq != std::string::npos && eq > 0 && f.find('$') > eq && f.find(' ') > eq;
    std::string name = named ? f.substr(0, eq) : "main";
    std::string fmt = named ? f.substr(eq + 1) : f;
    auto it = std::find_if(info.nginx_log_formats.begin(), info.nginx_log_formats.end(),
                           [&](const auto& p) { return p.first == name; });
    if (it != info.nginx_log_formats.end()) it->second = fmt;
    else info.nginx_log_formats.emplace_back(name, fmt);
    // A user format also applies to files whose format name is unknown: keep it first among customs.
    info.nginx_log_formats.emplace_back("--nginx-log-format", fmt);
  }
  return info;
}

void add_assumed_settings(timeline::Batch& batch, const std::set<std::string>& with_logs,
                          const std::set<std::string>& with_config, const std::map<std::string, std::string>& inferred) {
  auto add = [&](const std::string& c, const std::string& why) {
    for (Setting s : config::documented_defaults(c)) {
      s.assumed = true;
      if (s.note.empty()) s.note = "documented default; no configuration for " + c + " in the bundle";
      if (!why.empty()) s.note += "; " + why;
      batch.settings.emplace_back(0, std::move(s));
    }
  };
  for (const std::string& c : with_logs)
    if (!c.empty() && !with_config.count(c) && !inferred.count(c)) add(c, "");
  for (const auto& [c, why] : inferred)
    if (!c.empty() && !with_config.count(c)) add(c, why);
}

}  // namespace rstscope
