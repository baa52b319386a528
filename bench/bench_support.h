// Shared by the parse-only benchmarks: an Emitter that reuses one Event slot and counts.
#pragma once

#include <cstdint>
#include <string_view>

#include "rstscope/parser.h"

namespace rstscope::bench {

class SlotEmitter : public Emitter {
 public:
  Event& event() override {
    slot_.clear();
    ++events;
    return slot_;
  }
  void unparsed(std::string_view) override { ++bad; }
  void setting(const Setting&) override {}
  void warn(int64_t, std::string_view) override {}
  Event slot_;
  int64_t events = 0, bad = 0;
};

}  // namespace rstscope::bench
