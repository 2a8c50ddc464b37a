#include "wake_on_lan_listener.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <span>
#include <system_error>

#include "plan.hpp"

namespace fivespot::demo {
namespace {

[[noreturn]] void throwErrno(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

}  // namespace

WakeOnLanListener::WakeOnLanListener(OnMagicPacket onPacket) : onPacket_(std::move(onPacket)) {
  socket_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (socket_ < 0) throwErrno("Wake-on-LAN listener: socket");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  if (::bind(socket_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(socket_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    const int error = errno;
    ::close(socket_);
    throw std::system_error(error, std::generic_category(), "Wake-on-LAN listener: bind 127.0.0.1");
  }
  port_ = ntohs(address.sin_port);
  thread_ = std::jthread([this](std::stop_token stop) { receive(stop); });
}

WakeOnLanListener::~WakeOnLanListener() {
  thread_.request_stop();
  if (thread_.joinable()) thread_.join();
  ::close(socket_);
}

void WakeOnLanListener::receive(std::stop_token stop) {
  // poll() with a short timeout, so that the destructor's stop request ends the thread promptly.
  constexpr int kPollMilliseconds = 100;
  std::array<std::uint8_t, 512> buffer{};
  while (!stop.stop_requested()) {
    pollfd fd{socket_, POLLIN, 0};
    if (::poll(&fd, 1, kPollMilliseconds) <= 0) continue;
    const ssize_t size = ::recv(socket_, buffer.data(), buffer.size(), 0);
    if (size <= 0) continue;
    if (auto mac = parseMagicPacket(std::span<const std::uint8_t>(buffer.data(), static_cast<std::size_t>(size)))) {
      onPacket_(*mac);
    }
  }
}

}  // namespace fivespot::demo
