#!/usr/bin/env bash
# The live demo of 5-Spot (docs/demo.md), the README's first quick-start command. On a fresh
# Debian 12 machine, as root: installs what is missing, builds the programs the demo runs, and
# runs about three minutes of a small fleet on an embedded test cluster.
#
#   bash tools/demo.sh            # the full demo (about three minutes)
#   bash tools/demo.sh --short    # one-minute windows (also FIVESPOT_DEMO_SHORT=1): the e2e test
#   bash tools/demo.sh --no-build # run what is already built in build/
#
# Exits non-zero when a machine did not go through its expected phases. Leaves no process behind.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

build=1
demo_args=()
for arg in "$@"; do
  case "$arg" in
    --short) demo_args+=(--short) ;;
    --no-build) build=0 ;;
    -h | --help) sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "demo.sh: unknown argument $arg (try --help)" >&2; exit 2 ;;
  esac
done

if ((build)); then
  bash "$root/tools/bootstrap.sh"
  cmake --preset dev -S "$root" >/dev/null
  # Only what the demo runs, not the whole test suite.
  cmake --build "$root/build" -j "$(nproc)" --target \
    kube-test-server fivespot-cluster-sim fivespot-coordinator fivespot-agent kubectl-5spot fivespot-demo
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/fivespot-demo.XXXXXX")"
demo_pid=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM HUP
  if [[ -n "$demo_pid" ]] && kill -0 "$demo_pid" 2>/dev/null; then
    kill -TERM "$demo_pid" 2>/dev/null || true
    wait "$demo_pid" 2>/dev/null || true
  fi
  # fivespot-demo stops its children itself; this only matters if it was killed outright. Each
  # child leads its own process group, listed in <work>/pgids.
  if [[ -f "$work/pgids" ]]; then
    while read -r pgid; do
      kill -KILL -- "-$pgid" 2>/dev/null || true
    done <"$work/pgids"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# In the background and waited for, so that the traps run as soon as a signal arrives.
"$root/build/bin/fivespot-demo" --bin-dir "$root/build/bin" --source-dir "$root" --work-dir "$work" \
  "${demo_args[@]}" &
demo_pid=$!
set +e
wait "$demo_pid"
status=$?
set -e
demo_pid=""
exit "$status"
