#pragma once
// The transport-neutral request and response the API logic works on, so that every semantic is
// testable without sockets; http_server.cpp converts Beast messages to and from these.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace fivespot::testserver {

struct Identity {
  std::string user;
  std::string uid;
  std::vector<std::string> groups;
};

struct ApiRequest {
  std::string method;                        // "GET", "POST", ...
  std::string path;                          // decoded path without the query
  std::map<std::string, std::string> query;  // decoded query parameters
  std::string contentType;
  std::string accept;
  std::string body;
  std::optional<Identity> clientCertificate;  // verified peer certificate: CN = user, O = groups
  std::string authorization;                  // the Authorization header, e.g. "Bearer abc"
};

// A streamed body (watch): the transport pulls chunks until End, or closes the connection
// without finishing the response on Drop (a simulated network fault).
struct Chunk {
  enum class Kind { Data, End, Drop };
  Kind kind = Kind::End;
  std::string data;
};

class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  // Blocks until the next chunk is due.
  virtual Chunk next() = 0;
};

struct ApiResponse {
  int status = 200;
  std::string contentType = "application/json";
  std::string body;
  std::unique_ptr<ResponseStream> stream;  // set for watches: headers then chunks
};

}  // namespace fivespot::testserver
