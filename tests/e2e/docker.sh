#!/usr/bin/env bash
# Docker (Debian's docker.io 20.10: dockerd, its managed containerd and the
# runc v2 shim) running containers on an OCI runtime:
#   docker.sh RUNTIME WORKDIR SCENARIO
# "setup" starts a private dockerd (data root, exec root, socket, pid file
# and config in WORKDIR; no iptables, no bridge) with RUNTIME added as the
# runtime "e2e", and imports a busybox image made here (`docker import`, no
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

scenario_setup() {
  scenario_cleanup
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
  "bridge": "none",
  "storage-driver": "vfs",
  "exec-opts": ["native.cgroupdriver=cgroupfs"],
  "cgroup-parent": "$(cgroup_parent)",
  "runtimes": {"e2e": {"path": "$runtime"}}
}
CONF
  # Its own session, output to a file: ctest must not wait on our pipes.
  setsid dockerd --config-file "$work/daemon.json" </dev/null >"$work/dockerd.log" 2>&1 &
  local i
  for ((i = 0; i < 300; i++)); do
    d version >/dev/null 2>&1 && break
    sleep 0.1
  done
  d version >/dev/null || { tail -20 "$work/dockerd.log" >&2; fail "dockerd did not answer within 30 s"; }
  make_rootfs "$work/rootfs"
  tar -C "$work/rootfs" -cf "$work/rootfs.tar" .
  d import "$work/rootfs.tar" "$image" >/dev/null
  rm -rf "$work/rootfs" "$work/rootfs.tar"
}

scenario_cleanup() {
  [[ -d $work ]] || return 0
  local pid i
  if [[ -f $work/docker.pid ]]; then
    pid=$(cat "$work/docker.pid")
    if kill -0 "$pid" 2>/dev/null; then
      d ps -aq 2>/dev/null | xargs -r /usr/bin/docker -H "unix://$work/docker.sock" rm -f >/dev/null 2>&1 || true
      kill -TERM "$pid"
      for ((i = 0; i < 200; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    fi
  fi
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
  d run -d $(run_flags) --name e2e-kill "$image" sh -c 'trap "exit 42" USR1; while :; do sleep 0.1; done' >/dev/null
  sleep 0.5
  d kill -s USR1 e2e-kill >/dev/null
  capture d wait e2e-kill
  expect_eq "exit code after SIGUSR1" 42 "$out"
  d rm e2e-kill >/dev/null
}

scenario_pause_unpause() {
  d run -d $(run_flags) --name e2e-pause "$image" sleep 1000 >/dev/null
  d pause e2e-pause >/dev/null
  local pid
  pid=$(d inspect -f '{{.State.Pid}}' e2e-pause)
  expect_eq "status" paused "$(d inspect -f '{{.State.Status}}' e2e-pause)"
  expect_eq "freezer" FROZEN "$(freezer_state "$pid")"
  d unpause e2e-pause >/dev/null
  expect_eq "status after unpause" running "$(d inspect -f '{{.State.Status}}' e2e-pause)"
  d rm -f e2e-pause >/dev/null
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

parse_args "$@"
[[ -x /usr/bin/docker ]] && command -v dockerd >/dev/null || { echo "docker.io not installed" >&2; exit $SKIP; }
"scenario_$scenario"
