#!/usr/bin/env bash
# Where `hull run /bin/true` spends CPU above the full floor, by kernel entry
# (bench/oncpu.c: clone3, mkdirat, page faults, the runtime's own code...),
# in µs per run: ITERATIONS runs of each, one of hull then one of the floor,
# in the benchmark's wrapper, with its config and cgroup parent. The floor's
# clone3 makes the network namespace that hull's init makes with unshare:
# compare their sums. Both are static glibc programs, so "user" holds the
# same start-up (its CPU probing) in both columns.
# usage: sudo bench/oncpu.sh [ITERATIONS] [NETNS 1|0] [OUT_FILE]
#   HULL=bin (default build/hull, named hull); FLOOR=floor_full binary and
#   ONCPU=oncpu binary (default: built here with gcc, static); ONCPU_FREQ=HZ
#   (default oncpu's 4000: faster sampling inflates what it measures on a VM).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
n=${1:-200} netns=${2:-1} out=${3:-/dev/stdout}
hull=${HULL:-$repo/build/hull}
[ "$(basename "$hull")" = hull ] || { echo "oncpu: HULL must be named hull (its samples are told by that name)" >&2; exit 2; }
source "$here/lib.sh"
bench_setup
mkdir -p "$state/root" "$work/b"
bench_config oncpu "$netns" '["/bin/true"]' >"$work/b/config.json"
floor=${FLOOR:-} oncpu=${ONCPU:-}
if [ -z "$floor" ]; then
  floor="$work/floor_full"
  gcc -O2 -Wall -static -o "$floor" "$here/floor_full.c"
fi
if [ -z "$oncpu" ]; then
  oncpu="$work/oncpu"
  gcc -O2 -Wall -static -o "$oncpu" "$here/oncpu.c"
fi
ctrls=$(IFS=,; echo "${controllers[*]+"${controllers[*]}"}")
# loop.sh FIRST COUNT: one run of hull, then one of the floor, COUNT times.
cat >"$work/loop.sh" <<EOF
set -e
for ((i = \$1; i < \$1 + \$2; i++)); do
  "$hull" --root "$state/root" run --bundle "$work/b" oncpu-\$i </dev/null >/dev/null
  "$floor" "$netns" "$rootfs" "/$cgname/floor-\$i" "${ctrls:--}" </dev/null >/dev/null
done
EOF
# Two of each before the samples: page cache and dentries warm.
in_bench_ns bash "$work/loop.sh" 0 2
tmp_out="$work/oncpu.md"
in_bench_ns "$oncpu" ${ONCPU_FREQ:+--freq "$ONCPU_FREQ"} --runs "$n" --comm hull,floor_full --out "$tmp_out" -- bash "$work/loop.sh" 2 "$n"
{
  echo "\`hull run /bin/true\` ($hull) against the full floor, network namespace: $netns; $(nproc) CPUs, $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg) at the end."
  echo
  cat "$tmp_out"
} >"$out"
