#include "plan.hpp"

#include <date/tz.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "fivespot/common/error.hpp"
#include "fivespot/common/time_format.hpp"

namespace fivespot::demo {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

struct Timing {
  minutes window;           // (a), (b) and (c) share the window [opensAt, opensAt + window)
  seconds killSwitchAfter;  // (b): after the window opened
  seconds exclusionLength;  // (c): kept out for this long after the window opened
};

Timing timingFor(Mode mode) {
  // Short: one-minute windows (the smallest the minute form has), for CI. Full: two minutes, so
  // each step can be watched.
  if (mode == Mode::Short) return {minutes(1), seconds(25), seconds(25)};
  return {minutes(2), seconds(50), seconds(50)};
}

const date::time_zone* zoneOrThrow(const std::string& timezone) {
  try {
    return date::locate_zone(timezone);
  } catch (const std::exception& e) {
    throw ConfigError("timezone", "unknown IANA time zone " + timezone + ": " + e.what());
  }
}

TimePoint ceilToMinute(TimePoint t) {
  const auto floored = std::chrono::floor<minutes>(t);
  return floored == t ? t : floored + minutes(1);
}

std::string hours(TimePoint opens, TimePoint closes, const std::string& timezone) {
  return localMinute(opens, timezone) + "-" + localMinute(closes, timezone);
}

std::string instantRange(TimePoint from, TimePoint to) {
  return formatRfc3339(from) + "/" + formatRfc3339(to);
}

}  // namespace

std::string localMinute(TimePoint t, const std::string& timezone) {
  const date::zoned_time local{zoneOrThrow(timezone), std::chrono::floor<seconds>(t)};
  return date::format("%H:%M", local.get_local_time());
}

std::string localTimezoneName() {
  if (const char* tz = std::getenv("TZ"); tz != nullptr && *tz != '\0') {
    const std::string name = tz[0] == ':' ? tz + 1 : tz;
    try {
      return date::locate_zone(name)->name();
    } catch (const std::exception&) {
      // A POSIX rule such as "CET-1CEST" is not an IANA name: fall through to /etc/localtime.
    }
  }
  try {
    return date::current_zone()->name();
  } catch (const std::exception&) {
    return "UTC";
  }
}

Plan makePlan(TimePoint now, const std::string& timezone, Mode mode, seconds setupTime) {
  zoneOrThrow(timezone);
  const Timing timing = timingFor(mode);
  Plan plan;
  plan.timezone = timezone;
  plan.opensAt = ceilToMinute(now + setupTime);
  plan.killSwitchAt = plan.opensAt + timing.killSwitchAfter;
  const TimePoint closesAt = plan.opensAt + timing.window;
  plan.lastEdge = closesAt;
  const std::string window = hours(plan.opensAt, closesAt, timezone);
  using enum api::Phase;
  const std::vector<api::Phase> inAndOut{UnScheduled, Scheduled, Active, Removing, UnScheduled};
  plan.machines.push_back({"demo-a", Story::Drain, window, {}, plan.opensAt, closesAt, inAndOut});
  plan.machines.push_back({"demo-b",
                           Story::KillSwitch,
                           window,
                           {},
                           plan.opensAt,
                           plan.killSwitchAt,
                           {UnScheduled, Scheduled, Active, Removing, Inactive}});
  const TimePoint exclusionEnds = plan.opensAt + timing.exclusionLength;
  plan.machines.push_back({"demo-c",
                           Story::Exclusion,
                           window,
                           {instantRange(plan.opensAt, exclusionEnds)},
                           exclusionEnds,
                           closesAt,
                           inAndOut});
  return plan;
}

void applyPlan(const MachinePlan& machine, const std::string& timezone, int wakeOnLanPort, nlohmann::json& manifest) {
  nlohmann::json& spec = manifest["spec"];
  nlohmann::json& schedule = spec["schedule"];
  schedule["hoursOfDay"] = nlohmann::json::array({machine.hoursOfDay});
  schedule["timezone"] = timezone;
  schedule["exclusions"] = machine.exclusions;
  spec["power"]["wakeOnLan"]["broadcast"] = "127.0.0.1";
  spec["power"]["wakeOnLan"]["port"] = wakeOnLanPort;
}

std::vector<api::Phase> normalisePhases(const std::vector<api::Phase>& observed) {
  std::vector<api::Phase> out;
  for (const api::Phase phase : observed) {
    if (phase == api::Phase::Pending) continue;
    if (out.empty() || out.back() != phase) out.push_back(phase);
  }
  return out;
}

std::string formatPhases(const std::vector<api::Phase>& phases) {
  std::string out;
  for (const api::Phase phase : phases) out += (out.empty() ? "" : " → ") + std::string(api::toString(phase));
  return out.empty() ? "(none)" : out;
}

std::string comparePhases(const std::vector<api::Phase>& observed, const std::vector<api::Phase>& expected) {
  const auto seen = normalisePhases(observed);
  if (seen == expected) return "";
  return "expected " + formatPhases(expected) + ", observed " + formatPhases(seen);
}

std::optional<std::string> parseMagicPacket(std::span<const std::uint8_t> datagram) {
  constexpr std::size_t kHeader = 6;
  constexpr std::size_t kMac = 6;
  constexpr std::size_t kRepeats = 16;
  if (datagram.size() < kHeader + kMac * kRepeats) return std::nullopt;
  for (std::size_t i = 0; i < kHeader; ++i) {
    if (datagram[i] != 0xFF) return std::nullopt;
  }
  const auto mac = datagram.subspan(kHeader, kMac);
  for (std::size_t r = 1; r < kRepeats; ++r) {
    const auto copy = datagram.subspan(kHeader + r * kMac, kMac);
    if (!std::equal(copy.begin(), copy.end(), mac.begin())) return std::nullopt;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text;
  for (std::size_t i = 0; i < kMac; ++i) {
    if (i > 0) text += ':';
    text += kHex[mac[i] >> 4];
    text += kHex[mac[i] & 0x0F];
  }
  return text;
}

}  // namespace fivespot::demo
