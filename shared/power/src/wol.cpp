#include "fivespot/power/wol.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>
#include <algorithm>
#include <cerrno>
#include <cstring>

namespace fivespot::power {
namespace {

constexpr const char* kMacForms = "six hex byte pairs separated by ':' or '-', e.g. \"aa:bb:cc:dd:ee:ff\"";

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Closes the descriptor on every path out of send().
class SocketHandle {
 public:
  explicit SocketHandle(int fd) : fd_(fd) {}
  ~SocketHandle() {
    if (fd_ >= 0) ::close(fd_);
  }
  SocketHandle(const SocketHandle&) = delete;
  SocketHandle& operator=(const SocketHandle&) = delete;
  [[nodiscard]] int get() const { return fd_; }

 private:
  int fd_;
};

std::string errnoText(const char* what) {
  return fmt::format("{}: {}", what, std::strerror(errno));
}

}  // namespace

MacAddress parseMac(std::string_view text, std::string_view field) {
  // 6 pairs and 5 separators.
  if (text.size() != 17) throw ValidationError(std::string(field), std::string(text), kMacForms);
  const char separator = text[2];
  if (separator != ':' && separator != '-') throw ValidationError(std::string(field), std::string(text), kMacForms);
  MacAddress mac{};
  for (std::size_t i = 0; i < mac.size(); ++i) {
    const std::size_t at = i * 3;
    const int high = hexValue(text[at]);
    const int low = hexValue(text[at + 1]);
    const bool separatorOk = i + 1 == mac.size() || text[at + 2] == separator;
    if (high < 0 || low < 0 || !separatorOk) throw ValidationError(std::string(field), std::string(text), kMacForms);
    mac[i] = static_cast<std::uint8_t>(high * 16 + low);
  }
  return mac;
}

std::string formatMac(const MacAddress& mac) {
  return fmt::format("{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

MagicPacket buildMagicPacket(const MacAddress& mac) {
  MagicPacket packet{};
  std::fill_n(packet.begin(), 6, std::uint8_t{0xFF});
  for (std::size_t repeat = 0; repeat < 16; ++repeat) {
    std::copy(mac.begin(), mac.end(), packet.begin() + 6 + static_cast<std::ptrdiff_t>(repeat * mac.size()));
  }
  return packet;
}

WakeTarget wakeTargetFrom(const api::WakeOnLan& spec, std::string_view fieldPrefix) {
  const std::string prefix(fieldPrefix);
  WakeTarget target;
  target.mac = parseMac(spec.mac, prefix + ".mac");
  in_addr address{};
  if (::inet_pton(AF_INET, spec.broadcast.c_str(), &address) != 1) {
    throw ValidationError(prefix + ".broadcast", spec.broadcast, "a dotted IPv4 address, e.g. \"192.168.1.255\"");
  }
  target.broadcast = spec.broadcast;
  if (spec.port < 1 || spec.port > 65535) {
    throw ValidationError(prefix + ".port", std::to_string(spec.port), "a UDP port from 1 to 65535 (usually 7 or 9)");
  }
  target.port = static_cast<std::uint16_t>(spec.port);
  return target;
}

void UdpDatagramSender::send(const std::string& ipv4, std::uint16_t port, std::span<const std::uint8_t> payload) {
  const std::string destination = fmt::format("udp {}:{}", ipv4, port);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  if (::inet_pton(AF_INET, ipv4.c_str(), &to.sin_addr) != 1) {
    throw WakeOnLanError(destination, "not a dotted IPv4 address");
  }
  const SocketHandle socketHandle(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (socketHandle.get() < 0) throw WakeOnLanError(destination, errnoText("socket"));
  const int enable = 1;
  if (::setsockopt(socketHandle.get(), SOL_SOCKET, SO_BROADCAST, &enable, sizeof enable) != 0) {
    throw WakeOnLanError(destination, errnoText("setsockopt(SO_BROADCAST)"));
  }
  const ssize_t sent = ::sendto(socketHandle.get(), payload.data(), payload.size(), 0,
                                reinterpret_cast<const sockaddr*>(&to), sizeof to);
  if (sent < 0) throw WakeOnLanError(destination, errnoText("sendto"));
  if (static_cast<std::size_t>(sent) != payload.size()) {
    throw WakeOnLanError(destination, fmt::format("sent {} of {} bytes", sent, payload.size()));
  }
}

void sendMagicPacket(DatagramSender& sender, const WakeTarget& target) {
  const MagicPacket packet = buildMagicPacket(target.mac);
  sender.send(target.broadcast, target.port, packet);
}

}  // namespace fivespot::power
