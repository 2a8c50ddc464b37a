#pragma once
// Powering hosts on and off from the coordinator, through shared/power: a Wake-on-LAN packet
// and/or a Redfish ComputerSystem.Reset, as spec.power configures. The HostAgent side of the
// orders (desiredPower, powerOffGeneration) is written by the executor.
#include <memory>
#include <optional>
#include <string>

#include "fivespot/api/types.hpp"
#include "fivespot/common/clock.hpp"
#include "fivespot/kube/client.hpp"
#include "fivespot/power/redfish.hpp"
#include "fivespot/power/wol.hpp"

namespace fivespot::coordinator {

// A Redfish client for spec.power.redfish, with the username and password (and the CA) from its
// Secrets in the ScheduledMachine's namespace. Throws ConfigError when a Secret is missing.
std::unique_ptr<power::RedfishClient> connectToBmc(kube::Client& client, const api::ScheduledMachine& sm,
                                                   const api::Redfish& redfish);

// Redfish PowerConsumedWatts at `now`, the savings' "bmc" figure. std::nullopt when spec.power has
// no Redfish or the BMC reports no figure. Throws what connectToBmc and RedfishClient throw.
std::optional<api::BmcPowerReading> readBmcPower(kube::Client& client, const api::ScheduledMachine& sm, TimePoint now);

class PowerOrders {
 public:
  // `sender` sends the Wake-on-LAN datagrams (UdpDatagramSender in production).
  PowerOrders(kube::Client& client, std::shared_ptr<power::DatagramSender> sender);

  // Sends what spec.power configures, except a Wake-on-LAN packet that a relay node sends; returns
  // what was done ("" when nothing was sent from here), for the PoweredOn condition. Throws
  // the power module's errors (WakeOnLanError, RedfishError, ...), ValidationError, ConfigError.
  std::string powerOn(const api::ScheduledMachine& sm);
  // Redfish GracefulShutdown, for hosts without an agent. Returns "" when no BMC is configured.
  std::string gracefulShutdownViaBmc(const api::ScheduledMachine& sm);

 private:
  kube::Client& client_;
  std::shared_ptr<power::DatagramSender> sender_;
};

}  // namespace fivespot::coordinator
