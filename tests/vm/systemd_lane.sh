#!/usr/bin/env bash
# The systemd VM lane in one boot (run-in-vm --systemd: Debian's systemd as
# PID 1, this script in the transient scope test.slice/session.scope):
#   systemd_lane.sh TESTS FILTER [HULL WORKDIR [REFERENCE]]
# runs TESTS (hull_integration_tests) with the gtest FILTER (the pure-v2
# tests with the cgroupfs driver and SystemdDriverTest), then, given HULL,
# the e2e clients through systemd's cgroup driver (tests/e2e/systemd.sh:
# containerd with SystemdCgroup, podman with --cgroup-manager=systemd) with
# HULL and, when given, with the REFERENCE runtime (runc). Prints each
# part's time; fails if any part failed (a client not installed is a skip).
set -u
(($# == 2 || $# == 4 || $# == 5)) || { echo "usage: $0 TESTS FILTER [HULL WORKDIR [REFERENCE]]" >&2; exit 2; }
tests=$1 filter=$2 hull=${3:-} work=${4:-} reference=${5:-}
here=$(cd "$(dirname "$0")" && pwd)
rc=0
t0=$SECONDS
"$tests" --gtest_filter="$filter" || rc=1
echo "systemd lane: integration tests $((SECONDS - t0)) s"
for runtime in ${hull:+"$hull"} ${reference:+"$reference"}; do
  t0=$SECONDS
  bash "$here/../e2e/systemd.sh" "$runtime" "$work/$(basename "$runtime")" all
  r=$?
  ((r == 0 || r == 77)) || rc=1
  echo "systemd lane: e2e with $(basename "$runtime") $((SECONDS - t0)) s (exit $r)"
done
exit "$rc"
