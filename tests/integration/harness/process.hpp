#pragma once
// A child process for integration tests: started with fork/exec, its stdout+stderr captured into
// a log file and an in-memory line buffer, so tests can wait for a line instead of sleeping.
#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace fivespot::testing {

class ChildProcess {
 public:
  // Throws std::runtime_error when the program cannot be started. `env` adds to (or overrides)
  // the current environment.
  ChildProcess(std::vector<std::string> argv, const std::map<std::string, std::string>& env, std::string logPath);
  ~ChildProcess();  // SIGTERM, then SIGKILL after 5 s
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  [[nodiscard]] pid_t pid() const noexcept { return pid_; }
  [[nodiscard]] const std::string& logPath() const noexcept { return logPath_; }
  [[nodiscard]] bool running();
  void signal(int signo);
  // Waits for exit up to `timeout`; returns the exit code (128+signal when killed), or nullopt.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  // SIGTERM and wait; SIGKILL when it does not exit in `grace`. Returns the exit code.
  int stop(std::chrono::milliseconds grace = std::chrono::seconds(5));
  // First output line (from the start) satisfying `match`, waiting up to `timeout`.
  std::optional<std::string> waitForLine(const std::function<bool(const std::string&)>& match,
                                         std::chrono::milliseconds timeout);
  [[nodiscard]] std::vector<std::string> lines() const;
  // The last `count` lines, for failure messages.
  [[nodiscard]] std::string tail(std::size_t count = 40) const;

 private:
  void pump(int fd);
  void reap(int status);

  std::string logPath_;
  pid_t pid_ = -1;
  std::optional<int> exitCode_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> lines_;
  bool outputClosed_ = false;
  std::thread reader_;
};

// A TCP port on 127.0.0.1 that was free a moment ago (for programs that cannot report port 0).
int freeLoopbackPort();

}  // namespace fivespot::testing
