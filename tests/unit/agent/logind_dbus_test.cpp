// The real sd-bus logind client against a private dbus-daemon and a fake login1 service
// (tests/dbus/fake_login1.py). sd_bus_open_system honours DBUS_SYSTEM_BUS_ADDRESS, so the
// production code runs unchanged. Every wait is for an output line, bounded by a deadline.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "harness/process.hpp"
#include "logind.hpp"
#include "temp_dir.hpp"

namespace fivespot::agent {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const std::string kFakeLogin1 = std::string(FIVESPOT_SOURCE_DIR) + "/tests/dbus/fake_login1.py";

class LogindOverDBus : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string socket = (dir_.path() / "bus").string();
    daemon_ = std::make_unique<fivespot::testing::ChildProcess>(
        std::vector<std::string>{"/usr/bin/dbus-daemon", "--session", "--address=unix:path=" + socket, "--nofork",
                                 "--nopidfile", "--print-address=1"},
        std::map<std::string, std::string>{}, (dir_.path() / "dbus-daemon.log").string());
    const auto address = daemon_->waitForLine([](const std::string& line) { return line.starts_with("unix:"); }, 10s);
    ASSERT_TRUE(address) << daemon_->tail();
    address_ = *address;
    ::setenv("DBUS_SYSTEM_BUS_ADDRESS", address_.c_str(), 1);
  }

  void TearDown() override { ::unsetenv("DBUS_SYSTEM_BUS_ADDRESS"); }

  void startFakeLogin1(std::vector<std::string> extra = {}) {
    std::vector<std::string> argv{"/usr/bin/python3", kFakeLogin1, "--address", address_, "--record", recordPath()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    login1_ = std::make_unique<fivespot::testing::ChildProcess>(argv, std::map<std::string, std::string>{},
                                                                (dir_.path() / "fake-login1.log").string());
    ASSERT_TRUE(login1_->waitForLine([](const std::string& line) { return line == "READY"; }, 20s)) << login1_->tail();
  }

  [[nodiscard]] std::string recordPath() const { return (dir_.path() / "login1-calls.jsonl").string(); }

  [[nodiscard]] std::vector<json> recorded() const {
    std::vector<json> calls;
    std::ifstream in(recordPath());
    for (std::string line; std::getline(in, line);) calls.push_back(json::parse(line));
    return calls;
  }

  fivespot::testing::TempDir dir_;
  std::string address_;
  std::unique_ptr<fivespot::testing::ChildProcess> daemon_;
  std::unique_ptr<fivespot::testing::ChildProcess> login1_;
};

TEST_F(LogindOverDBus, InhibitDelayThenPowerOffNonInteractiveThenRelease) {
  startFakeLogin1();
  LogindPowerController power;
  Inhibitor lock = power.inhibitDelay("fivespot-agent", "last report");
  ASSERT_TRUE(lock.held());
  EXPECT_NE(::fcntl(lock.fd(), F_GETFD), -1);
  EXPECT_TRUE(::fcntl(lock.fd(), F_GETFD) & FD_CLOEXEC);
  power.powerOff();
  ASSERT_TRUE(
      login1_->waitForLine([](const std::string& l) { return l.find("\"PowerOff\"") != std::string::npos; }, 10s));
  EXPECT_TRUE(recorded().size() == 2U) << "the lock is still held: no release yet";
  lock.release();
  ASSERT_TRUE(login1_->waitForLine([](const std::string& l) { return l.find("released") != std::string::npos; }, 10s))
      << login1_->tail();

  const auto calls = recorded();
  ASSERT_EQ(calls.size(), 3U);
  EXPECT_EQ(calls[0], json({{"call", "Inhibit"},
                            {"what", "shutdown"},
                            {"who", "fivespot-agent"},
                            {"why", "last report"},
                            {"mode", "delay"}}));
  EXPECT_EQ(calls[1], json({{"call", "PowerOff"}, {"interactive", false}}));
  EXPECT_EQ(calls[2], json({{"event", "released"}, {"who", "fivespot-agent"}}));
}

TEST_F(LogindOverDBus, InhibitorIsReleasedWhenItsOwnerGoesOutOfScope) {
  startFakeLogin1();
  LogindPowerController power;
  { const Inhibitor lock = power.inhibitDelay("fivespot-agent", "scope"); }
  EXPECT_TRUE(login1_->waitForLine([](const std::string& l) { return l.find("released") != std::string::npos; }, 10s));
}

TEST_F(LogindOverDBus, ErrorsCarryTheDBusErrorName) {
  LogindPowerController power;
  try {
    power.powerOff();  // nobody owns org.freedesktop.login1 yet
    FAIL() << "expected a DBusError";
  } catch (const DBusError& e) {
    EXPECT_EQ(e.busError(), "org.freedesktop.DBus.Error.ServiceUnknown");
  }
  startFakeLogin1({"--fail-poweroff"});
  try {
    power.powerOff();
    FAIL() << "expected a DBusError";
  } catch (const DBusError& e) {
    EXPECT_EQ(e.busError(), "org.freedesktop.login1.OperationInProgress");
    EXPECT_THAT(e.what(), ::testing::HasSubstr("already a shutdown"));
  }
}

TEST(LogindWithoutABus, ConnectionFailureIsADBusError) {
  ::setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/fivespot/bus", 1);
  LogindPowerController power;
  EXPECT_THROW(power.inhibitDelay("fivespot-agent", "x"), DBusError);
  ::unsetenv("DBUS_SYSTEM_BUS_ADDRESS");
}

}  // namespace
}  // namespace fivespot::agent
