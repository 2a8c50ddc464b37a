// The production transport against a real TLS server: `openssl s_server -www -Verify 1` demands a
// client certificate and answers any request with a 200 status page. Certificates come from the
// openssl CLI at test start; the test skips when the CLI is not installed.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "fivespot/kube/config.hpp"
#include "fivespot/kube/errors.hpp"
#include "fivespot/kube/http.hpp"
#include "temp_dir.hpp"

// Under FIVESPOT_SANITIZE, LeakSanitizer reports OpenSSL state allocated during handshakes on
// cpprest's never-joined pool threads (about 15 KB for the first connection, then ~0.5 KB per
// connection, all inside libcrypto called from boost::asio::ssl in libcpprest). Plain-HTTP tests
// are leak-free; these frames are third-party, so they are suppressed for this binary.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libcrypto.so\n";
}

namespace fivespot::kube {
namespace {

using namespace std::chrono_literals;
using testing::TempDir;

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

bool run(const std::string& command) {
  return std::system((command + " >/dev/null 2>&1").c_str()) == 0;
}

int freeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ::close(fd);
    return 0;
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

bool accepts(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool connected = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  ::close(fd);
  return connected;
}

// CA-signed certificates for the server (127.0.0.1) and a client, plus an unrelated second CA.
bool makeCertificates(const std::filesystem::path& dir) {
  const std::string d = dir.string();
  const std::string newKey = "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes ";
  std::ofstream(dir / "server.ext") << "subjectAltName=IP:127.0.0.1,DNS:localhost\n";
  std::ofstream(dir / "client.ext") << "extendedKeyUsage=clientAuth\n";
  return run(newKey + "-x509 -days 1 -subj /CN=test-ca -keyout " + d + "/ca.key -out " + d + "/ca.crt") &&
         run(newKey + "-x509 -days 1 -subj /CN=other-ca -keyout " + d + "/other.key -out " + d + "/other.crt") &&
         run(newKey + "-subj /CN=127.0.0.1 -keyout " + d + "/server.key -out " + d + "/server.csr") &&
         run("openssl x509 -req -days 1 -in " + d + "/server.csr -CA " + d + "/ca.crt -CAkey " + d +
             "/ca.key -CAcreateserial -extfile " + d + "/server.ext -out " + d + "/server.crt") &&
         run(newKey + "-subj /CN=fivespot-test/O=system:masters -keyout " + d + "/client.key -out " + d +
             "/client.csr") &&
         run("openssl x509 -req -days 1 -in " + d + "/client.csr -CA " + d + "/ca.crt -CAkey " + d +
             "/ca.key -CAcreateserial -extfile " + d + "/client.ext -out " + d + "/client.crt");
}

class TlsTransportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!run("openssl version")) return;
    dir_ = new TempDir();
    if (!makeCertificates(dir_->path())) return;
    port_ = freeLoopbackPort();
    if (port_ == 0) return;
    serverPid_ = startServer();
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    while (std::chrono::steady_clock::now() < deadline) {
      if (accepts(port_)) return;
      if (::waitpid(serverPid_, nullptr, WNOHANG) == serverPid_) break;  // s_server exited: give up
      std::this_thread::sleep_for(10ms);  // polling the port, not waiting for a guessed time
    }
    stopServer();
  }

  static void TearDownTestSuite() {
    stopServer();
    delete dir_;
    dir_ = nullptr;
  }

  void SetUp() override {
    if (serverPid_ <= 0) GTEST_SKIP() << "openssl CLI or s_server unavailable";
  }

  static pid_t startServer() {
    const std::string d = dir_->path().string();
    const std::string accept = "127.0.0.1:" + std::to_string(port_);
    const std::string cert = d + "/server.crt", key = d + "/server.key", ca = d + "/ca.crt";
    const pid_t pid = ::fork();
    if (pid == 0) {
      const int devNull = ::open("/dev/null", O_RDWR);
      ::dup2(devNull, STDIN_FILENO);
      ::dup2(devNull, STDOUT_FILENO);
      ::dup2(devNull, STDERR_FILENO);
      ::execlp("openssl", "openssl", "s_server", "-www", "-Verify", "1", "-accept", accept.c_str(), "-cert",
               cert.c_str(), "-key", key.c_str(), "-CAfile", ca.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    return pid;
  }

  static void stopServer() {
    if (serverPid_ <= 0) return;
    ::kill(serverPid_, SIGTERM);
    ::waitpid(serverPid_, nullptr, 0);
    serverPid_ = -1;
  }

  static ClusterConfig config(const std::string& caFile, bool withClientCert) {
    ClusterConfig config;
    config.server = "https://127.0.0.1:" + std::to_string(port_);
    config.caPem = slurp(dir_->path() / caFile);
    if (withClientCert) {
      config.clientCertPem = slurp(dir_->path() / "client.crt");
      config.clientKeyPem = slurp(dir_->path() / "client.key");
    }
    return config;
  }

  static std::string failureOf(const ClusterConfig& config) {
    try {
      makeHttpTransport(config)->send({"GET", "/version", {}, {}}, 10s);
    } catch (const TransportError& e) {
      RecordProperty("transport_error", e.what());  // shows the operator-facing text in the XML report
      return e.what();
    }
    ADD_FAILURE() << "expected a TransportError";
    return "";
  }

  static inline TempDir* dir_ = nullptr;
  static inline int port_ = 0;
  static inline pid_t serverPid_ = -1;
};

TEST_F(TlsTransportTest, TrustedServerAndClientCertificateSucceed) {
  const HttpResponse response = makeHttpTransport(config("ca.crt", true))->send({"GET", "/version", {}, {}}, 10s);
  EXPECT_EQ(response.status, 200);
}

TEST_F(TlsTransportTest, InsecureSkipVerifyAcceptsAnUntrustedServer) {
  ClusterConfig insecure = config("other.crt", true);
  insecure.insecureSkipTlsVerify = true;
  EXPECT_EQ(makeHttpTransport(insecure)->send({"GET", "/", {}, {}}, 10s).status, 200);
}

TEST_F(TlsTransportTest, WrongCaFailsNamingTheServerAndTlsVerification) {
  const std::string message = failureOf(config("other.crt", true));
  EXPECT_NE(message.find("https://127.0.0.1:" + std::to_string(port_) + "/version"), std::string::npos) << message;
  EXPECT_NE(message.find("TLS verification failed"), std::string::npos) << message;
  EXPECT_NE(message.find("client-cert=configured"), std::string::npos) << message;
}

TEST_F(TlsTransportTest, MissingClientCertificateFails) {
  const std::string message = failureOf(config("ca.crt", false));
  EXPECT_NE(message.find("127.0.0.1"), std::string::npos) << message;
  EXPECT_NE(message.find("client-cert=none"), std::string::npos) << message;
}

}  // namespace
}  // namespace fivespot::kube
