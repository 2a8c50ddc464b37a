#pragma once
// The demo's script as pure functions of the start time and the local time zone: when each demo
// ScheduledMachine's window opens and closes (minute form, local wall time), when the kill switch
// is flipped, which phases each machine must go through, and how to read what was observed.
#include <chrono>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "fivespot/api/types.hpp"
#include "fivespot/common/clock.hpp"

namespace fivespot::demo {

enum class Mode { Full, Short };

// What happens to a machine during the demo.
enum class Story {
  Drain,       // (a) window opens and closes; the close drains a PDB-protected workload
  KillSwitch,  // (b) window opens; the kill switch is flipped while it is open
  Exclusion,   // (c) an exclusion keeps it out for the first part of its window
};

struct MachinePlan {
  std::string name;
  Story story;
  std::string hoursOfDay;                  // "HH:MM-HH:MM", local wall time, end exclusive
  std::vector<std::string> exclusions;     // RFC 3339 instant ranges, end exclusive
  TimePoint entersAt;                      // the window (less exclusions) opens
  TimePoint leavesAt;                      // the window closes, or the kill switch is flipped
  std::vector<api::Phase> expectedPhases;  // after normalisePhases()
};

struct Plan {
  std::string timezone;  // IANA name the schedules use
  TimePoint opensAt;     // the first window edge: a whole local minute
  TimePoint killSwitchAt;
  TimePoint lastEdge;  // the last window edge of any machine
  std::vector<MachinePlan> machines;
};

// The first window edge is the first whole minute at least `setupTime` after `now`, so every
// machine is created and seen UnScheduled before any window opens. Throws ConfigError for an
// unknown zone.
Plan makePlan(TimePoint now, const std::string& timezone, Mode mode, std::chrono::seconds setupTime);

// "HH:MM" of `t` on the wall clock of `timezone`.
std::string localMinute(TimePoint t, const std::string& timezone);

// The zone the demo's windows are written in: $TZ when it names an IANA zone, else the zone of
// /etc/localtime, else UTC (containers often have neither).
std::string localTimezoneName();

// Writes the plan into a ScheduledMachine manifest from examples/demo: schedule hours, zone,
// exclusions and the Wake-on-LAN port of the demo's loopback listener.
void applyPlan(const MachinePlan& machine, const std::string& timezone, int wakeOnLanPort, nlohmann::json& manifest);

// Observed phases as the assertion compares them: Pending (validation of a new or changed spec,
// which may or may not be seen between two watch events) dropped, repeats collapsed.
std::vector<api::Phase> normalisePhases(const std::vector<api::Phase>& observed);

// Empty when `observed` (normalised) equals `expected`; otherwise a sentence saying how it differs.
std::string comparePhases(const std::vector<api::Phase>& observed, const std::vector<api::Phase>& expected);

// "A → B → C".
std::string formatPhases(const std::vector<api::Phase>& phases);

// The MAC address ("aa:bb:cc:dd:ee:ff") a Wake-on-LAN magic packet wakes: 6 bytes 0xFF then the
// MAC 16 times (an optional SecureOn password may follow). nullopt when it is not a magic packet.
std::optional<std::string> parseMagicPacket(std::span<const std::uint8_t> datagram);

}  // namespace fivespot::demo
