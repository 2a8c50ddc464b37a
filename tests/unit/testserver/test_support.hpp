#pragma once
// Drives ApiServer in-process (no sockets) with a manual clock.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "fivespot/common/clock.hpp"
#include "fivespot/common/time_format.hpp"
#include "fivespot/testserver/api_server.hpp"

namespace fivespot::testserver::testing {

struct Reply {
  int status;
  nlohmann::json body;
};

inline Identity admin() {
  return Identity{"admin", "", {"system:masters"}};
}

inline ApiRequest makeRequest(const std::string& method, const std::string& target, const std::string& body,
                              const std::string& contentType) {
  ApiRequest request;
  request.method = method;
  const auto question = target.find('?');
  request.path = target.substr(0, question);
  if (question != std::string::npos) {
    std::string query = target.substr(question + 1);
    size_t start = 0;
    while (start <= query.size()) {
      const auto amp = query.find('&', start);
      const std::string pair = query.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
      const auto eq = pair.find('=');
      request.query[pair.substr(0, eq)] = eq == std::string::npos ? "" : pair.substr(eq + 1);
      if (amp == std::string::npos) break;
      start = amp + 1;
    }
  }
  request.body = body;
  request.contentType = contentType;
  request.clientCertificate = admin();
  return request;
}

class ApiTest : public ::testing::Test {
 protected:
  explicit ApiTest(std::size_t watchCacheSize = 100)
      : api_(ApiServerOptions{watchCacheSize, std::chrono::milliseconds(20), "", &clock_}) {
    api_.start();
  }

  Reply call(const std::string& method, const std::string& target, const nlohmann::json& body = nullptr,
             const std::string& contentType = "application/json") {
    return send(makeRequest(method, target, body.is_null() ? "" : body.dump(), contentType));
  }
  Reply send(const ApiRequest& request) {
    auto response = api_.handle(request);
    return {response.status, response.body.empty() ? nlohmann::json() : nlohmann::json::parse(response.body)};
  }
  nlohmann::json create(const std::string& collection, const nlohmann::json& object) {
    auto reply = call("POST", collection, object);
    EXPECT_EQ(reply.status, 201) << reply.body.dump();
    return reply.body;
  }

  ManualClock clock_{parseRfc3339("2026-03-01T10:00:00Z")};
  ApiServer api_;
};

}  // namespace fivespot::testserver::testing
