#include "wake_relay.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "fivespot/api/host_agent.hpp"
#include "fivespot/common/error.hpp"
#include "fivespot/common/time_format.hpp"

namespace fivespot::agent {
namespace {

std::string keyOf(const api::HostAgent& agent) {
  return agent.metadata.namespace_ + "/" + agent.metadata.name;
}

bool alreadySent(const std::vector<api::RelayedWake>& sent, const std::string& target, std::int64_t generation) {
  return std::any_of(sent.begin(), sent.end(), [&](const api::RelayedWake& wake) {
    return wake.hostAgent == target && wake.generation >= generation;
  });
}

// An order without a readable expiry is treated as expired: sending a packet at an unknown time
// could wake a host outside its window.
bool expired(const api::WakeOrder& order, TimePoint now) {
  const auto expiresAt = tryParseRfc3339(order.expiresAt);
  return !expiresAt || now >= *expiresAt;
}

}  // namespace

std::vector<WakeToSend> wakesToSend(const std::vector<api::HostAgent>& candidates, const std::string& node,
                                    const std::vector<api::RelayedWake>& sent, TimePoint now) {
  std::vector<WakeToSend> due;
  for (const api::HostAgent& agent : candidates) {
    const auto& order = agent.spec.wake;
    if (!order || order->relayNode != node || order->generation <= 0) continue;
    if (order->generation != agent.spec.commandGeneration || expired(*order, now)) continue;
    const std::string target = keyOf(agent);
    if (alreadySent(sent, target, order->generation)) continue;
    due.push_back(WakeToSend{target, *order});
  }
  return due;
}

void recordRelayedWake(std::vector<api::RelayedWake>& sent, const api::RelayedWake& wake) {
  std::erase_if(sent, [&](const api::RelayedWake& old) { return old.hostAgent == wake.hostAgent; });
  sent.push_back(wake);
  if (sent.size() <= api::kMaxRelayedWakes) return;
  // RFC 3339 UTC timestamps of one format sort as text: drop the oldest.
  std::stable_sort(sent.begin(), sent.end(),
                   [](const api::RelayedWake& a, const api::RelayedWake& b) { return a.sentAt > b.sentAt; });
  sent.resize(api::kMaxRelayedWakes);
}

void adoptRelayedWakes(std::vector<api::RelayedWake>& ours, const std::vector<api::RelayedWake>& server) {
  for (const api::RelayedWake& wake : server) {
    if (!alreadySent(ours, wake.hostAgent, wake.generation)) recordRelayedWake(ours, wake);
  }
}

WakeRelay::WakeRelay(std::string nodeName, WakeOrderSource& orders, power::DatagramSender& sender, const Clock& clock)
    : nodeName_(std::move(nodeName)), orders_(orders), sender_(sender), clock_(clock) {}

std::string WakeRelay::relay(std::vector<api::RelayedWake>& sent) {
  const TimePoint now = clock_.now();
  std::string errors;
  for (const WakeToSend& wake : wakesToSend(orders_.ordersFor(nodeName_), nodeName_, sent, now)) {
    const api::WakeOrder& order = wake.order;
    try {
      const power::WakeTarget target =
          power::wakeTargetFrom(api::WakeOnLan{order.mac, order.broadcast, order.port, order.relayNode}, "spec.wake");
      power::sendMagicPacket(sender_, target);
    } catch (const Error& error) {
      const std::string message = "relaying wake order " + std::to_string(order.generation) + " of " + wake.hostAgent +
                                  " failed: " + error.what();
      spdlog::warn("{}", message);
      errors += (errors.empty() ? "" : "; ") + message;
      continue;
    }
    spdlog::info("relayed wake order {} of {}: magic packet for {} sent to {}:{}", order.generation, wake.hostAgent,
                 order.mac, order.broadcast, order.port);
    recordRelayedWake(sent, api::RelayedWake{wake.hostAgent, order.generation, formatRfc3339(now)});
  }
  return errors;
}

}  // namespace fivespot::agent
