#include "fivespot/power/redfish.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "fivespot/kube/config.hpp"
#include "fivespot/kube/errors.hpp"

namespace fivespot::power {
namespace {

using Json = nlohmann::json;

ErrorKind kindForStatus(int status) {
  if (status == 401 || status == 403) return ErrorKind::Configuration;
  if (status == 404) return ErrorKind::NotFound;
  if (status == 429 || status >= 500) return ErrorKind::Transient;
  return ErrorKind::InvalidInput;
}

// Redfish errors carry {"error": {"message", "@Message.ExtendedInfo": [{"Message"}]}}; the
// extended message is the one that names the cause, so prefer it.
std::string errorMessage(const kube::HttpResponse& response) {
  const Json body = Json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_object() && body.contains("error") && body["error"].is_object()) {
    const Json& error = body["error"];
    const auto extended = error.find("@Message.ExtendedInfo");
    if (extended != error.end() && extended->is_array() && !extended->empty() && (*extended)[0].is_object()) {
      const auto message = (*extended)[0].find("Message");
      if (message != (*extended)[0].end() && message->is_string()) return message->get<std::string>();
    }
    const auto message = error.find("message");
    if (message != error.end() && message->is_string()) return message->get<std::string>();
  }
  return response.body.empty() ? "no body" : response.body.substr(0, 200);
}

Json parseResource(const kube::HttpResponse& response, const std::string& request) {
  Json body = Json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) throw RedfishProtocolError(request, "response is not a JSON object");
  return body;
}

void requireHttpUrl(const std::string& endpoint) {
  const bool http = endpoint.rfind("http://", 0) == 0 || endpoint.rfind("https://", 0) == 0;
  const auto hostStart = endpoint.find("//") + 2;
  const auto pathStart = endpoint.find('/', hostStart);
  const bool bareOrigin = pathStart == std::string::npos || pathStart + 1 == endpoint.size();
  if (!http || hostStart >= endpoint.size() || !bareOrigin) {
    throw ValidationError("spec.power.redfish.endpoint", endpoint,
                          "an http(s) origin without a path, e.g. \"https://bmc.example:443\"");
  }
}

}  // namespace

const char* toString(ResetType type) {
  switch (type) {
    case ResetType::On:
      return "On";
    case ResetType::GracefulShutdown:
      return "GracefulShutdown";
    case ResetType::ForceOff:
      return "ForceOff";
  }
  return "On";
}

const char* toString(SystemPowerState state) {
  switch (state) {
    case SystemPowerState::On:
      return "On";
    case SystemPowerState::Off:
      return "Off";
    case SystemPowerState::PoweringOn:
      return "PoweringOn";
    case SystemPowerState::PoweringOff:
      return "PoweringOff";
    case SystemPowerState::Paused:
      return "Paused";
    case SystemPowerState::Unknown:
      return "Unknown";
  }
  return "Unknown";
}

SystemPowerState parseSystemPowerState(std::string_view text) {
  for (const auto state : {SystemPowerState::On, SystemPowerState::Off, SystemPowerState::PoweringOn,
                           SystemPowerState::PoweringOff, SystemPowerState::Paused}) {
    if (text == toString(state)) return state;
  }
  return SystemPowerState::Unknown;
}

RedfishError::RedfishError(std::string request, int status, const std::string& message)
    : Error(kindForStatus(status), std::move(request), fmt::format("HTTP {}: {}", status, message)), status_(status) {}

RedfishCredentialsRejected::RedfishCredentialsRejected(std::string request, const std::string& endpoint)
    : RedfishError(std::move(request), 401, "credentials rejected by BMC " + endpoint) {}

RedfishClient::RedfishClient(RedfishConnection connection, std::shared_ptr<kube::HttpTransport> transport)
    : connection_(std::move(connection)), transport_(std::move(transport)) {}

kube::HttpResponse RedfishClient::send(const std::string& method, const std::string& target, const std::string& body) {
  kube::HttpRequest request;
  request.method = method;
  request.target = target;
  request.headers = {{"Accept", "application/json"}, {"OData-Version", "4.0"}};
  if (!body.empty()) request.headers.emplace_back("Content-Type", "application/json");
  request.body = body;
  const std::string description = fmt::format("{} {}{}", method, connection_.endpoint, target);
  kube::HttpResponse response;
  try {
    response = transport_->send(request, connection_.requestTimeout);
  } catch (const kube::TransportError& error) {
    // Name the BMC: the transport's own text ("Failed to connect ...") does not.
    throw kube::TransportError(description, fmt::format("BMC unreachable: {}", error.what()));
  }
  if (response.status == 401) throw RedfishCredentialsRejected(description, connection_.endpoint);
  if (response.status < 200 || response.status >= 300) {
    throw RedfishError(description, response.status, errorMessage(response));
  }
  return response;
}

void RedfishClient::reset(ResetType type) {
  const std::string target = fmt::format("/redfish/v1/Systems/{}/Actions/ComputerSystem.Reset", connection_.systemId);
  send("POST", target, Json{{"ResetType", toString(type)}}.dump());
}

SystemPowerState RedfishClient::powerState() {
  const std::string target = fmt::format("/redfish/v1/Systems/{}", connection_.systemId);
  const Json system = parseResource(send("GET", target, ""), "GET " + connection_.endpoint + target);
  const auto chassis = system.find("Links");
  if (!chassisPath_ && chassis != system.end() && chassis->is_object()) {
    const auto links = chassis->find("Chassis");
    if (links != chassis->end() && links->is_array() && !links->empty() && (*links)[0].is_object() &&
        (*links)[0].contains("@odata.id") && (*links)[0]["@odata.id"].is_string()) {
      chassisPath_ = (*links)[0]["@odata.id"].get<std::string>();
    }
  }
  const auto state = system.find("PowerState");
  if (state == system.end() || !state->is_string()) return SystemPowerState::Unknown;
  return parseSystemPowerState(state->get<std::string>());
}

std::string RedfishClient::chassisPath() {
  if (!chassisPath_) {
    powerState();  // learns Links.Chassis when the BMC publishes it
    if (!chassisPath_) chassisPath_ = fmt::format("/redfish/v1/Chassis/{}", connection_.systemId);
  }
  return *chassisPath_;
}

std::optional<double> RedfishClient::powerConsumedWatts() {
  const std::string target = chassisPath() + "/Power";
  const Json power = parseResource(send("GET", target, ""), "GET " + connection_.endpoint + target);
  const auto controls = power.find("PowerControl");
  if (controls == power.end() || !controls->is_array() || controls->empty() || !(*controls)[0].is_object()) {
    return std::nullopt;
  }
  const auto watts = (*controls)[0].find("PowerConsumedWatts");
  // Redfish allows null when the sensor has no reading (e.g. PSU without metering).
  if (watts == (*controls)[0].end() || !watts->is_number()) return std::nullopt;
  return watts->get<double>();
}

std::unique_ptr<RedfishClient> makeRedfishClient(const RedfishConnection& connection) {
  requireHttpUrl(connection.endpoint);
  kube::ClusterConfig config;
  config.server = connection.endpoint;
  config.username = connection.username;
  config.password = connection.password;
  config.caPem = connection.caPem;
  config.insecureSkipTlsVerify = connection.insecureSkipTlsVerify;
  config.contextName = "redfish " + connection.endpoint;
  return std::make_unique<RedfishClient>(connection, kube::makeHttpTransport(config));
}

}  // namespace fivespot::power
