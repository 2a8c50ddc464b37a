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
echo "tests: $(($(date +%s) - built)) s"
