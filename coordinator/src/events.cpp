#include "events.hpp"

#include <random>

#include "fivespot/common/time_format.hpp"

namespace fivespot::coordinator {
namespace {

// Events are limited to 1 kB notes by the API server.
constexpr std::size_t kMaxNote = 1024;

std::string hex(std::uint64_t value) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, value >>= 4) out[static_cast<std::size_t>(i)] = kDigits[value & 0xF];
  return out;
}

}  // namespace

kube::Json buildEvent(const api::ScheduledMachine& sm, const std::string& type, const std::string& reason,
                      const std::string& note, const std::string& reportingInstance, TimePoint now,
                      std::uint64_t uniqueSuffix) {
  return {{"apiVersion", "events.k8s.io/v1"},
          {"kind", "Event"},
          {"metadata", {{"name", sm.metadata.name + "." + hex(uniqueSuffix)}, {"namespace", sm.metadata.namespace_}}},
          {"eventTime", formatRfc3339Micro(now)},
          {"type", type},
          {"reason", reason},
          {"action", reason},
          {"note", note.size() > kMaxNote ? note.substr(0, kMaxNote) : note},
          {"reportingController", kReportingController},
          {"reportingInstance", reportingInstance},
          {"regarding",
           {{"apiVersion", api::kApiVersion},
            {"kind", "ScheduledMachine"},
            {"name", sm.metadata.name},
            {"namespace", sm.metadata.namespace_},
            {"uid", sm.metadata.uid},
            {"resourceVersion", sm.metadata.resourceVersion}}}};
}

EventRecorder::EventRecorder(kube::Client& client, std::string reportingInstance, const Clock& clock)
    : client_(client), reportingInstance_(std::move(reportingInstance)), clock_(clock) {}

void EventRecorder::record(const api::ScheduledMachine& sm, const std::string& type, const std::string& reason,
                           const std::string& note) {
  static thread_local std::mt19937_64 random{std::random_device{}()};
  client_.create(kube::resources::events(), sm.metadata.namespace_,
                 buildEvent(sm, type, reason, note, reportingInstance_, clock_.now(), random()));
}

}  // namespace fivespot::coordinator
