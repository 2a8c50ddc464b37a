// Micro: decoding a ScheduledMachine from JSON (what every watch event of the coordinator costs).
#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>

#include "fivespot/api/scheduled_machine.hpp"
#include "fivespot/common/yaml_json.hpp"

namespace {

nlohmann::json exampleMachine() {
  const std::string file = std::string(FIVESPOT_SOURCE_DIR) + "/examples/scheduledmachine-exclusions.yaml";
  auto object = fivespot::yamlToJson(fivespot::readFile(file), file);
  object["status"] = {{"phase", "Active"},
                      {"inSchedule", true},
                      {"nextTransition", "2026-06-01T18:15:00Z"},
                      {"conditions",
                       {{{"type", "Ready"},
                         {"status", "True"},
                         {"reason", "MachineReady"},
                         {"message", "node is Ready"},
                         {"lastTransitionTime", "2026-06-01T07:31:02Z"}}}}};
  return object;
}

// Parse of an already decoded document (the informer hands out JSON values).
void BM_ParseScheduledMachine(benchmark::State& state) {
  const auto object = exampleMachine();
  for (auto _ : state) benchmark::DoNotOptimize(fivespot::api::parseScheduledMachine(object));
}
BENCHMARK(BM_ParseScheduledMachine);

// From the bytes of a watch event's object to the typed struct.
void BM_DecodeScheduledMachineText(benchmark::State& state) {
  const std::string text = exampleMachine().dump();
  for (auto _ : state) {
    benchmark::DoNotOptimize(fivespot::api::parseScheduledMachine(nlohmann::json::parse(text)));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_DecodeScheduledMachineText);

}  // namespace

BENCHMARK_MAIN();
