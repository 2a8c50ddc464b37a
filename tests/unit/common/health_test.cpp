#include "fivespot/common/health.hpp"

#include <gtest/gtest.h>

#include <atomic>

namespace fivespot {
namespace {

TEST(HealthServer, ReadinessFollowsChecks) {
  HealthServer server("127.0.0.1:0");
  EXPECT_NE(server.port(), 0);
  std::atomic<bool> synced{false};
  server.addReadinessCheck("informers", [&]() -> std::optional<std::string> {
    return synced ? std::nullopt : std::optional<std::string>("not synced");
  });
  auto result = server.evaluateReadiness();
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.body.find("informers: not synced"), std::string::npos);
  synced = true;
  EXPECT_TRUE(server.evaluateReadiness().ok);
  EXPECT_TRUE(server.evaluateLiveness().ok);
}

TEST(HealthServer, ThrowingCheckFailsInsteadOfCrashing) {
  HealthServer server("127.0.0.1:0");
  server.addLivenessCheck("boom", []() -> std::optional<std::string> { throw std::runtime_error("bad"); });
  const auto result = server.evaluateLiveness();
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.body.find("check threw: bad"), std::string::npos);
}

}  // namespace
}  // namespace fivespot
