#!/usr/bin/env bash
# What linking costs hull at start-up: relinks the existing build/ objects
# (no recompile) three ways and measures `hull state <missing>` — pure
# start-up + one lookup — CPU time (perf stat, 100 runs) and peak RSS.
#   dynamic       : as CMake links it today (libstdc++, libseccomp, libcap,
#                   libmount -> libblkid, libselinux, libpcre2 all shared)
#   static-libs   : -static-libstdc++ -static-libgcc, seccomp/cap static,
#                   libmount dropped (its one use, mnt_get_builtin_optmap,
#                   stubbed for this experiment only)
#   fully-static  : the same with -static
# usage: bench/link-experiment.sh [BUILD_DIR]  (default build/, after hull was built there)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$build"
objs=$(sed 's/.*-O2 -DNDEBUG //; s/ -o hull .*//' CMakeFiles/hull.dir/link.txt)
echo 'void* mnt_get_builtin_optmap(int id) { (void)id; return 0; }' >"$tmp/stub.c"
gcc -O2 -c "$tmp/stub.c" -o "$tmp/stub.o"
libs="libhullcore.a /usr/lib/x86_64-linux-gnu/libseccomp.a /usr/lib/x86_64-linux-gnu/libcap.a"
cp hull "$tmp/dynamic"
c++ -O2 $objs "$tmp/stub.o" -o "$tmp/static-libs" -static-libstdc++ -static-libgcc $libs
c++ -static -O2 $objs "$tmp/stub.o" -o "$tmp/fully-static" $libs 2>/dev/null
printf "| link | size KiB | CPU ms per \`state\` | page faults | peak RSS KiB |\n|---|---|---|---|---|\n"
for v in dynamic static-libs fully-static /usr/bin/crun; do
  b=$v; [ -x "$b" ] || b="$tmp/$v"
  ps=$(perf stat -x, -r 100 -e task-clock,page-faults "$b" --root "$tmp/none" state nope 2>&1 >/dev/null | grep -v "does not exist" || true)
  cpu=$(echo "$ps" | awk -F, '/task-clock/{printf "%.2f", $1}')
  pf=$(echo "$ps" | awk -F, '/page-faults/{print $1}')
  rss=$(/usr/bin/time -f %M "$b" --root "$tmp/none" state nope 2>&1 >/dev/null | tail -1 || true)
  printf "| %s | %d | %s | %s | %s |\n" "$(basename "$v")" $(( $(stat -c %s "$b") / 1024 )) "$cpu" "$pf" "$rss"
done
