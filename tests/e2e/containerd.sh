#!/usr/bin/env bash
# containerd (its runc v2 shim) running containers on an OCI runtime:
#   containerd.sh RUNTIME WORKDIR SCENARIO
# "setup" starts a private containerd (root, state, sockets and config in
# WORKDIR) and imports a busybox image made here as an OCI layout (no
# registry); "cleanup" removes every container, stops the daemon by its pid
# and removes WORKDIR. The shim calls RUNTIME (ctr's --runc-binary sets the
# shim's BinaryName option, as a config.toml runtime entry does for CRI) with
# its state under WORKDIR (--runc-root). Containers go in cgroups below the
# caller's own (a relative --cgroup path).
source "$(dirname "$0")/lib.sh"

image=docker.io/library/hull-e2e:busybox

c() {
  ctr --address "$work/containerd.sock" "$@"
}

# The cgroup below ours that holds the containers, named at setup: a task a
# killed run left in its cgroup (a frozen one survives SIGKILL) must not
# make the next run's container of the same id refused.
cgroup_parent() {
  cat "$work/cgroup-parent"
}

# `ctr run` flags: the runtime, the snapshotter that works on any file
# system, and a cgroup below ours named after the container id ($1).
crun_flags() {
  echo "--snapshotter native --runc-binary $runtime --runc-root $work/runtime-state --cgroup $(cgroup_parent)/$1"
}

# containerd 1.6's shim ignores the --runc-binary and --runc-root given for
# a task whose options carry IoUid/IoGid (`ctr run --uidmap`,
# containerd#11480): it runs "runc" from its PATH with runc's default state
# root. This stand-in, first in the daemon's PATH, runs the runtime under
# test with the scenario's state root instead, and notes each call.
write_runc_stand_in() {
  mkdir -p "$work/bin"
  cat >"$work/bin/runc" <<STANDIN
#!/bin/sh
for a; do
  shift
  case \$a in /run/containerd/runc/*) a=$work/runtime-state/\${a#/run/containerd/runc/} ;; esac
  set -- "\$@" "\$a"
done
echo "\$*" >>$work/runc-stand-in.log
exec $runtime "\$@"
STANDIN
  chmod 0755 "$work/bin/runc"
}

scenario_setup() {
  scenario_cleanup
  mkdir -p "$work"
  echo "hull-e2e-containerd-$(basename "$runtime")-$$" >"$work/cgroup-parent"
  write_runc_stand_in
  PATH="$work/bin:$PATH" containerd_start "$image"
}

scenario_cleanup() {
  [[ -d $work ]] || return 0
  containerd_stop remove_task
  unmount_below "$work"
  [[ ! -f $work/cgroup-parent ]] || remove_own_child_cgroup "$(cgroup_parent)"
  rm -rf "$work"
}

# Bounded wait until a task is no longer running (ctr 1.6 has no "task wait").
wait_task_stopped() {
  local i status
  for ((i = 0; i < 100; i++)); do
    status=$(task_status "$1")
    [[ $status == STOPPED || -z $status ]] && return 0
    sleep 0.1
  done
  return 1
}

# Kills and deletes a task and its container, whatever is left of them.
remove_task() {
  c task kill -s KILL "$1" >/dev/null 2>&1 || true
  wait_task_stopped "$1" || true
  c task delete "$1" >/dev/null 2>&1 || true
  c containers rm "$1" >/dev/null 2>&1 || true
}

task_status() {
  c task ls | awk -v id="$1" '$1 == id {print $3}'
}

task_pid() {
  c task ls | awk -v id="$1" '$1 == id {print $2}'
}

# ctr task exec EXEC_ID TASK CMD... into $out/$rc, retried (up to 3 times)
# only when the output is empty but the exit code is right: ctr can lose the
# output of a process that exits at once (its copy from the shim's fifo
# races the exit; seen with runc too, concourse/concourse#6775), which is
# not the runtime's doing: the runtime only hands the shim's pipes to the
# process.
exec_in_task() {
  local exec_id=$1 attempt
  shift
  for attempt in 1 2 3; do
    capture c task exec --exec-id "$exec_id-$attempt" "$@"
    [[ -n $out ]] && return
  done
}

# A detached task, removed (with its container) when the scenario exits.
start_task() {
  local id=$1
  shift
  c run -d $(crun_flags "$id") "$@" "$image" "$id" sleep 1000 >/dev/null
  trap "remove_task $id" EXIT
  expect_eq "status after run -d" RUNNING "$(task_status "$id")"
}

scenario_run_true() {
  capture c run --rm $(crun_flags e2e-true) "$image" e2e-true true
  expect_eq "exit code" 0 "$rc"
  expect_eq "containers after --rm" "" "$(c containers ls -q | grep -x e2e-true || true)"
}

scenario_run_echo() {
  capture c run --rm $(crun_flags e2e-echo) "$image" e2e-echo echo hello
  expect_eq "output" hello "$out"
}

scenario_exit_code() {
  capture c run --rm $(crun_flags e2e-exit) "$image" e2e-exit sh -c 'exit 3'
  expect_eq "exit code" 3 "$rc"
}

# The shim reports a failed create with the msg of the runtime's last error
# line in log.json (--log-format json).
scenario_create_error() {
  capture_all c run --rm $(crun_flags e2e-error) "$image" e2e-error /nonexistent
  expect_eq "exit code" 1 "$rc"
  expect_contains "ctr's error" "OCI runtime create failed" "$out"
  expect_contains "the runtime's message" /nonexistent "$out"
  expect_contains "the runtime's message" "no such file or directory" "${out,,}"
  c containers rm e2e-error >/dev/null 2>&1 || true
}

scenario_detach_exec_kill_delete() {
  local id=e2e-detach
  start_task "$id"
  exec_in_task probe "$id" sh -c 'echo from-exec; exit 5'
  expect_eq "exec output" from-exec "$out"
  expect_eq "exec exit code" 5 "$rc"
  c task kill -s SIGKILL "$id"
  wait_task_stopped "$id" || fail "task still $(task_status "$id") 10 s after SIGKILL"
  c task delete "$id" >/dev/null
  c containers rm "$id"
  capture "$runtime" --root "$work/runtime-state/default" state "$id"
  expect_eq "runtime state exit code after delete (container gone)" 1 "$rc"
}

# A user-namespaced container: ctr 1.6's --uidmap/--gidmap write
# linux.uidMappings/gidMappings and a user namespace into the config, and
# make the container's snapshot owned by the mapped ids (a chowned copy).
# The shim then runs the runtime through the stand-in (write_runc_stand_in).
# Inside: the maps, root, and the image's files owned by the container's root.
scenario_userns_uidmap() {
  capture c run --rm --uidmap 0:100000:65536 --gidmap 0:100000:65536 $(crun_flags e2e-userns) "$image" e2e-userns \
    sh -c 'cat /proc/self/uid_map /proc/self/gid_map; id -u; stat -c %u:%g /etc/passwd'
  expect_eq "exit code" 0 "$rc"
  expect_eq "maps, id and owner inside" "$(printf '0 100000 65536\n0 100000 65536\n0\n0:0')" "$(tr -s ' ' <<<"$out" | sed 's/^ //')"
  # The runtime under test made it, through the stand-in (containerd#11480).
  grep -q "create .*e2e-userns" "$work/runc-stand-in.log" 2>/dev/null ||
    fail "the shim ran no runtime through the stand-in for the user-namespaced task: $(cat "$work/runc-stand-in.log" 2>&1)"
}

scenario_pause_resume() {
  local id=e2e-pause pid
  start_task "$id"
  pid=$(task_pid "$id")
  c task pause "$id"
  expect_eq "status after pause" PAUSED "$(task_status "$id")"
  expect_eq "freezer state" FROZEN "$(freezer_state "$pid")"
  c task resume "$id"
  expect_eq "status after resume" RUNNING "$(task_status "$id")"
  exec_in_task probe "$id" echo alive
  expect_eq "exec after resume" alive "$out"
}

scenario_ps() {
  local id=e2e-ps
  start_task "$id"
  capture c task ps "$id"
  expect_contains "task ps lists the init" "$(task_pid "$id")" "$out"
}

scenario_memory_limit() {
  local id=e2e-mem
  start_task "$id" --memory-limit 67108864
  expect_eq "memory.limit_in_bytes" 67108864 "$(cat "$(cgroup_file "$(task_pid "$id")" memory memory.limit_in_bytes)")"
}

scenario_metrics() {
  local id=e2e-metrics
  start_task "$id" --memory-limit 67108864
  capture c task metrics "$id"
  expect_eq "metrics: memory limit" 67108864 "$(awk '$1 == "memory.limit_in_bytes" {print $2}' <<<"$out")"
  expect_eq "metrics: pids" 1 "$(awk '$1 == "pids.current" {print $2}' <<<"$out")"
}

scenario_tty() {
  capture with_tty --enter-after /dev/pts/ \
    "ctr --address $work/containerd.sock run --rm -t $(crun_flags e2e-tty) $image e2e-tty sh -c 'tty; read line; exit 4'"
  expect_eq "tty inside" /dev/pts/0 "$out"
  expect_eq "exit code through the terminal" 4 "$rc"
}

# `ctr task checkpoint` (the shim runs the runtime's checkpoint
# --leave-running: the task goes on), then, of another container,
# `ctr containers checkpoint --task --image` (the same) and
# `ctr containers restore --rw --live` into a new container, where the
# counter goes on from the dumped value. Two containers: ctr 1.6 cannot take both
# checkpoints of one (a task checkpoint after a container checkpoint fails
# "content sha256:... already exists", a container checkpoint after a task
# checkpoint does not restore: "media type not found"; with runc too).
# Host network, as in podman.sh. Only where CRIU works (the v2vm_criu lane).
scenario_checkpoint_restore() {
  need_working_criu
  local id=e2e-ckpt other=e2e-ckpt-2 new=e2e-ckpt-restored ref=e2e-checkpoint:latest tasks before restored first
  tasks=$work/state/io.containerd.runtime.v2.task/default
  remove_task "$id"
  remove_task "$other"
  remove_task "$new"
  trap "remove_task $id; remove_task $other; remove_task $new; c images rm $ref >/dev/null 2>&1 || true" EXIT
  c run -d --net-host $(crun_flags "$id") "$image" "$id" sh -c "$COUNTER" >/dev/null
  wait_count "$tasks/$id/rootfs/count" 5 >/dev/null
  capture_all c task checkpoint "$id"
  expect_eq "ctr task checkpoint exit code (output: $out)" 0 "$rc"
  expect_contains "ctr task checkpoint names its checkpoint image" "checkpoint/$id" "$out"
  expect_contains "the checkpoint image in containerd" "${out%%$'\n'*}" "$(c images ls -q)"
  expect_eq "status after the task checkpoint (left running)" RUNNING "$(task_status "$id")"
  remove_task "$id"

  c run -d --net-host $(crun_flags "$other") "$image" "$other" sh -c "$COUNTER" >/dev/null
  before=$(wait_count "$tasks/$other/rootfs/count" 20)
  # --rw: the container's writable layer goes with the checkpoint. Without
  # it the new container's rootfs lacks /count, and a dump that caught the
  # counter's shell with /count open (in its `echo > /count`) cannot be
  # restored: CRIU reopens the file by path ("Can't open file count on
  # restore", once in three lane runs).
  capture_all c containers checkpoint --rw --task --image "$other" "$ref"
  expect_eq "ctr containers checkpoint --rw --task --image exit code (output: $out)" 0 "$rc"
  remove_task "$other"
  capture_all c containers restore --rw --live "$new" "$ref"
  expect_eq "ctr containers restore --rw --live exit code (output: $out)" 0 "$rc"
  expect_eq "status after the restore" RUNNING "$(task_status "$new")"
  # --rw brought /count back as dumped: the next value the restored counter
  # writes is past the one read before the checkpoint (it goes on; one that
  # started over writes 1).
  restored=$(first_count "$tasks/$new/rootfs/count")
  first=$(first_count "$tasks/$new/rootfs/count" "$restored")
  ((first > before)) || fail "the restored counter started over: first value $first, before the checkpoint $before"
  exec_in_task restored-cat "$new" cat /count
  ((out >= first)) || fail "value read inside after the restore: '$out', first $first"
}

parse_args "$@"
command -v containerd >/dev/null && command -v ctr >/dev/null || { echo "containerd/ctr not installed" >&2; exit $SKIP; }
"scenario_$scenario"
