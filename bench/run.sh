#!/usr/bin/env bash
# Builds the release preset and runs every benchmark in sequence, then prints a summary table.
#
#   bench/run.sh            modest sizes (a few minutes on 2 cores)
#   bench/run.sh --full     issue sizes: 10,000 machines for scale, 60 s idle periods, 1,000 for edge lag
#   bench/run.sh --only edge_lag,sharding   a subset
#   bench/run.sh --no-build                 use the binaries already in build-release/bin
#   bench/run.sh --kubeconfig FILE          edge lag against a real cluster (the others need the test server)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$root/build-release/bin"
full=0
build=1
only=""
kubeconfig=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --full) full=1 ;;
    --no-build) build=0 ;;
    --only) only="$2"; shift ;;
    --kubeconfig) kubeconfig="$2"; shift ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "unknown flag $1" >&2; exit 2 ;;
  esac
  shift
done

if [[ $build == 1 ]]; then
  cmake --preset release -S "$root" >/dev/null
  cmake --build "$root/build-release" -j "$(nproc)" --target \
    edge_lag_bench scale_bench drain_bench sharding_bench agent_footprint_bench micro_bench schedule_bench \
    bench_programs
fi

if [[ $full == 1 ]]; then
  edge_machines=1000; scale_sizes=(1000 10000); idle=60; sharding_machines=1000
else
  edge_machines=200; scale_sizes=(1000); idle=20; sharding_machines=200
fi

selected() { [[ -z "$only" || ",$only," == *",$1,"* ]]; }
results="$(mktemp)"
trap 'rm -f "$results"' EXIT

# Runs one benchmark, showing its output and keeping its RESULT/NOTE lines; a failing benchmark is
# reported in the summary and the others still run.
run() {
  local name="$1"; shift
  echo "### $name: $*"
  local out
  if out="$("$@" 2>&1)"; then :; else echo -e "FAILED\t$name\texit $?" >>"$results"; fi
  echo "$out" | grep -v -e '^RESULT' -e '^NOTE'
  echo "$out" | grep -e '^RESULT' -e '^NOTE' >>"$results" || true
}

# Google Benchmark programs: their CSV output becomes RESULT lines (cpu time per operation).
micro() {
  local name="$1" program="$2" csv
  csv="$(mktemp)"
  echo "### $name: $program"
  if "$program" --benchmark_min_time=0.2 --benchmark_out="$csv" --benchmark_out_format=csv; then
    awk -F',' '/^"BM_/ { gsub(/"/, "", $1); printf "RESULT\t%s\t%s\t%s\t%s/op\t-\t-\n", b, $1, $4, $5 }' \
      b="$name" "$csv" >>"$results"
  else
    echo -e "FAILED\t$name\texit $?" >>"$results"
  fi
  rm -f "$csv"
}

if selected micro; then
  micro micro "$bin/micro_bench"
  micro schedule "$bin/schedule_bench"
fi
if selected sharding; then run sharding "$bin/sharding_bench" --machines "$sharding_machines"; fi
if selected edge_lag; then
  if [[ -n "$kubeconfig" ]]; then
    run edge_lag "$bin/edge_lag_bench" --machines "$edge_machines" --kubeconfig "$kubeconfig"
  else
    run edge_lag "$bin/edge_lag_bench" --machines "$edge_machines"
  fi
fi
if selected scale; then
  for n in "${scale_sizes[@]}"; do run scale "$bin/scale_bench" --machines "$n" --idle-seconds "$idle"; done
fi
if selected drain; then run drain "$bin/drain_bench"; fi
if selected agent_footprint; then run agent_footprint "$bin/agent_footprint_bench" --idle-seconds "$idle"; fi

echo
echo "==================== summary ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores) ===================="
awk -F'\t' '
  $1 == "RESULT" { printf "%-26s %-48s %12.4g %-12s %-22s %s\n", $2, $3, $4, $5, $6, $7 }
  $1 == "NOTE"   { notes = notes sprintf("note (%s): %s\n", $2, $3) }
  $1 == "FAILED" { notes = notes sprintf("FAILED: %s (%s)\n", $2, $3) }
  END { printf "%s", notes }' "$results"
