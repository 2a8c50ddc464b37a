#include "datagram_listener.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace fivespot::testing {

DatagramListener::DatagramListener() : fd_(::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) {
  if (fd_ < 0) throw std::runtime_error("socket(AF_INET, SOCK_DGRAM) failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ::close(fd_);
    throw std::runtime_error("binding a loopback UDP port failed");
  }
  port_ = ntohs(address.sin_port);
}

DatagramListener::~DatagramListener() {
  ::close(fd_);
}

const std::vector<Datagram>& DatagramListener::received() {
  std::array<unsigned char, 1500> buffer{};
  for (;;) {
    const ssize_t size = ::recv(fd_, buffer.data(), buffer.size(), 0);
    if (size < 0) break;  // EAGAIN: nothing more yet
    datagrams_.emplace_back(buffer.begin(), buffer.begin() + size);
  }
  return datagrams_;
}

Datagram magicPacket(const std::array<unsigned char, 6>& mac) {
  Datagram packet(6, 0xff);
  for (int repeat = 0; repeat < 16; ++repeat) packet.insert(packet.end(), mac.begin(), mac.end());
  return packet;
}

}  // namespace fivespot::testing
