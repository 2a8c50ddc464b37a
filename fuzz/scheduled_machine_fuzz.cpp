// Fuzzes ScheduledMachine decoding as the coordinator does it for every watch event: JSON text ->
// parseScheduledMachine -> validateScheduledMachine -> toJson -> parse again. Bad input may only
// surface as fivespot::Error (ValidationError naming the field); anything else is a finding, and
// an accepted object must survive a serialise/parse round trip unchanged.
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "fivespot/api/scheduled_machine.hpp"
#include "fivespot/common/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto object = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded()) return 0;
  fivespot::api::ScheduledMachine machine;
  try {
    machine = fivespot::api::parseScheduledMachine(object);
  } catch (const fivespot::Error&) {
    return 0;  // rejected with a typed error: what the coordinator reports in a condition
  }
  const auto problems = fivespot::api::validateScheduledMachine(machine);
  (void)fivespot::api::describeProblems(problems);
  const auto serialised = fivespot::api::toJson(machine);
  const auto reparsed = fivespot::api::parseScheduledMachine(serialised);
  if (fivespot::api::toJson(reparsed) != serialised) std::abort();  // round trip must be stable
  return 0;
}
