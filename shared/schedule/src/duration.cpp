// Go-style durations ("30s", "5m", "1h30m") for gracefulShutdownTimeout and nodeDrainTimeout.
#include <cstdint>

#include "fivespot/common/error.hpp"
#include "fivespot/schedule/schedule.hpp"

namespace fivespot::schedule {
namespace {

constexpr std::int64_t kMaxSeconds = 24 * 60 * 60;  // upstream's bound
constexpr const char* kDurationExpected =
    "a duration of whole hours, minutes and seconds in that order, such as \"30s\", \"5m\", \"1h\" or \"1h30m\" "
    "(units h, m, s; no fractions or signs), between 0s and 24h";

std::int64_t unitSeconds(char unit) {
  switch (unit) {
    case 'h':
      return 3600;
    case 'm':
      return 60;
    case 's':
      return 1;
    default:
      return 0;
  }
}

}  // namespace

std::chrono::seconds parseDuration(std::string_view text, std::string_view field) {
  const auto fail = [&]() { return ValidationError(std::string(field), std::string(text), kDurationExpected); };
  std::string_view rest = text;
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);
  if (rest.empty()) throw fail();
  if (rest == "0") return std::chrono::seconds{0};  // Go accepts a bare zero

  std::int64_t total = 0;
  std::int64_t previousUnit = kMaxSeconds * 2;  // larger than any unit: units must strictly decrease
  while (!rest.empty()) {
    std::int64_t value = 0;
    std::size_t digits = 0;
    while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9') {
      value = value * 10 + (rest[digits] - '0');
      if (value > kMaxSeconds) throw fail();  // stops overflow early: no unit is below one second
      ++digits;
    }
    if (digits == 0 || digits == rest.size()) throw fail();
    const std::int64_t unit = unitSeconds(rest[digits]);
    if (unit == 0 || unit >= previousUnit) throw fail();
    total += value * unit;
    if (total > kMaxSeconds) throw fail();
    previousUnit = unit;
    rest.remove_prefix(digits + 1);
  }
  return std::chrono::seconds{total};
}

std::string formatDuration(std::chrono::seconds d) {
  const std::int64_t count = d.count();
  if (count == 0) return "0s";
  std::string text = count < 0 ? "-" : "";
  // Unsigned magnitude: negating the most negative count would overflow.
  const std::uint64_t remaining = count < 0 ? 0 - static_cast<std::uint64_t>(count) : static_cast<std::uint64_t>(count);
  const std::uint64_t hours = remaining / 3600;
  const std::uint64_t minutes = remaining % 3600 / 60;
  const std::uint64_t seconds = remaining % 60;
  if (hours != 0) text += std::to_string(hours) + "h";
  if (minutes != 0) text += std::to_string(minutes) + "m";
  if (seconds != 0) text += std::to_string(seconds) + "s";
  return text;
}

}  // namespace fivespot::schedule
