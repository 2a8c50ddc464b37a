#include "fivespot/power/redfish.hpp"

#include <gtest/gtest.h>

#include <deque>

#include "fivespot/kube/errors.hpp"

namespace fivespot::power {
namespace {

// Answers queued responses in order and records the requests.
class FakeTransport final : public kube::HttpTransport {
 public:
  void answer(int status, std::string body) { responses_.push_back(kube::HttpResponse{status, {}, std::move(body)}); }
  void failWith(std::string message) { failure_ = std::move(message); }

  kube::HttpResponse send(const kube::HttpRequest& request, std::chrono::milliseconds) override {
    requests.push_back(request);
    if (failure_) throw kube::TransportError(request.target, *failure_);
    if (responses_.empty()) throw std::logic_error("unexpected request " + request.method + " " + request.target);
    kube::HttpResponse response = responses_.front();
    responses_.pop_front();
    return response;
  }
  std::unique_ptr<kube::HttpStream> openStream(const kube::HttpRequest&, std::chrono::milliseconds) override {
    throw std::logic_error("Redfish does not stream");
  }

  std::vector<kube::HttpRequest> requests;

 private:
  std::deque<kube::HttpResponse> responses_;
  std::optional<std::string> failure_;
};

RedfishConnection connectionTo(std::string endpoint, std::string systemId) {
  RedfishConnection connection;
  connection.endpoint = std::move(endpoint);
  connection.systemId = std::move(systemId);
  return connection;
}

class RedfishClientTest : public ::testing::Test {
 protected:
  RedfishClientTest() : client_(connectionTo("https://bmc.example:443", "System.Embedded.1"), transport_) {}
  std::shared_ptr<FakeTransport> transport_ = std::make_shared<FakeTransport>();
  RedfishClient client_;
};

TEST_F(RedfishClientTest, ResetPostsTheResetType) {
  transport_->answer(204, "");
  client_.reset(ResetType::GracefulShutdown);
  ASSERT_EQ(transport_->requests.size(), 1u);
  const kube::HttpRequest& request = transport_->requests[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.target, "/redfish/v1/Systems/System.Embedded.1/Actions/ComputerSystem.Reset");
  EXPECT_EQ(request.body, R"({"ResetType":"GracefulShutdown"})");
}

TEST_F(RedfishClientTest, ReadsPowerState) {
  transport_->answer(200, R"({"Id":"System.Embedded.1","PowerState":"PoweringOn"})");
  EXPECT_EQ(client_.powerState(), SystemPowerState::PoweringOn);
  EXPECT_EQ(transport_->requests[0].method, "GET");
  EXPECT_EQ(transport_->requests[0].target, "/redfish/v1/Systems/System.Embedded.1");
  transport_->answer(200, R"({"Id":"System.Embedded.1"})");
  EXPECT_EQ(client_.powerState(), SystemPowerState::Unknown);
}

TEST_F(RedfishClientTest, ReadsPowerConsumedWattsFromTheLinkedChassis) {
  transport_->answer(200,
                     R"({"PowerState":"On","Links":{"Chassis":[{"@odata.id":"/redfish/v1/Chassis/Enclosure.1"}]}})");
  transport_->answer(200, R"({"PowerControl":[{"PowerConsumedWatts":142.5}]})");
  EXPECT_EQ(client_.powerConsumedWatts(), 142.5);
  EXPECT_EQ(transport_->requests[1].target, "/redfish/v1/Chassis/Enclosure.1/Power");
}

TEST_F(RedfishClientTest, FallsBackToTheSystemIdAsChassisAndToleratesMissingWatts) {
  transport_->answer(200, R"({"PowerState":"On"})");
  transport_->answer(200, R"({"PowerControl":[{"PowerConsumedWatts":null}]})");
  EXPECT_EQ(client_.powerConsumedWatts(), std::nullopt);
  EXPECT_EQ(transport_->requests[1].target, "/redfish/v1/Chassis/System.Embedded.1/Power");
  transport_->answer(200, R"({"Id":"Power"})");
  EXPECT_EQ(client_.powerConsumedWatts(), std::nullopt);
}

TEST_F(RedfishClientTest, UnauthorizedIsCredentialsRejected) {
  transport_->answer(401, R"({"error":{"message":"Unauthorized"}})");
  try {
    client_.reset(ResetType::On);
    FAIL() << "no error";
  } catch (const RedfishCredentialsRejected& error) {
    EXPECT_NE(std::string(error.what()).find("credentials rejected by BMC https://bmc.example:443"), std::string::npos);
    EXPECT_EQ(error.kind(), ErrorKind::Configuration);
  }
}

TEST_F(RedfishClientTest, ErrorStatusCarriesTheExtendedMessage) {
  transport_->answer(
      400,
      R"({"error":{"message":"General error","@Message.ExtendedInfo":[{"Message":"ResetType Nmi not supported"}]}})");
  try {
    client_.reset(ResetType::On);
    FAIL() << "no error";
  } catch (const RedfishError& error) {
    EXPECT_EQ(error.status(), 400);
    EXPECT_EQ(error.kind(), ErrorKind::InvalidInput);
    EXPECT_NE(std::string(error.what()).find("ResetType Nmi not supported"), std::string::npos);
  }
  transport_->answer(503, "busy");
  try {
    client_.powerState();
    FAIL() << "no error";
  } catch (const RedfishError& error) {
    EXPECT_EQ(error.kind(), ErrorKind::Transient);
  }
}

TEST_F(RedfishClientTest, UnreachableIsATransportErrorNamingTheBmc) {
  transport_->failWith("Failed to connect to any resolved endpoint");
  try {
    client_.powerState();
    FAIL() << "no error";
  } catch (const kube::TransportError& error) {
    EXPECT_EQ(error.kind(), ErrorKind::Transient);
    EXPECT_NE(std::string(error.what()).find("https://bmc.example:443"), std::string::npos);
    EXPECT_NE(std::string(error.what()).find("BMC unreachable"), std::string::npos);
  }
}

TEST_F(RedfishClientTest, NonJsonBodyIsAProtocolError) {
  transport_->answer(200, "<html>login</html>");
  EXPECT_THROW(client_.powerState(), RedfishProtocolError);
}

TEST(RedfishClientFactory, RejectsEndpointsThatAreNotHttpOrigins) {
  for (const char* endpoint : {"bmc.example", "ftp://bmc", "https://bmc.example/redfish/v1", "https://"}) {
    EXPECT_THROW(makeRedfishClient(connectionTo(endpoint, "1")), ValidationError) << endpoint;
  }
}

TEST(RedfishPowerState, ParsesKnownValues) {
  EXPECT_EQ(parseSystemPowerState("Off"), SystemPowerState::Off);
  EXPECT_EQ(parseSystemPowerState("PoweringOff"), SystemPowerState::PoweringOff);
  EXPECT_EQ(parseSystemPowerState("off"), SystemPowerState::Unknown);
}

}  // namespace
}  // namespace fivespot::power
