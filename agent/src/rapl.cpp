#include "rapl.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>

#include "fivespot/api/host_agent.hpp"
#include "fivespot/common/time_format.hpp"

namespace fivespot::agent {
namespace {

namespace fs = std::filesystem;

struct FileRead {
  std::optional<std::string> text;
  int error = 0;
};

FileRead readSmallFile(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return {std::nullopt, errno != 0 ? errno : ENOENT};
  std::string text;
  std::getline(in, text);
  if (in.bad()) return {std::nullopt, errno != 0 ? errno : EIO};
  return {text, 0};
}

std::optional<std::uint64_t> parseCounter(const std::string& text) {
  if (text.empty()) return std::nullopt;
  std::uint64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return value;
}

RaplSnapshot unavailable(std::string reason) {
  return RaplSnapshot{false, std::move(reason), {}};
}

std::string readFailure(const fs::path& path, int error) {
  std::string reason = "cannot read " + path.string() + ": " + std::strerror(error);
  if (error == EACCES || error == EPERM) reason += " (energy_uj is readable by root only since Linux 5.10)";
  return reason;
}

std::vector<fs::path> topLevelZones(const fs::path& root) {
  static const std::regex topLevel("intel-rapl:[0-9]+");
  std::vector<fs::path> zones;
  std::error_code error;
  for (fs::directory_iterator it(root, error), end; !error && it != end; it.increment(error)) {
    if (std::regex_match(it->path().filename().string(), topLevel)) zones.push_back(it->path());
  }
  std::sort(zones.begin(), zones.end());
  std::vector<fs::path> platform;
  for (const auto& zone : zones) {
    const auto name = readSmallFile(zone / "name");
    if (name.text && *name.text == "psys") platform.push_back(zone);
  }
  return platform.empty() ? zones : platform;
}

}  // namespace

std::uint64_t counterDelta(std::uint64_t before, std::uint64_t after, std::uint64_t maxRange) {
  if (after >= before) return after - before;
  // Wrapped: the counter went up to maxRange, restarted at 0, then reached `after`.
  if (maxRange < before) return after;  // inconsistent range: count only what is certain
  return (maxRange - before) + after;
}

RaplSnapshot readRapl(const std::string& powercapRoot) {
  const fs::path root(powercapRoot);
  if (!fs::exists(root)) return unavailable("no powercap interface at " + powercapRoot);
  const auto zones = topLevelZones(root);
  if (zones.empty()) return unavailable("no RAPL zones (intel-rapl:*) under " + powercapRoot);
  RaplSnapshot snapshot{true, "", {}};
  for (const auto& zone : zones) {
    RaplZoneCounter counter{zone.filename().string(), 0, 0};
    for (const auto& [file, target] : {std::pair{"energy_uj", &counter.energyMicrojoules},
                                       std::pair{"max_energy_range_uj", &counter.maxRangeMicrojoules}}) {
      const fs::path path = zone / file;
      const FileRead read = readSmallFile(path);
      if (!read.text) return unavailable(readFailure(path, read.error));
      const auto value = parseCounter(*read.text);
      if (!value) return unavailable("unexpected content in " + path.string() + ": " + *read.text);
      *target = *value;
    }
    snapshot.zones.push_back(counter);
  }
  return snapshot;
}

api::EnergyReport energyBetween(const RaplSnapshot& before, TimePoint beforeAt, const RaplSnapshot& after,
                                TimePoint afterAt) {
  double microjoules = 0;
  for (const auto& zone : after.zones) {
    for (const auto& earlier : before.zones) {
      if (earlier.zone == zone.zone) {
        microjoules += static_cast<double>(
            counterDelta(earlier.energyMicrojoules, zone.energyMicrojoules, zone.maxRangeMicrojoules));
      }
    }
  }
  const double joules = microjoules / 1e6;
  const double seconds = std::chrono::duration<double>(afterAt - beforeAt).count();
  return api::EnergyReport{api::kEnergySourceRapl, joules, seconds > 0 ? joules / seconds : 0, formatRfc3339(beforeAt)};
}

api::EnergyReport EnergyMeter::sample(TimePoint now) {
  RaplSnapshot current = snapshot();
  if (!current.available) {
    previous_.reset();
    unavailableReason_ = current.reason;
    return api::EnergyReport{api::kEnergySourceUnavailable, 0, 0, ""};
  }
  unavailableReason_.clear();
  api::EnergyReport report = previous_ ? energyBetween(*previous_, previousAt_, current, now)
                                       : api::EnergyReport{api::kEnergySourceRapl, 0, 0, formatRfc3339(now)};
  previous_ = std::move(current);
  previousAt_ = now;
  return report;
}

}  // namespace fivespot::agent
