#pragma once
// Energy from Intel/AMD RAPL counters under /sys/class/powercap (an injectable root for tests).
//
// Which zones: top-level zones "intel-rapl:<N>" only (sub-zones such as intel-rapl:0:0 "core" are
// parts of their package and would count twice). When a "psys" zone exists it covers the whole
// platform, package included, so it is used alone. Counters are in µJ and wrap at
// max_energy_range_uj; energy_uj is root-only since Linux 5.10 (CVE-2020-8694), so EACCES yields
// "unavailable" with the reason instead of a failure.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fivespot/api/types.hpp"
#include "fivespot/common/clock.hpp"

namespace fivespot::agent {

struct RaplZoneCounter {
  std::string zone;  // "intel-rapl:0"
  std::uint64_t energyMicrojoules = 0;
  std::uint64_t maxRangeMicrojoules = 0;  // the counter wraps to 0 after this value
};

struct RaplSnapshot {
  bool available = false;
  std::string reason;  // why unavailable
  std::vector<RaplZoneCounter> zones;
};

// Energy between two readings of one counter, assuming at most one wrap in between.
std::uint64_t counterDelta(std::uint64_t before, std::uint64_t after, std::uint64_t maxRange);

// Reads the counters of the zones chosen as described above.
RaplSnapshot readRapl(const std::string& powercapRoot);

// Turns successive snapshots into the report for the interval since the previous one.
class EnergyMeter {
 public:
  explicit EnergyMeter(std::string powercapRoot) : root_(std::move(powercapRoot)) {}
  virtual ~EnergyMeter() = default;
  // First call (or first after unavailability) opens the window and reports 0 J over it.
  virtual api::EnergyReport sample(TimePoint now);
  // Why the last sample was "unavailable" (the status has no field for it; the agent logs it).
  [[nodiscard]] const std::string& unavailableReason() const noexcept { return unavailableReason_; }

 protected:
  // Seam for tests that need a snapshot sequence without files.
  virtual RaplSnapshot snapshot() { return readRapl(root_); }

 private:
  std::string root_;
  std::optional<RaplSnapshot> previous_;
  std::string unavailableReason_;
  TimePoint previousAt_{};
};

// Pure: the report for the interval [beforeAt, afterAt].
api::EnergyReport energyBetween(const RaplSnapshot& before, TimePoint beforeAt, const RaplSnapshot& after,
                                TimePoint afterAt);

}  // namespace fivespot::agent
