// The HTTPS transport end to end: port 0, generated certificates, client-certificate identity, a
// plain request and a streaming watch.
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "fivespot/testserver/http_server.hpp"
#include "fivespot/testserver/pki.hpp"

namespace fivespot::testserver {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

class SocketTest : public ::testing::Test {
 protected:
  SocketTest()
      : dir_(std::filesystem::temp_directory_path() / ("kts-" + std::to_string(::getpid()))),
        pki_(ensurePki(dir_.string())),
        api_(ApiServerOptions{}),
        server_((api_.start(), api_), HttpServerOptions{"127.0.0.1", 0, pki_.ca.certificate, pki_.server}) {
    server_.start();
  }
  ~SocketTest() override {
    server_.stop();
    std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<ssl::stream<tcp::socket>> connect(const CertificateFiles& client) {
    context_.load_verify_file(pki_.ca.certificate);
    context_.use_certificate_chain_file(client.certificate);
    context_.use_private_key_file(client.key, ssl::context::pem);
    context_.set_verify_mode(ssl::verify_peer);
    auto stream = std::make_unique<ssl::stream<tcp::socket>>(io_, context_);
    stream->next_layer().connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server_.port()));
    stream->set_verify_callback(ssl::host_name_verification("127.0.0.1"));
    stream->handshake(ssl::stream_base::client);
    return stream;
  }

  static void send(ssl::stream<tcp::socket>& stream, http::verb verb, const std::string& target,
                   const std::string& body = "") {
    http::request<http::string_body> request{verb, target, 11};
    request.set(http::field::host, "127.0.0.1");
    request.set(http::field::content_type, "application/json");
    request.body() = body;
    request.prepare_payload();
    http::write(stream, request);
  }

  std::filesystem::path dir_;
  Pki pki_;
  ApiServer api_;
  HttpServer server_;
  net::io_context io_;
  ssl::context context_{ssl::context::tls_client};
};

TEST_F(SocketTest, ClientCertificateIdentityAndStreamingWatch) {
  ASSERT_NE(server_.port(), 0);
  const auto viewer = issueClientCertificate(pki_, dir_.string(), "viewer", "viewer", {"team-a"});
  api_.setAuthorizer(Authorizer::fromJson(
      nlohmann::json::parse(
          R"({"rules":[{"group":"team-a","verbs":["get","list","watch"],"groups":[""],"resources":["*"]}]})"),
      "test"));
  auto stream = connect(viewer);
  send(*stream, http::verb::get, "/api/v1/namespaces/default");
  beast::flat_buffer buffer;
  http::response<http::string_body> reply;
  http::read(*stream, buffer, reply);
  EXPECT_EQ(reply.result_int(), 200);
  EXPECT_EQ(nlohmann::json::parse(reply.body())["metadata"]["name"], "default");

  send(*stream, http::verb::delete_, "/api/v1/namespaces/default");
  http::response<http::string_body> denied;
  http::read(*stream, buffer, denied);
  EXPECT_EQ(denied.result_int(), 403);
  EXPECT_NE(denied.body().find("User \\\"viewer\\\" cannot delete"), std::string::npos) << denied.body();

  send(*stream, http::verb::get, "/api/v1/namespaces/default/configmaps?watch=1");
  http::response_parser<http::string_body> parser;
  std::string received;
  auto onChunk = [&](std::uint64_t, beast::string_view data, boost::system::error_code&) {
    received.append(data.data(), data.size());
    return data.size();
  };
  parser.on_chunk_body(onChunk);
  http::read_header(*stream, buffer, parser);
  EXPECT_EQ(parser.get().result_int(), 200);
  EXPECT_TRUE(parser.get().chunked());

  ApiRequest create;
  create.method = "POST";
  create.path = "/api/v1/namespaces/default/configmaps";
  create.body = R"({"metadata":{"name":"watched"}})";
  create.clientCertificate = Identity{"admin", "", {"system:masters"}};
  api_.setAuthorizer(Authorizer());
  ASSERT_EQ(api_.handle(create).status, 201);
  while (received.find('\n') == std::string::npos) http::read_some(*stream, buffer, parser);
  const auto event = nlohmann::json::parse(received.substr(0, received.find('\n')));
  EXPECT_EQ(event["type"], "ADDED");
  EXPECT_EQ(event["object"]["metadata"]["name"], "watched");
}

TEST_F(SocketTest, RequestsWithoutCredentialsAre401) {
  ssl::context bare{ssl::context::tls_client};
  bare.load_verify_file(pki_.ca.certificate);
  ssl::stream<tcp::socket> stream(io_, bare);
  stream.next_layer().connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server_.port()));
  stream.handshake(ssl::stream_base::client);
  send(stream, http::verb::get, "/api/v1/pods");
  beast::flat_buffer buffer;
  http::response<http::string_body> reply;
  http::read(stream, buffer, reply);
  EXPECT_EQ(reply.result_int(), 401);
}

}  // namespace
}  // namespace fivespot::testserver
