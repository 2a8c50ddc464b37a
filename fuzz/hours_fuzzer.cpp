// Fuzzes the hoursOfDay parser through Schedule::compile and checks the engine's invariants.
#include "schedule_fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fivespot::api::ScheduleSpec spec;
  spec.daysOfWeek = {"fri-mon"};
  spec.hoursOfDay = {"22-6"};
  spec.timezone = "America/New_York";
  spec.hoursOfDay = fivespot::fuzz::elements(data, size);
  fivespot::fuzz::compileAndCheck(spec);
  return 0;
}
