#!/usr/bin/env bash
# runc_reference.sh RUNTIME TEST_BINARY FILTER: runs the integration tests
# that FILTER names (a --gtest_filter) with HULL_ITEST_RUNTIME=RUNTIME, so
# the harness drives that runtime instead of hull: the tests of runc's
# behaviours (issue #14 point 8) pass against runc itself, which shows they
# assert runc's behaviour and not hull's quirks. Exits 77 (ctest: skipped)
# when RUNTIME is not an executable, else with the tests' status.
set -euo pipefail
(($# == 3)) || { echo "usage: runc_reference.sh RUNTIME TEST_BINARY FILTER" >&2; exit 2; }
runtime=$1 tests=$2 filter=$3
if [[ ! -x $runtime ]]; then
  echo "runc_reference.sh: no $runtime here (apt-get install runc); skipped" >&2
  exit 77
fi
echo "== $("$runtime" --version | head -n 1): $filter"
unset GTEST_TOTAL_SHARDS GTEST_SHARD_INDEX
exec env HULL_ITEST_RUNTIME="$runtime" "$tests" --gtest_filter="$filter"
