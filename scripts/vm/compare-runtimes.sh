#!/usr/bin/env bash
# Runs hull, runc and crun (Debian's) side by side on the same cases from the
# caller's cgroup, and prints a markdown table: per case and runtime what the
# container read from inside (through exec, which joins its cgroup), where its
# init was placed, and whether anything was left behind: the container's
# cgroup or the parent create made after delete, or a change to the caller's
# own cgroup (cgroup.subtree_control, cgroup.type, its other processes).
# Meant for the pure cgroup-v2 VM, which starts it in a nested populated
# cgroup (/test.slice/session.scope beside another process). From the
# repository root after a build:
#   scripts/vm/run-in-vm scripts/vm/compare-runtimes.sh build/hull
set -uo pipefail
hull=$(realpath "${1:-build/hull}")
mnt=/sys/fs/cgroup
[[ $(stat -f -c %T $mnt) == cgroup2fs ]] || { echo "compare-runtimes: $mnt is not cgroup2 (run it in the VM)" >&2; exit 2; }
own=$(sed -n 's/^0:://p' /proc/self/cgroup)
[[ $own == / ]] && own=
work=$(mktemp -d)
tag=cmp-$$
cleanup() {
  for rt in "$hull" /usr/sbin/runc /usr/bin/crun; do
    "$rt" --root "$work/state-$(basename "$rt")" delete -f c >/dev/null 2>&1
  done
  # What a runtime left: the parents it made (innermost first), never a populated one.
  find "$mnt" -depth -type d -path "*$tag*" -exec rmdir {} + 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/rootfs/bin"
cp /bin/busybox "$work/rootfs/bin/"
for a in sh cat sleep test echo; do ln -s busybox "$work/rootfs/bin/$a"; done

caller_state() {
  cat "$mnt$own/cgroup.subtree_control" "$mnt$own/cgroup.type" 2>/dev/null | tr '\n' ' '
  for p in $(cat "$mnt$own/cgroup.procs"); do
    [[ $(cat /proc/$p/comm 2>/dev/null) == sleep ]] && printf 'sleep:%s ' "$p"   # the neighbour
  done
}

# write_config PATH_JSON RESOURCES_JSON DEVICES_JSON ("" = no cgroupsPath)
write_config() {
  local path=${1:+"\"cgroupsPath\": $1,"}
  cat > "$work/config.json" <<JSON
{"ociVersion": "1.0.2",
 "process": {"user": {"uid": 0, "gid": 0}, "cwd": "/", "env": ["PATH=/bin"], "args": ["sleep", "1000"]},
 "root": {"path": "rootfs"}, "hostname": "cmp",
 "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"},
   {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755"]},
   {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]},
   {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["nosuid", "noexec", "nodev", "ro"]}],
 "linux": {$path
   "namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "ipc"}, {"type": "uts"}, {"type": "cgroup"}],
   "devices": $3,
   "resources": $2}}
JSON
}

limits='{"memory": {"limit": 33554432}, "pids": {"limit": 42}}'
read_limits='cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max'
kmsg='[{"path": "/dev/kmsg", "type": "c", "major": 1, "minor": 11, "fileMode": 438, "uid": 0, "gid": 0}]'
deny_all='{"allow": false, "access": "rwm"}'
write_kmsg='test -c /dev/kmsg && echo node; { echo cmp >/dev/kmsg; } 2>/dev/null && echo opened || echo denied'

# case name | cgroupsPath | resources | devices | command inside
cases=(
  "no cgroupsPath||$limits|[]|$read_limits"
  "relative|\"$tag/rel\"|$limits|[]|$read_limits"
  "absolute|\"/$tag/abs\"|$limits|[]|$read_limits"
  "pids only|\"$tag/pids\"|{\"pids\": {\"limit\": 7}}|[]|cat /sys/fs/cgroup/pids.max"
  "deny-all, /dev/kmsg listed|\"$tag/deny\"|{\"devices\": [$deny_all]}|$kmsg|$write_kmsg"
  "deny-all + allow c 1:11 rw|\"$tag/allow\"|{\"devices\": [$deny_all, {\"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 11, \"access\": \"rw\"}]}|$kmsg|$write_kmsg"
)

# One case with one runtime: prints the table cell.
one() {
  local rt=$1 path=$2 resources=$3 devices=$4 inside=$5
  local root="$work/state-$(basename "$rt")" before after cg out
  write_config "$path" "$resources" "$devices"
  before=$(caller_state)
  if ! "$rt" --root "$root" run -d --bundle "$work" c </dev/null >"$work/init.out" 2>"$work/run.err"; then
    echo "run failed: $(grep -v '^$' "$work/run.err" | tail -n1 | cut -c1-160)"
    return
  fi
  local pid
  pid=$("$rt" --root "$root" state c 2>/dev/null | grep -o '"pid": *[0-9]*' | grep -o '[0-9]*$')
  cg=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
  out=$("$rt" --root "$root" exec c sh -c "$inside; cat /proc/self/cgroup" </dev/null 2>&1 | tr '\n' ' ')
  "$rt" --root "$root" delete -f c >/dev/null 2>&1
  after=$(caller_state)
  local left=
  [[ -d $mnt$cg ]] && left+=" LEFT:$cg"
  [[ $path == *$tag* && -d $mnt${cg%/*} && ${cg%/*} == *$tag ]] && left+=" parent-left"
  [[ $before == "$after" ]] || left+=" CALLER-CHANGED:[$before]->[$after]"
  echo "${out% } @ $cg$left"
}

echo "Caller's cgroup: ${own:-/} (cgroup.procs: $(cat "$mnt$own/cgroup.procs" | tr '\n' ' '))"
echo "$("$hull" --version | head -n1 | cut -c1-40), $(/usr/sbin/runc --version | head -n1), $(/usr/bin/crun --version | head -n1)"
echo
echo "| case | hull | runc | crun |"
echo "|---|---|---|---|"
for c in "${cases[@]}"; do
  IFS='|' read -r name path resources devices inside <<<"$c"
  row="| $name |"
  for rt in "$hull" /usr/sbin/runc /usr/bin/crun; do
    row+=" $(one "$rt" "$path" "$resources" "$devices" "$inside") |"
    find "$mnt" -depth -type d -path "*$tag*" -exec rmdir {} + 2>/dev/null   # the next runtime starts clean
  done
  echo "$row"
done
