// deploy/grafana/5spot-dashboard.json: valid JSON, unique panel ids, and queries over the metrics
// the coordinator exports (names must match metrics.hpp and docs/operations.md).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "fivespot/common/yaml_json.hpp"

namespace fivespot::power {
namespace {

TEST(GrafanaDashboard, QueriesEveryPowerAndSchedulingMetric) {
  const auto dashboard = nlohmann::json::parse(readFile(FIVESPOT_DASHBOARD_JSON));
  std::set<int> ids;
  std::string expressions;
  for (const auto& panel : dashboard.at("panels")) {
    EXPECT_TRUE(ids.insert(panel.at("id").get<int>()).second) << "duplicate panel id " << panel.at("id");
    for (const auto& target : panel.at("targets")) expressions += target.at("expr").get<std::string>() + "\n";
  }
  for (const char* metric :
       {"five_spot_energy_saved_wh_total", "five_spot_machine_powered_on",
        "five_spot_machine_phase_entered_timestamp_seconds", "five_spot_window_edge_lag_seconds_bucket"}) {
    EXPECT_NE(expressions.find(metric), std::string::npos) << metric;
  }
  EXPECT_EQ(dashboard.at("uid"), "five-spot-power");
}

}  // namespace
}  // namespace fivespot::power
