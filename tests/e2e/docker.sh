#!/usr/bin/env bash
# Docker (Debian's docker.io 20.10: dockerd, its managed containerd and the
# runc v2 shim) running containers on an OCI runtime:
#   docker.sh RUNTIME WORKDIR SCENARIO
# "setup" starts a private dockerd (data root, exec root, socket, pid file,
# trust key and config in WORKDIR; no iptables, no bridge, and the host's
# net.ipv4.ip_forward left alone: its bridge driver turns it on otherwise)
# with RUNTIME added as the runtime "e2e", and imports a busybox image made here (`docker import`, no
# registry); "cleanup" removes every container, stops the daemon by its pid
# and removes WORKDIR. Containers go in cgroups below the caller's own (a
# relative cgroup-parent, cgroupfs driver).
source "$(dirname "$0")/lib.sh"

image=hull-e2e:busybox

# /usr/bin/docker: Debian's client, whatever else is first in $PATH.
d() {
  /usr/bin/docker -H "unix://$work/docker.sock" "$@"
}

cgroup_parent() {
  echo "hull-e2e-docker-$(basename "$runtime")"
}

# Flags of every container: the runtime, no network (none is configured).
run_flags() {
  echo "--runtime e2e --network none"
}

# start_dockerd DIR [EXTRA_JSON [WRAPPER...]]: a private dockerd with its data
# root, exec root, socket, pid file and config in DIR, waited for. EXTRA_JSON
# ('"key": value,') goes into its daemon.json; WRAPPER runs it (a private
# mount namespace for the userns-remap daemon).
start_dockerd() {
  # "work" as in the rest of the script: docs_test reads this daemon.json.
  local work=$1 extra=${2:-}
  shift 2 || shift $#
  mkdir -p "$work"
  cat >"$work/daemon.json" <<CONF
{
  "data-root": "$work/data",
  "exec-root": "$work/exec",
  "pidfile": "$work/docker.pid",
  "hosts": ["unix://$work/docker.sock"],
  "iptables": false,
  "ip6tables": false,
  "ip-masq": false,
  "ip-forward": false,
  "deprecated-key-path": "$work/key.json",
  "bridge": "none",
  "storage-driver": "vfs",
  "exec-opts": ["native.cgroupdriver=cgroupfs"],
  "cgroup-parent": "$(cgroup_parent)",
  "runtimes": {"e2e": {"path": "$runtime"}}
}
CONF
  [[ -z $extra ]] || sed -i "1a\\  $extra" "$work/daemon.json"
  # Its own session, output to a file: ctest must not wait on our pipes.
  setsid "$@" dockerd --config-file "$work/daemon.json" </dev/null >"$work/dockerd.log" 2>&1 &
  local i daemon=$!
  for ((i = 0; i < 300; i++)); do
    /usr/bin/docker -H "unix://$work/docker.sock" version >/dev/null 2>&1 && break
    kill -0 "$daemon" 2>/dev/null || break
    sleep 0.1
  done
  /usr/bin/docker -H "unix://$work/docker.sock" version >/dev/null ||
    { tail -20 "$work/dockerd.log" >&2; fail "dockerd exited or did not answer within 30 s"; }
}

# import_image DIR: the busybox image into the dockerd of DIR.
import_image() {
  make_rootfs "$1/rootfs"
  tar -C "$1/rootfs" -cf "$1/rootfs.tar" .
  /usr/bin/docker -H "unix://$1/docker.sock" import "$1/rootfs.tar" "$image" >/dev/null
  rm -rf "$1/rootfs" "$1/rootfs.tar"
}

# stop_dockerd DIR: removes its containers and stops it by its pid.
stop_dockerd() {
  local dir=$1 pid i
  [[ -f $dir/docker.pid ]] || return 0
  pid=$(cat "$dir/docker.pid")
  kill -0 "$pid" 2>/dev/null || return 0
  /usr/bin/docker -H "unix://$dir/docker.sock" ps -aq 2>/dev/null |
    xargs -r /usr/bin/docker -H "unix://$dir/docker.sock" rm -f >/dev/null 2>&1 || true
  kill -TERM "$pid"
  for ((i = 0; i < 200; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  return 0
}

scenario_setup() {
  scenario_cleanup
  start_dockerd "$work"
  import_image "$work"
}

scenario_cleanup() {
  [[ -d $work ]] || return 0
  stop_dockerd "$work/remap"
  stop_dockerd "$work"
  unmount_below "$work"
  remove_own_child_cgroup "$(cgroup_parent)"
  rm -rf "$work"
}

scenario_run_echo() {
  capture d run --rm $(run_flags) "$image" echo hi
  expect_eq "exit code" 0 "$rc"
  expect_eq "output" hi "$out"
}

scenario_exit_code() {
  capture d run --rm $(run_flags) "$image" sh -c 'exit 7'
  expect_eq "exit code" 7 "$rc"
}

# The docker CLI and dockerd pick 127 and 126 from the runtime's error text
# (docs/clients.md): runc's lowercase errno wording.
scenario_command_not_found() {
  capture_all d run --rm $(run_flags) "$image" /nonexistent
  expect_eq "exit code" 127 "$rc"
  expect_contains "error names the command" /nonexistent "$out"
  capture_all d run --rm $(run_flags) "$image" nonexistent-command
  expect_eq "exit code (PATH lookup)" 127 "$rc"
}

scenario_not_executable() {
  capture_all d run --rm $(run_flags) "$image" /etc/passwd
  expect_eq "exit code" 126 "$rc"
  expect_contains "error" "permission denied" "$out"
}

scenario_env_workdir_user() {
  capture d run --rm $(run_flags) -e GREETING=hi -w /tmp -u 65534:65534 "$image" \
    sh -c 'echo "$GREETING $(pwd) $(id -u):$(id -g)"'
  expect_eq "env, cwd, uid:gid" "hi /tmp 65534:65534" "$out"
}

# A plain container: Docker sends cpu.shares 0, blockIO.weight 0, ... for
# "not set"; the host's values stay the kernel's defaults (runc's behaviour).
scenario_plain_defaults() {
  capture d run -d $(run_flags) --name e2e-plain "$image" sleep 1000
  expect_eq "run -d" 0 "$rc"
  local pid
  pid=$(d inspect -f '{{.State.Pid}}' e2e-plain)
  if grep -q ':cpu,cpuacct:\|:cpu:' "/proc/$pid/cgroup"; then
    expect_eq "cpu.shares" 1024 "$(cat "$(cgroup_file "$pid" cpu cpu.shares)")"
  fi
  d rm -f e2e-plain >/dev/null
}

scenario_limits() {
  capture d run --rm $(run_flags) --memory 64m --pids-limit 42 "$image" \
    sh -c 'cd /sys/fs/cgroup; cat memory/memory.limit_in_bytes 2>/dev/null || cat memory.max
           cat pids/pids.max 2>/dev/null || cat pids.max'
  expect_eq "exit code" 0 "$rc"
  expect_eq "memory and pids limits inside" "$((64 << 20))"$'\n'42 "$out"
}

scenario_update() {
  d run -d $(run_flags) --name e2e-update "$image" sleep 1000 >/dev/null
  capture_all d update --memory 128m --memory-swap 256m --pids-limit 30 e2e-update
  expect_eq "docker update ($out)" 0 "$rc"
  local pid
  pid=$(d inspect -f '{{.State.Pid}}' e2e-update)
  if grep -q ':memory:' "/proc/$pid/cgroup"; then
    expect_eq "memory limit" "$((128 << 20))" "$(cat "$(cgroup_file "$pid" memory memory.limit_in_bytes)")"
  fi
  if grep -q ':pids:' "/proc/$pid/cgroup"; then
    expect_eq "pids limit" 30 "$(cat "$(cgroup_file "$pid" pids pids.max)")"
  fi
  d rm -f e2e-update >/dev/null
}

scenario_read_only() {
  capture_all d run --rm $(run_flags) --read-only --tmpfs /scratch "$image" \
    sh -c 'touch /x 2>/dev/null && echo wrote-root; touch /scratch/y && echo wrote-tmpfs'
  expect_eq "exit code" 0 "$rc"
  expect_eq "only the tmpfs is writable" wrote-tmpfs "$out"
}

scenario_volumes() {
  mkdir -p "$work/vol"
  echo data >"$work/vol/f"
  capture_all d run --rm $(run_flags) -v "$work/vol:/ro:ro" -v "$work/vol:/rw" "$image" \
    sh -c 'cat /ro/f; touch /ro/x 2>/dev/null && echo wrote-ro; echo new > /rw/g'
  expect_eq "exit code" 0 "$rc"
  expect_eq "ro volume read, not written" data "$out"
  expect_eq "rw volume written" new "$(cat "$work/vol/g")"
}

scenario_cap_drop() {
  capture d run --rm $(run_flags) --cap-drop ALL --cap-add NET_BIND_SERVICE "$image" \
    sh -c 'grep CapEff /proc/self/status'
  expect_eq "effective capabilities" "CapEff:	0000000000000400" "$out"
}

scenario_no_new_privileges_seccomp() {
  capture d run --rm $(run_flags) --security-opt no-new-privileges "$image" \
    sh -c 'grep -E "^(NoNewPrivs|Seccomp):" /proc/self/status'
  expect_eq "no-new-privileges and the default seccomp profile" "NoNewPrivs:	1"$'\n'"Seccomp:	2" "$out"
}

scenario_detach_exec_stop() {
  d run -d $(run_flags) --name e2e-detach "$image" sleep 1000 >/dev/null
  capture d exec e2e-detach sh -c 'echo from-exec; exit 5'
  expect_eq "exec exit code" 5 "$rc"
  expect_eq "exec output" from-exec "$out"
  capture d stop -t 1 e2e-detach
  expect_eq "stop" 0 "$rc"
  expect_eq "state after stop" exited "$(d inspect -f '{{.State.Status}}' e2e-detach)"
  d rm e2e-detach >/dev/null
}

scenario_kill_signal() {
  d run -d $(run_flags) --name e2e-kill "$image" sh -c 'trap "exit 42" USR1; touch /trapped; while :; do sleep 0.1; done' >/dev/null
  # USR1 before the trap is set would kill the shell (138), not test hull.
  local i
  for ((i = 0; i < 100; i++)); do d exec e2e-kill test -f /trapped && break; sleep 0.1; done
  d kill -s USR1 e2e-kill >/dev/null
  capture d wait e2e-kill
  expect_eq "exit code after SIGUSR1" 42 "$out"
  d rm e2e-kill >/dev/null
}

scenario_pause_unpause() {
  d run -d $(run_flags) --name e2e-pause "$image" sleep 1000 >/dev/null
  trap 'd rm -f e2e-pause >/dev/null 2>&1' EXIT
  d pause e2e-pause >/dev/null
  local pid
  pid=$(d inspect -f '{{.State.Pid}}' e2e-pause)
  expect_eq "status" paused "$(d inspect -f '{{.State.Status}}' e2e-pause)"
  expect_eq "freezer" FROZEN "$(freezer_state "$pid")"
  d unpause e2e-pause >/dev/null
  # Docker's status follows resume's exit code alone: the cgroup itself,
  # and a process that runs in it, show the thaw.
  expect_eq "status after unpause" running "$(d inspect -f '{{.State.Status}}' e2e-pause)"
  expect_eq "freezer after unpause" THAWED "$(freezer_state "$pid")"
  capture d exec e2e-pause echo alive
  expect_eq "exec after unpause" alive "$out"
}

scenario_top() {
  d run -d $(run_flags) --name e2e-top "$image" sleep 1000 >/dev/null
  capture d top e2e-top
  expect_eq "top" 0 "$rc"
  expect_contains "top lists the process" "sleep 1000" "$out"
  d rm -f e2e-top >/dev/null
}

scenario_init() {
  capture d run --rm $(run_flags) --init "$image" sh -c 'cat /proc/1/cmdline | tr "\0" " "'
  expect_eq "exit code" 0 "$rc"
  expect_contains "pid 1 is docker-init" "docker-init" "$out"
}

scenario_logs() {
  d run -d $(run_flags) --name e2e-logs "$image" sh -c 'echo out; echo err >&2' >/dev/null
  d wait e2e-logs >/dev/null
  capture_all d logs e2e-logs
  expect_contains "stdout in the log" out "$out"
  expect_contains "stderr in the log" err "$out"
  d rm e2e-logs >/dev/null
}

# --cpus and --cpu-shares, read on the host (v1 cpu or v2 cpu.max/cpu.weight)
# and inside the container.
scenario_cpus() {
  d run -d $(run_flags) --name e2e-cpus --cpus 0.5 --cpu-shares 512 "$image" sleep 1000 >/dev/null
  local pid
  pid=$(d inspect -f '{{.State.Pid}}' e2e-cpus)
  if grep -q ':cpu,cpuacct:\|:cpu:' "/proc/$pid/cgroup"; then
    expect_eq "host cpu.cfs_quota_us" 50000 "$(cat "$(cgroup_file "$pid" cpu cpu.cfs_quota_us)")"
    expect_eq "host cpu.cfs_period_us" 100000 "$(cat "$(cgroup_file "$pid" cpu cpu.cfs_period_us)")"
    expect_eq "host cpu.shares" 512 "$(cat "$(cgroup_file "$pid" cpu cpu.shares)")"
    capture d exec e2e-cpus sh -c 'cd /sys/fs/cgroup/cpu; cat cpu.cfs_quota_us cpu.cfs_period_us cpu.shares'
    expect_eq "inside" "50000"$'\n'"100000"$'\n'"512" "$out"
  else
    capture d exec e2e-cpus cat /sys/fs/cgroup/cpu.max
    expect_eq "cpu.max inside" "50000 100000" "$out"
  fi
  d rm -f e2e-cpus >/dev/null
}

# --device with r and with rw: the device cgroup lets an open for writing
# through only with w. /dev/fuse is outside the default allow-list, and
# opening it does nothing until a file system is mounted with it.
scenario_device() {
  [[ -c /dev/fuse ]] || { echo "no /dev/fuse" >&2; exit $SKIP; }
  local probe='exec 3</dev/f && echo read-ok; (exec 4>/dev/f) 2>/dev/null && echo write-ok; ls -l /dev/f | cut -c1'
  capture d run --rm $(run_flags) --device /dev/fuse:/dev/f:r "$image" sh -c "$probe"
  expect_eq "device r: read only" "read-ok"$'\n'"c" "$out"
  capture d run --rm $(run_flags) --device /dev/fuse:/dev/f:rw "$image" sh -c "$probe"
  expect_eq "device rw: read and write" "read-ok"$'\n'"write-ok"$'\n'"c" "$out"
}

# -it: the process has a terminal (pty_run gives docker a pty), in run and in
# exec. It waits for the Enter that follows its output (lib.sh, with_tty).
scenario_interactive_tty() {
  out=$(with_tty --enter-after stdin-is-tty /usr/bin/docker -H "unix://$work/docker.sock" run --rm -it $(run_flags) \
    "$image" sh -c "'tty; [ -t 0 ] && echo stdin-is-tty; read line'")
  expect_contains "run -it: a pty" /dev/pts/0 "$out"
  expect_contains "run -it: stdin" stdin-is-tty "$out"
  d run -d $(run_flags) --name e2e-it "$image" sleep 1000 >/dev/null
  out=$(with_tty --enter-after stdout-is-tty /usr/bin/docker -H "unix://$work/docker.sock" exec -it e2e-it \
    sh -c "'tty; [ -t 1 ] && echo stdout-is-tty; read line'")
  expect_contains "exec -it: a pty" /dev/pts/ "$out"
  expect_contains "exec -it: stdout" stdout-is-tty "$out"
  d rm -f e2e-it >/dev/null
}

# docker stats reads the container's cgroup through the shim.
scenario_stats() {
  d run -d $(run_flags) --name e2e-stats --memory 64m "$image" sh -c 'sleep 1000 & sleep 1000' >/dev/null
  # The shell forks its first sleep after docker run returns: bounded wait.
  two_pids() { [[ $rc == 0 && $out == "2 "* ]]; }
  capture_until 50 two_pids d stats --no-stream --format '{{.PIDs}} {{.MemUsage}}' e2e-stats
  expect_eq "stats" 0 "$rc"
  expect_contains "pids" "2 " "$out"
  expect_contains "memory limit" "/ 64MiB" "$out"
  [[ $out != *" 0B /"* ]] || fail "stats: no memory usage: $out"
  d rm -f e2e-stats >/dev/null
}

# --restart on-failure:2: docker creates the container again twice.
scenario_restart_on_failure() {
  d run -d $(run_flags) --name e2e-restart --restart on-failure:2 "$image" sh -c 'date +%s%N >>/tmp/runs; exit 3' >/dev/null
  local i count status
  for ((i = 0; i < 150; i++)); do
    count=$(d inspect -f '{{.RestartCount}}' e2e-restart)
    status=$(d inspect -f '{{.State.Status}}' e2e-restart)
    [[ $count == 2 && $status == exited ]] && break
    sleep 0.1
  done
  expect_eq "restart count" 2 "$count"
  expect_eq "status" exited "$status"
  expect_eq "exit code" 3 "$(d inspect -f '{{.State.ExitCode}}' e2e-restart)"
  d rm -f e2e-restart >/dev/null
}

# Health checks run through the runtime's exec.
scenario_healthcheck() {
  local flags="--health-interval 1s --health-retries 1 --health-timeout 5s"
  d run -d $(run_flags) --name e2e-healthy $flags --health-cmd 'test -f /tmp/ok' "$image" \
    sh -c 'touch /tmp/ok; exec sleep 1000' >/dev/null
  d run -d $(run_flags) --name e2e-unhealthy $flags --health-cmd 'test -f /tmp/ok' "$image" sleep 1000 >/dev/null
  local i healthy unhealthy
  for ((i = 0; i < 200; i++)); do
    healthy=$(d inspect -f '{{.State.Health.Status}}' e2e-healthy)
    unhealthy=$(d inspect -f '{{.State.Health.Status}}' e2e-unhealthy)
    [[ $healthy != starting && $unhealthy != starting ]] && break
    sleep 0.1
  done
  expect_eq "passing check" healthy "$healthy"
  expect_eq "failing check" unhealthy "$unhealthy"
  d rm -f e2e-healthy e2e-unhealthy >/dev/null
}

# docker cp both ways, and commit: a new image from a container's changes.
scenario_cp_commit() {
  echo copied-in >"$work/in"
  d run -d $(run_flags) --name e2e-cp "$image" sh -c 'echo made-inside >/marker; exec sleep 1000' >/dev/null
  d cp "$work/in" e2e-cp:/tmp/in
  capture d exec e2e-cp cat /tmp/in
  expect_eq "cp into the container" copied-in "$out"
  local i
  for ((i = 0; i < 50; i++)); do d exec e2e-cp test -f /marker && break; sleep 0.1; done
  d cp e2e-cp:/marker "$work/out"
  expect_eq "cp out of the container" made-inside "$(cat "$work/out")"
  d commit e2e-cp hull-e2e:committed >/dev/null
  d rm -f e2e-cp >/dev/null
  capture d run --rm $(run_flags) hull-e2e:committed sh -c 'cat /marker /tmp/in'
  d rmi hull-e2e:committed >/dev/null
  expect_eq "the committed image has both files" "made-inside"$'\n'"copied-in" "$out"
}

scenario_ulimit() {
  capture d run --rm $(run_flags) --ulimit nofile=1024:2048 --ulimit nproc=77:88 "$image" \
    sh -c "awk '/^Max open files|^Max processes/ {print \$(NF-2), \$(NF-1)}' /proc/self/limits"
  expect_eq "exit code" 0 "$rc"
  expect_eq "nproc and nofile soft:hard" "77 88"$'\n'"1024 2048" "$out"
}

scenario_shm_size() {
  capture d run --rm $(run_flags) --shm-size 32m "$image" sh -c "df -k /dev/shm | awk 'NR == 2 {print \$2}'"
  expect_eq "exit code" 0 "$rc"
  expect_eq "/dev/shm size in KiB" 32768 "$out"
}

# --ipc host and --pid host: the container is in the host's namespaces.
scenario_ipc_pid_host() {
  local ns='readlink /proc/self/ns/ipc; readlink /proc/self/ns/pid'
  capture d run --rm $(run_flags) --ipc host --pid host "$image" sh -c "$ns"
  expect_eq "exit code" 0 "$rc"
  expect_eq "ipc and pid namespaces" "$(sh -c "$ns")" "$out"
  capture d run --rm $(run_flags) "$image" readlink /proc/self/ns/ipc
  [[ $out != "$(readlink /proc/self/ns/ipc)" ]] || fail "without --ipc host the container shares our ipc namespace"
}

# A second daemon with --userns-remap (its own fixture-free dockerd): the
# container's root is host uid 200000 and the bundle lies in a 0700 root-owned
# exec root. The subordinate ids come from files bind-mounted over
# /etc/subuid and /etc/subgid in the daemon's private mount namespace, so the
# host's files and users stay as they are.
scenario_userns_remap() {
  [[ -f /etc/subuid && -f /etc/subgid ]] || { echo "no /etc/subuid or /etc/subgid to mount over" >&2; exit $SKIP; }
  local dir=$work/remap
  stop_dockerd "$dir"
  trap 'stop_dockerd "$work/remap"' EXIT
  mkdir -p "$dir"
  echo "nobody:200000:65536" >"$dir/subuid"
  echo "nobody:200000:65536" >"$dir/subgid"  # dockerd looks the user's name up in both
  start_dockerd "$dir" '"userns-remap": "nobody:nogroup",' unshare -m --propagation private \
    sh -c 'mount --bind "$1/subuid" /etc/subuid && mount --bind "$1/subgid" /etc/subgid && shift && exec "$@"' sh "$dir"
  import_image "$dir"
  d2() { /usr/bin/docker -H "unix://$dir/docker.sock" "$@"; }
  mkdir -p "$work/remap-vol"
  chown 200000:200000 "$work/remap-vol"
  capture_all d2 run --rm $(run_flags) -v "$work/remap-vol:/vol" "$image" \
    sh -c 'cat /proc/self/uid_map | tr -s " " | sed "s/^ //"; id -u; touch /vol/made && echo wrote'
  expect_eq "exit code ($out)" 0 "$rc"
  expect_eq "uid map, uid, a write as the mapped root" "0 200000 65536"$'\n'0$'\n'wrote "$out"
  expect_eq "owner on the host" 200000:200000 "$(stat -c %u:%g "$work/remap-vol/made")"
  d2 run -d $(run_flags) --name e2e-remap "$image" sleep 1000 >/dev/null
  capture d2 exec e2e-remap sh -c 'echo exec-ok; cat /proc/1/uid_map | tr -s " " | sed "s/^ //"'
  expect_eq "exec in the remapped container" "exec-ok"$'\n'"0 200000 65536" "$out"
  local pid
  pid=$(d2 inspect -f '{{.State.Pid}}' e2e-remap)
  expect_eq "the init's host uid" 200000 "$(stat -c %u "/proc/$pid")"
  stop_dockerd "$dir"
}

parse_args "$@"
[[ -x /usr/bin/docker ]] && command -v dockerd >/dev/null || { echo "docker.io not installed" >&2; exit $SKIP; }
"scenario_$scenario"
