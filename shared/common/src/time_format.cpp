#include "fivespot/common/time_format.hpp"

#include <date/date.h>

#include <sstream>

#include "fivespot/common/error.hpp"

namespace fivespot {

std::string formatRfc3339(TimePoint t) {
  return date::format("%FT%TZ", std::chrono::floor<std::chrono::seconds>(t));
}

std::string formatRfc3339Micro(TimePoint t) {
  return date::format("%FT%TZ", std::chrono::floor<std::chrono::microseconds>(t));
}

std::optional<TimePoint> tryParseRfc3339(std::string_view text) {
  if (text.size() < 20 || text.size() > 40) return std::nullopt;
  std::string s(text);
  // date::parse wants an upper-case T and Z; RFC 3339 allows either case.
  for (char& c : s) {
    if (c == 't') c = 'T';
    if (c == 'z') c = 'Z';
  }
  std::istringstream in(s);
  date::sys_time<std::chrono::microseconds> tp{};
  if (s.back() == 'Z') {
    in >> date::parse("%FT%TZ", tp);
  } else {
    in >> date::parse("%FT%T%Ez", tp);
  }
  if (in.fail()) return std::nullopt;
  in.peek();
  if (!in.eof()) return std::nullopt;
  return std::chrono::time_point_cast<Duration>(tp);
}

TimePoint parseRfc3339(std::string_view text, std::string_view field) {
  if (auto tp = tryParseRfc3339(text)) return *tp;
  throw ValidationError(std::string(field), std::string(text),
                        "an RFC 3339 timestamp such as 2026-12-24T18:00:00Z or 2026-12-24T18:00:00+01:00");
}

}  // namespace fivespot
