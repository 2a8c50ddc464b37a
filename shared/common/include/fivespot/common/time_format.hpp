#pragma once
// RFC 3339 timestamps as Kubernetes writes them (UTC, "Z").
#include <optional>
#include <string>
#include <string_view>

#include "fivespot/common/clock.hpp"

namespace fivespot {

// "2026-11-24T20:46:31Z" (whole seconds, like metav1.Time).
std::string formatRfc3339(TimePoint t);
// "2026-11-24T20:46:31.123456Z" (microseconds, like metav1.MicroTime).
std::string formatRfc3339Micro(TimePoint t);
// Accepts "Z" or a numeric offset and optional fractional seconds. Throws ValidationError
// naming `field` when the text is not RFC 3339.
TimePoint parseRfc3339(std::string_view text, std::string_view field = "timestamp");
std::optional<TimePoint> tryParseRfc3339(std::string_view text);

}  // namespace fivespot
