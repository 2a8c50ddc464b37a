#pragma once
// Host readiness checks: pure evaluators over what probes observed, plus the probes themselves.
// Each result is {name, ok, reason} as reported in HostAgent status.checks.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config.hpp"
#include "fivespot/api/types.hpp"

namespace fivespot::agent {

inline constexpr const char* kClockCheck = "clock-synchronized";
inline constexpr const char* kDiskCheck = "disk-space";
inline constexpr const char* kContainerRuntimeCheck = "container-runtime";

struct ClockObservation {
  bool known = false;  // false: the probe failed (error says why)
  bool synchronized = false;
  std::string error;
};

struct DiskObservation {
  std::optional<std::uint64_t> freeBytes;  // empty: statvfs failed (error says why)
  std::string error;
};

struct CommandOutcome {
  bool started = false;  // false: spawn failed (error says why)
  bool timedOut = false;
  int exitCode = -1;   // when exited normally
  int signal = 0;      // when killed by a signal
  std::string output;  // first bytes of stdout+stderr
  std::string error;
};

api::ReadinessCheck evaluateClock(const ClockObservation& observation);
api::ReadinessCheck evaluateDisk(const std::string& path, std::uint64_t minFreeBytes,
                                 const DiskObservation& observation);
// `present`: the configured sockets that exist and are sockets.
api::ReadinessCheck evaluateContainerRuntime(const std::vector<std::string>& configured,
                                             const std::vector<std::string>& present);
api::ReadinessCheck evaluateCommand(const std::string& name, const CommandOutcome& outcome);

// What the checks read from the host; the system implementation below, fakes in tests.
class HostProbes {
 public:
  virtual ~HostProbes() = default;
  virtual ClockObservation clock() = 0;
  virtual DiskObservation disk(const std::string& path) = 0;
  virtual bool isSocket(const std::string& path) = 0;
  virtual CommandOutcome run(const std::vector<std::string>& argv, std::chrono::seconds timeout) = 0;
};

class SystemHostProbes final : public HostProbes {
 public:
  // adjtimex(2) STA_UNSYNC: the same kernel flag timedated reports as NTPSynchronized.
  ClockObservation clock() override;
  DiskObservation disk(const std::string& path) override;  // statvfs: blocks available to non-root
  bool isSocket(const std::string& path) override;
  // posix_spawn in its own process group, output captured (bounded), the whole group killed on timeout.
  CommandOutcome run(const std::vector<std::string>& argv, std::chrono::seconds timeout) override;
};

// Runs every configured check, in a stable order.
std::vector<api::ReadinessCheck> runReadinessChecks(const ChecksConfig& config, HostProbes& probes);
bool allPassed(const std::vector<api::ReadinessCheck>& checks);

}  // namespace fivespot::agent
