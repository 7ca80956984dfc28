#!/usr/bin/env bash
# What linking costs hull at start-up: relinks the existing build/ objects
# (no recompile) several ways and measures `hull state <missing>` — pure
# start-up + one lookup — CPU time (perf stat, 100 runs) and peak RSS.
#   dynamic       : libstdc++, libgcc, libseccomp, libcap shared (libmount is
#                   no longer linked: its option table is generated at build time)
#   static-libs   : -static-libstdc++ -static-libgcc, seccomp/cap static
#   fully-static  : the same with -static
#   static-pie-gc : -static-pie -Wl,--gc-sections, what CMake builds in Release
#                   (HULL_STATIC=ON)
# usage: bench/link-experiment.sh [BUILD_DIR]  (default build/, after hull was built there)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$build"
objs=$(tr ' ' '\n' <CMakeFiles/hull.dir/link.txt | grep '\.o$' | tr '\n' ' ')
archives="/usr/lib/x86_64-linux-gnu/libseccomp.a /usr/lib/x86_64-linux-gnu/libcap.a"
c++ -O2 $objs -o "$tmp/dynamic" libhullcore.a -lseccomp -lcap
c++ -O2 $objs -o "$tmp/static-libs" -static-libstdc++ -static-libgcc libhullcore.a $archives
c++ -static -O2 $objs -o "$tmp/fully-static" libhullcore.a $archives
c++ -static-pie -Wl,--gc-sections -O2 $objs -o "$tmp/static-pie-gc" libhullcore.a $archives
printf "| link | size KiB | CPU ms per \`state\` | page faults | peak RSS KiB |\n|---|---|---|---|---|\n"
for v in dynamic static-libs fully-static static-pie-gc /usr/bin/crun; do
  b=$v; [ -x "$b" ] || b="$tmp/$v"
  ps=$(perf stat -x, -r 100 -e task-clock,page-faults "$b" --root "$tmp/none" state nope 2>&1 >/dev/null | grep -v "does not exist" || true)
  cpu=$(echo "$ps" | awk -F, '/task-clock/{printf "%.2f", $1}')
  pf=$(echo "$ps" | awk -F, '/page-faults/{print $1}')
  rss=$(/usr/bin/time -f %M "$b" --root "$tmp/none" state nope 2>&1 >/dev/null | tail -1 || true)
  printf "| %s | %d | %s | %s | %s |\n" "$(basename "$v")" $(( $(stat -c %s "$b") / 1024 )) "$cpu" "$pf" "$rss"
done
