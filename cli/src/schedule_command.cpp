#include "schedule_command.hpp"

#include <date/tz.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "fivespot/common/error.hpp"
#include "fivespot/common/time_format.hpp"
#include "fivespot/common/yaml_json.hpp"
#include "fivespot/schedule/schedule.hpp"
#include "fivespot/schedule/spec_json.hpp"

namespace fivespot::cli {
namespace {

constexpr int kExitBadInput = 2;

// Where the schedule comes from: a ScheduledMachine manifest, or flags.
struct ScheduleSource {
  std::string file;
  std::vector<std::string> days;
  std::vector<std::string> hours;
  std::string timezone = "UTC";
  std::vector<std::string> exclusions;
  bool enabled = true;
};

struct CheckOptions {
  ScheduleSource source;
  std::string at;  // RFC 3339; empty: now
  std::string output = "text";
};

struct PreviewOptions {
  ScheduleSource source;
  std::string from;  // RFC 3339; empty: now
  int days = 7;
  std::string localTimezone;  // empty: $TZ, then /etc/localtime, then UTC
  std::string output = "text";
};

schedule::Schedule loadSchedule(const ScheduleSource& source) {
  if (source.file.empty()) {
    api::ScheduleSpec spec;
    spec.daysOfWeek = source.days;
    spec.hoursOfDay = source.hours;
    spec.timezone = source.timezone;
    spec.exclusions = source.exclusions;
    spec.enabled = source.enabled;
    // Flag errors are reported as flags.daysOfWeek[0] and so on (--days is daysOfWeek).
    return schedule::Schedule::compile(spec, "flags");
  }
  const nlohmann::json manifest = yamlToJson(readFile(source.file), source.file);
  const nlohmann::json* scheduleJson = nullptr;
  if (manifest.is_object() && manifest.contains("spec") && manifest["spec"].is_object() &&
      manifest["spec"].contains("schedule")) {
    scheduleJson = &manifest["spec"]["schedule"];
  }
  if (scheduleJson == nullptr) {
    throw ValidationError(source.file + ": spec.schedule", "", "a ScheduledMachine manifest with spec.schedule");
  }
  return schedule::Schedule::compile(schedule::scheduleSpecFromJson(*scheduleJson, "spec.schedule"));
}

TimePoint instantOrNow(const std::string& text, const char* flag) {
  return text.empty() ? SystemClock::instance().now() : parseRfc3339(text, flag);
}

void addScheduleSourceFlags(CLI::App& command, ScheduleSource& source, const std::string& daysFlag) {
  auto* file = command.add_option("-f,--filename", source.file, "ScheduledMachine manifest (YAML or JSON)");
  const std::vector<CLI::Option*> flags = {
      command.add_option(daysFlag, source.days, "days of week: mon-fri, sat,sun, fri-mon (spec daysOfWeek)"),
      command.add_option("--hours", source.hours, "hours: 9-17 (inclusive), 22-6, 09:30-17:45 (spec hoursOfDay)"),
      command.add_option("--timezone", source.timezone, "IANA time zone (default UTC)"),
      command.add_option("--exclusions", source.exclusions,
                         "2026-12-25, 2026-12-24/2026-12-26 or <RFC3339>/<RFC3339>; repeatable or comma list"),
      command.add_option("--enabled", source.enabled, "true or false (default true)"),
  };
  for (auto* flag : flags) file->excludes(flag);
}

// Runs a command body, turning bad input into exit code 2 with the message on stderr.
void runReportingBadInput(const std::function<void()>& body) {
  try {
    body();
  } catch (const Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    throw CLI::RuntimeError(kExitBadInput);
  }
}

// ---- rendering (pure) ------------------------------------------------------------------------

std::string formatIn(const date::time_zone* zone, TimePoint t, const char* format) {
  return date::format(format, date::make_zoned(zone, date::floor<std::chrono::seconds>(t)));
}

std::string humanDuration(Duration d) {
  const auto minutes = std::chrono::ceil<std::chrono::minutes>(d);
  const auto days = minutes.count() / (24 * 60);
  const std::string rest =
      minutes.count() % (24 * 60) == 0 ? "" : schedule::formatDuration(minutes % std::chrono::hours{24});
  return days == 0 ? rest : std::to_string(days) + "d" + rest;
}

std::string renderCheckText(const schedule::Schedule& schedule, TimePoint at, std::optional<TimePoint> next) {
  const date::time_zone* zone = date::locate_zone(schedule.timezone());
  std::ostringstream out;
  out << "At:               " << formatRfc3339(at) << " (" << formatIn(zone, at, "%a %F %H:%M:%S %Z") << ", "
      << schedule.timezone() << ")\n";
  out << "Enabled:          " << (schedule.enabled() ? "yes" : "no") << "\n";
  out << "In window:        " << (schedule.inWindow(at) ? "yes" : "no") << "\n";
  out << "Next transition:  ";
  if (next) {
    out << formatRfc3339(*next) << " (" << formatIn(zone, *next, "%a %F %H:%M %Z") << ", in "
        << humanDuration(*next - at) << ")\n";
  } else {
    out << "none (the answer never changes)\n";
  }
  return out.str();
}

nlohmann::json renderCheckJson(const schedule::Schedule& schedule, TimePoint at, std::optional<TimePoint> next) {
  return {
      {"inWindow", schedule.inWindow(at)},
      {"nextTransition", next ? nlohmann::json(formatRfc3339(*next)) : nlohmann::json(nullptr)},
      {"at", formatRfc3339(at)},
      {"timezone", schedule.timezone()},
      {"enabled", schedule.enabled()},
  };
}

// One side of a preview line: "Mon 2026-03-09 09:00 EDT - 18:00 EDT", naming the end day only
// when it differs from the start day.
std::string renderSpan(const date::time_zone* zone, const schedule::Window& window) {
  const bool openStart = window.start == TimePoint::min();
  const bool openEnd = window.end == TimePoint::max();
  const std::string start = openStart ? "(already open)" : formatIn(zone, window.start, "%a %F %H:%M %Z");
  std::string end = "(no end)";
  if (!openEnd) {
    const bool sameDay = !openStart && formatIn(zone, window.start, "%F") == formatIn(zone, window.end, "%F");
    end = formatIn(zone, window.end, sameDay ? "%H:%M %Z" : "%a %F %H:%M %Z");
  }
  return start + " - " + end;
}

std::string renderPreviewText(const schedule::Schedule& schedule, const std::vector<schedule::Window>& windows,
                              TimePoint from, int days, const date::time_zone* localZone) {
  const date::time_zone* zone = date::locate_zone(schedule.timezone());
  const bool sameZone = zone == localZone;
  std::ostringstream out;
  out << "Windows from " << formatRfc3339(from) << " for " << days << " day" << (days == 1 ? "" : "s") << " ("
      << schedule.timezone();
  if (!sameZone) out << "; local time " << localZone->name();
  out << ")" << (schedule.enabled() ? "" : ": schedule disabled") << "\n";
  if (windows.empty()) {
    out << "  no windows\n";
    return out.str();
  }
  for (const auto& window : windows) {
    out << "  " << renderSpan(zone, window);
    if (window.start != TimePoint::min() && window.end != TimePoint::max()) {
      out << "  (" << humanDuration(window.end - window.start) << ")";
    }
    out << "\n";
    if (!sameZone) out << "    local: " << renderSpan(localZone, window) << "\n";
  }
  return out.str();
}

nlohmann::json renderPreviewJson(const schedule::Schedule& schedule, const std::vector<schedule::Window>& windows) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& window : windows) {
    list.push_back({
        {"start",
         window.start == TimePoint::min() ? nlohmann::json(nullptr) : nlohmann::json(formatRfc3339(window.start))},
        {"end", window.end == TimePoint::max() ? nlohmann::json(nullptr) : nlohmann::json(formatRfc3339(window.end))},
    });
  }
  return {{"timezone", schedule.timezone()}, {"enabled", schedule.enabled()}, {"windows", list}};
}

// The reader's zone: --local-timezone, then $TZ (date/tz ignores it), then /etc/localtime.
const date::time_zone* localZone(const std::string& flag) {
  if (!flag.empty()) {
    try {
      return date::locate_zone(flag);
    } catch (const std::runtime_error&) {
      throw ValidationError("--local-timezone", flag, "an IANA time zone name such as \"Europe/Berlin\"");
    }
  }
  if (const char* tz = std::getenv("TZ"); tz != nullptr && *tz != '\0') {
    try {
      return date::locate_zone(tz[0] == ':' ? tz + 1 : tz);
    } catch (const std::runtime_error&) {
      // Not an IANA name (e.g. a POSIX rule string): fall through to the system zone.
    }
  }
  try {
    return date::current_zone();
  } catch (const std::runtime_error&) {
    return date::locate_zone("UTC");  // no /etc/localtime, as in many containers
  }
}

void runCheck(const CheckOptions& options) {
  const auto schedule = loadSchedule(options.source);
  const TimePoint at = instantOrNow(options.at, "--at");
  const auto next = schedule.nextTransition(at);
  if (options.output == "json") {
    std::cout << renderCheckJson(schedule, at, next).dump() << "\n";
  } else {
    std::cout << renderCheckText(schedule, at, next);
  }
}

void runPreview(const PreviewOptions& options) {
  const auto schedule = loadSchedule(options.source);
  const TimePoint from = instantOrNow(options.from, "--from");
  const auto windows = schedule.windows(from, from + std::chrono::hours{24} * options.days);
  if (options.output == "json") {
    std::cout << renderPreviewJson(schedule, windows).dump(2) << "\n";
  } else {
    std::cout << renderPreviewText(schedule, windows, from, options.days, localZone(options.localTimezone));
  }
}

}  // namespace

void addScheduleCommands(CLI::App& app) {
  auto* scheduleCommand = app.add_subcommand("schedule", "Evaluate and preview ScheduledMachine schedules");
  scheduleCommand->require_subcommand(1);

  auto check = std::make_shared<CheckOptions>();
  auto* checkCommand = scheduleCommand->add_subcommand(
      "check", "Is the schedule in its window at an instant, and when does that change?");
  addScheduleSourceFlags(*checkCommand, check->source, "--days,--days-of-week");
  checkCommand->add_option("--at", check->at, "RFC 3339 instant to evaluate (default now)");
  checkCommand->add_option("-o,--output", check->output, "text or json")->check(CLI::IsMember({"text", "json"}));
  checkCommand->callback([check] { runReportingBadInput([&] { runCheck(*check); }); });

  auto preview = std::make_shared<PreviewOptions>();
  auto* previewCommand =
      scheduleCommand->add_subcommand("preview", "The coming windows, in the schedule's zone and in local time");
  addScheduleSourceFlags(*previewCommand, preview->source, "--days-of-week");
  previewCommand->add_option("--from", preview->from, "RFC 3339 start of the preview (default now)");
  previewCommand->add_option("--days", preview->days, "how many days to show (default 7)")->check(CLI::Range(1, 366));
  previewCommand->add_option("--local-timezone", preview->localTimezone,
                             "zone for the local-time column (default $TZ, then /etc/localtime)");
  previewCommand->add_option("-o,--output", preview->output, "text or json")->check(CLI::IsMember({"text", "json"}));
  previewCommand->callback([preview] { runReportingBadInput([&] { runPreview(*preview); }); });
}

}  // namespace fivespot::cli
