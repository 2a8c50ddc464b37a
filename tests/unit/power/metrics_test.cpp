#include "fivespot/power/metrics.hpp"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

namespace fivespot::power {
namespace {

// The value of the sample of `family` whose labels include all of `labels`; nullopt if none.
std::optional<double> sample(prometheus::Registry& registry, const std::string& family,
                             const std::map<std::string, std::string>& labels) {
  for (const auto& metricFamily : registry.Collect()) {
    if (metricFamily.name != family) continue;
    for (const auto& metric : metricFamily.metric) {
      std::size_t matched = 0;
      for (const auto& label : metric.label) {
        const auto wanted = labels.find(label.name);
        if (wanted != labels.end() && wanted->second == label.value) ++matched;
      }
      if (matched == labels.size()) {
        return metricFamily.type == prometheus::MetricType::Counter ? metric.counter.value : metric.gauge.value;
      }
    }
  }
  return std::nullopt;
}

TEST(PowerMetrics, CounterFollowsTheTotalBySource) {
  prometheus::Registry registry;
  PowerMetrics metrics(registry);
  metrics.recordSavedEnergy("lab", "m1", OnPowerSource::Declared, 1200);
  metrics.recordSavedEnergy("lab", "m1", OnPowerSource::Declared, 1200);  // unchanged: no increase
  metrics.recordSavedEnergy("lab", "m1", OnPowerSource::Measured, 1500);
  metrics.recordSavedEnergy("lab", "m1", OnPowerSource::Measured, 1000);  // lower: ignored
  const std::string name = "five_spot_energy_saved_wh_total";
  EXPECT_EQ(sample(registry, name, {{"namespace", "lab"}, {"name", "m1"}, {"source", "declared"}}), 1200);
  EXPECT_EQ(sample(registry, name, {{"namespace", "lab"}, {"name", "m1"}, {"source", "measured"}}), 300);
}

TEST(PowerMetrics, PoweredOnGaugeAndForget) {
  prometheus::Registry registry;
  PowerMetrics metrics(registry);
  metrics.setPoweredOn("lab", "m1", true);
  EXPECT_EQ(sample(registry, "five_spot_machine_powered_on", {{"namespace", "lab"}, {"name", "m1"}}), 1);
  metrics.setPoweredOn("lab", "m1", false);
  EXPECT_EQ(sample(registry, "five_spot_machine_powered_on", {{"namespace", "lab"}, {"name", "m1"}}), 0);
  metrics.recordSavedEnergy("lab", "m1", OnPowerSource::Bmc, 10);
  metrics.forget("lab", "m1");
  EXPECT_FALSE(sample(registry, "five_spot_machine_powered_on", {{"namespace", "lab"}, {"name", "m1"}}));
  EXPECT_FALSE(sample(registry, "five_spot_energy_saved_wh_total", {{"namespace", "lab"}, {"name", "m1"}}));
}

}  // namespace
}  // namespace fivespot::power
