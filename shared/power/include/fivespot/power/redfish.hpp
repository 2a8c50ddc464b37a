#pragma once
// A Redfish client for what 5-Spot needs from a BMC: ComputerSystem.Reset, the system's power
// state and the chassis' power draw. HTTP goes through kube::HttpTransport, so tests can use a
// fake transport and the TLS/basic-auth code is shared with the Kubernetes client.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "fivespot/common/error.hpp"
#include "fivespot/kube/http.hpp"

namespace fivespot::power {

enum class ResetType { On, GracefulShutdown, ForceOff };
const char* toString(ResetType type);  // the Redfish ResetType value

// Redfish PowerState (Resource.v1 PowerState); Unknown when absent or not one of these.
enum class SystemPowerState { On, Off, PoweringOn, PoweringOff, Paused, Unknown };
const char* toString(SystemPowerState state);
SystemPowerState parseSystemPowerState(std::string_view text);

// The BMC answered with an error status. kind(): 5xx/429 Transient, 404 NotFound, 401/403
// Configuration (credentials or privileges), other 4xx InvalidInput.
class RedfishError : public Error {
 public:
  RedfishError(std::string request, int status, const std::string& message);
  [[nodiscard]] int status() const noexcept { return status_; }

 private:
  int status_;
};

// 401: the BMC rejected the username/password. Retrying cannot help until the Secret changes.
class RedfishCredentialsRejected : public RedfishError {
 public:
  RedfishCredentialsRejected(std::string request, const std::string& endpoint);
};

// The BMC answered 2xx with a body that is not the Redfish resource expected.
class RedfishProtocolError : public Error {
 public:
  RedfishProtocolError(std::string request, const std::string& message)
      : Error(ErrorKind::Transient, std::move(request), message) {}
};

struct RedfishConnection {
  std::string endpoint;  // "https://bmc.example:443"
  std::string systemId;  // "1", "System.Embedded.1"
  std::string username;
  std::string password;
  std::string caPem;                   // empty: the system trust store
  bool insecureSkipTlsVerify = false;  // only when the spec says so explicitly
  std::chrono::milliseconds requestTimeout{15'000};
};

class RedfishClient {
 public:
  // `transport` must already be bound to `connection.endpoint` and authenticate (basic auth).
  RedfishClient(RedfishConnection connection, std::shared_ptr<kube::HttpTransport> transport);

  // POST /redfish/v1/Systems/<id>/Actions/ComputerSystem.Reset {"ResetType": ...}.
  // Throws RedfishCredentialsRejected, RedfishError, kube::TransportError (unreachable).
  void reset(ResetType type);
  // GET /redfish/v1/Systems/<id> -> PowerState.
  SystemPowerState powerState();
  // GET <chassis>/Power -> PowerControl[0].PowerConsumedWatts; std::nullopt when the BMC does
  // not report it. The chassis is the system's Links.Chassis[0], else Chassis/<systemId>.
  std::optional<double> powerConsumedWatts();

  [[nodiscard]] const std::string& endpoint() const noexcept { return connection_.endpoint; }

 private:
  kube::HttpResponse send(const std::string& method, const std::string& target, const std::string& body);
  std::string chassisPath();

  RedfishConnection connection_;
  std::shared_ptr<kube::HttpTransport> transport_;
  std::optional<std::string> chassisPath_;  // learned from the system resource once
};

// The production client: kube::makeHttpTransport over the endpoint with basic auth and the TLS
// settings of `connection`. Throws ValidationError when the endpoint is not an http(s) URL.
std::unique_ptr<RedfishClient> makeRedfishClient(const RedfishConnection& connection);

}  // namespace fivespot::power
