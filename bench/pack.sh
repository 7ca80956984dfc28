#!/usr/bin/env bash
# Packs the benchmark for a bare host (issue #16 point 5): no compiler, no
# package manager, no network there. One tarball with
#   build/hull                     the static-PIE hull (built here if missing)
#   bench/                         the scripts (phases.py too), the config template, the driver's sources
#   tests/e2e/default-roots.sh     what removes the default state roots a run made (bench/lib.sh)
#   prebuilt/                      hullbench (the driver; libstdc++ static, glibc the
#                                  host's), floor, floor_full, floor_delete, small-parent,
#                                  waits, faultcost, oncpu (static)
#   bin/busybox                    static busybox (the containers' rootfs)
#   bin/crun, bin/runc             links to lib/crun, lib/runc, which find
#   lib/                           the shared libraries they link (glibc's own left out) by
#                                  their search path: unpack in /tmp
#   run.sh                         runs bench/run.sh --no-build with all of the above
#   phases.sh                      runs bench/phases.sh (hull's own phase marks, beside the
#                                  full floor's) with the carried hull
#   waits.sh                       runs bench/waits.sh (where parallel lifecycles wait in the kernel)
#   oncpu.sh                       runs bench/oncpu.sh (run's CPU by kernel entry, beside the full floor's)
#   round.sh                       a lent machine's round in one call, its results in one tarball
# and with --users, for bench/users.sh (podman, ctr and a pod end to end):
#   bin/, lib/                     podman, conmon, containerd, ctr and containerd-shim-runc-v2,
#                                  carried as crun and runc are
#   tests/e2e/, bundles/           the scripts users.sh sets its clients up with
#   users.sh                       runs bench/users.sh with all of the above
# glibc (libc.so.6, ld-linux) stays the host's: a runtime run through a
# carried ld.so would see ld.so as /proc/self/exe, and runc re-executes
# /proc/self/exe for `runc init`. So the bare host needs glibc >= this host's
# (Debian 12: 2.36); run.sh there checks that crun and runc start.
# and with --base HULL, an earlier hull binary (a static Release build) as
#   build/hull-base                round.sh --second pairs it with build/hull
# usage: bench/pack.sh [--users] [--base HULL] OUT.tar.xz (or .tar.gz)    then, on the bare host, as root:
#        tar -C /tmp -xf OUT.tar.xz && /tmp/hull-bench/run.sh [bench/run.sh options, e.g. --short]
#        (--users: also hull-bench/users.sh [ITERATIONS] [KINDS], as bench/users.sh)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
users=0 base=""
while (($# > 1)); do
  case $1 in
    --users) users=1 ;;
    --base) base=$(realpath "$2"); shift ;;
    *) break ;;
  esac
  shift
done
(($# == 1)) || { echo "usage: $0 [--users] [--base HULL] OUT.tar.xz" >&2; exit 2; }
out=$(realpath -m "$1")
if [ -n "$base" ]; then
  file -L "$base" | grep -q 'static-pie linked\|statically linked' ||
    { echo "pack: --base $base is not a static hull" >&2; exit 1; }
fi

clients=()
((users)) && clients=(podman conmon containerd ctr containerd-shim-runc-v2)
for t in crun runc g++ gcc patchelf "${clients[@]}"; do
  command -v "$t" >/dev/null || { echo "pack: $t is missing (scripts/setup.sh installs it)" >&2; exit 1; }
done
[ -x /bin/busybox ] || { echo "pack: /bin/busybox (busybox-static) is missing" >&2; exit 1; }
if [ ! -x "$repo/build/hull" ]; then
  cmake -S "$repo" -B "$repo/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$repo/build" --target hull >/dev/null
fi
file -L "$repo/build/hull" | grep -q 'static-pie linked\|statically linked' ||
  { echo "pack: build/hull is not static (configure with -DCMAKE_BUILD_TYPE=Release)" >&2; exit 1; }

stage=$(mktemp -d)
# crun makes /run/crun when it starts, --version below too: removed again if
# this run made it.
bash "$repo/tests/e2e/default-roots.sh" "$stage/default-roots" setup crun
trap 'bash "$repo/tests/e2e/default-roots.sh" "$stage/default-roots" cleanup; rm -rf "$stage"' EXIT
d=$stage/hull-bench
mkdir -p "$d"/{build,bin,lib,prebuilt,bench}
cp "$repo/build/hull" "$d/build/hull"
git -C "$repo" rev-parse --short HEAD >"$d/build/hull.version" 2>/dev/null || echo "?" >"$d/build/hull.version"
if [ -n "$base" ]; then
  cp "$base" "$d/build/hull-base"
  "$base" --version | sed -n 's/^commit: //p' >"$d/build/hull-base.version"
fi
cp -r "$here"/*.sh "$here"/*.py "$here"/*.c "$here"/*.json "$here"/*.gp "$here/README.md" "$here/driver" "$d/bench/"
cp /bin/busybox "$d/bin/busybox"
mkdir -p "$d/tests/e2e"
cp "$repo/tests/e2e/default-roots.sh" "$d/tests/e2e/"  # lib.sh removes the default state roots a run made

g++ -std=c++20 -O2 -Wall -static-libstdc++ -static-libgcc -o "$d/prebuilt/hullbench" "$here"/driver/*.cpp
gcc -O2 -Wall -o "$d/prebuilt/floor" "$here/floor.c"
gcc -O2 -Wall -static -o "$d/prebuilt/floor_full" "$here/floor_full.c"
gcc -O2 -Wall -static -o "$d/prebuilt/floor_delete" "$here/floor_delete.c"
gcc -O2 -Wall -static -o "$d/prebuilt/small-parent" "$here/small-parent.c"
gcc -O2 -Wall -static -o "$d/prebuilt/waits" "$here/waits.c"
gcc -O2 -Wall -static -o "$d/prebuilt/faultcost" "$here/faultcost.c"
gcc -O2 -Wall -static -o "$d/prebuilt/oncpu" "$here/oncpu.c"

# Each runtime (and client) as lib/NAME plus the libraries ldd lists for it,
# glibc's left out; bin/NAME links to it. Every carried ELF gets the run-time
# search path "$ORIGIN:/tmp/hull-bench/lib" (patchelf), so the loader finds
# the carried libraries with no environment: a client finds the others and
# the runtimes in PATH (podman: conmon; containerd: its shim), and podman
# starts the runtime with an environment of its own making. $ORIGIN alone is
# not enough: crun, and runc for `runc init`, re-execute a copy of
# themselves from a memfd, where $ORIGIN is "/"; hence the tarball is
# unpacked in /tmp (run.sh's probe says so where it is not). (The rounds
# before 2026-11-26 18:40 UTC started each through a shell wrapper that set
# LD_LIBRARY_PATH: a shell and two more programs before every crun and runc
# call, 3.3 ms on the development VM, which made them look slower than they
# are. bin/crun-sh keeps that wrapper: round.sh measured its price in the
# thirty-first round.)
glibc='^(libc|libm|libdl|libpthread|librt|ld-linux-x86-64)\.so'
for r in crun runc "${clients[@]}"; do
  bin=$(command -v "$r")
  cp "$bin" "$d/lib/$r"
  ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// {print $3}' | while read -r so; do
    [[ $(basename "$so") =~ $glibc ]] || cp -L "$so" "$d/lib/"
  done
  ln -s "../lib/$r" "$d/bin/$r"
done
# DT_RPATH, not DT_RUNPATH: the loader then applies it to the libraries'
# own dependencies too (libsystemd's libgcrypt, ...).
for f in "$d"/lib/*; do
  patchelf --force-rpath --set-rpath '$ORIGIN:/tmp/hull-bench/lib' "$f"
done
for r in crun runc "${clients[@]}"; do
  # The pattern through ENVIRON: awk -v would take its "\." for an escape.
  stray=$(env -i ldd "$d/lib/$r" | glibc="$glibc" awk -v lib="$d/lib/" \
    '$2 == "=>" && $1 !~ ENVIRON["glibc"] && index($3, lib) != 1 {print $1 " => " $3}')
  [ -z "$stray" ] || { echo "pack: lib/$r would load from outside lib/: $stray" >&2; exit 1; }
done
cat >"$d/bin/crun-sh" <<'EOF'
#!/bin/sh
# crun as the rounds before 2026-11-26 18:40 UTC started it (bench/pack.sh)
d=$(dirname "$(readlink -f "$0")")/..
LD_LIBRARY_PATH=$d/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} exec "$d/lib/crun" "$@"
EOF
chmod +x "$d/bin/crun-sh"

cat >"$d/phases.sh" <<'EOF'
#!/bin/sh
# bench/phases.sh on a bare host from what bench/pack.sh carried (no gcc
# there: the floor column runs the prebuilt floor_full).
d=$(cd "$(dirname "$0")" && pwd)
export PATH="$d/bin:$PATH" HULL_BENCH_BUSYBOX="$d/bin/busybox" FLOOR="${FLOOR:-$d/prebuilt/floor_full}"
exec bash "$d/bench/phases.sh" "$@"
EOF
chmod +x "$d/phases.sh"

cat >"$d/waits.sh" <<'EOF'
#!/bin/sh
# bench/waits.sh on a bare host from what bench/pack.sh carried.
d=$(cd "$(dirname "$0")" && pwd)
export PATH="$d/bin:$PATH" HULL_BENCH_PREBUILT="$d/prebuilt" HULL_BENCH_RUN="$d/run.sh"
exec bash "$d/bench/waits.sh" "$@"
EOF
chmod +x "$d/waits.sh"

cat >"$d/oncpu.sh" <<'EOF'
#!/bin/sh
# bench/oncpu.sh on a bare host from what bench/pack.sh carried.
d=$(cd "$(dirname "$0")" && pwd)
export PATH="$d/bin:$PATH" HULL_BENCH_BUSYBOX="$d/bin/busybox" HULL="${HULL:-$d/build/hull}" \
  FLOOR="${FLOOR:-$d/prebuilt/floor_full}" ONCPU="${ONCPU:-$d/prebuilt/oncpu}"
exec bash "$d/bench/oncpu.sh" "$@"
EOF
chmod +x "$d/oncpu.sh"

cat >"$d/run.sh" <<'EOF'
#!/bin/sh
# bench/run.sh on a bare host from what bench/pack.sh carried: no build, no apt.
d=$(cd "$(dirname "$0")" && pwd)
export PATH="$d/bin:$PATH" HULL_BENCH_PREBUILT="$d/prebuilt" HULL_BENCH_BUSYBOX="$d/bin/busybox"
# crun makes its state root whenever it starts (/run/crun unless --root says
# otherwise): the probe gives it a scratch one.
for r in crun runc; do
  "$d/bin/$r" --root "$d/probe-root" --version >/dev/null 2>&1 ||
    { echo "hull-bench: $r does not start here (unpacked in /tmp? the host's glibc >= 2.36?): $("$d/bin/$r" --version 2>&1 | head -1)" >&2; exit 1; }
done
rm -rf "$d/probe-root"
exec bash "$d/bench/run.sh" --no-build "$@"
EOF
chmod +x "$d/run.sh"

if ((users)); then
  mkdir -p "$d/tests/e2e" "$d/bundles"
  cp "$repo"/tests/e2e/{lib.sh,podman.sh,containerd.sh,make-oci-image.sh} "$d/tests/e2e/"
  cp "$repo/bundles/make-rootfs.sh" "$d/bundles/"
  cat >"$d/users.sh" <<'EOF'
#!/bin/sh
# bench/users.sh on a bare host from what bench/pack.sh --users carried.
# podman reads /etc/containers/policy.json even to import an image: where
# the host has none, one that accepts anything is written for the run and
# removed after it.
d=$(cd "$(dirname "$0")" && pwd)
export PATH="$d/bin:$PATH" BUSYBOX="$d/bin/busybox" HULL_BENCH_BUSYBOX="$d/bin/busybox"
for c in crun runc podman conmon containerd ctr; do
  case $c in
    crun | runc) "$d/bin/$c" --root "$d/probe-root" --version >/dev/null 2>&1 ;;  # a scratch state root, as in run.sh
    *) "$d/bin/$c" --version >/dev/null 2>&1 ;;
  esac ||
    { echo "hull-bench: $c does not start here (unpacked in /tmp?): $("$d/bin/$c" --version 2>&1 | head -1)" >&2; exit 1; }
done
rm -rf "$d/probe-root"
policy=/etc/containers/policy.json made_policy=
if [ ! -e "$policy" ]; then
  mkdir -p /etc/containers &&
    printf '{"default": [{"type": "insecureAcceptAnything"}]}\n' >"$policy" && made_policy=1
fi
bash "$d/bench/users.sh" "$@"
rc=$?
[ -z "$made_policy" ] || rm -f "$policy"
exit $rc
EOF
  chmod +x "$d/users.sh"
fi
cat >"$d/round.sh" <<'EOF'
#!/bin/sh
# A lent machine's round in one call, its results in one file (the device
# tool brings back at most 8 files): the host's facts (with what a page
# fault, a fork and a wakeup cost there: faultcost.md), the full run
# (--par 16), the clients end to end (users.sh 30, when packed --users, every
# sample kept in users-raw.csv), the density row at 1000 (hull and crun, 2
# rounds), where 16 parallel lifecycles of hull and of crun wait in the
# kernel (bench/waits.sh, 40 rounds each, in waits/: 6 rounds took under 2 s
# on the 16-core host, too few samples) and, last, hull's own
# phase marks of 100 runs with and without a network namespace, beside the
# same phases of the full floor (bench/phases.sh, in phases.log); each step under its
# own timeout so that the whole fits in one call of 10 minutes (590 s at
# most, and the tar); a step cut short leaves its log. --quick: the same
# steps, small (run.sh --short, users.sh 2, density 50 in 1 round, waits of
# 4 at a time in 1 round, phases 5 runs), to try the script anywhere.
# --second: a second call's round, right after the first on the machine
# still warm (it goes back 30 s after a call): the full run again, the
# packed base hull (pack.sh --base) paired with this one (run and parallel
# rows, 40 samples, as hull-base and hull-now), the density row at 1000
# again, hull's waits again, the run rows with 200 more mounts in the
# benchmark's mount namespace (run.sh --host-mounts: what a busy node's
# mount table costs each runtime), the phases of the base hull, this
# one and the floor side by side, and where run's CPU goes beside the
# floor's, by kernel entry (bench/oncpu.sh, 300 runs each, with and
# without a network namespace), and that of 16 parallel lifecycles beside
# crun's (bench/oncpu.c around the parallel rows, 20 rounds), in oncpu/,
# and, last, where one hull run at a time sleeps in the kernel (phases.sh
# with and without a network namespace under bench/waits.c, 200 runs each:
# waits-run-netns0.md and -netns1.md, their phases in the step logs);
# with --quick after it, small.
# usage: hull-bench/round.sh OUT_DIR [--quick | --second [--quick]]   writes OUT_DIR/round.tgz
# Timeouts in seconds: HULL_ROUND_FULL (190), HULL_ROUND_USERS (210),
# HULL_ROUND_DENSITY (110), HULL_ROUND_WAITS (50), HULL_ROUND_PHASES (20),
# HULL_ROUND_PAIRED (120, --second), HULL_ROUND_MOUNTS (40, --second),
# HULL_ROUND_ONCPU (40, --second)
# (the thirty-fourth round's steps took 160, 180, 101, 3 and 3 s).
d=$(cd "$(dirname "$0")" && pwd)
[ -n "${1:-}" ] || { echo "usage: $0 OUT_DIR [--quick]" >&2; exit 2; }
out=$(cd "$1" && pwd) || exit 2
# The steps write under OUT/round as they go, so that a call cut short (the
# device's limit) still brings back the steps that finished; the tarball
# replaces the directory at the end.
r=$out
cmp=$(mktemp -d) || exit 1
rm -rf "$r/round" && mkdir "$r/round" || exit 1
{ uname -r; nproc; cat /proc/self/cgroup; grep cgroup /proc/mounts; echo "$(wc -l </proc/self/mountinfo) mounts"; ldd --version | head -1; uptime; } >"$r/round/host.txt" 2>&1
# What a page fault, a fork and a cross-CPU wakeup cost here (about a second).
timeout 30 "$d/prebuilt/faultcost" "$d/build/hull" 50 >"$r/round/faultcost.md" 2>&1
step() {
  name=$1 limit=$2
  shift 2
  start=$(date +%s)
  timeout "$limit" "$@" >"$r/round/$name.log" 2>&1
  echo "$name: exit $?, $(($(date +%s) - start)) s, $(uptime)" >>"$r/round/steps.txt"
}
paired() {  # paired ITERS PAR ROUNDS: the base hull against this one, when packed
  [ -x "$d/build/hull-base" ] || return 0
  cp "$d/build/hull-base" "$cmp/hull-base" && cp "$d/build/hull" "$cmp/hull-now" &&
    cp "$d/build/hull-base.version" "$r/round/hull-base.version" &&
    step paired "${HULL_ROUND_PAIRED:-120}" env PATH="$cmp:$PATH" "$d/run.sh" --only run,parallel --iters "$1" \
      --par "$2" --rounds "$3" --runtimes "hull-base hull-now" --out "$r/round/paired"
}
phases_side_by_side() {  # phases_side_by_side RUNS: the base hull (when packed), this one, the full floor
  local cols="$d/build/hull"
  [ ! -x "$d/build/hull-base" ] || cols="$d/build/hull-base,$cols"
  step phases "${HULL_ROUND_PHASES:-20}" env HULL="$cols" sh -c "\"$d/phases.sh\" $1 1 && \"$d/phases.sh\" $1 0"
}
waits_of_runs() {  # waits_of_runs RUNS: where one hull run at a time sleeps (phases.sh under the waits sampler)
  local netns
  for netns in 0 1; do
    step "waits-run-netns$netns" "${HULL_ROUND_WAITS:-50}" "$d/prebuilt/waits" --interval-us 200 --comm hull \
      --out "$r/round/waits-run-netns$netns.md" -- env HULL="$d/build/hull" FLOOR=none "$d/phases.sh" "$1" "$netns"
  done
}
oncpu() {  # oncpu RUNS PAR ROUNDS: CPU by kernel entry, run beside the full floor, parallel lifecycles beside crun's
  mkdir -p "$r/round/oncpu"
  step oncpu "${HULL_ROUND_ONCPU:-40}" sh -c "\"$d/oncpu.sh\" $1 1 \"$r/round/oncpu/netns.md\" &&
    \"$d/oncpu.sh\" $1 0 \"$r/round/oncpu/no-netns.md\""
  # Per lifecycle: the parallel rows run PAR x ROUNDS with a network namespace and as many without.
  step oncpu-parallel "${HULL_ROUND_ONCPU:-40}" "$d/prebuilt/oncpu" --runs $((2 * $2 * $3)) --comm hull+hull.bench,crun \
    --out "$r/round/oncpu/parallel.md" -- "$d/run.sh" --only parallel --par "$2" --rounds "$3" --runtimes "hull crun" \
    --out "$r/round/oncpu/parallel-run"
}
if [ "${2:-}" = --second ] && [ "${3:-}" = --quick ]; then
  step full "${HULL_ROUND_FULL:-190}" "$d/run.sh" --short --out "$r/round/full"
  paired 3 4 1
  step density "${HULL_ROUND_DENSITY:-110}" "$d/run.sh" --only density --density 50 --density-rounds 1 \
    --runtimes "hull crun" --out "$r/round/density"
  step waits "${HULL_ROUND_WAITS:-50}" "$d/waits.sh" "$r/round/waits" 4 1 hull
  step mounts "${HULL_ROUND_MOUNTS:-40}" "$d/run.sh" --short --only run --host-mounts 50 --out "$r/round/mounts"
  phases_side_by_side 5
  oncpu 5 4 1
  waits_of_runs 5
elif [ "${2:-}" = --second ]; then
  step full "${HULL_ROUND_FULL:-190}" "$d/run.sh" --par 16 --out "$r/round/full"
  paired 40 16 6
  step density "${HULL_ROUND_DENSITY:-110}" "$d/run.sh" --only density --density 1000 --density-rounds 2 \
    --runtimes "hull crun" --out "$r/round/density"
  step waits "${HULL_ROUND_WAITS:-50}" "$d/waits.sh" "$r/round/waits" 16 40 hull
  step mounts "${HULL_ROUND_MOUNTS:-40}" "$d/run.sh" --only run --iters 20 --host-mounts 200 --out "$r/round/mounts"
  phases_side_by_side 100
  oncpu 300 16 20
  waits_of_runs 200
elif [ "${2:-}" = --quick ]; then
  step full "${HULL_ROUND_FULL:-190}" "$d/run.sh" --short --out "$r/round/full"
  [ ! -x "$d/users.sh" ] || step users "${HULL_ROUND_USERS:-210}" env USERS_RAW="$r/round/users-raw.csv" "$d/users.sh" 2
  step density "${HULL_ROUND_DENSITY:-110}" "$d/run.sh" --only density --density 50 --density-rounds 1 \
    --runtimes "hull crun" --out "$r/round/density"
  step waits "${HULL_ROUND_WAITS:-50}" "$d/waits.sh" "$r/round/waits" 4 1
  step phases "${HULL_ROUND_PHASES:-20}" sh -c "\"$d/phases.sh\" 5 1 && \"$d/phases.sh\" 5 0"
else
  step full "${HULL_ROUND_FULL:-190}" "$d/run.sh" --par 16 --out "$r/round/full"
  [ ! -x "$d/users.sh" ] || step users "${HULL_ROUND_USERS:-210}" env USERS_RAW="$r/round/users-raw.csv" "$d/users.sh" 30
  step density "${HULL_ROUND_DENSITY:-110}" "$d/run.sh" --only density --density 1000 --density-rounds 2 \
    --runtimes "hull crun" --out "$r/round/density"
  step waits "${HULL_ROUND_WAITS:-50}" "$d/waits.sh" "$r/round/waits" 16 40
  step phases "${HULL_ROUND_PHASES:-20}" sh -c "\"$d/phases.sh\" 100 1 && \"$d/phases.sh\" 100 0"
fi
tar -C "$r" -czf "$out/round.tgz" round
cat "$r/round/steps.txt"
rm -rf "$r/round" "$cmp"
EOF
chmod +x "$d/round.sh"
tar -C "$stage" -caf "$out" hull-bench  # compressed as its name says (.tar.gz, .tar.xz)
echo "packed: $out ($(du -h "$out" | cut -f1)); on the bare host: tar -C /tmp -xf $(basename "$out") && /tmp/hull-bench/run.sh --short"
((users == 0)) || echo "and: hull-bench/users.sh [ITERATIONS] [KINDS]"
echo "a lent machine's round in one call: hull-bench/round.sh \"\$OUT\" (one file comes back: round.tgz)"
[ -z "$base" ] || echo "a second call at once: hull-bench/round.sh \"\$OUT\" --second (pairs hull-base $(cat "$d/build/hull-base.version" 2>/dev/null))"
