#pragma once
// Kubernetes Events (events.k8s.io/v1) about ScheduledMachines, reported as controller
// "5spot-coordinator" with this instance's id, so `kubectl describe sm` shows the history.
#include <string>

#include "fivespot/api/types.hpp"
#include "fivespot/common/clock.hpp"
#include "fivespot/kube/client.hpp"

namespace fivespot::coordinator {

inline constexpr const char* kReportingController = "5spot-coordinator";

// The Event object (pure, for tests): name "<sm>.<unique hex>", regarding the ScheduledMachine.
kube::Json buildEvent(const api::ScheduledMachine& sm, const std::string& type, const std::string& reason,
                      const std::string& note, const std::string& reportingInstance, TimePoint now,
                      std::uint64_t uniqueSuffix);

class EventRecorder {
 public:
  EventRecorder(kube::Client& client, std::string reportingInstance, const Clock& clock);
  // Throws kube errors; the caller treats a failed Event like any other failed action.
  void record(const api::ScheduledMachine& sm, const std::string& type, const std::string& reason,
              const std::string& note);

 private:
  kube::Client& client_;
  const std::string reportingInstance_;
  const Clock& clock_;
};

}  // namespace fivespot::coordinator
