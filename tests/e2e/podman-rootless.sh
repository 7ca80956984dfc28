#!/usr/bin/env bash
# Rootless podman (as a real unprivileged user) running containers on an OCI
# runtime:
#   podman-rootless.sh RUNTIME WORKDIR SCENARIO
# The "setup" scenario creates the user (useradd gives it its /etc/subuid and
# /etc/subgid ranges, or usermod does), its XDG_RUNTIME_DIR and HOME under
# WORKDIR, and imports the busybox image into its vfs storage; each scenario
# runs podman as that user (runuser, an empty environment but for what
# podman needs). podman then runs the runtime as uid 0 of its own user
# namespace (the user's uid mapped to 0, its subordinate range above it),
# where hull must see that it is rootless. "cleanup" removes the containers,
# podman's pause process (by the pid it wrote), the user (userdel takes its
# subordinate ranges too) and WORKDIR. setup first removes what an
# interrupted run left.
#
# No network (netns "none": no slirp4netns or pasta needed) and no cgroups
# the user could not have: on a hybrid host rootless containers run without
# one (the runtime warns).
source "$(dirname "$0")/lib.sh"

image=localhost/hull-e2e:busybox

# One user per runtime: a reference lane can run beside hull's.
user_name() {
  echo "hullrl-$(basename "$runtime" | tr -c 'a-z0-9\n' '-')" | cut -c1-31
}

# Rootless podman refuses a run root longer than 50 characters (its socket
# paths must fit): the run root and XDG_RUNTIME_DIR live in a short
# directory of their own under /tmp, named in $work/short-dir.
short=""

pm() {
  (cd "$work" && runuser -u "$user" -- env -i HOME="$work/home" XDG_RUNTIME_DIR="$short/xdg" \
    PATH=/usr/sbin:/usr/bin:/sbin:/bin CONTAINERS_CONF="$work/containers.conf" \
    podman --root "$work/storage" --runroot "$short/run" --tmpdir "$work/tmp" --storage-driver vfs "$@")
}

# The user's id, for the checks.
uid_of_user() {
  id -u "$user"
}

scenario_setup() {
  scenario_cleanup
  retry_locked useradd --no-create-home --home-dir "$work/home" --shell /usr/sbin/nologin --user-group "$user" ||
    fail "useradd $user"
  # Debian's useradd gives a new user subordinate ranges (SUB_UID_COUNT in
  # /etc/login.defs); where it did not, take the first free range above the
  # used ones.
  if ! grep -q "^$user:" /etc/subuid || ! grep -q "^$user:" /etc/subgid; then
    local top
    top=$(awk -F: 'BEGIN {t = 100000} {e = $2 + $3; if (e > t) t = e} END {print t}' /etc/subuid /etc/subgid)
    retry_locked usermod --add-subuids "$top-$((top + 65535))" --add-subgids "$top-$((top + 65535))" "$user" ||
      fail "usermod --add-subuids for $user"
  fi
  mkdir -p "$work"/{home,storage,tmp}
  short=$(mktemp -d /tmp/hullrl.XXXXXX)
  echo "$short" >"$work/short-dir"
  mkdir -m 0700 "$short/xdg" "$short/run"
  chown -R "$user:$user" "$short"
  podman_conf "$work/containers.conf" cgroupfs
  mkdir -p "$work/volume" "$work/private/volume"
  echo from-the-host >"$work/volume/host-file"
  echo from-the-users-private-dir >"$work/private/volume/host-file"
  chown -R "$user:$user" "$work"
  chmod 0700 "$work/private"
  podman_import_busybox "$image" "$user:$user"
}

scenario_cleanup() {
  if id -u "$user" >/dev/null 2>&1; then
    local uid pid
    uid=$(id -u "$user")
    [[ -d $work/storage ]] && { pm rm --all --force --time 0 >/dev/null 2>&1 || true; }
    # podman's pause process keeps its user namespace alive; then whatever
    # else the user still runs (conmon of a container rm could not reach),
    # each by its pid: the user is ours, made for this test.
    pid=$(cat "$short/xdg/libpod/tmp/pause.pid" 2>/dev/null || true)
    [[ -n $pid && $(stat -c %u "/proc/$pid" 2>/dev/null) == "$uid" ]] && kill -KILL "$pid" 2>/dev/null
    for pid in $(ps -o pid= -u "$uid"); do kill -KILL "$pid" 2>/dev/null || true; done
    for _ in $(seq 50); do [[ -z $(ps -o pid= -u "$uid") ]] && break; sleep 0.1; done
    # podman's lock file for the user, in /dev/shm (not its runroot): the
    # user's, so ours.
    local lock=/dev/shm/libpod_rootless_lock_$uid
    [[ -f $lock && $(stat -c %u "$lock") == "$uid" ]] && rm -f "$lock"
    retry_locked userdel "$user" || echo "cleanup: userdel $user failed" >&2
  fi
  local dir
  for dir in "$short" "$work"; do
    [[ -n $dir && -d $dir ]] || continue
    unmount_below "$dir"
    rm -rf "$dir"
  done
  short=""
  # userdel removes the user's subordinate ranges; a line an interrupted
  # usermod left would otherwise stay forever.
  if grep -q "^$user:" /etc/subuid /etc/subgid 2>/dev/null; then
    echo "cleanup: $user still in /etc/subuid or /etc/subgid" >&2
    return 1
  fi
  return 0
}

# run, output, exit code, the user namespace seen from inside, and nothing
# left in the runtime's state root (under the user's XDG_RUNTIME_DIR for
# hull, which decided on its own that it is rootless).
scenario_run() {
  capture pm run --rm "$image" sh -c 'echo hello; cat /proc/self/uid_map; id -u; echo to-stderr >&2; exit 7'
  expect_eq "exit code" 7 "$rc"
  local uid sub
  uid=$(uid_of_user)
  sub=$(awk -F: -v u="$user" '$1 == u {print $2, $3; exit}' /etc/subuid)
  # podman's namespace: 0 is the user, 1.. its subordinate range.
  expect_eq "stdout: hello, uid_map inside, id -u" "hello 0 $uid 1 1 $sub 0" "$(echo $out)"
  if [[ $(basename "$runtime") == hull* ]]; then
    [[ -d $short/xdg/hull ]] || fail "hull made no state root under XDG_RUNTIME_DIR"
    # podman's --rm races conmon's exit command (`podman container cleanup
    # --rm`): when that one removes the container first, `podman run`
    # returns ("already removed, skipping --rm") while the cleanup process
    # may still be running the runtime's delete. Bounded wait for it; a
    # state dir that stays is still a failure.
    # What stays is the compiled seccomp program of podman's default
    # profile, in hull's cache (~seccomp), made by the user. The other
    # scenarios share the state root and may run beside this one (ctest -j):
    # their containers live a few seconds (exec's stops in well under 10).
    local i
    for ((i = 0; i < 300; i++)); do
      [[ -z $(ls -A "$short/xdg/hull" | grep -vx '~seccomp') ]] && break
      sleep 0.1
    done
    expect_eq "hull's state root under XDG_RUNTIME_DIR, no container left after --rm" "" \
      "$(ls -A "$short/xdg/hull" | grep -vx '~seccomp')"
    expect_eq "entries of hull's seccomp cache, made by the user" "1 $uid" \
      "$(find "$short/xdg/hull/~seccomp" -maxdepth 1 -type f | wc -l) $(stat -c %u "$short/xdg/hull/~seccomp")"
  fi
}

scenario_exec() {
  local c=e2e-rl-exec
  pm run -d --name "$c" "$image" sh -c 'trap "exit 0" TERM; sleep 1000 & wait' >/dev/null
  trap "pm rm -f -t 0 $c >/dev/null 2>&1 || true" EXIT
  local status pid
  read -r status pid <<<"$(pm inspect --format '{{.State.Status}} {{.State.Pid}}' "$c")"
  expect_eq "state after run -d" running "$status"
  expect_eq "the container's init runs as the user on the host" "$(uid_of_user)" "$(stat -c %u "/proc/$pid")"
  capture pm exec "$c" sh -c 'echo in-container $(id -u); exit 3'
  expect_eq "exec output" "in-container 0" "$out"
  expect_eq "exec exit code" 3 "$rc"
  pm stop -t 10 "$c" >/dev/null
  expect_eq "exit code after stop (SIGTERM handled)" 0 "$(pm inspect --format '{{.State.ExitCode}}' "$c")"
  pm rm "$c" >/dev/null
  [[ ! -d /proc/$pid ]] || fail "the init $pid still runs after rm"
}

# A volume from the host: the user's file reads as root's inside, a file
# written inside is the user's on the host.
scenario_volume() {
  rm -f "$work/volume/from-container"
  capture pm run --rm -v "$work/volume:/data" "$image" \
    sh -c 'cat /data/host-file; stat -c %u /data/host-file; echo written > /data/from-container'
  expect_eq "exit code" 0 "$rc"
  expect_eq "host file read inside, its owner inside" "from-the-host 0" "$(echo $out)"
  expect_eq "file written inside" written "$(cat "$work/volume/from-container")"
  expect_eq "its owner on the host" "$(uid_of_user):$(id -g "$user")" "$(stat -c %u:%g "$work/volume/from-container")"
}

# --userns=keep-id: the container gets a user namespace of its own (podman
# writes it into the config) in which the user's uid is itself.
scenario_keep_id() {
  local uid gid
  uid=$(uid_of_user)
  gid=$(id -g "$user")
  capture pm run --rm --userns=keep-id -v "$work/volume:/data" "$image" \
    sh -c 'id -u; id -g; grep -c . /proc/self/uid_map; stat -c %u /data/host-file'
  expect_eq "exit code" 0 "$rc"
  # The user's file is the user's inside too.
  expect_eq "id -u, id -g inside, lines of uid_map, owner of the user's file" "$uid $gid 3 $uid" "$(echo $out)"
}

# --uidmap 0:1:N: the container's root is one of the user's subordinate
# ids, which may not search the user's private directory (0700) holding
# the volume: the runtime, root of podman's namespace, opens it for the
# init (crun and runc run it; hull failed with EACCES until 2026-12-06).
scenario_uidmap() {
  capture pm run --rm --uidmap 0:1:1000 --gidmap 0:1:1000 -v "$work/private/volume:/data" "$image" \
    sh -c 'cat /data/host-file; head -n 1 /proc/self/uid_map'
  expect_eq "exit code" 0 "$rc"
  expect_eq "the private volume's file, the container's uid_map" "from-the-users-private-dir 0 1 1000" "$(echo $out)"
}

parse_args "$@"
user=$(user_name)
short=$(cat "$work/short-dir" 2>/dev/null || true)
[[ -z $short || $short == /tmp/hullrl.* ]] || fail "unexpected short dir $short"
command -v podman >/dev/null && command -v conmon >/dev/null || { echo "podman/conmon not installed" >&2; exit $SKIP; }
command -v useradd >/dev/null && command -v runuser >/dev/null || { echo "useradd/runuser not installed" >&2; exit $SKIP; }
# Without newuidmap podman maps the user alone; the scenarios expect its ranges.
command -v newuidmap >/dev/null || { echo "newuidmap not installed (package uidmap)" >&2; exit $SKIP; }
"scenario_$scenario"
