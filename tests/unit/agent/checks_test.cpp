#include "checks.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

namespace fivespot::agent {
namespace {

using ::testing::HasSubstr;

class FakeProbes final : public HostProbes {
 public:
  ClockObservation clockObservation{true, true, ""};
  DiskObservation diskObservation{std::uint64_t{50} << 30, ""};
  std::vector<std::string> sockets;
  std::map<std::string, CommandOutcome> outcomes;
  std::vector<std::string> diskPaths;

  ClockObservation clock() override { return clockObservation; }
  DiskObservation disk(const std::string& path) override {
    diskPaths.push_back(path);
    return diskObservation;
  }
  bool isSocket(const std::string& path) override {
    return std::find(sockets.begin(), sockets.end(), path) != sockets.end();
  }
  CommandOutcome run(const std::vector<std::string>& argv, std::chrono::seconds) override { return outcomes[argv[0]]; }
};

TEST(ReadinessEvaluators, Clock) {
  EXPECT_TRUE(evaluateClock({true, true, ""}).ok);
  const auto unsynced = evaluateClock({true, false, ""});
  EXPECT_FALSE(unsynced.ok);
  EXPECT_THAT(unsynced.reason, HasSubstr("not synchronised"));
  EXPECT_THAT(evaluateClock({false, false, "adjtimex: Operation not permitted"}).reason, HasSubstr("adjtimex"));
}

TEST(ReadinessEvaluators, Disk) {
  const auto enough = evaluateDisk("/var/lib", 1 << 20, {std::uint64_t{2} << 20, ""});
  EXPECT_TRUE(enough.ok);
  EXPECT_EQ(enough.reason, "2.0 MiB free on /var/lib");
  const auto low = evaluateDisk("/var/lib", std::uint64_t{10} << 30, {std::uint64_t{3} << 30, ""});
  EXPECT_FALSE(low.ok);
  EXPECT_EQ(low.reason, "3.0 GiB free on /var/lib, need at least 10.0 GiB");
  EXPECT_FALSE(evaluateDisk("/nope", 1, {std::nullopt, "statvfs: No such file or directory"}).ok);
}

TEST(ReadinessEvaluators, ContainerRuntime) {
  const std::vector<std::string> configured{"/run/containerd/containerd.sock", "/run/crio/crio.sock"};
  EXPECT_TRUE(evaluateContainerRuntime(configured, {"/run/crio/crio.sock"}).ok);
  const auto missing = evaluateContainerRuntime(configured, {});
  EXPECT_FALSE(missing.ok);
  EXPECT_THAT(missing.reason, HasSubstr("/run/containerd/containerd.sock, /run/crio/crio.sock"));
}

TEST(ReadinessEvaluators, Command) {
  EXPECT_TRUE(evaluateCommand("gpu", {true, false, 0, 0, "GPU 0: A100\nGPU 1", ""}).ok);
  EXPECT_EQ(evaluateCommand("gpu", {true, false, 0, 0, "GPU 0: A100\nGPU 1", ""}).reason, "exit code 0: GPU 0: A100");
  EXPECT_EQ(evaluateCommand("gpu", {true, false, 3, 0, "", ""}).reason, "exit code 3");
  EXPECT_EQ(evaluateCommand("gpu", {true, true, -1, 9, "", ""}).reason, "timed out and was killed");
  EXPECT_EQ(evaluateCommand("gpu", {true, false, -1, 11, "", ""}).reason, "killed by signal 11");
  EXPECT_EQ(evaluateCommand("gpu", {false, false, -1, 0, "", "posix_spawn /x: No such file"}).reason,
            "could not start: posix_spawn /x: No such file");
}

TEST(ReadinessChecks, RunsConfiguredChecksInOrder) {
  FakeProbes probes;
  probes.sockets = {"/run/containerd/containerd.sock"};
  probes.outcomes["/usr/bin/ok"] = {true, false, 0, 0, "", ""};
  probes.outcomes["/usr/bin/bad"] = {true, false, 1, 0, "broken", ""};
  ChecksConfig config;
  config.minFreeDiskBytes = 1;
  config.commands = {{"good", {"/usr/bin/ok"}, std::chrono::seconds(1)},
                     {"bad", {"/usr/bin/bad"}, std::chrono::seconds(1)}};
  const auto results = runReadinessChecks(config, probes);
  ASSERT_EQ(results.size(), 5U);
  EXPECT_EQ(results[0].name, kClockCheck);
  EXPECT_EQ(results[1].name, kDiskCheck);
  EXPECT_EQ(results[2].name, kContainerRuntimeCheck);
  EXPECT_EQ(results[3].name, "good");
  EXPECT_EQ(results[4].name, "bad");
  EXPECT_FALSE(allPassed(results));
  EXPECT_EQ(results[4].reason, "exit code 1: broken");
  EXPECT_THAT(probes.diskPaths, ::testing::ElementsAre("/var/lib"));
}

TEST(ReadinessChecks, DiskCheckIsSkippedWithoutAThreshold) {
  FakeProbes probes;
  probes.sockets = {"/run/crio/crio.sock"};
  const auto results = runReadinessChecks(ChecksConfig{}, probes);
  EXPECT_TRUE(probes.diskPaths.empty());
  EXPECT_TRUE(allPassed(results));
}

TEST(SystemHostProbes, RunsCommandsAndCapturesOutput) {
  SystemHostProbes probes;
  const auto ok = probes.run({"/bin/sh", "-c", "echo hello; echo world >&2"}, std::chrono::seconds(10));
  EXPECT_TRUE(ok.started);
  EXPECT_EQ(ok.exitCode, 0);
  EXPECT_EQ(ok.output, "hello\nworld\n");
  const auto failing = probes.run({"/bin/sh", "-c", "exit 7"}, std::chrono::seconds(10));
  EXPECT_EQ(failing.exitCode, 7);
  const auto missing = probes.run({"/nonexistent/program"}, std::chrono::seconds(10));
  EXPECT_FALSE(missing.started);
  EXPECT_THAT(missing.error, HasSubstr("/nonexistent/program"));
}

TEST(SystemHostProbes, KillsTheWholeProcessGroupOnTimeout) {
  SystemHostProbes probes;
  const auto start = std::chrono::steady_clock::now();
  // The shell's child keeps the pipe open; killing only the shell would leave the read hanging.
  const auto outcome = probes.run({"/bin/sh", "-c", "sleep 60 & wait"}, std::chrono::seconds(1));
  EXPECT_TRUE(outcome.timedOut);
  EXPECT_EQ(outcome.signal, 9);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
}

TEST(SystemHostProbes, BoundsCapturedOutput) {
  SystemHostProbes probes;
  const auto outcome = probes.run({"/bin/sh", "-c", "head -c 100000 /dev/zero | tr '\\0' x"}, std::chrono::seconds(10));
  EXPECT_EQ(outcome.exitCode, 0);
  EXPECT_EQ(outcome.output.size(), 512U);
}

TEST(SystemHostProbes, ReadsDiskAndSockets) {
  SystemHostProbes probes;
  EXPECT_TRUE(probes.disk("/").freeBytes.has_value());
  EXPECT_FALSE(probes.disk("/does/not/exist").freeBytes.has_value());
  EXPECT_FALSE(probes.isSocket("/etc/hostname"));
  EXPECT_TRUE(probes.clock().known);
}

}  // namespace
}  // namespace fivespot::agent
