#!/usr/bin/env bash
# The whole test suite: install what is missing, build (Debug, Ninja, ccache), run every test.
# This is the README's second quick-start command and what CI runs (.ci/run).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bash tools/bootstrap.sh
jobs="$(nproc)"
start=$(date +%s)
cmake --preset dev >/dev/null
cmake --build --preset dev -j "$jobs"
built=$(date +%s)
echo "build: $((built - start)) s"
ctest --preset dev -j "$jobs"
tested=$(date +%s)
echo "tests: $((tested - built)) s"

# The unit suites once more under AddressSanitizer + UndefinedBehaviorSanitizer (leaks included):
# the logic, the client, the controller runtime, power and the agent. The integration suites
# start real processes and stay in the Debug run above.
sanitized=(common_test api_test schedule_test kube_test controller_test power_test coordinator_logic_test
  coordinator_runtime_test agent_test)
cmake --preset sanitize >/dev/null
cmake --build build-sanitize -j "$jobs" --target "${sanitized[@]}"
for suite in "${sanitized[@]}"; do
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    "build-sanitize/tests/$suite" --gtest_brief=1
done
echo "sanitizers: $(($(date +%s) - tested)) s"
