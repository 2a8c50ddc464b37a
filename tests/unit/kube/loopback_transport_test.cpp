// The production transport over plain HTTP against a loopback server written here with raw
// sockets: what goes on the wire (auth, bodies, content types), token-file rotation between
// requests, and line-by-line streaming with cancellation.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <future>
#include <mutex>
#include <thread>

#include "fivespot/kube/config.hpp"
#include "fivespot/kube/errors.hpp"
#include "fivespot/kube/http.hpp"
#include "temp_dir.hpp"

namespace fivespot::kube {
namespace {

using namespace std::chrono_literals;
using testing::TempDir;

void writeAll(int fd, const std::string& data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;  // the client went away (e.g. a cancelled watch)
    sent += static_cast<std::size_t>(n);
  }
}

std::string lowerCase(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// The value of a request header (cpprest writes "Name:value" without a space), "" when absent.
std::string header(const std::string& request, const std::string& name) {
  const std::string head = request.substr(0, request.find("\r\n\r\n"));
  std::size_t start = head.find("\r\n");
  while (start != std::string::npos) {
    const std::size_t end = head.find("\r\n", start + 2);
    const std::string line = head.substr(start + 2, end == std::string::npos ? std::string::npos : end - start - 2);
    const auto colon = line.find(':');
    if (colon != std::string::npos && lowerCase(line.substr(0, colon)) == lowerCase(name)) {
      const auto value = line.find_first_not_of(' ', colon + 1);
      return value == std::string::npos ? "" : line.substr(value);
    }
    start = end;
  }
  return "";
}

// One request per connection; `respond` writes the answer and the connection is then closed.
class LoopbackHttpServer {
 public:
  using Responder = std::function<void(int fd)>;

  explicit LoopbackHttpServer(Responder respond) : respond_(std::move(respond)) {
    listenFd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    if (::bind(listenFd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 || ::listen(listenFd_, 8) != 0 ||
        ::getsockname(listenFd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      throw std::runtime_error("cannot listen on loopback");
    }
    port_ = ntohs(address.sin_port);
    acceptor_ = std::thread([this] { serve(); });
  }

  ~LoopbackHttpServer() {
    ::shutdown(listenFd_, SHUT_RDWR);  // unblocks accept()
    acceptor_.join();
    ::close(listenFd_);
  }

  [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // The raw text (head + body) of the n-th request, waiting for it to arrive.
  std::string request(std::size_t index) {
    std::unique_lock lock(mutex_);
    if (!arrived_.wait_for(lock, 10s, [&] { return requests_.size() > index; })) return "";
    return requests_[index];
  }

 private:
  void serve() {
    for (;;) {
      const int fd = ::accept(listenFd_, nullptr, nullptr);
      if (fd < 0) return;
      const std::string text = readRequest(fd);
      {
        std::lock_guard lock(mutex_);
        requests_.push_back(text);
      }
      arrived_.notify_all();
      respond_(fd);
      ::close(fd);
    }
  }

  static std::string readRequest(int fd) {
    std::string text;
    char buffer[4096];
    std::size_t expected = std::string::npos;
    while (expected == std::string::npos || text.size() < expected) {
      const ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
      if (n <= 0) break;
      text.append(buffer, static_cast<std::size_t>(n));
      const auto headEnd = text.find("\r\n\r\n");
      if (headEnd == std::string::npos || expected != std::string::npos) continue;
      const std::string head = lowerCase(text.substr(0, headEnd));
      const auto length = head.find("content-length:");
      expected = headEnd + 4 + (length == std::string::npos ? 0 : std::stoul(head.substr(length + 15)));
    }
    return text;
  }

  Responder respond_;
  int listenFd_ = -1;
  int port_ = 0;
  std::thread acceptor_;
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::vector<std::string> requests_;
};

void respondOk(int fd) {
  writeAll(fd,
           "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nRetry-After: 3\r\nContent-Length: 2\r\n"
           "Connection: close\r\n\r\n{}");
}

// Lines the test hands to a streaming answer; an empty optional ends the stream.
class LineFeed {
 public:
  void push(std::optional<std::string> line) {
    {
      std::lock_guard lock(mutex_);
      lines_.push_back(std::move(line));
    }
    changed_.notify_all();
  }
  std::optional<std::string> pop() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return !lines_.empty(); });
    auto line = std::move(lines_.front());
    lines_.pop_front();
    return line;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::optional<std::string>> lines_;
};

void respondChunked(int fd, LineFeed& feed) {
  writeAll(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
  while (auto line = feed.pop()) {
    const std::string data = *line + "\n";
    char size[16];
    std::snprintf(size, sizeof(size), "%zx\r\n", data.size());
    writeAll(fd, size + data + "\r\n");
  }
  writeAll(fd, "0\r\n\r\n");
}

TEST(LoopbackTransportTest, SendsHeadersAndBodyAndReturnsLowerCasedHeaders) {
  LoopbackHttpServer server(respondOk);
  ClusterConfig config;
  config.server = server.url();
  config.token = "static-token";

  const HttpResponse response = makeHttpTransport(config)->send({"PATCH",
                                                                 "/api/v1/namespaces/d/pods/p?fieldManager=x",
                                                                 {{"Content-Type", "application/merge-patch+json"}},
                                                                 R"({"a":1})"},
                                                                5s);

  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "{}");
  EXPECT_EQ(response.headers.at("retry-after"), "3");
  const std::string seen = server.request(0);
  EXPECT_EQ(seen.rfind("PATCH /api/v1/namespaces/d/pods/p?fieldManager=x HTTP/1.1\r\n", 0), 0u) << seen;
  EXPECT_EQ(header(seen, "Content-Type"), "application/merge-patch+json") << seen;
  EXPECT_EQ(header(seen, "Authorization"), "Bearer static-token") << seen;
  EXPECT_NE(seen.find("\r\n\r\n{\"a\":1}"), std::string::npos) << seen;
}

TEST(LoopbackTransportTest, RotatedTokenFileIsUsedByTheNextRequest) {
  LoopbackHttpServer server(respondOk);
  TempDir dir;
  ClusterConfig config;
  config.server = server.url();
  config.tokenFile = dir.write("token", "first-token\n");
  const auto transport = makeHttpTransport(config);

  transport->send({"GET", "/api", {}, {}}, 5s);
  dir.write("token.new", "second-token\n");
  std::filesystem::rename(dir.path() / "token.new", dir.path() / "token");
  transport->send({"GET", "/api", {}, {}}, 5s);

  EXPECT_EQ(header(server.request(0), "Authorization"), "Bearer first-token");
  EXPECT_EQ(header(server.request(1), "Authorization"), "Bearer second-token");
}

TEST(LoopbackTransportTest, BasicAuthWhenThereIsNoToken) {
  LoopbackHttpServer server(respondOk);
  ClusterConfig config;
  config.server = server.url();
  config.username = "alice";
  config.password = "s3cret";
  makeHttpTransport(config)->send({"GET", "/api", {}, {}}, 5s);
  EXPECT_EQ(header(server.request(0), "Authorization"), "Basic YWxpY2U6czNjcmV0");
}

TEST(LoopbackTransportTest, StreamDeliversLinesAsTheyArriveAndEndsCleanly) {
  LineFeed feed;
  LoopbackHttpServer server([&](int fd) { respondChunked(fd, feed); });
  ClusterConfig config;
  config.server = server.url();
  const auto stream = makeHttpTransport(config)->openStream({"GET", "/api/v1/pods?watch=1", {}, {}}, 5s);
  ASSERT_EQ(stream->status(), 200);

  feed.push(R"({"type":"ADDED","object":{}})");
  EXPECT_EQ(stream->readLine(), R"({"type":"ADDED","object":{}})");  // before the server sends more
  feed.push("second");
  feed.push(std::nullopt);
  EXPECT_EQ(stream->readLine(), "second");
  EXPECT_EQ(stream->readLine(), std::nullopt);
}

TEST(LoopbackTransportTest, CancelUnblocksAWaitingReadLine) {
  LineFeed feed;
  LoopbackHttpServer server([&](int fd) { respondChunked(fd, feed); });
  ClusterConfig config;
  config.server = server.url();
  const auto stream = makeHttpTransport(config)->openStream({"GET", "/api/v1/pods?watch=1", {}, {}}, 30s);
  feed.push("first");
  ASSERT_EQ(stream->readLine(), "first");

  auto blocked = std::async(std::launch::async, [&] { return stream->readLine(); });
  stream->cancel();
  ASSERT_EQ(blocked.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(blocked.get(), std::nullopt);
  feed.push(std::nullopt);  // lets the server's handler finish
}

TEST(LoopbackTransportTest, RefusedConnectionIsATransportErrorNamingTheUrl) {
  int port = 0;
  {
    LoopbackHttpServer server(respondOk);
    port = std::stoi(server.url().substr(server.url().rfind(':') + 1));
  }
  ClusterConfig config;
  config.server = "http://127.0.0.1:" + std::to_string(port);
  try {
    makeHttpTransport(config)->send({"GET", "/version", {}, {}}, 5s);
    FAIL() << "expected TransportError";
  } catch (const TransportError& e) {
    EXPECT_NE(std::string(e.what()).find("GET http://127.0.0.1:" + std::to_string(port) + "/version"),
              std::string::npos)
        << e.what();
  }
}

TEST(LoopbackTransportTest, TlsServerNameOtherThanTheHostIsRejected) {
  ClusterConfig config;
  config.server = "https://10.0.0.1:6443";
  config.tlsServerName = "api.example";
  EXPECT_THROW(makeHttpTransport(config), ConfigError);
  config.tlsServerName = "10.0.0.1";
  EXPECT_NO_THROW(makeHttpTransport(config));
}

}  // namespace
}  // namespace fivespot::kube
