// The only Beast/Asio translation unit: TLS, HTTP/1.1 parsing, chunked watch streaming, and the
// peer certificate's CN/O as the client identity.
#include "fivespot/testserver/http_server.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <list>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "fivespot/common/error.hpp"

namespace fivespot::testserver {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using TlsStream = ssl::stream<tcp::socket>;

std::string percentDecode(std::string_view text, bool plusIsSpace) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else if (plusIsSpace && text[i] == '+') {
      out += ' ';
    } else {
      out += text[i];
    }
  }
  return out;
}

void parseTarget(std::string_view target, ApiRequest& request) {
  const auto question = target.find('?');
  request.path = percentDecode(target.substr(0, question), false);
  if (question == std::string_view::npos) return;
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const auto eq = pair.find('=');
    request.query[percentDecode(pair.substr(0, eq), true)] =
        eq == std::string_view::npos ? std::string() : percentDecode(pair.substr(eq + 1), true);
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
}

std::vector<std::string> nameEntries(X509_NAME* name, int nid) {
  std::vector<std::string> values;
  for (int i = X509_NAME_get_index_by_NID(name, nid, -1); i >= 0; i = X509_NAME_get_index_by_NID(name, nid, i)) {
    ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
    unsigned char* utf8 = nullptr;
    const int length = ASN1_STRING_to_UTF8(&utf8, data);
    if (length >= 0) values.emplace_back(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(length));
    OPENSSL_free(utf8);
  }
  return values;
}

// The verified client certificate's identity, like kube-apiserver's x509 authenticator.
std::optional<Identity> peerIdentity(SSL* ssl) {
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (cert == nullptr) return std::nullopt;
  std::optional<Identity> identity;
  if (SSL_get_verify_result(ssl) == X509_V_OK) {
    X509_NAME* subject = X509_get_subject_name(cert);
    const auto cn = nameEntries(subject, NID_commonName);
    if (!cn.empty()) identity = Identity{cn.front(), "", nameEntries(subject, NID_organizationName)};
  }
  X509_free(cert);
  return identity;
}

}  // namespace

class HttpServer::Impl {
 public:
  Impl(ApiServer& api, HttpServerOptions options)
      : api_(api), options_(std::move(options)), context_(ssl::context::tls_server), acceptor_(io_) {
    try {
      context_.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                           ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
      context_.use_certificate_chain_file(options_.serving.certificate);
      context_.use_private_key_file(options_.serving.key, ssl::context::pem);
      context_.load_verify_file(options_.caFile);
      // Client certificates are optional (bearer tokens are the alternative) but verified when sent.
      context_.set_verify_mode(ssl::verify_peer);
      const tcp::endpoint endpoint(net::ip::make_address(options_.address), options_.port);
      acceptor_.open(endpoint.protocol());
      acceptor_.set_option(net::socket_base::reuse_address(true));
      acceptor_.bind(endpoint);
      acceptor_.listen(net::socket_base::max_listen_connections);
    } catch (const boost::system::system_error& e) {
      throw ConfigError("listen " + options_.address + ":" + std::to_string(options_.port), e.what());
    }
  }

  ~Impl() { stop(); }

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

  void start() {
    acceptThread_ = std::thread([this] { acceptLoop(); });
  }

  void stop() {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      stopping_ = true;
      ::shutdown(acceptor_.native_handle(), SHUT_RDWR);  // unblocks accept()
      for (int fd : openSockets_) ::shutdown(fd, SHUT_RDWR);
    }
    api_.shutdown();  // ends watches blocked on the store
    if (acceptThread_.joinable()) acceptThread_.join();
    std::list<Connection> remaining;
    {
      std::lock_guard lock(mutex_);
      remaining.swap(connections_);
    }
    for (auto& c : remaining) c.thread.join();
    boost::system::error_code ignored;
    acceptor_.close(ignored);
  }

 private:
  struct Connection {
    std::thread thread;
    bool done = false;
  };

  void acceptLoop() {
    for (;;) {
      tcp::socket socket(io_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      if (ec) {
        spdlog::warn("accept failed: {}", ec.message());
        continue;
      }
      reapFinished();
      openSockets_.insert(socket.native_handle());
      auto& connection = connections_.emplace_back();
      connection.thread =
          std::thread([this, s = std::move(socket), c = &connection]() mutable { serve(std::move(s), c); });
    }
  }

  void reapFinished() {  // caller holds mutex_
    for (auto it = connections_.begin(); it != connections_.end();) {
      if (it->done) {
        it->thread.join();
        it = connections_.erase(it);
      } else {
        ++it;
      }
    }
  }

  void serve(tcp::socket socket, Connection* connection) {
    const int fd = socket.native_handle();
    TlsStream stream(std::move(socket), context_);
    boost::system::error_code ec;
    stream.handshake(ssl::stream_base::server, ec);
    if (!ec) {
      const auto identity = peerIdentity(stream.native_handle());
      beast::flat_buffer buffer;
      while (exchange(stream, buffer, identity)) {
      }
    } else {
      spdlog::debug("TLS handshake failed: {}", ec.message());
    }
    std::lock_guard lock(mutex_);
    openSockets_.erase(fd);
    stream.lowest_layer().close(ec);
    connection->done = true;
  }

  // One request and its response; false when the connection should close.
  bool exchange(TlsStream& stream, beast::flat_buffer& buffer, const std::optional<Identity>& identity) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    boost::system::error_code ec;
    http::read(stream, buffer, parser, ec);
    if (ec) return false;
    const auto& message = parser.get();
    ApiRequest request;
    request.method = std::string(message.method_string());
    parseTarget(std::string_view(message.target().data(), message.target().size()), request);
    request.contentType = std::string(message[http::field::content_type]);
    request.accept = std::string(message[http::field::accept]);
    request.authorization = std::string(message[http::field::authorization]);
    request.body = message.body();
    request.clientCertificate = identity;
    ApiResponse response = api_.handle(request);
    spdlog::debug("{} {} -> {}", request.method, std::string(message.target()), response.status);
    if (response.stream) return streamResponse(stream, message, *response.stream);
    http::response<http::string_body> reply{static_cast<http::status>(response.status), message.version()};
    reply.set(http::field::content_type, response.contentType);
    reply.keep_alive(message.keep_alive());
    reply.body() = std::move(response.body);
    reply.prepare_payload();
    http::write(stream, reply, ec);
    return !ec && message.keep_alive();
  }

  bool streamResponse(TlsStream& stream, const http::request<http::string_body>& message, ResponseStream& body) {
    http::response<http::empty_body> head{http::status::ok, message.version()};
    head.set(http::field::content_type, "application/json");
    head.chunked(true);
    head.keep_alive(message.keep_alive());
    http::response_serializer<http::empty_body> serializer{head};
    boost::system::error_code ec;
    http::write_header(stream, serializer, ec);
    while (!ec) {
      const Chunk chunk = body.next();
      if (chunk.kind == Chunk::Kind::Drop) return false;  // the connection closes without a last chunk
      if (chunk.kind == Chunk::Kind::End) {
        net::write(stream, http::make_chunk_last(), ec);
        return !ec && message.keep_alive();
      }
      net::write(stream, http::make_chunk(net::buffer(chunk.data)), ec);
    }
    return false;
  }

  ApiServer& api_;
  HttpServerOptions options_;
  net::io_context io_;
  ssl::context context_;
  tcp::acceptor acceptor_;
  std::thread acceptThread_;
  std::mutex mutex_;
  bool stopping_ = false;
  std::set<int> openSockets_;
  std::list<Connection> connections_;
};

HttpServer::HttpServer(ApiServer& api, HttpServerOptions options)
    : impl_(std::make_unique<Impl>(api, std::move(options))) {}
HttpServer::~HttpServer() = default;
std::uint16_t HttpServer::port() const {
  return impl_->port();
}
void HttpServer::start() {
  impl_->start();
}
void HttpServer::stop() {
  impl_->stop();
}

}  // namespace fivespot::testserver
