#pragma once
// Shared by the schedule fuzz targets: compile a spec from fuzz input and check the engine's
// invariants on whatever compiles. A crash or abort is a finding; ValidationError is the
// expected answer to bad input.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "fivespot/common/error.hpp"
#include "fivespot/common/time_format.hpp"
#include "fivespot/schedule/schedule.hpp"

namespace fivespot::fuzz {

// Splits fuzz input on '\n' so that one input can carry several array elements.
inline std::vector<std::string> elements(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> out(1);
  for (std::size_t i = 0; i < size; ++i) {
    if (data[i] == '\n') {
      out.emplace_back();
    } else {
      out.back().push_back(static_cast<char>(data[i]));
    }
  }
  return out;
}

inline void check(bool condition) {
  if (!condition) std::abort();
}

// Every reported transition must change the answer, and the answer must hold just before it.
inline void checkInvariants(const api::ScheduleSpec& spec) {
  const auto compiled = schedule::Schedule::compile(spec);
  TimePoint t = parseRfc3339("2026-03-07T00:00:00Z");
  for (int step = 0; step < 16; ++step) {
    const auto next = compiled.nextTransition(t);
    if (!next) return;
    check(*next > t);
    check(compiled.inWindow(*next) != compiled.inWindow(t));
    check(compiled.inWindow(*next - std::chrono::seconds{1}) == compiled.inWindow(t));
    t = *next;
  }
  (void)compiled.windows(parseRfc3339("2026-03-01T00:00:00Z"), parseRfc3339("2026-04-01T00:00:00Z"));
}

inline void compileAndCheck(const api::ScheduleSpec& spec) {
  try {
    checkInvariants(spec);
  } catch (const ValidationError&) {
    // Rejected input: the parser said why; nothing more to check.
  }
}

}  // namespace fivespot::fuzz
