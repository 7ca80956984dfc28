#!/usr/bin/env bash
# Rootless --systemd-cgroup through the user's own systemd manager, as
# rootless podman runs its runtime on a systemd host (cgroup_manager
# "systemd", its default): hull run by an ordinary user makes the scope
# through $XDG_RUNTIME_DIR/systemd/private, below user@UID.service, with the
# limits in its files and in the unit; exec, pause, resume and update act on
# it; delete stops it. Run as root inside the systemd VM only (run-in-vm
# --systemd, ctest v2vm_systemd_user): it adds a user, which the VM's overlay
# /etc forgets, and starts that user's manager. Starting the login units
# hides a /tmp the VM shares with the host: hull is copied out first.
#   systemd_user_manager.sh HULL
set -u
(($# == 1)) || { echo "usage: $0 HULL" >&2; exit 2; }
source_hull=$1
for tool in useradd runuser jq busybox systemctl; do
  command -v "$tool" >/dev/null || { echo "systemd user manager: $tool not installed: skipped"; exit 77; }
done
fail() { echo "systemd user manager: FAIL: $*" >&2; exit 1; }

work=$(mktemp -d /var/tmp/hull-user-manager.XXXXXX) || fail "mktemp"
user=hull-um
useradd --no-create-home --home-dir "$work" --user-group "$user" || fail "useradd $user"
uid=$(id -u "$user")
hull=$work/hull
cp "$source_hull" "$hull" && chmod 755 "$work" "$hull" || fail "copy $source_hull"
cleanup() {
  systemctl stop "user@$uid.service" >/dev/null 2>&1
  userdel "$user" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
# user-runtime-dir@UID (/run/user/UID) asks logind, which needs the system bus.
systemctl start dbus.service systemd-logind.service || fail "systemctl start dbus systemd-logind"
SECONDS=0
systemctl start "user@$uid.service" || fail "systemctl start user@$uid.service: $(journalctl -b --no-pager | tail -20)"
xdg=/run/user/$uid
manager=/sys/fs/cgroup/user.slice/user-$uid.slice/user@$uid.service
as_user() {
  runuser -u "$user" -- env XDG_RUNTIME_DIR="$xdg" PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"
}
# From a scope of the user's manager, as podman runs it: a process moved
# into the container's cgroup (exec) must come from a cgroup below one the
# user may write, as the kernel asks of a migration.
run_hull() { as_user systemd-run --user --scope --quiet "$hull" --systemd-cgroup "$@"; }

bundle=$work/bundle
mkdir -p "$bundle/rootfs/bin"
cp "$(command -v busybox)" "$bundle/rootfs/bin/"
for applet in sh cat sleep; do ln -s busybox "$bundle/rootfs/bin/$applet"; done
(cd "$bundle" && "$hull" spec --rootless) || fail "hull spec --rootless"
jq --argjson uid "$uid" '.process.terminal = false | .process.args = ["sleep", "1000"]
    | .linux.uidMappings[0].hostID = $uid | .linux.gidMappings[0].hostID = $uid
    | .linux.cgroupsPath = "user.slice:hull-um:c1"
    | .linux.resources = {"memory": {"limit": 104857600}, "pids": {"limit": 77}}' \
  "$bundle/config.json" > "$bundle/config.new" && mv "$bundle/config.new" "$bundle/config.json" || fail "jq"
chown -R "$user:$user" "$work"

scope=$manager/user.slice/hull-um-c1.scope
run_hull create --bundle "$bundle" c1 || fail "create"
run_hull start c1 || fail "start"
[[ -d $scope ]] || fail "no scope at $scope: $(run_hull state c1)"
[[ $(cat "$scope/memory.max") == 104857600 && $(cat "$scope/pids.max") == 77 ]] ||
  fail "limits in $scope: memory.max $(cat "$scope/memory.max"), pids.max $(cat "$scope/pids.max")"
property=$(as_user systemctl --user show -P MemoryMax hull-um-c1.scope)
[[ $property == 104857600 ]] || fail "the unit's MemoryMax is $property"
inside=$(run_hull exec c1 cat /sys/fs/cgroup/pids.max /proc/self/cgroup) || fail "exec"
[[ $inside == $'77\n0::/' ]] || fail "exec sees $inside"
run_hull pause c1 || fail "pause"
[[ $(cat "$scope/cgroup.freeze") == 1 ]] || fail "pause did not freeze $scope"
run_hull resume c1 || fail "resume"
run_hull update --memory 60m c1 || fail "update"
property=$(as_user systemctl --user show -P MemoryMax hull-um-c1.scope)
[[ $(cat "$scope/memory.max") == 62914560 && $property == 62914560 ]] ||
  fail "after update: memory.max $(cat "$scope/memory.max"), MemoryMax $property"
run_hull delete --force c1 || fail "delete --force"
[[ ! -e $scope ]] || fail "$scope is left"
[[ -z $(as_user systemctl --user list-units --all --no-legend 'hull-um-*') ]] || fail "a unit is left"

# A limit on a controller the user's manager was not delegated (Debian's
# default: cpu memory pids): refused before the unit starts, naming the remedy.
if ! grep -qw cpuset "$manager/cgroup.controllers"; then
  mkdir "$work/cpuset" && chown "$user:$user" "$work/cpuset"
  jq --arg root "$bundle/rootfs" '.root.path = $root | .linux.resources.cpu = {"cpus": "0"}' \
    "$bundle/config.json" > "$work/cpuset/config.json" || fail "jq cpuset"
  out=$(run_hull create --bundle "$work/cpuset" c3 2>&1) && fail "create with a cpuset limit: $out"
  [[ $out == *'"cpuset", which the user'*'was not delegated'*'Delegate='* ]] || fail "the cpuset refusal says: $out"
  [[ -z $(run_hull list -q) ]] || fail "a refused create left: $(run_hull list -q)"
fi

# An XDG_RUNTIME_DIR the user may not use (a `su` keeps the one of the user
# it came from): the container gets no cgroup, with a warning that says why,
# not that the user's manager is not running.
mkdir -m 0700 "$work/not-yours" || fail "mkdir $work/not-yours"
# (Its output into a file: the container holds a pipe's end until it ends.)
runuser -u "$user" -- env XDG_RUNTIME_DIR="$work/not-yours" "$hull" --systemd-cgroup --root "$work/state4" \
  create --bundle "$bundle" c4 > "$work/c4.out" 2>&1 || fail "create with another's XDG_RUNTIME_DIR: $(cat "$work/c4.out")"
runuser -u "$user" -- "$hull" --root "$work/state4" delete --force c4 || fail "delete c4"
out=$(cat "$work/c4.out")
[[ $out == *'connect '"$work"'/not-yours/systemd/private (XDG_RUNTIME_DIR names a directory this user may not use'* &&
  $out != *"Start the user's systemd manager"* && $out != *'driver: the user'* ]] ||
  fail "the warning for another's XDG_RUNTIME_DIR says: $out"

# The user's manager gone (a logout without linger) takes the scope along:
# delete --force of a container whose state outlived it ends it all the same.
run_hull --root "$work/state" create --bundle "$bundle" c2 || fail "create c2"
systemctl stop "user@$uid.service" || fail "systemctl stop user@$uid.service"
as_user "$hull" --systemd-cgroup --root "$work/state" delete --force c2 ||
  fail "delete --force with the user's manager gone"
[[ -z $(ls "$work/state") ]] || fail "state left: $(ls "$work/state")"
echo "systemd user manager: passed ($SECONDS s from the user manager's start)"
