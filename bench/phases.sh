#!/usr/bin/env bash
# Phase breakdown of `hull run /bin/true` from hull's own timestamps
# (HULL_TRACE_PHASES, see bench/phases.py), in the benchmark's wrapper, with
# the benchmark's config and cgroup parent.
# usage: sudo bench/phases.sh [ITERATIONS] [NETNS 1|0]   (HULL=bin[,bin2] to compare; default build/hull)
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
in_bench_ns python3 "$here/phases.py" "$hull" "$state/root" "$work/b" "$n"
