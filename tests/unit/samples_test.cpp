// Every sample of every parser (the lnav rule: formats carry their own samples).
#include <gtest/gtest.h>

#include "rstscope/text.h"
#include "test_support.h"

using namespace rstscope;

TEST(Samples, EveryParserHasSamples) {
  ASSERT_FALSE(all_parsers().empty());
  for (const Parser* p : all_parsers()) {
    EXPECT_FALSE(p->samples().empty()) << p->name() << " has no samples";
    EXPECT_FALSE(p->description().empty()) << p->name();
  }
}

TEST(Samples, EverySampleParsesToItsExpectedFields) {
  for (const Parser* p : all_parsers()) {
    int idx = 0;
    for (const Sample& s : p->samples()) {
      ++idx;
      SCOPED_TRACE(std::string(p->name()) + " sample #" + std::to_string(idx) + ": " +
                   std::string(s.text.substr(0, 160)));
      ParsedText r = parse_text(*p, s.text, s.tz);
      bool expects_unparsed = false;
      for (const Expect& e : s.expect) {
        if (e.field == "unparsed") {
          expects_unparsed = true;
          EXPECT_EQ(std::to_string(r.unparsed.size()), e.value);
        } else if (e.field == "count") {
          EXPECT_EQ(std::to_string(r.events.size()), e.value);
        } else if (e.field == "settings") {
          EXPECT_EQ(std::to_string(r.settings.size()), e.value);
        }
      }
      if (expects_unparsed) continue;
      EXPECT_TRUE(r.unparsed.empty()) << "unparsed: " << (r.unparsed.empty() ? "" : r.unparsed[0].second);
      bool needs_event = false;
      for (const Expect& e : s.expect)
        if (e.field != "count" && e.field != "settings" && !starts_with(e.field, "setting.")) needs_event = true;
      if (!needs_event) continue;
      ASSERT_FALSE(r.events.empty());
      const Event& ev = r.events.back();
      for (const Expect& e : s.expect) {
        if (e.field == "count" || e.field == "settings" || starts_with(e.field, "setting.")) continue;
        EXPECT_EQ(event_field(ev, e.field), e.value) << "field " << e.field;
      }
    }
  }
}

TEST(Samples, SniffPicksTheParserForItsOwnSamples) {
  // Each parser must score its own first sample above zero.
  for (const Parser* p : all_parsers()) {
    if (p->samples().empty() || p->whole_file()) continue;
    std::string_view text = p->samples().front().text;
    std::vector<std::string_view> lines;
    size_t pos = 0;
    while (pos <= text.size()) {
      size_t nl = text.find('\n', pos);
      if (nl == std::string_view::npos) nl = text.size();
      if (nl > pos) lines.push_back(text.substr(pos, nl - pos));
      pos = nl + 1;
    }
    SniffInput in{"sample.log", "sample.log", lines};
    EXPECT_GT(p->sniff(in).score, 0) << p->name();
  }
}
