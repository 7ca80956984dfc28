#!/usr/bin/env bash
# The project's test command (run as root): installs dependencies (with the
# end-to-end tests' podman and containerd, and qemu for the pure cgroup-v2
# lane), builds in Release and runs every test with ctest: unit, integration,
# e2e (podman and containerd running containers on hull), package (the
# Debian package built with CPack, linted, installed with dpkg, used by the
# podman e2e scenarios as /usr/sbin/hull, and purged) and v2vm (the
# cgroup-v2 tests in a VM, see tests/CMakeLists.txt); then builds the
# library with clang, AddressSanitizer and UndefinedBehaviorSanitizer
# (build-fuzz/), runs the unit tests on it and each libFuzzer target for 10 s
# (scripts/fuzz.sh). The Release build uses -Werror (HULL_WERROR), and
# clang-tidy (scripts/lint.sh) must find nothing in the files changed since
# the tree was last linted clean, the commit named in
# .ci/lint-clean-at (HULL_LINT=all: the whole tree). Move the marker to a
# commit whose CI run passed: the lane lints what changed since the marker,
# and left behind for 60 commits it took 7 of CI's minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=$(nproc)
# Each lane's header says when it started, so a slow CI run shows where the time went.
lane() { echo "== $1 (at $((SECONDS / 60))m$((SECONDS % 60))s)"; }
bash scripts/setup.sh --e2e

lane "Release build (build/)"
# HULL_FAULT_INJECTION: also hull_fault, for the fault-injection tests.
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DHULL_WERROR=ON -DHULL_FAULT_INJECTION=ON
cmake --build build -j"$jobs"

lane "clang-tidy (scripts/lint.sh)"
if [ "${HULL_LINT:-changed}" = all ]; then bash scripts/lint.sh --all; else bash scripts/lint.sh; fi

# Before the tests, so the suite's own summary is the run's last word.
lane "Benchmark, short mode (proves bench/run.sh works; targets are judged by full runs)"
bash bench/run.sh --short --no-build

lane "Tests (Release)"
if ! (cd build && ctest --output-on-failure -j2); then
  # CI's record of a run keeps its head and tail only: name each failed test
  # last, where the record shows it, with its assertions (gtest's ": Failure"
  # and the lines after it) or, for a script, a crash or a timeout, the end
  # of its output.
  echo "== Failed tests (from build/Testing/Temporary/LastTest.log)"
  awk '/^[0-9]+\/[0-9]+ Test: / { name = $3; n = 0; next }
       { lines[n++] = $0 }
       /^Test Failed/ {
         print "---- " name; shown = 0
         for (i = 0; i < n && shown < 40; i++)
           if (lines[i] ~ /: Failure$/)
             for (j = i; j < n && j < i + 12 && shown < 40; j++) { print lines[j]; shown++; i = j }
         if (!shown) for (i = (n > 25 ? n - 25 : 0); i < n; i++) print lines[i]
       }' build/Testing/Temporary/LastTest.log | head -n 200
  exit 8
fi

# One library built with ASan + UBSan (and the fuzzer's coverage) serves
# both: the unit tests run on it, then each fuzz target for 10 s.
lane "Sanitizers (build-fuzz/, clang, ASan + UBSan): the unit tests, then every libFuzzer target 10 s"
bash scripts/fuzz.sh --seconds 10 --unit-tests

lane "All tests passed"
