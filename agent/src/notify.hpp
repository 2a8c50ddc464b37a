#pragma once
// Service manager notifications (sd_notify): READY, WATCHDOG and STATUS lines.
#include <chrono>
#include <optional>
#include <string>

namespace fivespot::agent {

class Notifier {
 public:
  virtual ~Notifier() = default;
  virtual void ready() = 0;
  virtual void watchdog() = 0;
  virtual void status(const std::string& text) = 0;
};

// Talks to systemd through $NOTIFY_SOCKET; does nothing when not started by systemd (DaemonSet).
class SystemdNotifier final : public Notifier {
 public:
  SystemdNotifier();
  void ready() override;
  void watchdog() override;
  void status(const std::string& text) override;
  // The watchdog period from WATCHDOG_USEC when systemd expects pings; pings go every half of it.
  [[nodiscard]] std::optional<std::chrono::microseconds> watchdogPeriod() const { return watchdogPeriod_; }

 private:
  std::optional<std::chrono::microseconds> watchdogPeriod_;
};

}  // namespace fivespot::agent
