#!/usr/bin/env bash
# podman (with conmon) running containers on an OCI runtime:
#   podman.sh RUNTIME WORKDIR SCENARIO
# RUNTIME is the runtime binary (build/hull, or /usr/sbin/runc as the
# reference that proves a scenario itself right). WORKDIR holds podman's
# storage, run dir and containers.conf; the "setup"
# scenario makes it and imports the image, "cleanup" removes every container
# and the directory. Containers go in cgroups below the caller's own
# (--cgroup-parent is relative; conmon is left where it is: --cgroups no-conmon).
source "$(dirname "$0")/lib.sh"

image=localhost/hull-e2e:busybox

pm() {
  CONTAINERS_CONF=$work/containers.conf podman \
    --root "$work/storage" --runroot "$work/run" --tmpdir "$work/tmp" --storage-driver vfs "$@"
}

# Common flags of every container: no network (the machine may be offline),
# the cgroup parent, and rlimits the runtime can set: podman asks for
# nofile=1048576 by default, which needs CAP_SYS_RESOURCE when the hard limit
# is lower (nproc likewise; podman lowered its own nproc limit to 32768).
run_flags() {
  local nofile nproc
  nofile=$(ulimit -Hn)
  nproc=$(ulimit -Hu)
  [[ $nproc == unlimited || $nproc -gt 32768 ]] && nproc=32768
  echo "--cgroup-parent hull-e2e-$(basename "$runtime") --ulimit nofile=$nofile:$nofile --ulimit nproc=$nproc:$nproc"
}

scenario_setup() {
  rm -rf "$work"
  mkdir -p "$work"
  # The configuration docs/clients.md shows: cgroupfs, conmon left where it is.
  podman_conf "$work/containers.conf" cgroupfs 'cgroups = "no-conmon"'
  podman_import_busybox "$image"
}

scenario_cleanup() {
  [[ -d $work ]] || return 0
  pm rm --all --force --time 0 >/dev/null || true
  unmount_below "$work"
  remove_own_child_cgroup "hull-e2e-$(basename "$runtime")"
  rm -rf "$work"
}

scenario_run_rm() {
  rm -f "$work/rm.cid"
  capture pm run --rm --name e2e-rm --cidfile "$work/rm.cid" $(run_flags) "$image" true
  expect_eq "exit code of true" 0 "$rc"
  # podman's --rm races conmon's exit command (`podman container cleanup
  # --rm`): when that one removes the container first, `podman run` returns
  # while the cleanup may still be running the runtime's delete. Bounded
  # wait for it; a container that stays is still a failure.
  # podman keeps the runtime's default state root (its cleanup process,
  # started by conmon, would not get a --runtime-flag root=...).
  local i cid listed
  cid=$(cat "$work/rm.cid")
  for ((i = 0; i < 100; i++)); do
    listed=$(pm ps -a -q --filter name=e2e-rm)
    capture "$runtime" state "$cid"
    [[ -z $listed && $rc == 1 ]] && break
    sleep 0.1
  done
  expect_eq "podman ps -a after --rm" "" "$listed"
  expect_eq "runtime state exit code after --rm (container gone)" 1 "$rc"
}

scenario_output() {
  capture pm run --rm $(run_flags) "$image" sh -c 'echo hello; echo to-stderr >&2'
  expect_eq "stdout" hello "$out"
}

scenario_exit_code() {
  capture pm run --rm $(run_flags) "$image" sh -c 'exit 7'
  expect_eq "exit code" 7 "$rc"
}

# podman turns the runtime's error text into its exit codes: 127 for a
# command that does not exist, 126 for one that cannot be executed.
scenario_command_not_found() {
  capture_all pm run --rm $(run_flags) "$image" /nonexistent
  expect_eq "exit code" 127 "$rc"
  expect_contains "error names the command" /nonexistent "$out"
}

scenario_not_executable() {
  capture_all pm run --rm $(run_flags) "$image" /etc/passwd
  expect_eq "exit code" 126 "$rc"
  expect_contains "error" "permission denied" "$out"
}

scenario_env_workdir_user() {
  capture pm run --rm $(run_flags) -e GREETING=hi -w /tmp -u 65534:65534 "$image" \
    sh -c 'echo "$GREETING $(pwd) $(id -u):$(id -g)"'
  expect_eq "env, cwd, uid:gid" "hi /tmp 65534:65534" "$out"
}

scenario_limits() {
  capture pm run --rm $(run_flags) --memory 64m --pids-limit 42 "$image" \
    sh -c 'cd /sys/fs/cgroup; cat memory/memory.limit_in_bytes 2>/dev/null || cat memory.max
           cat pids/pids.max 2>/dev/null || cat pids.max'
  expect_eq "memory and pids limits read inside" "67108864
42" "$out"
}

scenario_read_only() {
  capture pm run --rm $(run_flags) --read-only "$image" sh -c 'touch /probe 2>/dev/null; echo $?; touch /tmp/probe; echo $?'
  # / is read-only; podman mounts a tmpfs on /tmp with --read-only.
  expect_eq "write to / then /tmp" "1
0" "$out"
}

scenario_cap_drop() {
  capture pm run --rm $(run_flags) --cap-drop ALL "$image" sh -c 'grep CapEff /proc/self/status'
  expect_eq "CapEff" "CapEff:	0000000000000000" "$out"
}

# A long-running container: a shell that exits 0 on SIGTERM (podman stop).
start_sleeper() {
  pm run -d --name "$1" $(run_flags) "$image" sh -c 'trap "exit 0" TERM; sleep 1000 & wait' >/dev/null
}

remove_container() {
  pm rm -f -t 0 "$1" >/dev/null 2>&1 || true
}

state_of() {
  pm inspect --format '{{.State.Status}}' "$1"
}

scenario_detach_exec_stop() {
  local c=e2e-detach
  remove_container "$c"
  start_sleeper "$c"
  trap "remove_container $c" EXIT
  expect_eq "state after run -d" running "$(state_of "$c")"
  capture pm exec "$c" sh -c 'echo in-container; exit 3'
  expect_eq "exec output" in-container "$out"
  expect_eq "exec exit code" 3 "$rc"
  pm stop -t 10 "$c" >/dev/null
  expect_eq "state after stop" exited "$(state_of "$c")"
  expect_eq "exit code after stop (SIGTERM handled)" 0 "$(pm inspect --format '{{.State.ExitCode}}' "$c")"
  pm rm "$c" >/dev/null
  expect_eq "podman ps -a after rm" "" "$(pm ps -a -q --filter name=$c)"
}

scenario_exec_tty() {
  local c=e2e-exec-tty
  remove_container "$c"
  start_sleeper "$c"
  trap "remove_container $c" EXIT
  capture with_tty "CONTAINERS_CONF=$work/containers.conf podman --root $work/storage --runroot $work/run \
    --tmpdir $work/tmp --storage-driver vfs exec -t $c sh -c 'tty; exit 6'"
  expect_eq "tty inside exec -t (the first pty of the container's devpts)" /dev/pts/0 "$out"
  expect_eq "exit code through the terminal" 6 "$rc"
}

scenario_pause_unpause() {
  local c=e2e-pause
  remove_container "$c"
  start_sleeper "$c"
  trap "remove_container $c" EXIT
  pm pause "$c" >/dev/null
  expect_eq "state after pause" paused "$(state_of "$c")"
  local pid
  pid=$(pm inspect --format '{{.State.Pid}}' "$c")
  expect_eq "freezer state" FROZEN "$(freezer_state "$pid")"
  pm unpause "$c" >/dev/null
  expect_eq "state after unpause" running "$(state_of "$c")"
  capture pm exec "$c" echo alive
  expect_eq "exec after unpause" alive "$out"
}

scenario_top() {
  local c=e2e-top
  remove_container "$c"
  start_sleeper "$c"
  trap "remove_container $c" EXIT
  # The shell forks its sleep after podman run returns: bounded wait for it.
  shows_sleep() { [[ $out == *"sleep 1000"* ]]; }
  capture_until 50 shows_sleep pm top "$c" pid args
  expect_contains "podman top" "sleep 1000" "$out"
}

scenario_killed_by_signal() {
  local c=e2e-signal
  remove_container "$c"
  start_sleeper "$c"
  trap "remove_container $c" EXIT
  pm kill --signal KILL "$c" >/dev/null
  capture pm wait "$c"
  expect_eq "exit code after SIGKILL" 137 "$out"
  expect_eq "state" exited "$(state_of "$c")"
}

# --systemd=always (or an init command) gives systemd's layout: on a v1 or
# hybrid host a read-only cgroup mount and the named systemd hierarchy
# bound writable. A cgroup2 "unified" below it made a systemd init take the
# host for hybrid and exit at boot, unable to make its cgroup there
# (EROFS): under runc, which mounts no "unified", it boots in legacy mode.
scenario_systemd_layout() {
  local expected
  capture pm run --rm --systemd=always $(run_flags) "$image" sh -c \
    '[ "$(stat -f -c %t /sys/fs/cgroup/unified 2>/dev/null)" = 63677270 ] && echo cgroup2-unified
     test -w /sys/fs/cgroup/systemd && echo writable; echo "$container"'
  expected=$([[ -d /sys/fs/cgroup/systemd ]] && echo writable; echo podman)
  expect_eq "cgroup layout of a systemd container" "$expected" "$out"
}

scenario_tty() {
  capture with_tty "CONTAINERS_CONF=$work/containers.conf podman --root $work/storage --runroot $work/run \
    --tmpdir $work/tmp --storage-driver vfs run --rm -t $(run_flags) $image sh -c 'tty; exit 5'"
  expect_eq "tty inside" /dev/pts/0 "$out"
  expect_eq "exit code through the terminal" 5 "$rc"
}

# --device with r and with rw (the issue's /dev/fuse:/dev/myfuse:r, which
# once became read-write): the device cgroup lets an open for writing through
# only with w. /dev/fuse is outside the default allow-list, and opening it
# does nothing until a file system is mounted with it.
scenario_device() {
  [[ -c /dev/fuse ]] || { echo "no /dev/fuse" >&2; exit $SKIP; }
  local probe='exec 3</dev/myfuse && echo read-ok; (exec 4>/dev/myfuse) 2>/dev/null && echo write-ok; ls -l /dev/myfuse | cut -c1'
  capture pm run --rm $(run_flags) --device /dev/fuse:/dev/myfuse:r "$image" sh -c "$probe"
  expect_eq "device r: read only" "read-ok"$'\n'"c" "$out"
  capture pm run --rm $(run_flags) --device /dev/fuse:/dev/myfuse:rw "$image" sh -c "$probe"
  expect_eq "device rw: read and write" "read-ok"$'\n'"write-ok"$'\n'"c" "$out"
}

# podman (as root) with --uidmap: the container gets a user namespace whose
# root is host uid 100000 (podman chowns its copy of the image to match).
scenario_userns_uidmap() {
  capture pm run --rm $(run_flags) --uidmap 0:100000:65536 --gidmap 0:100000:65536 "$image" \
    sh -c 'cat /proc/self/uid_map; id -u; touch /tmp/f && stat -c %u /tmp/f'
  expect_eq "exit code" 0 "$rc"
  expect_eq "uid_map, id -u, owner of a new file" "0 100000 65536 0 0" "$(echo $out)"
}

# --userns=auto: podman picks a free part of the subordinate range of its
# root-auto-userns-user (a user made for this scenario, named in a
# storage.conf of its own, so the host's "containers" entry is not needed)
# and maps the container's 0 onto its start.
scenario_userns_auto() {
  local user
  user=hullauto-$(basename "$runtime" | tr -c 'a-z0-9\n' '-' | cut -c1-20)
  if id -u "$user" >/dev/null 2>&1; then retry_locked userdel "$user"; fi  # left by an interrupted run
  retry_locked useradd --no-create-home --shell /usr/sbin/nologin "$user" || fail "useradd $user"
  trap "retry_locked userdel $user" EXIT
  grep -q "^$user:" /etc/subuid || retry_locked usermod --add-subuids 400000000-400065535 "$user"
  grep -q "^$user:" /etc/subgid || retry_locked usermod --add-subgids 400000000-400065535 "$user"
  local start gstart
  start=$(awk -F: -v u="$user" '$1 == u {print $2; exit}' /etc/subuid)
  gstart=$(awk -F: -v u="$user" '$1 == u {print $2; exit}' /etc/subgid)
  cat >"$work/storage-auto.conf" <<CONF
[storage]
driver = "vfs"
runroot = "$work/run"
graphroot = "$work/storage"
[storage.options]
root-auto-userns-user = "$user"
CONF
  CONTAINERS_STORAGE_CONF=$work/storage-auto.conf capture pm run --rm $(run_flags) --userns=auto "$image" \
    sh -c 'cat /proc/self/uid_map /proc/self/gid_map; id -u; touch /tmp/f && stat -c %u /tmp/f'
  expect_eq "exit code" 0 "$rc"
  expect_eq "uid_map, gid_map (size: podman's auto-userns-min-size), id -u, owner of a new file" \
    "0 $start 1024 0 $gstart 1024 0 0" "$(echo $out)"
}

# podman container checkpoint + restore (the runtime's checkpoint, then
# conmon running its restore): the restored counter goes on from the dumped
# value, read in the rootfs, which podman keeps (vfs) while it is stopped.
# Host network: Debian's CRIU 3.17 cannot dump a network namespace's links on
# Debian's 6.1 kernel (netlink EINVAL, with runc too). Only where CRIU works
# (the v2vm_criu lane).
scenario_checkpoint_restore() {
  need_working_criu
  local c=e2e-checkpoint mnt dumped first
  remove_container "$c"
  trap "remove_container $c" EXIT
  pm run -d --name "$c" --network host $(run_flags) "$image" sh -c "$COUNTER" >/dev/null
  mnt=$(pm mount "$c")
  wait_count "$mnt/count" 5 >/dev/null
  capture_all pm container checkpoint "$c"
  expect_eq "podman container checkpoint exit code (output: $out)" 0 "$rc"
  expect_eq "state after checkpoint" exited "$(state_of "$c")"
  # Zeros of the same size: CRIU checks that a file the dump caught open
  # (the shell's `> /count`) kept its size. A dump between that truncation
  # and the write leaves it empty: then it stays so, and 5 (what wait_count
  # waited for) stands in for the dumped value.
  dumped=$(cat "$mnt/count")
  if [[ -n $dumped ]]; then
    printf '%s\n' "${dumped//[0-9]/0}" >"$mnt/count"
  else
    dumped=5
  fi
  capture_all pm container restore "$c"
  expect_eq "podman container restore exit code (output: $out)" 0 "$rc"
  expect_eq "state after restore" running "$(state_of "$c")"
  first=$(first_count "$mnt/count")
  ((first > dumped)) || fail "the restored counter started over: first value $first, dumped $dumped"
  # A read between the counter's truncation and its write is empty: read again.
  read_something() { [[ $rc != 0 || -n $out ]]; }
  capture_until 20 read_something pm exec "$c" cat /count
  [[ $out =~ ^[0-9]+$ ]] || fail "podman exec cat /count: exit $rc, '$out'"
  ((out > dumped)) || fail "value read inside after the restore: '$out', dumped $dumped"
  pm umount "$c" >/dev/null
}

parse_args "$@"
command -v podman >/dev/null && command -v conmon >/dev/null || { echo "podman/conmon not installed" >&2; exit $SKIP; }
"scenario_$scenario"
