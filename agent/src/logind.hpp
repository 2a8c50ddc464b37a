#pragma once
// Power-off through systemd-logind over D-Bus (sd-bus), so that kubelet's graceful node shutdown
// (its own delay inhibitor and PrepareForShutdown handling) still runs. See docs/agent.md.
#include <memory>
#include <string>

#include "fivespot/common/error.hpp"

typedef struct sd_bus sd_bus;

namespace fivespot::agent {

// A D-Bus call failed; busError() is the D-Bus error name, e.g.
// "org.freedesktop.DBus.Error.ServiceUnknown" or "org.freedesktop.login1.OperationInProgress".
class DBusError : public Error {
 public:
  DBusError(std::string call, std::string busError, const std::string& message)
      : Error(ErrorKind::Transient, std::move(call), message), busError_(std::move(busError)) {}
  [[nodiscard]] const std::string& busError() const noexcept { return busError_; }

 private:
  std::string busError_;
};

// A logind inhibitor lock: held while the file descriptor is open. Move-only; closes on destruction.
class Inhibitor {
 public:
  Inhibitor() = default;
  explicit Inhibitor(int fd) : fd_(fd) {}
  ~Inhibitor() { release(); }
  Inhibitor(Inhibitor&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  Inhibitor& operator=(Inhibitor&& other) noexcept;
  Inhibitor(const Inhibitor&) = delete;
  Inhibitor& operator=(const Inhibitor&) = delete;

  [[nodiscard]] bool held() const noexcept { return fd_ >= 0; }
  [[nodiscard]] int fd() const noexcept { return fd_; }
  void release() noexcept;

 private:
  int fd_ = -1;
};

class PowerController {
 public:
  virtual ~PowerController() = default;
  // Takes a "delay" inhibitor lock on shutdown; throws DBusError.
  virtual Inhibitor inhibitDelay(const std::string& who, const std::string& why) = 0;
  // Asks logind to power off (interactive=false); returns once logind accepted. Throws DBusError.
  virtual void powerOff() = 0;
};

// org.freedesktop.login1.Manager on the system bus (sd_bus_open_system: honours
// DBUS_SYSTEM_BUS_ADDRESS, e.g. unix:path=/host/run/dbus/system_bus_socket in the DaemonSet).
class LogindPowerController final : public PowerController {
 public:
  // Connects lazily on the first call and again after the bus connection dropped (dbus restart).
  LogindPowerController() = default;
  ~LogindPowerController() override;
  LogindPowerController(const LogindPowerController&) = delete;
  LogindPowerController& operator=(const LogindPowerController&) = delete;

  Inhibitor inhibitDelay(const std::string& who, const std::string& why) override;
  void powerOff() override;

 private:
  sd_bus* connection();  // throws DBusError when the bus cannot be reached
  sd_bus* bus_ = nullptr;
};

}  // namespace fivespot::agent
