#pragma once
// A UDP socket on 127.0.0.1 that keeps every datagram it receives: the network card of a host
// under test, for Wake-on-LAN magic packets.
#include <array>
#include <vector>

namespace fivespot::testing {

using Datagram = std::vector<unsigned char>;

class DatagramListener {
 public:
  DatagramListener();  // binds a free port; throws std::runtime_error
  ~DatagramListener();
  DatagramListener(const DatagramListener&) = delete;
  DatagramListener& operator=(const DatagramListener&) = delete;

  [[nodiscard]] int port() const noexcept { return port_; }

  // Every datagram received so far (a loopback send is queued on this socket before it returns).
  const std::vector<Datagram>& received();

 private:
  int fd_;
  int port_ = 0;
  std::vector<Datagram> datagrams_;
};

// The 102-byte Wake-on-LAN magic packet: six 0xff, then the MAC sixteen times.
Datagram magicPacket(const std::array<unsigned char, 6>& mac);

}  // namespace fivespot::testing
