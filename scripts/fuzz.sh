#!/usr/bin/env bash
# Runs the libFuzzer targets of tests/fuzz, each for N seconds, as many at
# once as there are cores, and prints executions per second and findings per target.
#   scripts/fuzz.sh [--seconds N] [--build-dir DIR] [--no-build] [--unit-tests] [target...]
#   scripts/fuzz.sh --list   (the default targets, one a line)
# --unit-tests: first build the unit tests in the same directory, on the same
# ASan + UBSan library, and run them (CI's sanitizer lane); a failed test or a
# sanitizer report ends the script with their exit status, before fuzzing.
# Targets are config process resources seccomp state mount_options
# cli_values json_tree (default: all). The build directory (default build-fuzz) is
# configured with clang and -DHULL_FUZZ=ON. Each target keeps its growing
# corpus in DIR/corpus/<target>, seeded from tests/fuzz/seeds, tests/data and,
# when a checkout is present, the runtime-spec's schema test vectors
# (HULL_SPEC_DIR, default ../shared/oci-runtime-spec). A crashing input is
# written to DIR/findings/<target>-crash-*; turn it into a unit test case
# (tests/unit/fuzz_regressions_test.cpp) when fixing it.
# Exit status: 0 when no target found anything, 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

default_targets=(config process resources seccomp state mount_options cli_values json_tree)
seconds=60
build=build-fuzz
do_build=1
unit_tests=0
targets=()
while (($#)); do
  case $1 in
    --seconds) seconds=$2; shift 2 ;;
    --build-dir) build=$2; shift 2 ;;
    --no-build) do_build=0; shift ;;
    --unit-tests) unit_tests=1; shift ;;
    --list) printf '%s\n' "${default_targets[@]}"; exit 0 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown flag $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
((${#targets[@]})) || targets=("${default_targets[@]}")

if ((do_build)); then
  launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
  CC=clang CXX=clang++ cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DHULL_FUZZ=ON "${launcher[@]}" >/dev/null
  build_targets=("${targets[@]/#/fuzz_}")
  ((unit_tests)) && build_targets+=(hull_unit_tests)
  cmake --build "$build" -j"$(nproc)" --target "${build_targets[@]}"
fi
if ((unit_tests)); then
  # The binary itself: one process, and a sanitizer report fails the run.
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 "$build/tests/hull_unit_tests"
fi

spec_dir=${HULL_SPEC_DIR:-$repo/../shared/oci-runtime-spec}
seed_dirs() {
  local t=$1
  [[ -d tests/fuzz/seeds/$t ]] && echo "tests/fuzz/seeds/$t"
  if [[ $t == config || $t == json_tree ]]; then
    echo tests/data/config/good tests/data/config/bad tests/data/config/bad-create
    [[ -d $spec_dir/schema/test/config ]] && find "$spec_dir/schema/test/config" -mindepth 1 -maxdepth 1 -type d
  fi
  if [[ $t == state && -d $spec_dir/schema/test/state ]]; then
    find "$spec_dir/schema/test/state" -mindepth 1 -maxdepth 1 -type d
  fi
  return 0
}

mkdir -p "$build/findings"
# One target a core at a time (each fuzzer is one process): CI's 2 cores
# halve the lane's wall time. The rows come out in the targets' order.
fuzz_one() {
  local t=$1 corpus=$build/corpus/$1 log=$build/findings/$1.log rc=0
  mkdir -p "$corpus"
  # -rss_limit_mb: a parser must not need more than this for one input;
  # -timeout: nor more than this many seconds (a hang is a finding too).
  "$build/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -print_final_stats=1 \
    -rss_limit_mb=2048 -timeout=10 -max_len=16384 -dict=tests/fuzz/json.dict \
    -artifact_prefix="$build/findings/$t-" "$corpus" $(seed_dirs "$t") >"$log" 2>&1 || rc=$?
  echo "$rc" >"$build/findings/$t.rc"
}
jobs=$(nproc)
running=0
for t in "${targets[@]}"; do
  if ((running >= jobs)); then
    wait -n
    running=$((running - 1))
  fi
  fuzz_one "$t" &
  running=$((running + 1))
done
wait

failed=0
printf '%-14s %10s %12s %8s  %s\n' target seconds executions exec/s result
for t in "${targets[@]}"; do
  log=$build/findings/$t.log
  rc=$(cat "$build/findings/$t.rc")
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  if ((rc == 0)); then
    result=ok
  else
    result="FINDING (exit $rc, see $log)"
    failed=1
  fi
  printf '%-14s %10s %12s %8s  %s\n' "$t" "$seconds" "${runs:-?}" "${rate:-?}" "$result"
done
exit $failed
