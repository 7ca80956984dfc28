#!/usr/bin/env bash
# Regenerates cmake/hot-text.ld, the list of functions that the Release link
# gathers ahead of .text (see CMakeLists.txt, "hot path"), from traces of the
# hull commands a container engine runs for every container.
#   scripts/hot-text.sh [BUILD_DIR]     (default build/; run as root)
# BUILD_DIR must hold a Release hull and its link map, hull.map (Release
# static builds write both). Needs gcc and /bin/busybox. Takes minutes:
# scripts/hot-trace.c single-steps every instruction of each command, in
# every process it starts up to the container's execve (the init's setup
# included), where valgrind stops at the seal of the runtime binary.
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(realpath -m "${1:-build}")
hull="$build/hull"
[ -x "$hull" ] && [ -f "$build/hull.map" ] || { echo "hot-text: no $hull or $build/hull.map (a Release build)" >&2; exit 2; }

work=$(mktemp -d)
root="$work/state"
cleanup() {
  local id
  for id in hot-live hot-run hot-run-seccomp; do "$hull" --root "$root" delete -f "$id" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT

gcc -O2 -o "$work/hot-trace" scripts/hot-trace.c
bundle="$work/bundle"
mkdir -p "$bundle/rootfs/bin"
cp /bin/busybox "$bundle/rootfs/bin/busybox"
ln -s busybox "$bundle/rootfs/bin/sleep"
ln -s busybox "$bundle/rootfs/bin/true"
(cd "$bundle" && "$hull" spec)
sed -i -e 's/"terminal": true/"terminal": false/' -e 's|"sh"|"/bin/sleep", "86400"|' "$bundle/config.json"
# With the limits engines send (kubelet and podman give memory, CPU and pids
# limits): the code that writes them is on their every create, and left
# out of the hot region it cost create two more 64 KiB fault-around windows
# of cold text (bench/rounds.md, "Fifty-first round").
sed -i 's|"resources": {|"resources": {"memory": {"limit": 268435456}, "cpu": {"shares": 512, "quota": 50000, "period": 100000}, "pids": {"limit": 128},|' "$bundle/config.json"

trace() {  # trace NAME ARGS...: the code one hull command ran
  local name=$1
  shift
  "$work/hot-trace" "$work/$name.trace" "$hull" --root "$root" "$@" >/dev/null
}
trace create create --bundle "$bundle" hot-live
trace start start hot-live
trace state state hot-live
trace list list
trace exec exec hot-live /bin/true
trace kill kill hot-live KILL
trace delete delete -f hot-live
# A node draining: delete -f of a running container (kill, wait, remove).
"$hull" --root "$root" create --bundle "$bundle" hot-live >/dev/null
"$hull" --root "$root" start hot-live
trace delete-running delete -f hot-live
sed -i 's|"/bin/sleep", "86400"|"/bin/true"|' "$bundle/config.json"
trace run run --bundle "$bundle" hot-run
# What clients send: the same with a seccomp profile (podman's, docker's and
# containerd's default), whose parse and load only this run has. Traced with
# the compiled program in the state root's cache, as on a node after its
# first container (compiling it single-stepped takes many minutes).
seccomp="$work/bundle-seccomp"
mkdir -p "$seccomp"
cp -a "$bundle/rootfs" "$seccomp/rootfs"
(cd "$seccomp" && "$hull" spec --seccomp)
sed -i -e 's/"terminal": true/"terminal": false/' -e 's|"sh"|"/bin/true"|' "$seccomp/config.json"
"$hull" --root "$root" run --bundle "$seccomp" hot-run-seccomp >/dev/null
trace run-seccomp run --bundle "$seccomp" hot-run-seccomp

# Most weight first: the commands an engine runs for every container.
python3 scripts/hot_text.py "$build/hull.map" "$work"/{run,create,start,delete-running,exec,state,list,kill,delete,run-seccomp}.trace \
  >cmake/hot-text.ld
grep -m1 'input sections' cmake/hot-text.ld
