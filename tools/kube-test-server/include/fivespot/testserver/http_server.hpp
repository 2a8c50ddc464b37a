#pragma once
// HTTPS transport (Boost.Beast) for ApiServer: TLS with optional client certificates, one thread per
// connection (watches block on their own thread), chunked streaming for watches.
#include <cstdint>
#include <memory>
#include <string>

#include "fivespot/testserver/api_server.hpp"
#include "fivespot/testserver/pki.hpp"

namespace fivespot::testserver {

struct HttpServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;  // 0 = any free port
  std::string caFile;      // client certificates must chain to it
  CertificateFiles serving;
};

class HttpServer {
 public:
  HttpServer(ApiServer& api, HttpServerOptions options);  // binds and listens; throws ConfigError
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  [[nodiscard]] std::uint16_t port() const;
  void start();  // accepts on a background thread
  void stop();   // closes the listener and every connection, joins the threads

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fivespot::testserver
