// The one translation unit that knows cpprestsdk (see http.hpp). Facts it relies on, measured on
// Debian 12's cpprest 2.10.18: set_timeout() is an idle timeout; request() completes on headers and
// the body streams; cancellation aborts a blocked read_line within milliseconds; the thread pool
// must be sized before first use or it starts 40 threads; its asio stage always sends its own
// User-Agent ("cpprestsdk/2.10.18"), whatever the request carries.
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <spdlog/spdlog.h>

#include <cpprest/containerstream.h>
#include <cpprest/http_client.h>
#include <pplx/threadpool.h>
#include <atomic>
#include <map>
#include <mutex>

#include "fivespot/kube/base64.hpp"
#include "fivespot/kube/config.hpp"
#include "fivespot/kube/errors.hpp"
#include "fivespot/kube/http.hpp"
#include "token_source.hpp"

namespace fivespot::kube {
namespace {

namespace http = web::http;
using Millis = std::chrono::milliseconds;

constexpr std::size_t kThreadPoolSize = 4;

void initializeThreadPoolOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    try {
      crossplat::threadpool::initialize_with_threads(kThreadPoolSize);
    } catch (const std::runtime_error&) {
      // Another part of the process (e.g. an http_listener) sized the pool first; that is fine.
      spdlog::debug("kube: cpprest thread pool was already initialised");
    }
  });
}

std::string hostOf(const std::string& server) {
  return web::uri(server).host();
}

// What failed, in words an operator can act on: cpprest's own texts do not name the cause.
std::string explain(const std::string& what, bool https) {
  if (!https) return what;
  if (what.find("handshake") != std::string::npos || what.find("SSL") != std::string::npos) {
    return what +
           ": TLS verification failed (the server certificate is not signed by the configured CA, does not "
           "name this host, or the server refused the client certificate)";
  }
  if (what.find("status line") != std::string::npos) {
    return what +
           ": the connection closed before an HTTP answer (with TLS 1.3 this is how a server rejects a "
           "missing or untrusted client certificate)";
  }
  return what;
}

class CpprestStream final : public HttpStream {
 public:
  CpprestStream(std::unique_ptr<http::client::http_client> client, http::http_response response,
                pplx::cancellation_token_source cancellation, std::string request, bool https)
      : client_(std::move(client)),
        response_(std::move(response)),
        body_(response_.body()),
        cancellation_(std::move(cancellation)),
        request_(std::move(request)),
        https_(https) {}

  ~CpprestStream() override { cancellation_.cancel(); }

  [[nodiscard]] int status() const override { return response_.status_code(); }

  std::optional<std::string> readLine() override {
    if (cancelled_) return std::nullopt;
    concurrency::streams::container_buffer<std::string> line;
    try {
      const std::size_t read = body_.read_line(line).get();
      if (read == 0 && body_.is_eof()) return std::nullopt;
      return std::move(line.collection());
    } catch (const std::exception& e) {
      if (cancelled_) return std::nullopt;
      throw TransportError(request_, "stream broke: " + explain(e.what(), https_));
    }
  }

  void cancel() override {
    cancelled_ = true;
    cancellation_.cancel();
  }

 private:
  std::unique_ptr<http::client::http_client> client_;  // owns the connection the body reads from
  http::http_response response_;
  concurrency::streams::istream body_;
  pplx::cancellation_token_source cancellation_;
  std::string request_;
  bool https_;
  std::atomic<bool> cancelled_{false};
};

class CpprestTransport final : public HttpTransport {
 public:
  explicit CpprestTransport(const ClusterConfig& config)
      : server_(config.server),
        https_(config.server.rfind("https://", 0) == 0),
        insecure_(config.insecureSkipTlsVerify),
        caPem_(config.caPem),
        clientCertPem_(config.clientCertPem),
        clientKeyPem_(config.clientKeyPem),
        tokens_(config.token, config.tokenFile),
        tlsSummary_(describeTls(config)) {
    if (!config.tlsServerName.empty() && config.tlsServerName != hostOf(config.server)) {
      // cpprest verifies against the URL's host and offers no override.
      throw ConfigError("cluster " + config.server,
                        "tls-server-name \"" + config.tlsServerName +
                            "\" differs from the server's host; the "
                            "cpprestsdk transport can only verify the host named in the server URL");
    }
    if (!config.username.empty()) {
      basicAuth_ = "Basic " + base64Encode(config.username + ":" + config.password);
    }
    initializeThreadPoolOnce();
  }

  HttpResponse send(const HttpRequest& request, Millis timeout) override {
    const std::string where = request.method + " " + server_ + request.target;
    try {
      http::http_response response = clientFor(timeout).request(toCpprest(request)).get();
      HttpResponse result;
      result.status = response.status_code();
      for (const auto& [name, value] : response.headers()) result.headers[lowerCase(name)] = value;
      result.body = response.extract_utf8string(/*ignore_content_type=*/true).get();
      return result;
    } catch (const ConfigError&) {
      throw;
    } catch (const std::exception& e) {
      throw TransportError(where, "no answer: " + explain(e.what(), https_) + " [" + tlsSummary_ + "]");
    }
  }

  std::unique_ptr<HttpStream> openStream(const HttpRequest& request, Millis idleTimeout) override {
    const std::string where = request.method + " " + server_ + request.target;
    try {
      // A client per stream: a watch holds its HTTP/1.1 connection for minutes.
      auto client = std::make_unique<http::client::http_client>(server_, clientConfig(idleTimeout));
      pplx::cancellation_token_source cancellation;
      http::http_response response = client->request(toCpprest(request), cancellation.get_token()).get();
      return std::make_unique<CpprestStream>(std::move(client), std::move(response), std::move(cancellation), where,
                                             https_);
    } catch (const ConfigError&) {
      throw;
    } catch (const std::exception& e) {
      throw TransportError(where, "no answer: " + explain(e.what(), https_) + " [" + tlsSummary_ + "]");
    }
  }

 private:
  static std::string describeTls(const ClusterConfig& config) {
    if (config.server.rfind("https://", 0) != 0) return "plain http";
    std::string text = "tls ca=";
    text += config.insecureSkipTlsVerify ? "NOT VERIFIED (insecure-skip-tls-verify)"
                                         : (config.caPem.empty() ? "system" : "configured");
    text += config.clientCertPem.empty() ? " client-cert=none" : " client-cert=configured";
    return text;
  }

  static std::string lowerCase(std::string text) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
  }

  http::client::http_client_config clientConfig(Millis timeout) const {
    http::client::http_client_config config;
    config.set_timeout(timeout);
    if (!https_) return config;
    config.set_validate_certificates(!insecure_);
    config.set_ssl_context_callback(
        [ca = caPem_, cert = clientCertPem_, key = clientKeyPem_](boost::asio::ssl::context& context) {
          if (!ca.empty()) {
            // Trust only the configured CA, as client-go does, not the system store as well.
            SSL_CTX_set_cert_store(context.native_handle(), X509_STORE_new());
            context.add_certificate_authority(boost::asio::buffer(ca));
          }
          if (!cert.empty()) {
            context.use_certificate_chain(boost::asio::buffer(cert));
            context.use_private_key(boost::asio::buffer(key), boost::asio::ssl::context::pem);
          }
        });
    return config;
  }

  // Connections are reused per client, so keep one per distinct timeout (in practice one).
  http::client::http_client& clientFor(Millis timeout) {
    std::lock_guard lock(mutex_);
    auto& client = clients_[timeout];
    if (!client) client = std::make_unique<http::client::http_client>(server_, clientConfig(timeout));
    return *client;
  }

  http::http_request toCpprest(const HttpRequest& request) {
    http::http_request result(request.method);
    result.set_request_uri(request.target);
    std::string contentType = "application/json";
    for (const auto& [name, value] : request.headers) {
      if (lowerCase(name) == "content-type") {
        contentType = value;
      } else {
        result.headers().add(name, value);
      }
    }
    if (const std::string token = tokens_.token(); !token.empty()) {
      result.headers().add("Authorization", "Bearer " + token);
    } else if (!basicAuth_.empty()) {
      result.headers().add("Authorization", basicAuth_);
    }
    if (!request.body.empty()) result.set_body(request.body, contentType);
    return result;
  }

  std::string server_;
  bool https_;
  bool insecure_;
  std::string caPem_, clientCertPem_, clientKeyPem_;
  detail::TokenSource tokens_;
  std::string basicAuth_;
  std::string tlsSummary_;
  std::mutex mutex_;
  std::map<Millis, std::unique_ptr<http::client::http_client>> clients_;
};

}  // namespace

std::shared_ptr<HttpTransport> makeHttpTransport(const ClusterConfig& config) {
  return std::make_shared<CpprestTransport>(config);
}

}  // namespace fivespot::kube
