#pragma once
// The HTTP transport under the Kubernetes client. Only src/cpprest_transport.cpp knows cpprestsdk;
// replacing the library means writing another implementation of these two interfaces.
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace fivespot::kube {

struct ClusterConfig;

struct HttpRequest {
  std::string method;  // GET, POST, PUT, PATCH, DELETE
  std::string target;  // path and query, e.g. "/api/v1/namespaces/default/pods?limit=500"
  std::vector<std::pair<std::string, std::string>> headers;  // Authorization is added by the transport
  std::string body;
};

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

// A streaming response read line by line (watch). Throws TransportError when the stream breaks;
// readLine() returns std::nullopt at a clean end of stream.
class HttpStream {
 public:
  virtual ~HttpStream() = default;
  [[nodiscard]] virtual int status() const = 0;
  virtual std::optional<std::string> readLine() = 0;
  // Safe from another thread: makes a blocked readLine() return std::nullopt promptly.
  virtual void cancel() = 0;
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Throws TransportError when no HTTP answer arrives within `timeout`.
  virtual HttpResponse send(const HttpRequest& request, std::chrono::milliseconds timeout) = 0;
  // `idleTimeout` bounds the gap between two received chunks, not the stream's length.
  virtual std::unique_ptr<HttpStream> openStream(const HttpRequest& request, std::chrono::milliseconds idleTimeout) = 0;
};

// The production transport (cpprestsdk): TLS verified against config.caPem unless
// insecureSkipTlsVerify, client certificates, bearer token (token file re-read on change).
std::shared_ptr<HttpTransport> makeHttpTransport(const ClusterConfig& config);

}  // namespace fivespot::kube
