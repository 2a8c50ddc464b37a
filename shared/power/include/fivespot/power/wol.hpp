#pragma once
// Wake-on-LAN: the magic packet and a UDP sender for it.
//
// The packet is a layer-2 broadcast in practice: it reaches hosts on the sender's segment (or a
// directed broadcast a router forwards). A host on another segment needs a relay there.
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "fivespot/api/types.hpp"
#include "fivespot/common/error.hpp"

namespace fivespot::power {

using MacAddress = std::array<std::uint8_t, 6>;

inline constexpr std::size_t kMagicPacketSize = 6 + 16 * 6;  // 102 bytes
using MagicPacket = std::array<std::uint8_t, kMagicPacketSize>;

// "aa:bb:cc:dd:ee:ff" or "AA-BB-CC-DD-EE-FF" (one separator style throughout). Throws
// ValidationError naming `field` otherwise.
MacAddress parseMac(std::string_view text, std::string_view field = "spec.power.wakeOnLan.mac");
// Lower-case, colon separated.
std::string formatMac(const MacAddress& mac);

// Six 0xFF bytes followed by the MAC sixteen times.
MagicPacket buildMagicPacket(const MacAddress& mac);

// Where a magic packet goes, validated from spec.power.wakeOnLan.
struct WakeTarget {
  MacAddress mac{};
  std::string broadcast;  // dotted IPv4, e.g. "192.168.1.255"
  std::uint16_t port = 9;
};

// Throws ValidationError naming the field under `fieldPrefix` (mac, broadcast, port).
WakeTarget wakeTargetFrom(const api::WakeOnLan& spec, std::string_view fieldPrefix = "spec.power.wakeOnLan");

// Sending a packet failed (socket, route, permission). Transient: the next attempt may work.
class WakeOnLanError : public Error {
 public:
  WakeOnLanError(std::string destination, const std::string& message)
      : Error(ErrorKind::Transient, std::move(destination), message) {}
};

// One datagram to an IPv4 address. Tests capture the bytes with a loopback socket.
class DatagramSender {
 public:
  virtual ~DatagramSender() = default;
  // Throws WakeOnLanError when the datagram cannot be sent.
  virtual void send(const std::string& ipv4, std::uint16_t port, std::span<const std::uint8_t> payload) = 0;
};

// UDP with SO_BROADCAST, so limited (255.255.255.255) and directed broadcasts are allowed.
class UdpDatagramSender final : public DatagramSender {
 public:
  void send(const std::string& ipv4, std::uint16_t port, std::span<const std::uint8_t> payload) override;
};

// Builds the packet for `target.mac` and sends it to broadcast:port.
void sendMagicPacket(DatagramSender& sender, const WakeTarget& target);

}  // namespace fivespot::power
