# Shared by run.sh and profile.sh (sourced, not run): scratch dir, busybox
# rootfs, the benchmark's own cgroup, and cleanup of all of it on exit.

# Creates $work (tmpfs), $rootfs, and /sys/fs/cgroup/<ctrl>/$cgname in every
# v1 controller; sets $controllers. Installs the EXIT trap that removes them.
bench_setup() {
  work=$(mktemp -d /run/hullbench.XXXXXX)
  cgname="hullbench.$$"
  controllers=()
  local d c
  for d in /sys/fs/cgroup/*/; do
    c=$(basename "$d")
    [ "$c" = unified ] && continue
    [ -f "$d/cgroup.procs" ] && controllers+=("$c")
  done
  trap bench_cleanup EXIT
  # A run stopped by timeout(1) or ^C exits through the EXIT trap too; without
  # these, bash dies of the signal and leaves hullbench.<pid> cgroups behind.
  trap 'exit 143' TERM
  trap 'exit 130' INT
  trap 'exit 129' HUP

  # Rootfs: static busybox plus one symlink per applet, shared read-only.
  rootfs="$work/rootfs"
  mkdir -p "$rootfs"/{bin,dev,proc,sys,tmp,etc,root}
  cp /bin/busybox "$rootfs/bin/busybox"
  local a
  for a in $("$rootfs/bin/busybox" --list); do
    [ "$a" = busybox ] || ln -sf busybox "$rootfs/bin/$a"
  done

  # The benchmark's own cgroup: every container's cgroupsPath nests under it.
  for c in "${controllers[@]}"; do
    mkdir "/sys/fs/cgroup/$c/$cgname"
    if [ "$c" = cpuset ]; then  # a new cpuset is empty until given cpus and mems
      cat /sys/fs/cgroup/cpuset/cpuset.cpus >"/sys/fs/cgroup/cpuset/$cgname/cpuset.cpus"
      cat /sys/fs/cgroup/cpuset/cpuset.mems >"/sys/fs/cgroup/cpuset/$cgname/cpuset.mems"
    fi
  done
}

bench_cleanup() {
  set +e
  # Containers are deleted by whoever created them; here go the cgroup dirs
  # left (deepest first) and the scratch dir. Only paths this run created.
  local c
  for c in "${controllers[@]}"; do
    [ -d "/sys/fs/cgroup/$c/$cgname" ] &&
      find "/sys/fs/cgroup/$c/$cgname" -depth -type d -exec rmdir {} \; 2>/dev/null
  done
  rm -rf "$work"
}

# bench_config ID NETNS(0|1) ARGS_JSON > config.json — the same template the driver fills.
bench_config() {
  local net=""
  [ "$2" = 1 ] && net='\n      { "type": "network" },'
  sed -e "s|@ARGS@|$3|" -e "s|@ROOTFS@|$rootfs|" -e "s|@CGROUP@|/$cgname/$1|" \
      -e "s|@NETNS@|$net|" "$here/config.template.json"
}

# Runs "$@" in a private mount namespace without the cgroup2 mount: crun
# refuses hybrid cgroups, so every runtime is measured in this same wrapper.
in_bench_ns() {
  unshare -m --propagation private -- bash -c '
    if mountpoint -q /sys/fs/cgroup/unified; then umount /sys/fs/cgroup/unified || exit 1; fi
    exec "$@"' in-bench-ns "$@"
}
