# Shared helpers of the end-to-end scenarios (sourced by podman.sh and
# containerd.sh). A scenario is a shell function; it fails through fail(),
# which names the scenario and what was expected.
set -euo pipefail

SKIP=77  # ctest's SKIP_RETURN_CODE for the e2e tests

fail() {
  echo "FAIL [$scenario]: $*" >&2
  exit 1
}

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
  [[ $2 == "$3" ]] || fail "$1: expected '$2', got '$3'"
}

# expect_contains WHAT NEEDLE HAYSTACK
expect_contains() {
  [[ $3 == *"$2"* ]] || fail "$1: expected to contain '$2', got '$3'"
}

# Runs "$@", records its exit code in $rc and its stdout in $out (stderr goes
# to the test log), without tripping set -e.
capture() {
  set +e
  out=$("$@")
  rc=$?
  set -e
}

# capture_until TRIES CHECK CMD...: capture CMD again, 0.1 s apart, until the
# function CHECK (reading $out and $rc) holds, at most TRIES times: for what
# goes on after a command returns (a container's shell forking its children,
# a rewrite of a file caught half-way).
capture_until() {
  local tries=$1 check=$2 i
  shift 2
  for ((i = 0; i < tries; i++)); do
    capture "$@"
    "$check" && return 0
    sleep 0.1
  done
  return 0
}

# The same, with stderr in $out too.
capture_all() {
  set +e
  out=$("$@" 2>&1)
  rc=$?
  set -e
}

# The busybox-static root filesystem both images are made from.
make_rootfs() {
  bash "$source_dir/bundles/make-rootfs.sh" "$1" >/dev/null
}

# A terminal for "-t" scenarios: with_tty [--enter-after TEXT] COMMAND-LINE...
# pty_run (pty_run.cpp, built beside the tests; ctest sets HULL_E2E_PTY_RUN)
# gives the command line a pty of its own as its stdin, stdout and stderr, as
# an interactive shell would, and prints all the command wrote there once its
# last holder closed it; the exit code is the command's. A terminal's output
# ends lines with CRLF. --enter-after TEXT presses Enter once TEXT shows.
# Behind containerd 1.6 and its runc shim, what a terminal process wrote just
# before it exited is sometimes lost: with `ctr run -t` on a loaded host, 3
# runs in 500 with runc and 2 in 450 with hull printed nothing (2026-12-03).
# Docker runs containers through the same shim. So a process there reads a
# line after its output and exits only on the Enter that follows it: 0 runs
# in 500 lost the output then, with either runtime.
with_tty() {
  local options=()
  if [[ $1 == --enter-after ]]; then
    options=(--enter-after "$2")
    shift 2
  fi
  "${HULL_E2E_PTY_RUN:?the e2e_pty_run program built with the tests}" "${options[@]}" bash -c "$*" | tr -d '\r'
}

# useradd/userdel/usermod refuse while another one holds the lock on
# /etc/passwd (another lane, another test): a few tries.
retry_locked() {
  local i
  for i in 1 2 3 4 5 6 7 8 9 10; do
    "$@" && return 0
    sleep 0.5
  done
  return 1
}

# usage: <script> RUNTIME WORKDIR SCENARIO
parse_args() {
  if (($# != 3)); then
    echo "usage: $0 RUNTIME WORKDIR SCENARIO" >&2
    exit 2
  fi
  runtime=$1 work=$2 scenario=$3
  source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  if ! declare -F "scenario_$scenario" >/dev/null; then
    echo "unknown scenario $scenario" >&2
    exit 2
  fi
}

# The mount point of the hierarchy a /proc/<pid>/cgroup line's controller
# list names ("" is cgroup2: /sys/fs/cgroup/unified on hybrid hosts).
hierarchy_dir() {
  case $1 in
    "") [[ -d /sys/fs/cgroup/unified ]] && echo /sys/fs/cgroup/unified || echo /sys/fs/cgroup ;;
    name=*) echo "/sys/fs/cgroup/${1#name=}" ;;
    *) echo "/sys/fs/cgroup/$1" ;;
  esac
}

# cgroup_file PID CONTROLLER FILE: the path of FILE in PID's cgroup of
# CONTROLLER's v1 hierarchy, read from the host side.
cgroup_file() {
  local ctrls path
  while IFS=: read -r _ ctrls path; do
    [[ ,$ctrls, == *,"$2",* ]] && { echo "$(hierarchy_dir "$ctrls")$path/$3"; return; }
  done <"/proc/$1/cgroup"
  fail "no $2 cgroup for pid $1"
}

# FROZEN when PID's cgroup is frozen: the v1 freezer's state, or on a
# cgroup2-only host cgroup.freeze.
freezer_state() {
  if grep -q ':freezer:' "/proc/$1/cgroup"; then
    cat "$(cgroup_file "$1" freezer freezer.state)"
  else
    local path
    path=$(sed -n 's/^0:://p' "/proc/$1/cgroup")
    [[ $(cat "$(hierarchy_dir "")$path/cgroup.freeze") == 1 ]] && echo FROZEN || echo THAWED
  fi
}

# Removes NAME (and what is left below it) under our own cgroup in every
# hierarchy: the parent cgroup the runtime made for the test's containers.
remove_own_child_cgroup() {
  local ctrls path dir
  while IFS=: read -r _ ctrls path; do
    dir=$(hierarchy_dir "$ctrls")${path%/}/$1
    [[ -d $dir ]] && find "$dir" -depth -type d -exec rmdir {} \; 2>/dev/null
  done </proc/self/cgroup
  return 0
}

# Unmounts whatever is still mounted below DIR (deepest first), so that
# removing DIR cannot reach into a mounted file system.
unmount_below() {
  awk -v d="$1/" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo | sort -r | while read -r m; do
    umount -l "$m" || true
  done
}

# Checkpoint/restore scenarios: a counter that keeps its value only in the
# shell's memory and writes it to /count every 0.1 s (a restarted container
# would count from 1 again).
COUNTER='i=0; while :; do i=$((i+1)); echo $i > /count; sleep 0.1; done'

# Skips (exit 77) when CRIU is missing or cannot work on this kernel: Debian's
# CRIU 3.17 runs on Debian's 6.1 kernel (the v2vm_criu lane), not on 6.18.
need_working_criu() {
  command -v criu >/dev/null || { echo "criu is not installed" >&2; exit $SKIP; }
  criu check >/dev/null 2>&1 || { echo "criu check fails on this kernel: $(criu check 2>&1 | tail -n 1)" >&2; exit $SKIP; }
}

# wait_count FILE MIN: waits (bounded, 60 s) until the counter FILE holds a
# value >= MIN; prints it.
wait_count() {
  local i v
  for ((i = 0; i < 600; i++)); do
    v=$(cat "$1" 2>/dev/null || true)
    [[ $v =~ ^[0-9]+$ ]] && ((v >= $2)) && { echo "$v"; return; }
    sleep 0.1
  done
  fail "the counter $1 did not reach $2 (last: '${v:-}')"
}

# first_count FILE [OLD]: the first value other than OLD (default 0) the
# counter FILE holds (bounded, 60 s): after a restore, more than the dumped
# value when the counter went on, 1 when it started over.
first_count() {
  local i v
  for ((i = 0; i < 1200; i++)); do
    v=$(cat "$1" 2>/dev/null || true)
    [[ $v =~ ^[0-9]+$ ]] && ((v != ${2:-0})) && { echo "$v"; return; }
    sleep 0.05
  done
  fail "the restored counter never wrote to $1"
}

# --- podman: containers.conf and the image (podman.sh, podman-rootless.sh,
# systemd.sh, bench/users.sh) ----------------------------------------------

# podman_conf FILE CGROUP_MANAGER [EXTRA]: the containers.conf docs/clients.md
# shows for $runtime: the runtime by path, runc's JSON log format (conmon then
# passes --log-format=json --log FILE), no network (the machine may be
# offline), events to a file; EXTRA is more of the [containers] table
# (podman.sh: cgroups = "no-conmon").
podman_conf() {
  local name
  name=$(basename "$runtime")
  cat >"$1" <<CONF
[containers]
netns = "none"
${3:-}

[engine]
runtime = "$name"
runtime_supports_json = ["$name"]
cgroup_manager = "$2"
events_logger = "file"

[engine.runtimes]
$name = ["$runtime"]
CONF
}

# podman_import_busybox IMAGE [OWNER]: the busybox-static rootfs as IMAGE in
# the caller's podman storage (its pm function), through a tarball in $work
# that OWNER (rootless podman's user) gets to read.
podman_import_busybox() {
  make_rootfs "$work/rootfs"
  tar -C "$work/rootfs" -cf "$work/rootfs.tar" .
  rm -rf "$work/rootfs"
  [[ -z ${2:-} ]] || chown "$2" "$work/rootfs.tar"
  pm import "$work/rootfs.tar" "$1" >/dev/null
  rm -f "$work/rootfs.tar"
}

# --- containerd: a private daemon (containerd.sh, systemd.sh, bench/users.sh)

# containerd_start IMAGE: a containerd of its own (root, state, sockets and
# config in $work; no CRI plugin: ctr talks to it directly), started in its
# own session with its output in a file (ctest must not wait on our pipes),
# its pid in $work/containerd.pid; then IMAGE, the busybox-static rootfs as
# an OCI layout (no registry), imported for the native snapshotter.
containerd_start() {
  mkdir -p "$work"
  cat >"$work/config.toml" <<CONF
version = 2
root = "$work/root"
state = "$work/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$work/containerd.sock"
[ttrpc]
  address = "$work/containerd.sock.ttrpc"
[debug]
  address = "$work/debug.sock"
CONF
  setsid containerd --config "$work/config.toml" </dev/null >"$work/containerd.log" 2>&1 &
  echo $! >"$work/containerd.pid"
  local i
  for ((i = 0; i < 300; i++)); do
    ctr --address "$work/containerd.sock" version >/dev/null 2>&1 && break
    kill -0 "$(cat "$work/containerd.pid")" 2>/dev/null || { cat "$work/containerd.log" >&2; fail "containerd died"; }
    sleep 0.1
  done
  ctr --address "$work/containerd.sock" version >/dev/null || {
    cat "$work/containerd.log" >&2
    fail "containerd did not answer within 30 s"
  }
  make_rootfs "$work/rootfs"
  bash "$source_dir/tests/e2e/make-oci-image.sh" "$work/rootfs" "$work/image.tar" "$1"
  ctr --address "$work/containerd.sock" images import --snapshotter native "$work/image.tar" >/dev/null
  rm -rf "$work/rootfs" "$work/image.tar"
}

# containerd_stop REMOVE_FN: REMOVE_FN ID for every container left (the
# caller's way to kill and delete a task and its container), then the daemon
# by the pid containerd_start wrote: TERM, KILL after 10 s.
containerd_stop() {
  local pid id i
  [[ -f $work/containerd.pid ]] || return 0
  pid=$(cat "$work/containerd.pid")
  kill -0 "$pid" 2>/dev/null || return 0
  for id in $(ctr --address "$work/containerd.sock" containers ls -q 2>/dev/null); do "$1" "$id"; done
  kill -TERM "$pid"
  for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  return 0
}
