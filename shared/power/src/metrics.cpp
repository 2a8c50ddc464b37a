#include "fivespot/power/metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

namespace fivespot::power {

PowerMetrics::PowerMetrics(prometheus::Registry& registry)
    : savedEnergy_(prometheus::BuildCounter()
                       .Name("five_spot_energy_saved_wh_total")
                       .Help("Energy saved by powering machines off outside their windows, in watt-hours, by the "
                             "source of the on-power figure (measured, bmc, declared)")
                       .Register(registry)),
      poweredOn_(prometheus::BuildGauge()
                     .Name("five_spot_machine_powered_on")
                     .Help("1 when the machine's host is powered on, 0 when it is off")
                     .Register(registry)) {}

void PowerMetrics::recordSavedEnergy(const std::string& ns, const std::string& name, OnPowerSource source,
                                     double totalWh) {
  const std::lock_guard lock(mutex_);
  const Key key{ns, name};
  double& counted = countedWh_[key];
  if (totalWh <= counted) return;
  prometheus::Counter*& counter = savedCounters_[key][source];
  if (counter == nullptr)
    counter = &savedEnergy_.Add({{"namespace", ns}, {"name", name}, {"source", toString(source)}});
  counter->Increment(totalWh - counted);
  counted = totalWh;
}

void PowerMetrics::setPoweredOn(const std::string& ns, const std::string& name, bool poweredOn) {
  const std::lock_guard lock(mutex_);
  prometheus::Gauge*& gauge = poweredOnGauges_[Key{ns, name}];
  if (gauge == nullptr) gauge = &poweredOn_.Add({{"namespace", ns}, {"name", name}});
  gauge->Set(poweredOn ? 1 : 0);
}

void PowerMetrics::forget(const std::string& ns, const std::string& name) {
  const std::lock_guard lock(mutex_);
  const Key key{ns, name};
  if (const auto counters = savedCounters_.find(key); counters != savedCounters_.end()) {
    for (const auto& [source, counter] : counters->second) savedEnergy_.Remove(counter);
    savedCounters_.erase(counters);
  }
  if (const auto gauge = poweredOnGauges_.find(key); gauge != poweredOnGauges_.end()) {
    poweredOn_.Remove(gauge->second);
    poweredOnGauges_.erase(gauge);
  }
  countedWh_.erase(key);
}

}  // namespace fivespot::power
