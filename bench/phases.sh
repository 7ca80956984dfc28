#!/usr/bin/env bash
# Phase breakdown of `hull run /bin/true` from hull's own timestamps
# (HULL_TRACE_PHASES, see bench/phases.py), in the benchmark's wrapper, with
# the benchmark's config and cgroup parent, beside the same phases of the
# full floor (bench/floor_full.c, one more column).
# usage: sudo bench/phases.sh [ITERATIONS] [NETNS 1|0]
#   HULL=bin[,bin2] to compare hulls (default build/hull); FLOOR=floor_full
#   binary (default: built here with gcc), FLOOR=none for no floor column.
# The floor's clone3 makes its network and IPC namespaces, so its init_entry
# holds what hull's init does in "namespaces"; compare their sums.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
n=${1:-30} netns=${2:-1}
hull=${HULL:-$repo/build/hull}
source "$here/lib.sh"
bench_setup
mkdir -p "$state/root" "$work/b"
# One config for every run: the container id only names the cgroup leaf.
bench_config phases "$netns" '["/bin/true"]' >"$work/b/config.json"
floor=${FLOOR:-}
if [ -z "$floor" ]; then
  floor="$work/floor_full"
  # static, like hull (and as run.sh builds it); without gcc, no floor column
  gcc -O2 -Wall -static -o "$floor" "$here/floor_full.c" || { echo "phases: no floor_full built: FLOOR=none" >&2; floor=none; }
fi
columns=$hull
if [ "$floor" != none ]; then
  columns+=",floor=$floor"
  ctrls=$(IFS=,; echo "${controllers[*]+"${controllers[*]}"}")
  export HULL_PHASES_FLOOR_ARGS="$netns $rootfs /$cgname ${ctrls:--}"
fi
in_bench_ns python3 "$here/phases.py" "$columns" "$state/root" "$work/b" "$n"
