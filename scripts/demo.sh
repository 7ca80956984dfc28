#!/usr/bin/env bash
# hull's demo (run as root): installs dependencies, builds hull, makes a
# busybox root filesystem and runs bundles/demo in it. The container prints
# its hostname, its pid (1: it is the init of a new pid namespace) and its
# namespace inodes, shown next to the host's to prove they differ.
# Uses a throwaway --root and removes it (and the container) on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

if ((EUID != 0)); then
  echo "demo: run as root (containers need CAP_SYS_ADMIN)" >&2
  exit 1
fi

bash scripts/setup.sh
echo "== Building hull (build/)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target hull

echo "== Making bundles/demo/rootfs from busybox-static"
bundles/make-rootfs.sh bundles/demo/rootfs

hull=$PWD/build/hull
state_root=$(mktemp -d /tmp/hull-demo.XXXXXX)
id=demo-$$
cleanup() {
  "$hull" --root "$state_root" delete --force "$id" >/dev/null 2>&1 || true
  rm -rf "$state_root"
}
trap cleanup EXIT

echo "== hull run --bundle bundles/demo $id"
set +e
output=$("$hull" --root "$state_root" run --bundle bundles/demo "$id")
status=$?
set -e
printf '%s\n' "$output" | grep -v '^ns ' || true
if ((status != 0)); then
  echo "demo: the container failed (exit $status)" >&2
  exit "$status"
fi

echo
printf '%-8s %-24s %-24s %s\n' namespace host container differs
all_differ=yes
while read -r _ ns link; do
  host=$(readlink "/proc/self/ns/$ns")
  differs=yes
  [[ $host == "$link" ]] && differs=NO && all_differ=no
  printf '%-8s %-24s %-24s %s\n' "$ns" "$host" "$link" "$differs"
done < <(printf '%s\n' "$output" | grep '^ns ')

if [[ $all_differ != yes ]]; then
  echo "demo: some namespaces are shared with the host" >&2
  exit 1
fi
echo
echo "demo: the container ran in its own namespaces; exit status $status"
