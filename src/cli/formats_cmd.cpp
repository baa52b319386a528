// rstscope formats / rstscope sniff FILE...
#include <fmt/format.h>

#include <iostream>

#include "cli/cli.h"
#include "ingest/ingest.h"
#include "rstscope/reader.h"
#include "rstscope/text.h"
#include "source/bundle.h"

namespace rstscope::cli {
namespace {

void setup_formats(CLI::App& root, int* result) {
  auto verbose = std::make_shared<bool>(false);
  CLI::App* c = root.add_subcommand("formats", "List every parser: name, role, description and a sample line");
  c->add_flag("--samples", *verbose, "Print every sample with its expected fields");
  c->footer("Examples:\n  rstscope formats\n  rstscope formats --samples");
  c->callback([verbose, result] {
    for (const Parser* p : all_parsers()) {
      std::cout << fmt::format("{:<22} {:<8} {}\n", p->name(), to_string(p->role()), p->description());
      const auto& s = p->samples();
      if (s.empty()) continue;
      size_t n = *verbose ? s.size() : 1;
      for (size_t i = 0; i < n; ++i) {
        std::string_view t = s[i].text;
        if (!*verbose) {
          t = t.substr(0, t.find('\n'));
          std::cout << "    e.g. " << (t.size() > 140 ? std::string(t.substr(0, 137)) + "..." : std::string(t)) << "\n";
        } else {
          std::cout << "    sample " << i + 1 << ":\n      " << t << "\n";
          for (const Expect& e : s[i].expect) std::cout << "        " << e.field << " = " << e.value << "\n";
        }
      }
    }
    *result = kOk;
  });
}

void setup_sniff(CLI::App& root, int* result) {
  auto files = std::make_shared<std::vector<std::string>>();
  CLI::App* c = root.add_subcommand("sniff", "Show which parser each file gets, its score, and why");
  c->add_option("file", *files, "Files, folders or archives")->required();
  c->footer("Examples:\n  rstscope sniff nginx/access.log\n  rstscope sniff incident-bundle/");
  c->callback([files, result] {
    ExpandResult ex = expand_bundle(*files, {});
    int rc = kOk;
    for (const auto& w : ex.warnings) {
      std::cerr << "warning: " << w << "\n";
      rc = kPartial;
    }
    auto report = [&](const std::string& display, ByteSource& src) {
      std::string head(64 * 1024, '\0');
      size_t got = 0;
      for (;;) {
        long n = src.read(head.data() + got, head.size() - got);
        if (n <= 0) break;
        got += size_t(n);
        if (got == head.size()) break;
      }
      head.resize(got);
      std::vector<std::string_view> lines;
      size_t pos = 0;
      while (pos < head.size() && lines.size() < kSniffLines) {
        size_t nl = head.find('\n', pos);
        if (nl == std::string::npos) nl = head.size();
        std::string_view l(head.data() + pos, nl - pos);
        if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
        if (!trim(l).empty()) lines.push_back(l);
        pos = nl + 1;
      }
      auto cands = sniff_lines(display, lines);
      if (cands.empty()) {
        if (looks_like_json_document(lines))
          std::cout << display << ": unrecognised (a multi-line JSON document; no whole-file parser reads it)\n";
        else
          std::cout << display << ": unrecognised (no parser scored above 0)\n";
        return;
      }
      std::cout << display << ": " << cands[0].parser->name() << " (score " << cands[0].score.score << ": "
                << cands[0].score.why << ")\n";
      for (size_t i = 1; i < cands.size() && i < 4; ++i)
        std::cout << "    also " << cands[i].parser->name() << " " << cands[i].score.score << ": " << cands[i].score.why
                  << "\n";
    };
    for (const Input& in : ex.inputs) {
      try {
        if (in.archive) {
          for_each_member(in.fs_path, [&](const std::string& m, int64_t, int64_t, ByteSource& bs) {
            if (m == in.member) report(in.display, bs);
          });
        } else {
          auto src = open_input(in);
          report(in.display, *src);
        }
      } catch (const std::exception& e) {
        std::cerr << in.display << ": " << e.what() << "\n";
        rc = kPartial;
      }
    }
    *result = rc;
  });
}

RSTSCOPE_REGISTER_COMMAND(40, setup_formats);
RSTSCOPE_REGISTER_COMMAND(41, setup_sniff);

}  // namespace
}  // namespace rstscope::cli
