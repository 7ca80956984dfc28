#!/usr/bin/env bash
# Where the time of one `run /bin/true` goes, per runtime:
#   strace -c  (syscall counts and time, all processes of the runtime)
#   strace -f -tt -T (timeline: which step waits on what)
#   perf stat  (task-clock, context switches, page faults; this VM has no
#               hardware counters, so no instruction counts from perf)
#   valgrind --tool=callgrind instruction counts of the runtime's own process
# usage: bench/profile.sh [RUNTIME...]   (default: hull crun runc)
# Output: bench/results/profile/<runtime>-*.txt (plus the floor for reference).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
out="$here/results/profile"
mkdir -p "$out"
runtimes=("$@")
[ ${#runtimes[@]} -gt 0 ] || runtimes=(hull crun runc)
source "$here/lib.sh"
bench_setup
gcc -O2 -Wall -o "$work/floor" "$here/floor.c"

for rt in "${runtimes[@]}"; do
  bin=$(command -v "$rt" || true)
  [ "$rt" = hull ] && bin="$repo/build/hull"
  [ -x "$bin" ] || { echo "skip $rt: no binary" >&2; continue; }
  root="$state/root-$rt"
  mkdir -p "$root"
  for id in prof-$rt-warm prof-$rt-c prof-$rt-t prof-$rt-p prof-$rt-v; do
    mkdir -p "$work/$id"
    bench_config "$id" 1 '["/bin/true"]' >"$work/$id/config.json"
  done
  r() { echo "$bin" --root "$root" run --bundle "$work/$1" "$1"; }
  echo "== $rt"
  in_bench_ns bash -c "
    for i in 1 2 3; do $(r prof-$rt-warm) </dev/null; done
    strace -f -c -S time -o '$out/$rt-strace-c.txt' $(r prof-$rt-c) </dev/null
    strace -f -tt -T -o '$out/$rt-strace-T.txt' $(r prof-$rt-t) </dev/null
    perf stat -r 20 -e task-clock,context-switches,cpu-migrations,page-faults \
      -o '$out/$rt-perf-stat.txt' $(r prof-$rt-p) </dev/null
  " || echo "profiling $rt failed" >&2
  # callgrind: hull only (crun re-executes itself from a memfd, which valgrind
  # cannot follow; runc is Go).
  if [ "$rt" = hull ]; then
    in_bench_ns valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out" \
      $(r prof-$rt-v) </dev/null 2>"$out/$rt-callgrind-log.txt" || echo "callgrind on $rt failed" >&2
    [ -f "$work/callgrind.out" ] &&
      { callgrind_annotate "$work/callgrind.out" 2>/dev/null | head -60 >"$out/$rt-callgrind.txt" || true; }
    rm -f "$work/callgrind.out"
  fi
  # Anything a failed step left behind.
  for id in prof-$rt-warm prof-$rt-c prof-$rt-t prof-$rt-p prof-$rt-v; do
    in_bench_ns "$bin" --root "$root" delete --force "$id" >/dev/null 2>&1 || true
  done
done
in_bench_ns "$work/floor" "$rootfs" 200 >"$out/floor.txt"
echo "profile written to $out"
