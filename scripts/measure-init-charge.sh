#!/usr/bin/env bash
# Peak memory charged to a container's memory cgroup by `hull run` of
# busybox /bin/true, for two or more hull binaries, interleaved run by run so
# a change in the machine's load or page cache hits every binary alike.
#   scripts/measure-init-charge.sh N BINARY...
# e.g. the Release build with and without its hardening flags
# (cmake -B build-nohard -DHULL_HARDENING=OFF): CONTRIBUTING.md, "Build".
# Root, cgroup v1 memory controller (memory.max_usage_in_bytes) or v2
# (memory.peak). Each run gets a fresh parent cgroup under this shell's own
# memory cgroup, made here so hull does not remove it: the parent's peak is
# the container's (the init is the only process below it), read after the
# container is gone. Prints one line per run and the median per binary.
set -euo pipefail
n=${1:?usage: measure-init-charge.sh N BINARY...}
shift
(($# >= 1)) || { echo "usage: measure-init-charge.sh N BINARY..." >&2; exit 2; }

if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
  mem=/sys/fs/cgroup$(awk -F: '$1 == "0" {print $3}' /proc/self/cgroup)
  peak_file=memory.peak
else
  mem=/sys/fs/cgroup/memory$(awk -F: '$2 == "memory" {print $3}' /proc/self/cgroup)
  peak_file=memory.max_usage_in_bytes
fi

work=$(mktemp -d /tmp/hull-charge.XXXXXX)
parents=()
cleanup() {
  for p in "${parents[@]}"; do [ -d "$p" ] && rmdir "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap "exit 1" INT TERM

mkdir -p "$work/bundle/rootfs/bin"
cp /bin/busybox "$work/bundle/rootfs/bin/busybox"
ln -s busybox "$work/bundle/rootfs/bin/true"
"$1" spec --bundle "$work/bundle"
config_for() {  # cgroupsPath -> config.json
  python3 - "$work/bundle/config.json" "$1" <<'EOF'
import json, sys
path, cgroups_path = sys.argv[1], sys.argv[2]
c = json.load(open(path))
c["process"]["args"] = ["/bin/true"]
c["process"]["terminal"] = False
c["linux"]["cgroupsPath"] = cgroups_path
json.dump(c, open(path, "w"))
EOF
}

declare -A samples
for ((i = 1; i <= n; i++)); do
  for ((k = 1; k <= $#; k++)); do
    bin=${!k}
    name=hull-charge-$$-$i-$k
    mkdir "$mem/$name"
    parents+=("$mem/$name")
    config_for "$name/c"  # relative: below this shell's own cgroup
    "$bin" --root "$work/state" run --bundle "$work/bundle" "c-$i-$k" </dev/null
    peak=$(($(cat "$mem/$name/$peak_file") / 1024))
    rmdir "$mem/$name"
    echo "run $i $bin: ${peak} KiB"
    samples[$k]+="$peak "
  done
done
for ((k = 1; k <= $#; k++)); do
  sorted=($(printf '%s\n' ${samples[$k]} | sort -n))
  m=${#sorted[@]}
  echo "${!k}: median $(((sorted[(m - 1) / 2] + sorted[m / 2]) / 2)) KiB, min ${sorted[0]}, max ${sorted[m - 1]} (n=$m)"
done
