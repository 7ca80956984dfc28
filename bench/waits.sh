#!/usr/bin/env bash
# Where parallel lifecycles wait: bench/run.sh's parallel rows (with and
# without a network namespace), one runtime at a time, under bench/waits.c,
# which samples the kernel stacks of that runtime's sleeping processes every
# millisecond. On many cores the parallel row stops scaling where containers
# queue for the kernel's serial sections (rtnl_lock in network namespace
# set-up, cgroup_mutex, kernfs_rwsem, RCU grace periods): this names them.
# The sampler costs CPU, so its throughput is not the benchmark's.
# usage: sudo bench/waits.sh [OUT_DIR] [PAR] [ROUNDS] [RUNTIMES]
#   defaults: bench/results/waits, 16, 6, "hull crun"
# Writes OUT_DIR/waits-<runtime>.md and OUT_DIR/run-<runtime>/ (run.sh's output).
# HULL_BENCH_RUN: the run.sh to call (bench/pack.sh's tarball gives its own).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/results/waits} par=${2:-16} rounds=${3:-6} runtimes=${4:-hull crun}
mkdir -p "$out"
out=$(cd "$out" && pwd)
if [ -n "${HULL_BENCH_PREBUILT:-}" ]; then
  waits="$HULL_BENCH_PREBUILT/waits"
  run=("${HULL_BENCH_RUN:?the packed run.sh}")
else
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  waits="$tmp/waits"
  gcc -O2 -Wall -o "$waits" "$here/waits.c"
  run=(bash "${HULL_BENCH_RUN:-$here/run.sh}" --no-build)
fi
for rt in $runtimes; do
  # Each runtime's processes by the name the kernel gives them: the
  # benchmark runs hull as build/hull.bench; runc's stages rename themselves.
  case $rt in
    hull) comms=hull,hull.bench ;;
    runc) comms="runc,runc:[0:PARENT],runc:[1:CHILD],runc:[2:INIT]" ;;
    *) comms=$rt ;;
  esac
  "$waits" --comm "$comms" --out "$out/waits-$rt.md" -- \
    "${run[@]}" --only parallel --par "$par" --rounds "$rounds" --runtimes "$rt" --out "$out/run-$rt"
  echo "== $rt: $out/waits-$rt.md"
  head -n 40 "$out/waits-$rt.md"
done
