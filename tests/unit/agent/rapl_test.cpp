#include "rapl.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <deque>

#include "fivespot/api/host_agent.hpp"
#include "fivespot/common/time_format.hpp"
#include "temp_dir.hpp"

namespace fivespot::agent {
namespace {

using ::testing::HasSubstr;

const TimePoint kStart = parseRfc3339("2026-11-24T10:00:00Z");

void writeZone(const testing::TempDir& dir, const std::string& zone, const std::string& name, std::uint64_t energy,
               std::uint64_t maxRange) {
  dir.write(zone + "/name", name + "\n");
  dir.write(zone + "/energy_uj", std::to_string(energy) + "\n");
  dir.write(zone + "/max_energy_range_uj", std::to_string(maxRange) + "\n");
}

TEST(Rapl, CounterDeltaHandlesWrapAround) {
  EXPECT_EQ(counterDelta(100, 350, 1000), 250U);
  EXPECT_EQ(counterDelta(900, 100, 1000), 200U);  // 900 -> 1000 -> 0 -> 100
  EXPECT_EQ(counterDelta(5, 5, 1000), 0U);
  EXPECT_EQ(counterDelta(2000, 100, 1000), 100U);  // inconsistent range: only what is certain
}

TEST(Rapl, ReadsTopLevelZonesOnly) {
  const testing::TempDir dir;
  writeZone(dir, "intel-rapl:0", "package-0", 1000, 262143328850);
  writeZone(dir, "intel-rapl:1", "package-1", 2000, 262143328850);
  writeZone(dir, "intel-rapl:0:0", "core", 500, 262143328850);  // part of package-0
  const auto snapshot = readRapl(dir.path().string());
  ASSERT_TRUE(snapshot.available) << snapshot.reason;
  ASSERT_EQ(snapshot.zones.size(), 2U);
  EXPECT_EQ(snapshot.zones[0].zone, "intel-rapl:0");
  EXPECT_EQ(snapshot.zones[1].energyMicrojoules, 2000U);
}

TEST(Rapl, PsysZoneIsUsedAloneBecauseItCoversThePackages) {
  const testing::TempDir dir;
  writeZone(dir, "intel-rapl:0", "package-0", 1000, 1000000);
  writeZone(dir, "intel-rapl:1", "psys", 7000, 1000000);
  const auto snapshot = readRapl(dir.path().string());
  ASSERT_EQ(snapshot.zones.size(), 1U);
  EXPECT_EQ(snapshot.zones[0].zone, "intel-rapl:1");
}

TEST(Rapl, UnavailableWithoutZones) {
  const testing::TempDir dir;
  EXPECT_THAT(readRapl((dir.path() / "absent").string()).reason, HasSubstr("no powercap interface"));
  EXPECT_THAT(readRapl(dir.path().string()).reason, HasSubstr("no RAPL zones"));
  writeZone(dir, "intel-rapl:0", "package-0", 0, 100);
  dir.write("intel-rapl:0/energy_uj", "garbage\n");
  EXPECT_THAT(readRapl(dir.path().string()).reason, HasSubstr("unexpected content"));
}

// energy_uj is root-only on Linux >= 5.10. Root ignores file modes, so as root the read runs in a
// child that dropped to nobody.
TEST(Rapl, PermissionDeniedIsUnavailableWithTheReason) {
  const testing::TempDir dir;
  writeZone(dir, "intel-rapl:0", "package-0", 1000, 100000);
  ::chmod((dir.path() / "intel-rapl:0/energy_uj").c_str(), 0);
  if (::geteuid() != 0) {
    const auto snapshot = readRapl(dir.path().string());
    EXPECT_FALSE(snapshot.available);
    EXPECT_THAT(snapshot.reason, HasSubstr("Permission denied"));
    EXPECT_THAT(snapshot.reason, HasSubstr("root only"));
    return;
  }
  ::chmod(dir.path().c_str(), 0755);
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(fds[0]);
    if (::setresgid(65534, 65534, 65534) != 0 || ::setresuid(65534, 65534, 65534) != 0) ::_exit(3);
    const auto snapshot = readRapl(dir.path().string());
    const std::string result = (snapshot.available ? "available" : "unavailable") + std::string("|") + snapshot.reason;
    if (::write(fds[1], result.data(), result.size()) < 0) ::_exit(4);
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string result;
  char buffer[512];
  for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;) result.append(buffer, static_cast<std::size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
  EXPECT_THAT(result, HasSubstr("unavailable|cannot read"));
  EXPECT_THAT(result, HasSubstr("Permission denied"));
  EXPECT_THAT(result, HasSubstr("root only"));
}

TEST(Rapl, EnergyBetweenSumsZonesAndAveragesOverTheWindow) {
  const RaplSnapshot before{
      true, "", {{"intel-rapl:0", 1'000'000, 10'000'000}, {"intel-rapl:1", 9'000'000, 10'000'000}}};
  const RaplSnapshot after{
      true, "", {{"intel-rapl:0", 4'000'000, 10'000'000}, {"intel-rapl:1", 2'000'000, 10'000'000}}};
  const auto report = energyBetween(before, kStart, after, kStart + std::chrono::seconds(10));
  EXPECT_EQ(report.source, api::kEnergySourceRapl);
  EXPECT_DOUBLE_EQ(report.joules, 3.0 + 3.0);  // zone 1 wrapped: 1 J to the top, 2 J after
  EXPECT_DOUBLE_EQ(report.averageWatts, 0.6);
  EXPECT_EQ(report.windowStart, "2026-11-24T10:00:00Z");
}

TEST(Rapl, MeterReadsAFakeSysfsTreeAcrossAWrap) {
  const testing::TempDir dir;
  writeZone(dir, "intel-rapl:0", "package-0", 262'143'000'000, 262'143'328'850);
  EnergyMeter meter(dir.path().string());
  const auto first = meter.sample(kStart);
  EXPECT_EQ(first.source, api::kEnergySourceRapl);
  EXPECT_DOUBLE_EQ(first.joules, 0);
  dir.write("intel-rapl:0/energy_uj", "29671150\n");  // wrapped: 0.32885 J to the top + 29.67115 J
  const auto second = meter.sample(kStart + std::chrono::seconds(30));
  EXPECT_NEAR(second.joules, 30.0, 1e-9);
  EXPECT_NEAR(second.averageWatts, 1.0, 1e-9);
  EXPECT_EQ(second.windowStart, "2026-11-24T10:00:00Z");
  std::filesystem::remove_all(dir.path() / "intel-rapl:0");
  const auto gone = meter.sample(kStart + std::chrono::seconds(60));
  EXPECT_EQ(gone.source, api::kEnergySourceUnavailable);
  EXPECT_THAT(meter.unavailableReason(), HasSubstr("no RAPL zones"));
}

}  // namespace
}  // namespace fivespot::agent
