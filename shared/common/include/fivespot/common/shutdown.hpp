#pragma once
// SIGINT/SIGTERM turned into a std::stop_source that every loop of a process can wait on, so that
// waits end at once on shutdown instead of sleeping out their period.
#include <chrono>
#include <stop_token>

namespace fivespot {

class ShutdownSignal {
 public:
  // Blocks SIGINT and SIGTERM in the calling thread (call before starting other threads) and
  // starts a thread that turns them into a stop request.
  ShutdownSignal();
  ~ShutdownSignal();
  ShutdownSignal(const ShutdownSignal&) = delete;
  ShutdownSignal& operator=(const ShutdownSignal&) = delete;

  [[nodiscard]] std::stop_token token() const { return source_.get_token(); }
  void requestStop() { source_.request_stop(); }
  // The signal number that ended the process, 0 if stopped otherwise or not yet.
  [[nodiscard]] int signalNumber() const noexcept;

 private:
  std::stop_source source_;
  struct State;
  State* state_;
};

// Waits for `d` or until `token` is stopped; returns false when stopped.
bool waitFor(std::stop_token token, std::chrono::nanoseconds d);

}  // namespace fivespot
