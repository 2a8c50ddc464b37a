#include "checks.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/timex.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

extern char** environ;

namespace fivespot::agent {
namespace {

constexpr std::size_t kMaxCapturedOutput = 512;

std::string errnoText(const std::string& what, int error) {
  return what + ": " + std::strerror(error);
}

std::string firstLine(const std::string& text) {
  const auto end = text.find('\n');
  return end == std::string::npos ? text : text.substr(0, end);
}

std::string humanBytes(std::uint64_t bytes) {
  constexpr std::array<const char*, 5> units{"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  std::size_t unit = 0;
  while (value >= 1024 && unit + 1 < units.size()) {
    value /= 1024;
    ++unit;
  }
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f %s", value, units[unit]);
  return buffer;
}

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd = -1) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  [[nodiscard]] int get() const { return fd_; }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_;
};

// Reads what the child writes, keeping the first kMaxCapturedOutput bytes; returns false at EOF.
bool drainOutput(int fd, std::string& output) {
  std::array<char, 4096> buffer{};
  const ssize_t count = ::read(fd, buffer.data(), buffer.size());
  if (count <= 0) return count < 0 && (errno == EAGAIN || errno == EINTR);
  const std::size_t room = kMaxCapturedOutput - std::min(kMaxCapturedOutput, output.size());
  output.append(buffer.data(), std::min(room, static_cast<std::size_t>(count)));
  return true;
}

}  // namespace

api::ReadinessCheck evaluateClock(const ClockObservation& observation) {
  if (!observation.known) return {kClockCheck, false, "cannot read the kernel clock state: " + observation.error};
  if (!observation.synchronized) return {kClockCheck, false, "system clock is not synchronised (NTP not in sync)"};
  return {kClockCheck, true, "system clock synchronised"};
}

api::ReadinessCheck evaluateDisk(const std::string& path, std::uint64_t minFreeBytes,
                                 const DiskObservation& observation) {
  if (!observation.freeBytes)
    return {kDiskCheck, false, "cannot read free space of " + path + ": " + observation.error};
  const std::string seen = humanBytes(*observation.freeBytes) + " free on " + path;
  if (*observation.freeBytes < minFreeBytes) {
    return {kDiskCheck, false, seen + ", need at least " + humanBytes(minFreeBytes)};
  }
  return {kDiskCheck, true, seen};
}

api::ReadinessCheck evaluateContainerRuntime(const std::vector<std::string>& configured,
                                             const std::vector<std::string>& present) {
  if (!present.empty()) return {kContainerRuntimeCheck, true, "runtime socket " + present.front()};
  std::string looked;
  for (const auto& path : configured) looked += (looked.empty() ? "" : ", ") + path;
  return {kContainerRuntimeCheck, false,
          "no container runtime socket at " + (looked.empty() ? "(none configured)" : looked)};
}

api::ReadinessCheck evaluateCommand(const std::string& name, const CommandOutcome& outcome) {
  const std::string output = firstLine(outcome.output);
  const std::string suffix = output.empty() ? "" : ": " + output;
  if (!outcome.started) return {name, false, "could not start: " + outcome.error};
  if (outcome.timedOut) return {name, false, "timed out and was killed" + suffix};
  if (outcome.signal != 0) return {name, false, "killed by signal " + std::to_string(outcome.signal) + suffix};
  if (outcome.exitCode != 0) return {name, false, "exit code " + std::to_string(outcome.exitCode) + suffix};
  return {name, true, "exit code 0" + suffix};
}

ClockObservation SystemHostProbes::clock() {
  struct timex state {};
  if (::adjtimex(&state) < 0) return {false, false, errnoText("adjtimex", errno)};
  return {true, (state.status & STA_UNSYNC) == 0, ""};
}

DiskObservation SystemHostProbes::disk(const std::string& path) {
  struct statvfs stats {};
  if (::statvfs(path.c_str(), &stats) != 0) return {std::nullopt, errnoText("statvfs", errno)};
  return {static_cast<std::uint64_t>(stats.f_bavail) * stats.f_frsize, ""};
}

bool SystemHostProbes::isSocket(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && S_ISSOCK(info.st_mode);
}

CommandOutcome SystemHostProbes::run(const std::vector<std::string>& argv, std::chrono::seconds timeout) {
  CommandOutcome outcome;
  int pipeFds[2];
  if (::pipe2(pipeFds, O_CLOEXEC) != 0) {
    outcome.error = errnoText("pipe2", errno);
    return outcome;
  }
  FileDescriptor readEnd(pipeFds[0]);
  FileDescriptor writeEnd(pipeFds[1]);
  // Only our end is non-blocking: the flag lives on the open file description, and a child
  // writing to a non-blocking pipe would fail with EAGAIN whenever it is full.
  ::fcntl(readEnd.get(), F_SETFL, O_NONBLOCK);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, writeEnd.get(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, writeEnd.get(), STDERR_FILENO);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t noSignals;
  sigemptyset(&noSignals);
  posix_spawnattr_setsigmask(&attributes, &noSignals);  // the agent blocks SIGTERM; the child must not
  posix_spawnattr_setpgroup(&attributes, 0);            // own group: a timeout kills its children too
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP);

  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int spawnResult = ::posix_spawn(&pid, args[0], &actions, &attributes, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  writeEnd.reset();
  if (spawnResult != 0) {
    outcome.error = errnoText("posix_spawn " + argv.front(), spawnResult);
    return outcome;
  }
  outcome.started = true;

  // A pidfd lets one poll() wait for exit, output and the deadline together (Linux >= 5.3).
  FileDescriptor processFd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (processFd.get() < 0) {
    outcome.error = errnoText("pidfd_open", errno);
    ::kill(-pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    outcome.started = false;
    return outcome;
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool outputOpen = true;
  bool exited = false;
  while (!exited) {
    const auto remaining =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (remaining.count() <= 0) break;
    std::array<pollfd, 2> fds{pollfd{processFd.get(), POLLIN, 0}, pollfd{outputOpen ? readEnd.get() : -1, POLLIN, 0}};
    if (::poll(fds.data(), fds.size(), static_cast<int>(remaining.count())) < 0 && errno != EINTR) break;
    if ((fds[1].revents & (POLLIN | POLLHUP)) != 0) outputOpen = drainOutput(readEnd.get(), outcome.output);
    exited = (fds[0].revents & POLLIN) != 0;
  }
  if (!exited) {
    outcome.timedOut = true;
    ::kill(-pid, SIGKILL);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (outputOpen) drainOutput(readEnd.get(), outcome.output);
  if (WIFEXITED(status)) outcome.exitCode = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) outcome.signal = WTERMSIG(status);
  return outcome;
}

std::vector<api::ReadinessCheck> runReadinessChecks(const ChecksConfig& config, HostProbes& probes) {
  std::vector<api::ReadinessCheck> results;
  if (config.clockSynchronized) results.push_back(evaluateClock(probes.clock()));
  if (config.minFreeDiskBytes > 0) {
    results.push_back(evaluateDisk(config.diskPath, config.minFreeDiskBytes, probes.disk(config.diskPath)));
  }
  if (!config.containerRuntimeSockets.empty()) {
    std::vector<std::string> present;
    for (const auto& path : config.containerRuntimeSockets) {
      if (probes.isSocket(path)) present.push_back(path);
    }
    results.push_back(evaluateContainerRuntime(config.containerRuntimeSockets, present));
  }
  for (const auto& command : config.commands) {
    results.push_back(evaluateCommand(command.name, probes.run(command.argv, command.timeout)));
  }
  return results;
}

bool allPassed(const std::vector<api::ReadinessCheck>& checks) {
  return std::all_of(checks.begin(), checks.end(), [](const api::ReadinessCheck& check) { return check.ok; });
}

}  // namespace fivespot::agent
