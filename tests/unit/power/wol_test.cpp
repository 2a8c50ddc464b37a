#include "fivespot/power/wol.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <vector>

namespace fivespot::power {
namespace {

constexpr MacAddress kMac{0x00, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e};

TEST(WakeOnLan, ParsesColonAndDashSeparatedMacs) {
  EXPECT_EQ(parseMac("00:1a:2b:3c:4d:5e"), kMac);
  EXPECT_EQ(parseMac("00-1A-2B-3C-4D-5E"), kMac);
  EXPECT_EQ(formatMac(parseMac("00-1A-2B-3C-4D-5E")), "00:1a:2b:3c:4d:5e");
}

TEST(WakeOnLan, RejectsMalformedMacsNamingTheField) {
  for (const char* bad : {"", "00:1a:2b:3c:4d", "00:1a:2b:3c:4d:5e:6f", "00:1a-2b:3c:4d:5e", "00:1a:2b:3c:4d:5g",
                          "001a2b3c4d5e", "00.1a.2b.3c.4d.5e", "0:1a:2b:3c:4d:5e0"}) {
    try {
      parseMac(bad, "spec.power.wakeOnLan.mac");
      ADD_FAILURE() << "accepted " << bad;
    } catch (const ValidationError& error) {
      EXPECT_EQ(error.field(), "spec.power.wakeOnLan.mac");
      EXPECT_EQ(error.token(), bad);
    }
  }
}

TEST(WakeOnLan, MagicPacketIsSixFfThenSixteenMacs) {
  const MagicPacket packet = buildMagicPacket(kMac);
  ASSERT_EQ(packet.size(), 102u);
  std::vector<std::uint8_t> expected(6, 0xFF);
  for (int i = 0; i < 16; ++i) expected.insert(expected.end(), kMac.begin(), kMac.end());
  EXPECT_EQ(std::vector<std::uint8_t>(packet.begin(), packet.end()), expected);
}

TEST(WakeOnLan, ValidatesTheTargetFromTheSpec) {
  api::WakeOnLan spec;
  spec.mac = "00:1a:2b:3c:4d:5e";
  const WakeTarget target = wakeTargetFrom(spec);
  EXPECT_EQ(target.mac, kMac);
  EXPECT_EQ(target.broadcast, "255.255.255.255");
  EXPECT_EQ(target.port, 9);

  spec.broadcast = "bmc.example";
  try {
    wakeTargetFrom(spec);
    ADD_FAILURE() << "accepted a host name";
  } catch (const ValidationError& error) {
    EXPECT_EQ(error.field(), "spec.power.wakeOnLan.broadcast");
  }
  spec.broadcast = "10.0.0.255";
  spec.port = 70000;
  try {
    wakeTargetFrom(spec);
    ADD_FAILURE() << "accepted port 70000";
  } catch (const ValidationError& error) {
    EXPECT_EQ(error.field(), "spec.power.wakeOnLan.port");
  }
}

// A UDP socket on 127.0.0.1:<ephemeral> that receives what the sender sends.
class LoopbackReceiver {
 public:
  LoopbackReceiver() : fd_(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      throw std::runtime_error("cannot bind a loopback UDP socket");
    }
    socklen_t length = sizeof address;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  ~LoopbackReceiver() { ::close(fd_); }
  LoopbackReceiver(const LoopbackReceiver&) = delete;
  LoopbackReceiver& operator=(const LoopbackReceiver&) = delete;

  [[nodiscard]] std::uint16_t port() const { return port_; }

  // Waits (bounded) for one datagram; empty when none arrived.
  std::vector<std::uint8_t> receive() {
    pollfd ready{fd_, POLLIN, 0};
    if (::poll(&ready, 1, 5000) != 1) return {};
    std::vector<std::uint8_t> buffer(2048);
    const ssize_t received = ::recv(fd_, buffer.data(), buffer.size(), 0);
    buffer.resize(received > 0 ? static_cast<std::size_t>(received) : 0);
    return buffer;
  }

 private:
  int fd_;
  std::uint16_t port_ = 0;
};

TEST(WakeOnLan, SendsTheMagicPacketOverUdp) {
  LoopbackReceiver receiver;
  UdpDatagramSender sender;
  sendMagicPacket(sender, WakeTarget{kMac, "127.0.0.1", receiver.port()});
  const std::vector<std::uint8_t> received = receiver.receive();
  const MagicPacket expected = buildMagicPacket(kMac);
  EXPECT_EQ(received, std::vector<std::uint8_t>(expected.begin(), expected.end()));
}

TEST(WakeOnLan, SendFailureIsATransientErrorNamingTheDestination) {
  UdpDatagramSender sender;
  const MagicPacket packet = buildMagicPacket(kMac);
  try {
    sender.send("not-an-ip", 9, packet);
    FAIL() << "sent to an invalid address";
  } catch (const WakeOnLanError& error) {
    EXPECT_EQ(error.kind(), ErrorKind::Transient);
    EXPECT_EQ(error.context(), "udp not-an-ip:9");
  }
}

}  // namespace
}  // namespace fivespot::power
