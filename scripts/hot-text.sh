#!/usr/bin/env bash
# Regenerates cmake/hot-text.ld, the list of functions that the Release link
# gathers ahead of .text (see CMakeLists.txt, "hot path"), from callgrind
# profiles of the hull commands a container engine runs for every container.
#   scripts/hot-text.sh [BUILD_DIR]     (default build/; run as root)
# BUILD_DIR must hold a Release hull and its link map, hull.map (Release
# static builds write both). Needs valgrind and /bin/busybox.
#
# Under valgrind `create`, `run` and `exec` stop at the runtime binary's seal
# (valgrind's /proc/self is not the program's), so their profiles hold the
# parent's work up to it: where `create`'s peak RSS is reached. The container
# side runs afterwards, from the sealed view, and is not profiled.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
hull="$build/hull"
[ -x "$hull" ] && [ -f "$build/hull.map" ] || { echo "hot-text: no $hull or $build/hull.map (a Release build)" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "hot-text: valgrind not found (apt-get install valgrind)" >&2; exit 2; }

work=$(mktemp -d)
root="$work/state"
cleanup() {
  "$hull" --root "$root" delete -f hot-live >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

bundle="$work/bundle"
mkdir -p "$bundle/rootfs/bin"
cp /bin/busybox "$bundle/rootfs/bin/busybox"
ln -s busybox "$bundle/rootfs/bin/sleep"
ln -s busybox "$bundle/rootfs/bin/true"
(cd "$bundle" && "$hull" spec)
sed -i -e 's/"terminal": true/"terminal": false/' -e 's|"sh"|"/bin/sleep", "100"|' "$bundle/config.json"

# profile NAME ARGS...: one hull command under callgrind, kept whole.
profile() {
  local name=$1
  shift
  valgrind --tool=callgrind --demangle=no --callgrind-out-file="$work/$name.cg" \
    "$hull" --root "$root" "$@" >/dev/null 2>&1 || true
}
# The same, kept up to the seal (the part callgrind dumps before it): what
# follows under valgrind is the seal's failure, an error path.
profile_until_seal() {
  local name=$1
  shift
  valgrind --tool=callgrind --demangle=no --dump-before=_ZN4hull7process22run_from_sealed_binaryEv \
    --callgrind-out-file="$work/$name.rest" "$hull" --root "$root" "$@" >/dev/null 2>&1 || true
  mv "$work/$name.rest.1" "$work/$name.cg"
}
profile_until_seal create create --bundle "$bundle" hot-create
"$hull" --root "$root" delete -f hot-create >/dev/null 2>&1 || true
profile_until_seal run run --bundle "$bundle" hot-run
"$hull" --root "$root" delete -f hot-run >/dev/null 2>&1 || true
"$hull" --root "$root" create --bundle "$bundle" hot-live
profile start start hot-live
profile state state hot-live
profile list list
profile_until_seal exec exec hot-live /bin/true
profile kill kill hot-live KILL
profile delete delete -f hot-live

python3 scripts/hot_text.py "$build/hull.map" "$hull" "$work"/*.cg >cmake/hot-text.ld
grep -m1 'input sections' cmake/hot-text.ld
