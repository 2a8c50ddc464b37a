#include "power_orders.hpp"

#include "fivespot/common/error.hpp"
#include "fivespot/common/time_format.hpp"
#include "secret_data.hpp"

namespace fivespot::coordinator {

PowerOrders::PowerOrders(kube::Client& client, std::shared_ptr<power::DatagramSender> sender)
    : client_(client), sender_(std::move(sender)) {}

std::string PowerOrders::powerOn(const api::ScheduledMachine& sm) {
  if (!sm.spec.power) return "no power control configured";
  std::string done;
  // A relayed wake is an order in the HostAgent spec (written by the executor), not a packet from here.
  if (const auto& wol = sm.spec.power->wakeOnLan; wol && wol->relayNode.empty()) {
    const power::WakeTarget target = power::wakeTargetFrom(*wol);
    power::sendMagicPacket(*sender_, target);
    done = "Wake-on-LAN packet for " + power::formatMac(target.mac) + " sent to " + target.broadcast + ":" +
           std::to_string(target.port);
  }
  if (const auto& redfish = sm.spec.power->redfish) {
    connectToBmc(client_, sm, *redfish)->reset(power::ResetType::On);
    done += (done.empty() ? "" : "; ") + std::string("Redfish power-on sent to ") + redfish->endpoint;
  }
  return done;
}

std::string PowerOrders::gracefulShutdownViaBmc(const api::ScheduledMachine& sm) {
  if (!sm.spec.power || !sm.spec.power->redfish) return {};
  const api::Redfish& redfish = *sm.spec.power->redfish;
  connectToBmc(client_, sm, redfish)->reset(power::ResetType::GracefulShutdown);
  return "Redfish GracefulShutdown sent to " + redfish.endpoint;
}

std::unique_ptr<power::RedfishClient> connectToBmc(kube::Client& client, const api::ScheduledMachine& sm,
                                                   const api::Redfish& redfish) {
  const std::string& ns = sm.metadata.namespace_;
  power::RedfishConnection connection;
  connection.endpoint = redfish.endpoint;
  connection.systemId = redfish.systemId;
  connection.insecureSkipTlsVerify = redfish.insecureSkipTlsVerify;
  const std::string credentials = ns + "/" + redfish.credentialsSecretRef;
  const auto secret = client.getIfExists(kube::resources::secrets(), ns, redfish.credentialsSecretRef);
  if (!secret) throw ConfigError("spec.power.redfish.credentialsSecretRef", "Secret " + credentials + " not found");
  connection.username = secretValue(*secret, "username", credentials).value_or("");
  connection.password = secretValue(*secret, "password", credentials).value_or("");
  if (!redfish.caSecretRef.empty()) {
    const std::string origin = ns + "/" + redfish.caSecretRef;
    const auto ca = client.getIfExists(kube::resources::secrets(), ns, redfish.caSecretRef);
    if (!ca) throw ConfigError("spec.power.redfish.caSecretRef", "Secret " + origin + " not found");
    connection.caPem = secretValue(*ca, "ca.crt", origin).value_or("");
  }
  return power::makeRedfishClient(connection);
}

std::optional<api::BmcPowerReading> readBmcPower(kube::Client& client, const api::ScheduledMachine& sm, TimePoint now) {
  if (!sm.spec.power || !sm.spec.power->redfish) return std::nullopt;
  const auto watts = connectToBmc(client, sm, *sm.spec.power->redfish)->powerConsumedWatts();
  if (!watts) return std::nullopt;
  return api::BmcPowerReading{*watts, formatRfc3339(now)};
}

}  // namespace fivespot::coordinator
