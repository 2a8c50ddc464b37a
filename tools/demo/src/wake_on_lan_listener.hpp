#pragma once
// A UDP listener on 127.0.0.1 that stands in for the demo hosts' network cards: every Wake-on-LAN
// magic packet it receives is handed to a callback with the MAC address it wakes.
#include <functional>
#include <string>
#include <thread>

namespace fivespot::demo {

class WakeOnLanListener {
 public:
  using OnMagicPacket = std::function<void(const std::string& mac)>;

  // Binds 127.0.0.1 on a free port and starts receiving. Throws std::system_error.
  explicit WakeOnLanListener(OnMagicPacket onPacket);
  ~WakeOnLanListener();
  WakeOnLanListener(const WakeOnLanListener&) = delete;
  WakeOnLanListener& operator=(const WakeOnLanListener&) = delete;

  [[nodiscard]] int port() const noexcept { return port_; }

 private:
  void receive(std::stop_token stop);

  OnMagicPacket onPacket_;
  int socket_ = -1;
  int port_ = 0;
  std::jthread thread_;
};

}  // namespace fivespot::demo
