#include "logind.hpp"

#include <fcntl.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include <cstring>

namespace fivespot::agent {
namespace {

constexpr const char* kDestination = "org.freedesktop.login1";
constexpr const char* kPath = "/org/freedesktop/login1";
constexpr const char* kInterface = "org.freedesktop.login1.Manager";

// Owns the sd_bus_error and sd_bus_message of one call.
struct CallState {
  sd_bus_error error = SD_BUS_ERROR_NULL;
  sd_bus_message* reply = nullptr;
  ~CallState() {
    sd_bus_error_free(&error);
    sd_bus_message_unref(reply);
  }
};

[[noreturn]] void throwCallError(const std::string& call, int result, const sd_bus_error& error) {
  const std::string name = error.name != nullptr ? error.name : "errno." + std::to_string(-result);
  const std::string message = error.message != nullptr ? error.message : std::strerror(-result);
  throw DBusError(call, name, message);
}

}  // namespace

Inhibitor& Inhibitor::operator=(Inhibitor&& other) noexcept {
  if (this != &other) {
    release();
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

void Inhibitor::release() noexcept {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

sd_bus* LogindPowerController::connection() {
  if (bus_ != nullptr && sd_bus_is_open(bus_) > 0) return bus_;
  bus_ = sd_bus_flush_close_unref(bus_);
  const int result = sd_bus_open_system(&bus_);
  if (result < 0) {
    bus_ = nullptr;
    throw DBusError("sd_bus_open_system", "errno." + std::to_string(-result),
                    std::string("cannot connect to the system bus: ") + std::strerror(-result));
  }
  return bus_;
}

LogindPowerController::~LogindPowerController() {
  sd_bus_flush_close_unref(bus_);
}

Inhibitor LogindPowerController::inhibitDelay(const std::string& who, const std::string& why) {
  CallState call;
  const int result = sd_bus_call_method(connection(), kDestination, kPath, kInterface, "Inhibit", &call.error,
                                        &call.reply, "ssss", "shutdown", who.c_str(), why.c_str(), "delay");
  if (result < 0) throwCallError("login1.Manager.Inhibit", result, call.error);
  int fd = -1;
  const int readResult = sd_bus_message_read(call.reply, "h", &fd);
  if (readResult < 0) throwCallError("login1.Manager.Inhibit reply", readResult, call.error);
  // The fd belongs to the message; keep our own copy (close-on-exec so commands do not inherit it).
  const int owned = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
  if (owned < 0) throw DBusError("login1.Manager.Inhibit", "errno." + std::to_string(errno), std::strerror(errno));
  return Inhibitor(owned);
}

void LogindPowerController::powerOff() {
  CallState call;
  const int result =
      sd_bus_call_method(connection(), kDestination, kPath, kInterface, "PowerOff", &call.error, &call.reply, "b", 0);
  if (result < 0) throwCallError("login1.Manager.PowerOff", result, call.error);
}

}  // namespace fivespot::agent
