// The Redfish client over the real transport (TLS, basic auth) against tests/fake_redfish.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "fivespot/common/time_format.hpp"
#include "fivespot/common/yaml_json.hpp"
#include "fivespot/kube/config.hpp"
#include "fivespot/kube/errors.hpp"
#include "fivespot/kube/http.hpp"
#include "fivespot/power/redfish.hpp"
#include "fivespot/power/sequencer.hpp"
#include "process.hpp"

namespace fivespot::power {
namespace {

namespace fs = std::filesystem;
using std::chrono::minutes;

fs::path scratchDir() {
  return fs::temp_directory_path() / ("fake_redfish_" + std::to_string(::getpid()));
}

// Removes the certificates and logs after the last test.
class ScratchCleanup : public ::testing::Environment {
 public:
  void TearDown() override { fs::remove_all(scratchDir()); }
};
[[maybe_unused]] const auto* const kScratchCleanup = ::testing::AddGlobalTestEnvironment(new ScratchCleanup);

// A self-signed certificate for 127.0.0.1, made once per run with the openssl CLI.
const fs::path& certificateDir() {
  static const fs::path dir = [] {
    fs::path path = scratchDir();
    fs::create_directories(path);
    testing::ChildProcess openssl({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                                   "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout",
                                   (path / "key.pem").string(), "-out", (path / "cert.pem").string()},
                                  {}, (path / "openssl.log").string());
    if (openssl.wait(std::chrono::seconds(60)) != 0) throw std::runtime_error("openssl failed: " + openssl.tail());
    return path;
  }();
  return dir;
}

class FakeBmc {
 public:
  explicit FakeBmc(std::vector<std::string> extraArgs = {}) {
    std::vector<std::string> argv{"/usr/bin/python3",
                                  FAKE_REDFISH_SCRIPT,
                                  "--port",
                                  "0",
                                  "--cert",
                                  (certificateDir() / "cert.pem").string(),
                                  "--key",
                                  (certificateDir() / "key.pem").string(),
                                  "--username",
                                  "admin",
                                  "--password",
                                  "s3cret"};
    argv.insert(argv.end(), extraArgs.begin(), extraArgs.end());
    process_ = std::make_unique<testing::ChildProcess>(argv, std::map<std::string, std::string>{},
                                                       (certificateDir() / "fake_redfish.log").string());
    const auto line = process_->waitForLine([](const std::string& text) { return text.rfind("listening on ", 0) == 0; },
                                            std::chrono::seconds(30));
    if (!line) throw std::runtime_error("fake Redfish did not start: " + process_->tail());
    endpoint_ = "https://" + line->substr(std::string("listening on ").size());
  }

  [[nodiscard]] RedfishConnection connection(std::string password = "s3cret") const {
    RedfishConnection connection;
    connection.endpoint = endpoint_;
    connection.systemId = "1";
    connection.username = "admin";
    connection.password = std::move(password);
    connection.caPem = readFile((certificateDir() / "cert.pem").string());
    connection.requestTimeout = std::chrono::seconds(10);
    return connection;
  }

  // The ResetTypes the BMC received, in order.
  [[nodiscard]] std::vector<std::string> resets() const {
    kube::ClusterConfig config;
    config.server = endpoint_;
    config.caPem = readFile((certificateDir() / "cert.pem").string());
    const kube::HttpResponse response = kube::makeHttpTransport(config)->send(
        kube::HttpRequest{"GET", "/fake/resets", {}, ""}, std::chrono::seconds(10));
    return nlohmann::json::parse(response.body)["resets"].get<std::vector<std::string>>();
  }

  [[nodiscard]] std::string log() const { return process_->tail(); }

 private:
  std::unique_ptr<testing::ChildProcess> process_;
  std::string endpoint_;
};

// Polls the BMC (each read is a real HTTPS round trip) until `wanted` or a bounded deadline.
bool reaches(RedfishClient& client, SystemPowerState wanted) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    if (client.powerState() == wanted) return true;
  }
  return false;
}

TEST(RedfishEndToEnd, PowersOnAndReadsTheStateBack) {
  FakeBmc bmc({"--power-state", "Off", "--reset-delay", "0.3"});
  const auto client = makeRedfishClient(bmc.connection());
  EXPECT_EQ(client->powerState(), SystemPowerState::Off);
  EXPECT_EQ(client->powerConsumedWatts(), 6.0);

  const TimePoint start = parseRfc3339("2026-11-24T07:00:00Z");
  PowerOnProgress progress;
  ASSERT_EQ(decidePowerOn({}, progress, {}, start).action, PowerOnAction::SendPowerOn);
  client->reset(ResetType::On);
  progress = recordPowerOnAttempt(progress, start);

  // While the BMC shows PoweringOn the sequencer does not resend, even past the retry interval.
  PowerOnObservation observed;
  observed.bmcPowerState = client->powerState();
  if (observed.bmcPowerState == SystemPowerState::PoweringOn) {
    EXPECT_EQ(decidePowerOn({}, progress, observed, start + minutes(1)).action, PowerOnAction::Wait);
  }
  ASSERT_TRUE(reaches(*client, SystemPowerState::On)) << bmc.log();
  observed.bmcPowerState = SystemPowerState::On;
  EXPECT_EQ(decidePowerOn({}, progress, observed, start + minutes(1)).action, PowerOnAction::PoweredOn);
  EXPECT_EQ(client->powerConsumedWatts(), 142.0);
  EXPECT_EQ(bmc.resets(), std::vector<std::string>{"On"});
}

TEST(RedfishEndToEnd, GracefulShutdownThenForceOffWhenTheHostIgnoresIt) {
  FakeBmc bmc({"--power-state", "On", "--ignore-graceful"});
  const auto client = makeRedfishClient(bmc.connection());
  PowerOffPolicy policy;
  policy.fallbackTimeout = minutes(5);
  const TimePoint ordered = parseRfc3339("2026-11-24T18:00:00Z");
  PowerOffProgress progress = recordPowerOffAction({}, PowerOffAction::OrderAgentPowerOff, ordered);

  // The agent never powered the host off; the drain was confirmed.
  auto observe = [&] {
    PowerOffObservation observed;
    observed.drainConfirmed = true;
    observed.bmcConfigured = true;
    observed.bmcPowerState = client->powerState();
    return observed;
  };
  // Carries out what the sequencer decides at `now`, as the coordinator would.
  auto step = [&](TimePoint now) {
    const PowerOffDecision decision = decidePowerOff(policy, progress, observe(), now);
    if (decision.action == PowerOffAction::SendGracefulShutdown) client->reset(ResetType::GracefulShutdown);
    if (decision.action == PowerOffAction::SendForceOff) client->reset(ResetType::ForceOff);
    progress = recordPowerOffAction(progress, decision.action, now);
    return decision.action;
  };

  EXPECT_EQ(step(ordered + minutes(5)), PowerOffAction::SendGracefulShutdown);
  EXPECT_EQ(client->powerState(), SystemPowerState::On);  // the OS ignored the button
  EXPECT_EQ(step(ordered + minutes(8)), PowerOffAction::Wait);
  EXPECT_EQ(step(ordered + minutes(10)), PowerOffAction::SendForceOff);
  EXPECT_EQ(step(ordered + minutes(11)), PowerOffAction::PoweredOff);
  EXPECT_EQ(bmc.resets(), (std::vector<std::string>{"GracefulShutdown", "ForceOff"}));
}

TEST(RedfishEndToEnd, GracefulShutdownAloneWhenTheHostHonoursIt) {
  FakeBmc bmc({"--power-state", "On"});
  const auto client = makeRedfishClient(bmc.connection());
  client->reset(ResetType::GracefulShutdown);
  EXPECT_TRUE(reaches(*client, SystemPowerState::Off));
  EXPECT_EQ(bmc.resets(), std::vector<std::string>{"GracefulShutdown"});
}

TEST(RedfishEndToEnd, WrongCredentialsGiveAClearNonRetryableError) {
  FakeBmc bmc;
  const auto client = makeRedfishClient(bmc.connection("wrong"));
  try {
    client->reset(ResetType::On);
    FAIL() << "the BMC accepted wrong credentials";
  } catch (const RedfishCredentialsRejected& error) {
    const std::string expected = "credentials rejected by BMC " + bmc.connection().endpoint;
    EXPECT_NE(std::string(error.what()).find(expected), std::string::npos) << error.what();
    const PowerOnProgress progress =
        recordPowerOnAttempt({}, parseRfc3339("2026-11-24T07:00:00Z"), classifyFailure(error));
    const PowerOnDecision decision = decidePowerOn({}, progress, {}, parseRfc3339("2026-11-24T07:00:01Z"));
    EXPECT_EQ(decision.action, PowerOnAction::Failed);
    EXPECT_EQ(decision.reason, kReasonPowerOnRejected);
  }
  EXPECT_TRUE(bmc.resets().empty());
}

TEST(RedfishEndToEnd, UntrustedCertificateIsATransportError) {
  FakeBmc bmc;
  RedfishConnection connection = bmc.connection();
  connection.caPem.clear();  // system trust store: does not know the test CA
  EXPECT_THROW(makeRedfishClient(connection)->powerState(), kube::TransportError);
}

TEST(RedfishEndToEnd, UnreachableBmcIsATransportError) {
  RedfishConnection connection;
  connection.endpoint = "https://127.0.0.1:" + std::to_string(testing::freeLoopbackPort());
  connection.systemId = "1";
  connection.requestTimeout = std::chrono::seconds(5);
  connection.insecureSkipTlsVerify = true;
  try {
    makeRedfishClient(connection)->reset(ResetType::On);
    FAIL() << "reached a closed port";
  } catch (const kube::TransportError& error) {
    EXPECT_NE(std::string(error.what()).find("BMC unreachable"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace fivespot::power
