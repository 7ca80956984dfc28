#!/usr/bin/env bash
# One command benchmark: hull vs crun vs runc, side by side.
#   bench/run.sh            full run, results in bench/results/
#   bench/run.sh --short    a few iterations (CI proof), results in bench/results/short/
# Options: --iters N  --fill 1,10,100,1000  --par N  --rounds R  --density N  --density-rounds R  --only a,b
#          --no-build (use the existing build/hull)  --runtimes "hull crun runc"
#          --host-mounts N (N more mounts in the benchmark's mount namespace: a busy node's table)
# See bench/README.md for what each row means.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)

short=0 build=1 host_mounts=0 iters="" fill="" par="" rounds="" density="" density_rounds="" only="" runtimes="hull crun runc" out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --short) short=1 ;;
    --no-build) build=0 ;;
    --iters) iters=$2; shift ;;
    --fill) fill=$2; shift ;;
    --par) par=$2; shift ;;
    --rounds) rounds=$2; shift ;;
    --density) density=$2; shift ;;
    --density-rounds) density_rounds=$2; shift ;;
    --only) only=$2; shift ;;
    --runtimes) runtimes=$2; shift ;;
    --out) out=$2; shift ;;
    --host-mounts) host_mounts=$2; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
if [ "$short" = 1 ]; then
  : "${iters:=5}" "${fill:=1,10}" "${par:=10}" "${rounds:=2}" "${density:=10}" "${density_rounds:=1}" "${out:=$here/results/short}"
else
  : "${iters:=30}" "${fill:=1,10,100,1000}" "${par:=50}" "${rounds:=10}" "${density:=200}" "${density_rounds:=3}" "${out:=$here/results}"
fi
mkdir -p "$out"

[ "$(id -u)" = 0 ] || { echo "bench/run.sh must run as root (it creates containers)" >&2; exit 1; }

# --- tools: install what is missing from Debian's archive -------------------
# HULL_BENCH_PREBUILT (set by the run.sh of bench/pack.sh's tarball, for a
# bare host): the driver and floors are prebuilt there, busybox and the
# runtimes carried; nothing is installed and the plot is skipped without gnuplot.
prebuilt=${HULL_BENCH_PREBUILT:-}
need=()
command -v runc >/dev/null || need+=(runc)
command -v crun >/dev/null || need+=(crun)
if [ -z "$prebuilt" ]; then
  command -v gnuplot >/dev/null || need+=(gnuplot-nox)
  [ -x /bin/busybox ] || need+=(busybox-static)
  command -v g++ >/dev/null || need+=(g++)
fi
if [ ${#need[@]} -gt 0 ]; then
  [ -z "$prebuilt" ] || { echo "bench: ${need[*]} missing from the packed tarball" >&2; exit 1; }
  echo "installing: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

source "$here/lib.sh"
bench_setup

# --- build hull (Release), the driver and the floor program ----------------
hull="$repo/build/hull"
if [[ " $runtimes " == *" hull "* ]]; then
  if [ "$build" = 1 ]; then
    echo "building hull (Release)"
    if ! { cmake -S "$repo" -B "$repo/build" -DCMAKE_BUILD_TYPE=Release >"$work/build.log" 2>&1 &&
           cmake --build "$repo/build" -j2 --target hull >>"$work/build.log" 2>&1; }; then
      echo "WARNING: hull did not build; benchmarking without it (tail of the log below)" >&2
      tail -n 15 "$work/build.log" >&2
    fi
  fi
  if [ ! -x "$hull" ]; then
    runtimes=${runtimes//hull/}
    hull_note="hull: not built, so not measured."
  else
    # hull runs as installed (install(1), a package manager), like crun and
    # runc from dpkg: a copy of build/hull on the same disk. The linker's
    # own output file ran 5-12 % slower with the same bytes (17 % more CPU
    # per start, the same page faults; bench/rounds.md, "Eighth round").
    install -m 0755 "$hull" "$repo/build/hull.bench"
    hull="$repo/build/hull.bench"
  fi
fi
if [ -n "$prebuilt" ]; then
  cp "$prebuilt"/{hullbench,floor,floor_full,floor_delete,small-parent} "$work/"
else
  echo "building the driver"
  g++ -std=c++20 -O2 -Wall -o "$work/hullbench" "$here"/driver/*.cpp
  mkdir "$work/ld"
  gcc -O2 -Wall -o "$work/ld/floor" "$here/floor.c"
  gcc -O2 -Wall -static -o "$work/ld/floor_full" "$here/floor_full.c"  # static, like hull
  gcc -O2 -Wall -static -o "$work/ld/floor_delete" "$here/floor_delete.c"
  gcc -O2 -Wall -static -o "$work/ld/small-parent" "$here/small-parent.c"
  # Installed copies, as hull is measured (above).
  install -m 0755 "$work"/ld/* "$work/"
fi

rt_args=() rt_bins=()
for r in $runtimes; do
  case "$r" in
    hull) rt_bins+=("$hull") ;;
    *) rt_bins+=("$(command -v "$r")") ;;
  esac
  rt_args+=(--runtime "$r=${rt_bins[-1]}")
done
level_page_cache "${rt_bins[@]}"

# --- measure, inside a private mount namespace ------------------------------
if [ ${#controllers[@]} -eq 0 ]; then
  cgroup_layout="pure cgroup v2 (benchmark cgroup /$cgname, controllers: $(cat "/sys/fs/cgroup/$cgname/cgroup.subtree_control"))"
else
  cgroup_layout="cgroup v1/hybrid (benchmark cgroup /$cgname in every hierarchy)"
fi
# crun refuses hybrid cgroups, so the cgroup2 mount is removed, in a private
# mount namespace only (the host's mounts stay untouched). All three runtimes
# run in this same namespace so the comparison stays fair.
floor_iters=$(( short ? 10 : 100 ))
drv=("$work/hullbench" --work "$work" --state "$state" --out "$work" --small-parent "$work/small-parent" --floor "$work/floor_full" --floor-delete "$work/floor_delete"
     --template "$here/config.template.json" --seccomp-profile "$here/seccomp-profile.json"
     --rootfs "$rootfs" --cgroup-parent "/$cgname"
     --controllers "$(IFS=,; echo "${controllers[*]}")"
     --iters "$iters" --fill "$fill" --par "$par" --rounds "$rounds" --density "$density" --density-rounds "$density_rounds" "${rt_args[@]}")
[ "$short" = 1 ] && drv+=(--short)
[ -n "$only" ] && drv+=(--only "$only")
export HULL_BENCH_HOST_MOUNTS=$host_mounts HULL_BENCH_HOST_MOUNTS_DIR="$work/host-mounts"
ns_mounts=$(in_bench_ns sh -c 'wc -l </proc/self/mountinfo')
echo "runtimes: $runtimes; iterations $iters; fill $fill; parallel $par x $rounds rounds; $ns_mounts mounts in the benchmark's namespace"
in_bench_ns bash -c '"$1/floor" "$2" "$3" >"$1/floor.txt"' floor "$work" "$rootfs" "$floor_iters"
in_bench_ns "${drv[@]}"

# --- results ----------------------------------------------------------------
{
  echo "# hull vs crun vs runc"
  echo
  echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') by \`bench/run.sh$([ "$short" = 1 ] && echo ' --short')\`" \
       "on $(nproc) cores, kernel $(uname -r), $cgroup_layout, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end."
  echo
  echo "- hull: $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || cat "$repo/build/hull.version" 2>/dev/null || echo '?')$([ -x "$hull" ] || echo ' (not built)')"
  echo "- crun: $(crun --version | head -1)"
  echo "- runc: $(runc --version | head -1)"
  echo "- iterations per row: $iters (after one warm-up); fill levels: $fill; parallel: $par containers x $rounds rounds"
  echo "- mount table of the benchmark's namespace, which a container's mount namespace starts as a copy of: $ns_mounts mounts$([ "$host_mounts" = 0 ] || echo " ($host_mounts tmpfs added: --host-mounts)")"
  [ -n "${hull_note:-}" ] && echo "- $hull_note"
  echo
  cat "$work/table.md"
  echo
  if [ -s "$work/density-slab.md" ]; then
    echo "Slab caches that grew with the running containers (bench_density: objects in use, active_objs × objsize from /proc/slabinfo, after − before, per container; after an unrecorded warm-up pass of the same number of containers):"
    cat "$work/density-slab.md"
    echo
  fi
  echo 'Column "floor": bench/floor_full.c, the full floor (every syscall the config needs: cgroup with limits, clone3, all mounts, /dev, masked and read-only paths, pivot_root, caps, execve, wait, cgroup removal; no runtime), interleaved with the runtimes. In the density row "delete --force of them all": bench/floor_delete.c (SIGKILL through a pidfd, wait, cgroup and state dir removal; no runtime) on as many containers brought up by hull, as many at a time.'
  echo
  echo 'Bare floor (bench/floor.c: clone3 into the same namespaces + pivot_root + execve /bin/true + wait, no runtime; `_cpu` rows: CPU time of the container child):'
  echo
  echo "| floor | median ms | min | max | n |"
  echo "|---|---|---|---|---|"
  awk '{printf "| %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5}' "$work/floor.txt"
} >"$out/results.md"
cp "$work/raw.csv" "$out/raw.csv"
cp "$work"/plot_*.dat "$out/"
if command -v gnuplot >/dev/null; then
  gnuplot -e "dir='$out'" "$here/plot.gp" && echo "plot: $out/plot.png"
else
  echo "no gnuplot here: no plot (the .dat files are in $out)"
fi
if [ -s "$work/runtime-stderr.log" ]; then
  tail -n 200 "$work/runtime-stderr.log" >"$out/runtime-stderr.log"
  echo "runtime error output (last lines) in $out/runtime-stderr.log"
fi
echo "results: $out/results.md"
cat "$out/results.md"
# Last line: rows without / with failed runtime commands (CI reads it; a
# short run with a failure exits non-zero so CI notices a broken harness).
summary=$(cat "$work/summary.txt")
echo "$summary"
if [ "$short" = 1 ] && ! [[ "$summary" == *" 0 failed" ]]; then exit 1; fi
