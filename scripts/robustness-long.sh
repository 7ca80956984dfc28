#!/usr/bin/env bash
# The robustness suite's long mode, run before a release (docs/robustness.md):
# the fuzzers for half the time, then the mutation, fault, state-fault and
# load integration tests, scaled up, over and over for the other half.
#   scripts/robustness-long.sh [--minutes N] [--build-dir DIR] [--no-fuzz-build]
#   (default 60 minutes and build/; run as root)
# Needs the Release build in DIR configured with -DHULL_FAULT_INJECTION=ON
# (hull, hull_fault, hull_integration_tests built) and the fuzz build
# (scripts/fuzz.sh builds it; --no-fuzz-build runs the fuzzers already in
# build-fuzz/tests/fuzz as they are). A build dir of its own (e.g. build-long) lets
# the hour go on while build/ is rebuilt. Writes a log to
# DIR/robustness-long-<time>.log and exits 1 when anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."

minutes=60
build=build
fuzz_build=()
while (($#)); do
  case $1 in
    --minutes) minutes=$2; shift 2 ;;
    --build-dir) build=$2; shift 2 ;;
    --no-fuzz-build) fuzz_build=(--no-build); shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "robustness-long.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

log=$build/robustness-long-$(date -u +%Y%m%dT%H%M%SZ).log
mkdir -p "$build"
exec > >(tee "$log") 2>&1
failed=0
mapfile -t targets < <(bash scripts/fuzz.sh --list)
# fuzz.sh runs one target a core at a time, in waves: the half is shared
# among the waves.
slots=$(nproc)
waves=$(((${#targets[@]} + slots - 1) / slots))
fuzz_seconds=$((minutes * 60 / 2 / waves))
((fuzz_seconds > 0)) || fuzz_seconds=1
echo "== long mode: ${minutes} min; fuzzing ${fuzz_seconds}s per target, then the load tests ($(date -u))"
bash scripts/fuzz.sh --seconds "$fuzz_seconds" "${fuzz_build[@]}" "${targets[@]}" || failed=1

deadline=$((SECONDS + minutes * 60 / 2))
round=0
filter='MutationTest.*:FaultTest.*:StateFaultsTest.*:LoadTest.*'
while ((SECONDS < deadline)); do
  round=$((round + 1))
  echo "== load round $round ($(date -u))"
  HULL_MUTANTS=1000 HULL_LOAD_CONTAINERS=500 HULL_LOAD_ROUNDS=20 \
    timeout 1800 "$build/tests/hull_integration_tests" --gtest_filter="$filter" --gtest_brief=1 || failed=1
done
echo "== long mode done: $round load rounds, $( ((failed)) && echo FAILED || echo all passed) ($(date -u))"
exit $failed
