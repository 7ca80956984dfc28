#!/usr/bin/env bash
# containerd and podman driving a runtime through systemd's cgroup driver,
# on a host where systemd is PID 1 on pure cgroup v2 (the systemd VM:
# scripts/vm/run-in-vm --systemd; CI runs it in the v2vm_systemd boot):
#   systemd.sh RUNTIME WORKDIR SCENARIO
# Scenarios: containerd (containerd 1.6's runc v2 shim with the options a
# CRI config's `SystemdCgroup = true` and `BinaryName = RUNTIME` set: ctr's
# --runc-systemd-cgroup and --runc-binary fill the same runc options), podman
# (--cgroup-manager=systemd --runtime RUNTIME), or all (both, each with its
# own setup and cleanup). Each: run detached with limits, the limits read
# inside, exec, kill, delete, then no unit and no cgroup of the container left
# (systemctl list-units and /sys/fs/cgroup).
source "$(dirname "$0")/lib.sh"

# go-systemd, which podman and runc use for systemd's cgroup driver, talks
# to systemd over the system bus (dbus-daemon), hull over systemd's private
# socket: the system bus is started where it does not run (the systemd VM
# starts nothing but the test) and stopped again afterwards.
started_dbus=
ensure_system_bus() {
  [[ -S /run/dbus/system_bus_socket ]] && return
  systemctl start dbus.socket dbus.service
  started_dbus=1
}
stop_system_bus() {
  [[ -z $started_dbus ]] || systemctl stop dbus.socket dbus.service
}

scope_left() {  # the units named $1 systemd still knows, and their cgroups
  systemctl list-units --all --no-legend --plain "$1" 2>/dev/null | awk '{print $1}'
  find /sys/fs/cgroup -name "$1" -type d 2>/dev/null
}

# scope_left, once it is empty or after 30 s: systemd stops an emptied
# scope on its own after the delete returns, and conmon's exit command runs
# in conmon's scope after `podman rm` returns.
scope_left_after_stop() {
  local i left
  for ((i = 0; i < 300; i++)); do
    left=$(scope_left "$1")
    [[ -z $left ]] && break
    sleep 0.1
  done
  echo "$left"
}

# The limits a process of the container reads in its own cgroup, and that
# cgroup's path as /proc/self/cgroup names it. With a cgroup namespace
# (podman) /sys/fs/cgroup is the container's cgroup. Without one (ctr makes
# none) runc, like hull, shows no cgroup files there (seen in the systemd
# VM): ctr's container gets the host's hierarchy bound read-only at
# /host-cgroup and reads its own cgroup there.
readonly limits_probe='p=$(sed -n "s/^0:://p" /proc/self/cgroup); d=/sys/fs/cgroup
[ -f $d/memory.max ] || d=/host-cgroup$p; cd $d && cat memory.max pids.max cpu.max; echo $p'

# --- containerd ---------------------------------------------------------
c() { ctr --address "$work/containerd.sock" "$@"; }
image=docker.io/library/hull-e2e:busybox

# What is left of a container: killed, its task and itself deleted.
remove_container() {
  c task kill -s KILL "$1" >/dev/null 2>&1 || true
  sleep 0.5
  c task delete "$1" >/dev/null 2>&1 || true
  c containers rm "$1" >/dev/null 2>&1 || true
}

containerd_cleanup() {
  containerd_stop remove_container
  unmount_below "$work"
  rm -rf "$work"
  stop_system_bus
}

task_status() { c task ls | awk -v id="$1" '$1 == id {print $3}'; }

scenario_containerd() {
  scenario=containerd
  work=$base/containerd
  trap containerd_cleanup EXIT
  [[ $(basename "$runtime") == hull ]] || ensure_system_bus
  containerd_start "$image"
  local id=e2e-sd unit=ctr-e2e-sd.scope i status
  # As the CRI plugin names them: slice:prefix:name.
  c run -d --snapshotter native --runc-binary "$runtime" --runc-root "$work/runtime-state" --runc-systemd-cgroup \
    --cgroup "system.slice:ctr:$id" \
    --mount type=bind,src=/sys/fs/cgroup,dst=/host-cgroup,options=rbind:ro --memory-limit 67108864 --cpus 0.5 "$image" "$id" sleep 1000 >/dev/null
  expect_eq "status after run -d" RUNNING "$(task_status "$id")"
  expect_eq "unit active" active "$(systemctl show -P ActiveState "$unit")"
  expect_eq "unit delegated" yes "$(systemctl show -P Delegate "$unit")"
  # pids: no limit asked (ctr has no flag), so systemd's default TasksMax.
  local tasks_max
  tasks_max=$(systemctl show -P TasksMax "$unit")
  capture c task exec --exec-id probe "$id" sh -c "$limits_probe"
  expect_eq "exec exit code" 0 "$rc"
  expect_eq "memory.max, pids.max (systemd's TasksMax), cpu.max, cgroup read inside" \
    "67108864 $tasks_max 50000 100000 /system.slice/$unit" "$(echo $out)"
  c task kill -s SIGKILL "$id"
  for ((i = 0; i < 100; i++)); do
    status=$(task_status "$id")
    [[ $status == STOPPED ]] && break
    sleep 0.1
  done
  expect_eq "status after SIGKILL" STOPPED "$status"
  c task delete "$id" >/dev/null
  c containers rm "$id"
  expect_eq "unit and cgroup left after delete" "" "$(scope_left_after_stop "$unit")"
}

# --- podman ---------------------------------------------------------------
# podman refuses a runroot longer than 50 characters: one in /run.
runroot=/run/hull-e2e-sd-$(basename "${1:-none}")
pm() {
  CONTAINERS_CONF=$work/containers.conf podman \
    --root "$work/storage" --runroot "$runroot" --tmpdir "$work/tmp" --storage-driver vfs "$@"
}
pimage=localhost/hull-e2e:busybox

podman_cleanup() {
  pm rm --all --force --time 0 >/dev/null 2>&1 || true
  unmount_below "$work"
  unmount_below "$runroot"
  rm -rf "$work" "$runroot"
  stop_system_bus
}

scenario_podman() {
  scenario=podman
  work=$base/podman
  trap podman_cleanup EXIT
  ensure_system_bus
  mkdir -p "$work"
  # systemd's cgroup manager; conmon goes in a scope of its own as well.
  podman_conf "$work/containers.conf" systemd
  podman_import_busybox "$pimage"

  local ctr=e2e-sd id unit
  pm --cgroup-manager=systemd --runtime "$runtime" run -d --name "$ctr" --memory 64m --pids-limit 42 --cpus 0.5 \
    "$pimage" sleep 1000 >/dev/null
  id=$(pm inspect --format '{{.Id}}' "$ctr")
  unit=libpod-$id.scope
  expect_eq "state after run -d" running "$(pm inspect --format '{{.State.Status}}' "$ctr")"
  expect_eq "unit active" active "$(systemctl show -P ActiveState "$unit")"
  capture pm exec "$ctr" sh -c "$limits_probe"
  expect_eq "exec exit code" 0 "$rc"
  # podman gives the container a cgroup namespace: its cgroup is "/".
  expect_eq "memory.max, pids.max, cpu.max, cgroup read inside" "67108864 42 50000 100000 /" "$(echo $out)"
  pm kill --signal KILL "$ctr" >/dev/null
  capture pm wait "$ctr"
  expect_eq "exit code after SIGKILL" 137 "$out"
  pm rm "$ctr" >/dev/null
  expect_eq "podman ps -a after rm" "" "$(pm ps -a -q --filter name=$ctr)"
  expect_eq "unit and cgroup left after rm" "" "$(scope_left_after_stop "$unit")"
  expect_eq "conmon's unit and cgroup left after rm" "" "$(scope_left_after_stop "libpod-conmon-$id.scope")"
}

# Each scenario in a bash of its own: set -e holds there (a subshell tested
# with && would run on past a failed command).
scenario_all() {
  local s failed=0 t0
  for s in containerd podman; do
    t0=$SECONDS
    if bash "$0" "$runtime" "$base" "$s"; then
      echo "PASS systemd.$s ($((SECONDS - t0)) s)"
    else
      echo "FAIL systemd.$s ($((SECONDS - t0)) s)"
      failed=1
    fi
  done
  return "$failed"
}

parse_args "$@"
base=$work
[[ -e /run/systemd/private ]] || { echo "needs systemd as PID 1 (run-in-vm --systemd)" >&2; exit $SKIP; }
command -v containerd >/dev/null && command -v podman >/dev/null || { echo "containerd/podman not installed" >&2; exit $SKIP; }
"scenario_$scenario"
