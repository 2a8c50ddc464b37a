// Fuzzes parseDuration: accepted values are within [0, 24h] and survive a format/parse round trip.
#include <string_view>

#include "schedule_fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const auto duration = fivespot::schedule::parseDuration(text, "fuzz");
    fivespot::fuzz::check(duration.count() >= 0 && duration.count() <= 24 * 60 * 60);
    const auto again = fivespot::schedule::parseDuration(fivespot::schedule::formatDuration(duration), "fuzz");
    fivespot::fuzz::check(again == duration);
  } catch (const fivespot::ValidationError&) {
    // Rejected input is the expected answer to most inputs.
  }
  return 0;
}
