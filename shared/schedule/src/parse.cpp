// Parsers for the schedule syntax: daysOfWeek, hoursOfDay, timezone and exclusions. Every error
// names the field path, the offending token and the forms that are accepted.
#include <algorithm>
#include <bitset>
#include <cctype>
#include <string_view>

#include "compiled.hpp"
#include "fivespot/common/error.hpp"
#include "fivespot/common/time_format.hpp"

namespace fivespot::schedule::detail {
namespace {

constexpr int kMinutesPerDay = 24 * 60;
constexpr int kMinYear = 1970;
constexpr int kMaxYear = 2200;

constexpr const char* kDaysExpected =
    "day names mon, tue, wed, thu, fri, sat, sun (full names such as \"monday\" too, any case), inclusive ranges "
    "such as \"mon-fri\" or \"fri-mon\" (wraps over the week end), or comma lists such as \"mon,wed,fri\"";
constexpr const char* kHoursExpected =
    "a whole hour 0-23 (\"9\" = 09:00-09:59), an inclusive whole-hour range (\"9-17\" = 09:00-17:59, \"22-6\" "
    "wraps midnight), or a minute range with exclusive end (\"09:30-17:45\", \"22:00-06:30\"), or comma lists of "
    "these";
constexpr const char* kTimezoneExpected =
    "an IANA time zone name such as \"Europe/Berlin\", \"America/New_York\" "
    "or \"UTC\"";
constexpr const char* kExclusionsExpected =
    "a local date \"2026-12-25\", an inclusive local date range \"2026-12-24/2026-12-26\", or an RFC 3339 instant "
    "range with exclusive end \"2026-12-31T18:00:00Z/2027-01-01T06:00:00Z\" (comma lists allowed; years 1970-2200)";

std::string indexed(const std::string& field, std::size_t index) {
  return field + "[" + std::to_string(index) + "]";
}

std::string_view trim(std::string_view text) {
  const auto isSpace = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!text.empty() && isSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && isSpace(text.back())) text.remove_suffix(1);
  return text;
}

// Splits an array element on ',' into trimmed pieces; an empty piece is an error because it is
// almost always a typo ("mon,,fri", "mon,").
std::vector<std::string_view> splitPieces(std::string_view element, const std::string& field, const char* expected) {
  std::vector<std::string_view> pieces;
  std::size_t begin = 0;
  while (true) {
    const std::size_t comma = element.find(',', begin);
    const std::string_view piece =
        trim(element.substr(begin, comma == std::string_view::npos ? std::string_view::npos : comma - begin));
    if (piece.empty()) throw ValidationError(field, std::string(element), expected);
    pieces.push_back(piece);
    if (comma == std::string_view::npos) return pieces;
    begin = comma + 1;
  }
}

// "a-b" split on its single '-'; nullopt when there is no '-'.
struct RangeText {
  std::string_view first;
  std::string_view second;
};
std::optional<RangeText> splitRange(std::string_view piece, char separator, const std::string& field,
                                    const char* expected) {
  const std::size_t at = piece.find(separator);
  if (at == std::string_view::npos) return std::nullopt;
  if (piece.find(separator, at + 1) != std::string_view::npos)
    throw ValidationError(field, std::string(piece), expected);
  RangeText range{trim(piece.substr(0, at)), trim(piece.substr(at + 1))};
  if (range.first.empty() || range.second.empty()) throw ValidationError(field, std::string(piece), expected);
  return range;
}

void requireNonEmpty(const std::vector<std::string>& entries, const std::string& field, const char* example) {
  if (!entries.empty()) return;
  throw ValidationError(field, "[]",
                        std::string("at least one entry such as \"") + example +
                            "\" (an empty list would mean the machine is never in its window; upstream 5-Spot "
                            "accepted that silently and never scheduled the machine)");
}

// ---- days ------------------------------------------------------------------------------------

std::optional<int> dayIndex(std::string_view token) {
  static constexpr std::array<std::string_view, 7> kShort = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  static constexpr std::array<std::string_view, 7> kLong = {"monday", "tuesday",  "wednesday", "thursday",
                                                            "friday", "saturday", "sunday"};
  std::string lower(token);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (std::size_t i = 0; i < kShort.size(); ++i) {
    if (lower == kShort[i] || lower == kLong[i]) return static_cast<int>(i);
  }
  return std::nullopt;
}

int requireDay(std::string_view token, const std::string& field) {
  if (auto index = dayIndex(token)) return *index;
  throw ValidationError(field, std::string(token), kDaysExpected);
}

// ---- hours -----------------------------------------------------------------------------------

std::optional<int> parseSmallNumber(std::string_view text, std::size_t maxDigits) {
  if (text.empty() || text.size() > maxDigits) return std::nullopt;
  int value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

// "9" or "09", 0-23.
int requireWholeHour(std::string_view text, std::string_view piece, const std::string& field) {
  const auto hour = parseSmallNumber(text, 2);
  if (!hour || *hour > 23) throw ValidationError(field, std::string(piece), kHoursExpected);
  return *hour;
}

// "9:30" or "09:30" as minutes after midnight; "24:00" only when allowed (an exclusive end).
int requireClockTime(std::string_view text, std::string_view piece, bool allowEndOfDay, const std::string& field) {
  const std::size_t colon = text.find(':');
  if (colon == std::string_view::npos) throw ValidationError(field, std::string(piece), kHoursExpected);
  const auto hour = parseSmallNumber(text.substr(0, colon), 2);
  const std::string_view minuteText = text.substr(colon + 1);
  const auto minute = minuteText.size() == 2 ? parseSmallNumber(minuteText, 2) : std::nullopt;
  if (!hour || !minute || *minute > 59) throw ValidationError(field, std::string(piece), kHoursExpected);
  const int total = *hour * 60 + *minute;
  const bool endOfDay = total == kMinutesPerDay;
  if (total > kMinutesPerDay || (endOfDay && !allowEndOfDay)) {
    throw ValidationError(field, std::string(piece), kHoursExpected);
  }
  return total;
}

MinuteRange parseHourPiece(std::string_view piece, const std::string& field) {
  const bool minuteForm = piece.find(':') != std::string_view::npos;
  const auto range = splitRange(piece, '-', field, kHoursExpected);
  if (!range) {
    // A lone clock time has no length; only a lone whole hour is a window.
    if (minuteForm) throw ValidationError(field, std::string(piece), kHoursExpected);
    const int hour = requireWholeHour(piece, piece, field);
    return {hour * 60, hour * 60 + 60};
  }
  if (!minuteForm) {
    // Upstream form: both ends inclusive whole hours, so the window closes at the end of `last`.
    const int first = requireWholeHour(range->first, piece, field);
    const int last = requireWholeHour(range->second, piece, field);
    const int end = (last + 1) * 60 + (last < first ? kMinutesPerDay : 0);
    return {first * 60, end};
  }
  const int start = requireClockTime(range->first, piece, /*allowEndOfDay=*/false, field);
  const int end = requireClockTime(range->second, piece, /*allowEndOfDay=*/true, field);
  if (start == end) {
    throw ValidationError(
        field, std::string(piece),
        std::string("a range whose start and end differ (use \"0-23\" for the whole day); ") + kHoursExpected);
  }
  return {start, end < start ? end + kMinutesPerDay : end};
}

std::vector<MinuteRange> mergeRanges(std::vector<MinuteRange> ranges) {
  std::sort(ranges.begin(), ranges.end(), [](const auto& a, const auto& b) { return a.start < b.start; });
  std::vector<MinuteRange> merged;
  for (const auto& range : ranges) {
    if (!merged.empty() && range.start <= merged.back().end) {
      merged.back().end = std::max(merged.back().end, range.end);
    } else {
      merged.push_back(range);
    }
  }
  return merged;
}

// ---- exclusions ------------------------------------------------------------------------------

std::optional<date::year_month_day> parseDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  const auto year = parseSmallNumber(text.substr(0, 4), 4);
  const auto month = parseSmallNumber(text.substr(5, 2), 2);
  const auto day = parseSmallNumber(text.substr(8, 2), 2);
  if (!year || !month || !day) return std::nullopt;
  const date::year_month_day ymd{date::year{*year}, date::month{static_cast<unsigned>(*month)},
                                 date::day{static_cast<unsigned>(*day)}};
  // Bounded so that every instant stays far inside the range of TimePoint (nanoseconds, +-292 y).
  if (!ymd.ok() || *year < kMinYear || *year > kMaxYear) return std::nullopt;
  return ymd;
}

Window parseExclusionPiece(std::string_view piece, const CompiledSchedule& schedule, const std::string& field) {
  const auto localDays = [&](date::local_days first, date::local_days last) {
    return Window{schedule.instantOf(first, 0), schedule.instantOf(last + date::days{1}, 0)};
  };
  const auto range = splitRange(piece, '/', field, kExclusionsExpected);
  if (!range) {
    const auto day = parseDate(piece);
    if (!day) throw ValidationError(field, std::string(piece), kExclusionsExpected);
    return localDays(date::local_days{*day}, date::local_days{*day});
  }
  const auto firstDay = parseDate(range->first);
  const auto lastDay = parseDate(range->second);
  if (firstDay && lastDay) {
    if (*lastDay < *firstDay) {
      throw ValidationError(field, std::string(piece),
                            std::string("a date range whose end is not before its start; ") + kExclusionsExpected);
    }
    return localDays(date::local_days{*firstDay}, date::local_days{*lastDay});
  }
  // The date prefix bounds the year before the instant is converted.
  const bool datesInRange = parseDate(range->first.substr(0, 10)) && parseDate(range->second.substr(0, 10));
  const auto start = datesInRange ? tryParseRfc3339(range->first) : std::nullopt;
  const auto end = datesInRange ? tryParseRfc3339(range->second) : std::nullopt;
  if (!start || !end) throw ValidationError(field, std::string(piece), kExclusionsExpected);
  if (*end <= *start) {
    throw ValidationError(field, std::string(piece),
                          std::string("an instant range whose end is after its start; ") + kExclusionsExpected);
  }
  return Window{*start, *end};
}

}  // namespace

WeekDays parseDaysOfWeek(const std::vector<std::string>& entries, const std::string& field) {
  requireNonEmpty(entries, field, "mon-fri");
  WeekDays days{};
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const std::string elementField = indexed(field, i);
    for (const std::string_view piece : splitPieces(entries[i], elementField, kDaysExpected)) {
      const auto range = splitRange(piece, '-', elementField, kDaysExpected);
      const int first = requireDay(range ? range->first : piece, elementField);
      const int last = range ? requireDay(range->second, elementField) : first;
      // Inclusive; a range whose end comes before its start wraps over the week end.
      for (int day = first;; day = (day + 1) % 7) {
        days[static_cast<std::size_t>(day)] = true;
        if (day == last) break;
      }
    }
  }
  return days;
}

std::vector<MinuteRange> parseHoursOfDay(const std::vector<std::string>& entries, const std::string& field) {
  requireNonEmpty(entries, field, "9-17");
  std::vector<MinuteRange> ranges;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const std::string elementField = indexed(field, i);
    for (const std::string_view piece : splitPieces(entries[i], elementField, kHoursExpected)) {
      ranges.push_back(parseHourPiece(piece, elementField));
    }
  }
  return mergeRanges(std::move(ranges));
}

const date::time_zone* locateTimeZone(const std::string& name, const std::string& field) {
  if (name.empty()) throw ValidationError(field, name, kTimezoneExpected);
  try {
    return date::locate_zone(name);
  } catch (const std::runtime_error&) {
    // date/tz reports an unknown zone as runtime_error; anything else is not ours to translate.
    throw ValidationError(field, name, kTimezoneExpected);
  }
}

std::vector<Window> parseExclusions(const std::vector<std::string>& entries, const CompiledSchedule& schedule,
                                    const std::string& field) {
  std::vector<Window> excluded;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const std::string elementField = indexed(field, i);
    for (const std::string_view piece : splitPieces(entries[i], elementField, kExclusionsExpected)) {
      excluded.push_back(parseExclusionPiece(piece, schedule, elementField));
    }
  }
  std::sort(excluded.begin(), excluded.end(), [](const Window& a, const Window& b) { return a.start < b.start; });
  std::vector<Window> merged;
  for (const Window& window : excluded) {
    if (window.end <= window.start) continue;  // a local day that DST reduced to nothing
    if (!merged.empty() && window.start <= merged.back().end) {
      merged.back().end = std::max(merged.back().end, window.end);
    } else {
      merged.push_back(window);
    }
  }
  return merged;
}

bool coversEveryMinuteOfTheWeek(const WeekDays& days, const std::vector<MinuteRange>& ranges) {
  constexpr int kMinutesPerWeek = 7 * kMinutesPerDay;
  std::bitset<kMinutesPerWeek> covered;
  for (int day = 0; day < 7; ++day) {
    if (!days[static_cast<std::size_t>(day)]) continue;
    for (const auto& range : ranges) {
      for (int minute = range.start; minute < range.end; ++minute) {
        covered.set(static_cast<std::size_t>((day * kMinutesPerDay + minute) % kMinutesPerWeek));
      }
    }
  }
  return covered.all();
}

}  // namespace fivespot::schedule::detail
