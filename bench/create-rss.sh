#!/usr/bin/env bash
# Peak RSS of `create` measured from a small parent, side by side.
#   sudo bench/create-rss.sh [N]   (N samples per runtime, default 10; needs build/hull)
# Why next to run.sh's "peak RSS of `create`" row: ru_maxrss of a process
# spawned by the driver (posix_spawn, a vfork-style clone sharing the
# driver's memory) starts at the driver's own high-water RSS (~3.5 MB) and is
# kept across execve, so runtimes below that all read the same number. Here
# each create is run by /usr/bin/time, which forks from a small process: its
# floor is printed as `busybox true`. Same config template, rootfs, cgroup
# nesting and private mount namespace as run.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
n=${1:-10}
[ "$(id -u)" = 0 ] || { echo "must run as root" >&2; exit 1; }
source "$here/lib.sh"
bench_setup
runtimes=("$here/../build/hull" "$(command -v crun)" "$(command -v runc)")

measure() {
  local i rt name b
  for i in $(seq 1 "$n"); do
    /usr/bin/time -o "$work/t" -f %M /bin/busybox true
    echo "floor(busybox-true) $(tail -1 "$work/t")"
    for rt in "$@"; do
      name=$(basename "$rt")
      b="$work/b-$name-$i"
      mkdir -p "$b"
      bench_config "$name-$i" 1 '["/bin/true"]' >"$b/config.json"
      if /usr/bin/time -o "$work/t" -f %M "$rt" --root "$work/root-$name" create --bundle "$b" \
           --pid-file "$b/pid" "$name-$i" >/dev/null 2>"$work/err"; then
        echo "$name $(tail -1 "$work/t")"
      else
        echo "$name: create failed: $(cat "$work/err")" >&2
      fi
      "$rt" --root "$work/root-$name" delete -f "$name-$i" >/dev/null 2>&1 || true
    done
  done
}
export -f measure bench_config
export work here rootfs cgname n
in_bench_ns bash -c 'measure "$@"' measure "${runtimes[@]}" >"$work/samples"
echo "| runtime | median peak RSS of create, KiB | min | max | n |"
echo "|---|---|---|---|---|"
for name in hull crun runc 'floor(busybox-true)'; do
  awk -v r="$name" '$1 == r {print $2}' "$work/samples" | sort -n | awk -v r="$name" '
    {v[NR] = $1} END {if (NR) printf "| %s | %d | %d | %d | %d |\n", r, (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2), v[1], v[NR], NR}'
done
