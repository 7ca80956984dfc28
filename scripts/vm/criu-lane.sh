#!/usr/bin/env bash
# The v2vm_criu lane inside its one VM (run-in-vm; booting under qemu TCG
# costs minutes, so everything checkpoint/restore shares one boot): the
# CriuTest integration tests, the --systemd-cgroup refusal on a pure-v2 host
# without systemd, then the clients' checkpoint/restore scenarios
# of tests/e2e (podman, containerd) with hull, and with a reference runtime
# (runc, from -DHULL_E2E_REFERENCE, as the other e2e scenarios) that proves
# each scenario right: off by default, it doubles the lane's client time. Prints each step's exit code and seconds;
# exits 1 when any failed (a skipped scenario, 77, counts as failed here:
# CRIU works in this VM, so nothing may skip).
#   criu-lane.sh INTEGRATION_TESTS HULL [REFERENCE_RUNTIME]
set -uo pipefail
(($# >= 2)) || { echo "usage: criu-lane.sh INTEGRATION_TESTS HULL [REFERENCE_RUNTIME]" >&2; exit 2; }
tests=$1 hull=$2 reference=${3:-}
src=$(cd "$(dirname "$0")/../.." && pwd)
failed=()

step() {
  local name=$1 start=$SECONDS rc
  shift
  "$@"
  rc=$?
  echo "criu-lane: $name: exit $rc in $((SECONDS - start)) s"
  ((rc == 0)) || failed+=("$name")
}

step "CriuTest" "$tests" --gtest_filter='CriuTest.*'
# The one pure-v2 test that needs a host without systemd (the other pure-v2
# tests run under systemd, in v2vm_systemd), in this boot rather than a VM
# of its own.
step "without systemd" "$tests" --gtest_filter='HullTest.SystemdCgroupWithoutSystemdIsAClearError'

runtimes=("$hull")
[[ -n $reference ]] && runtimes+=("$reference")
for runtime in "${runtimes[@]}"; do
  for client in podman containerd; do
    work=/tmp/hull-criu-e2e/$client-$(basename "$runtime")
    script=$src/tests/e2e/$client.sh
    name=e2e.$client.$(basename "$runtime")
    if bash "$script" "$runtime" "$work" setup; then
      step "$name.checkpoint_restore" bash "$script" "$runtime" "$work" checkpoint_restore
    else
      echo "criu-lane: $name.setup failed"
      failed+=("$name.setup")
    fi
    bash "$script" "$runtime" "$work" cleanup || failed+=("$name.cleanup")
  done
done

((${#failed[@]} == 0)) || { echo "criu-lane: failed: ${failed[*]}"; exit 1; }
echo "criu-lane: all passed"
