#include "notify.hpp"

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <cstring>

namespace fivespot::agent {
namespace {

void send(const std::string& message) {
  const int result = sd_notify(0, message.c_str());
  if (result < 0) spdlog::warn("sd_notify({}) failed: {}", message, std::strerror(-result));
}

}  // namespace

SystemdNotifier::SystemdNotifier() {
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) watchdogPeriod_ = std::chrono::microseconds(usec);
}

void SystemdNotifier::ready() {
  send("READY=1");
}

void SystemdNotifier::watchdog() {
  if (watchdogPeriod_) send("WATCHDOG=1");
}

void SystemdNotifier::status(const std::string& text) {
  send("STATUS=" + text);
}

}  // namespace fivespot::agent
