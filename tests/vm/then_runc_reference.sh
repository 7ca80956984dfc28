#!/usr/bin/env bash
# then_runc_reference.sh TEST_BINARY FILTER -- COMMAND [ARG...]: runs COMMAND
# (v2vm_systemd's lane), then, in the same VM, the integration tests FILTER names
# against /usr/sbin/runc (tests/support/runc_reference.sh): the runc
# behaviours that exist only on pure cgroup v2 checked against runc without
# booting another VM (each boot under TCG costs about a minute). Exits with
# COMMAND's status when it failed, else with the reference run's (a missing
# runc is a skip, not a failure).
set -uo pipefail
if (($# < 4)) || [[ $3 != -- ]]; then
  echo "usage: then_runc_reference.sh TEST_BINARY FILTER -- COMMAND..." >&2
  exit 2
fi
tests=$1 filter=$2
shift 3
"$@"
first=$?
here=$(cd "$(dirname "$0")" && pwd)
bash "$here/../support/runc_reference.sh" /usr/sbin/runc "$tests" "$filter"
ref=$?
((ref == 77)) && ref=0
((first != 0)) && exit "$first"
exit "$ref"
