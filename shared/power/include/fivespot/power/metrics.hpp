#pragma once
// Prometheus series for power and savings:
//   five_spot_energy_saved_wh_total{namespace,name,source}  counter
//   five_spot_machine_powered_on{namespace,name}            gauge, 1 on / 0 off
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "fivespot/power/savings.hpp"

namespace prometheus {
class Counter;
class Gauge;
class Registry;
template <typename T>
class Family;
}  // namespace prometheus

namespace fivespot::power {

class PowerMetrics {
 public:
  explicit PowerMetrics(prometheus::Registry& registry);

  // Brings the machine's counter up to `totalWh` (savingsAsOf(...).energySavedWh): the counter
  // follows the persisted total, so after a restart it resumes at the same value instead of
  // restarting at 0 (which Prometheus' increase() would read as a reset and count again). The
  // increase goes to `source`'s series. A total below the last one (status reset) is ignored.
  void recordSavedEnergy(const std::string& ns, const std::string& name, OnPowerSource source, double totalWh);
  void setPoweredOn(const std::string& ns, const std::string& name, bool poweredOn);
  // The machine is gone: drop its series.
  void forget(const std::string& ns, const std::string& name);

 private:
  using Key = std::pair<std::string, std::string>;
  prometheus::Family<prometheus::Counter>& savedEnergy_;
  prometheus::Family<prometheus::Gauge>& poweredOn_;
  std::mutex mutex_;
  std::map<Key, double> countedWh_;
  std::map<Key, std::map<OnPowerSource, prometheus::Counter*>> savedCounters_;
  std::map<Key, prometheus::Gauge*> poweredOnGauges_;
};

}  // namespace fivespot::power
