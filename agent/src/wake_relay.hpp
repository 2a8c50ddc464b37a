#pragma once
// Wake-on-LAN relay (docs/power.md, "Wake-on-LAN relay"): a node-mode agent sends the magic
// packets the coordinator cannot deliver, for hosts on this node's layer-2 segment.
//
// The coordinator writes a wake order into the TARGET machine's HostAgent spec (spec.wake, labelled
// with the relay node). The relay lists the orders addressed to its node, sends each current,
// unexpired order once, and acknowledges it in its OWN HostAgent status (status.relayedWakes): an
// agent never writes another machine's HostAgent. The acknowledgements say what was sent, so a
// restarted relay does not send an order twice.
#include <string>
#include <vector>

#include "fivespot/api/types.hpp"
#include "fivespot/common/clock.hpp"
#include "fivespot/power/wol.hpp"

namespace fivespot::agent {

// The HostAgents whose wake order names a node (label 5spot.finos.org/wake-relay-node).
class WakeOrderSource {
 public:
  virtual ~WakeOrderSource() = default;
  // Throws fivespot::Error (kube::ApiError/TransportError) on failure.
  virtual std::vector<api::HostAgent> ordersFor(const std::string& node) = 0;
};

struct WakeToSend {
  std::string hostAgent;  // "namespace/name" of the target
  api::WakeOrder order;
};

// The orders `node` must send now: addressed to it, current (generation == commandGeneration, so
// a later order such as a power-off supersedes the wake), not expired at `now`, and not already in
// `sent` at that generation or later.
std::vector<WakeToSend> wakesToSend(const std::vector<api::HostAgent>& candidates, const std::string& node,
                                    const std::vector<api::RelayedWake>& sent, TimePoint now);

// Records `wake`, replacing the entry of the same target; keeps the newest kMaxRelayedWakes.
void recordRelayedWake(std::vector<api::RelayedWake>& sent, const api::RelayedWake& wake);

// Folds the server's acknowledgements into ours (a restarted agent starts from what it reported).
void adoptRelayedWakes(std::vector<api::RelayedWake>& ours, const std::vector<api::RelayedWake>& server);

class WakeRelay {
 public:
  WakeRelay(std::string nodeName, WakeOrderSource& orders, power::DatagramSender& sender, const Clock& clock);

  // Sends the due orders and records each sent one in `sent`. A packet that cannot be sent is not
  // recorded (the next call retries it); its error is returned, "" when all went out. Throws what
  // WakeOrderSource throws.
  std::string relay(std::vector<api::RelayedWake>& sent);

 private:
  std::string nodeName_;
  WakeOrderSource& orders_;
  power::DatagramSender& sender_;
  const Clock& clock_;
};

}  // namespace fivespot::agent
