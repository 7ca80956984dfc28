#!/usr/bin/env bash
# Runs one container with hull, runc and crun (Debian's) on the pure cgroup-v2
# VM and prints one line per runtime: whether run (with a memory limit and a
# device rule, in a cgroup namespace) and exec worked and what the container
# saw. Usage, from the repository root after a build:
#   scripts/vm/run-in-vm scripts/vm/compare-runtimes.sh build/hull
set -uo pipefail
hull=$(realpath "${1:-build/hull}")
work=$(mktemp -d)
mkdir -p "$work/rootfs/bin"
cp /bin/busybox "$work/rootfs/bin/"
for a in sh cat sleep; do ln -s busybox "$work/rootfs/bin/$a"; done
cat > "$work/config.json" <<'JSON'
{"ociVersion": "1.0.2",
 "process": {"user": {"uid": 0, "gid": 0}, "cwd": "/", "env": ["PATH=/bin"],
   "args": ["sh", "-c", "echo $(cat /proc/self/cgroup /sys/fs/cgroup/memory.max); echo x >/dev/null && exec sleep 1000"]},
 "root": {"path": "rootfs"}, "hostname": "cmp",
 "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"},
   {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755"]},
   {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]},
   {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["nosuid", "noexec", "nodev", "ro"]}],
 "linux": {"namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "ipc"}, {"type": "uts"}, {"type": "cgroup"}],
   "resources": {"memory": {"limit": 33554432},
     "devices": [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rw"}]},
   "cgroupsPath": "/cmp"}}
JSON
for rt in "$hull" /usr/sbin/runc /usr/bin/crun; do
  name=$(basename "$rt")
  root="$work/state-$name"
  # Files, not pipes: the detached init keeps its stdio open.
  "$rt" --root "$root" run -d --bundle "$work" c </dev/null >"$work/init.out" 2>"$work/run.err" ||
    { echo "$name: run failed: $(cat "$work/run.err")"; continue; }
  sleep 1   # the init's first line; a comparison, not a test
  ex=$("$rt" --root "$root" exec c cat /proc/self/cgroup 2>&1 </dev/null)
  exrc=$?
  "$rt" --root "$root" delete -f c >/dev/null 2>&1
  echo "$name: run ok, container saw: $(cat "$work/init.out" | tr -d '\n'); exec rc=$exrc: $(echo $ex)"
done
rm -rf "$work"
