# Shared by run.sh and profile.sh (sourced, not run): scratch dir, busybox
# rootfs, the benchmark's own cgroup, and cleanup of all of it on exit.

# Creates $work, $state (tmpfs, for the runtimes' --root), $rootfs, and the
# benchmark's own cgroup $cgname (a path below the cgroup root, the same in
# every hierarchy, so that one absolute cgroupsPath means the same place to
# every runtime): on a v1/hybrid host see bench_setup_v1 (sets
# $controllers); on a pure cgroup v2 host ($controllers empty) see
# bench_setup_v2. Installs the EXIT trap that removes them.
bench_setup() {
  work=$(mktemp -d /run/hullbench.XXXXXX)
  # Runtimes keep their state under /run, which is tmpfs on the hosts they
  # serve. Where /run is a disk filesystem (the development VM: ext4), state
  # directories would cost inode allocations whose price depends on what was
  # deleted lately (ext4 skips recently freed inodes: after a 1000-container
  # row, run took 10.5 ms instead of 5.5, and crun 16.9 instead of 8.4), so
  # the state goes to /dev/shm, tmpfs everywhere.
  if [ "$(stat -f -c %T /run)" = tmpfs ]; then
    state="$work/state"
    mkdir "$state"
  else
    state=$(mktemp -d /dev/shm/hullbench-state.XXXXXX)
  fi
  # crun makes its default state root, /run/crun, whenever it starts, even
  # for the --version the report asks: removed at the end if this run made it.
  default_roots "$work/default-roots-bench" setup crun
  cgname="hullbench.$$"
  controllers=() cg_v1_made=()
  cg_v2_enabled=() cg_v2_parent=""
  trap bench_cleanup EXIT
  if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
    bench_setup_v2
  else
    bench_setup_v1
  fi
  # A run stopped by timeout(1) or ^C exits through the EXIT trap too; without
  # these, bash dies of the signal and leaves hullbench.<pid> cgroups behind.
  trap 'exit 143' TERM
  trap 'exit 130' INT
  trap 'exit 129' HUP

  # Rootfs: static busybox plus one symlink per applet, shared read-only.
  rootfs="$work/rootfs"
  mkdir -p "$rootfs"/{bin,dev,proc,sys,tmp,etc,root}
  cp "${HULL_BENCH_BUSYBOX:-/bin/busybox}" "$rootfs/bin/busybox"  # bench/pack.sh carries its own
  local a
  for a in $("$rootfs/bin/busybox" --list); do
    [ "$a" = busybox ] || ln -sf busybox "$rootfs/bin/$a"
  done
}

bench_cleanup() {
  set +e
  # Containers are deleted by whoever created them; here go the cgroup dirs
  # left (deepest first) and the scratch dir. Only paths this run created.
  local c i
  for c in "${controllers[@]+"${controllers[@]}"}"; do
    [ -d "/sys/fs/cgroup/$c/$cgname" ] &&
      find "/sys/fs/cgroup/$c/$cgname" -depth -type d -exec rmdir {} \; 2>/dev/null
  done
  for ((i = ${#cg_v1_made[@]} - 1; i >= 0; i--)); do  # deepest first
    rmdir "${cg_v1_made[i]}" 2>/dev/null
  done
  if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] && [ -d "/sys/fs/cgroup/$cgname" ]; then
    find "/sys/fs/cgroup/$cgname" -depth -type d -exec rmdir {} \; 2>/dev/null
    # Give back what bench_setup_v2 enabled in the parent (fails harmlessly
    # when something else started using the controller meanwhile).
    for c in "${cg_v2_enabled[@]+"${cg_v2_enabled[@]}"}"; do
      echo "-$c" >"/sys/fs/cgroup${cg_v2_parent}/cgroup.subtree_control" 2>/dev/null
    done
  fi
  default_roots "$work/default-roots-bench" cleanup
  rm -rf "$work" "$state"
}

# tests/e2e/default-roots.sh (bench/pack.sh carries it to a bare host).
default_roots() {
  bash "$here/../tests/e2e/default-roots.sh" "$@"
}

# cgroup v1 or hybrid: the containers nest below this script's own cgroup in
# every v1 hierarchy, which differs per hierarchy (here: memory in a job's
# cgroup, the rest at the root). runc and hull would put a relative
# cgroupsPath there, but crun puts it below the root, so one absolute path
# is used: the deepest own cgroup, plus hullbench.<pid>. It is below our own
# cgroup in every hierarchy when the others are its ancestors (otherwise the
# run stops). Directories missing on the way are made, remembered in
# $cg_v1_made and removed at the end; a new cpuset gets its parent's cpus and
# mems, without which no process can join it.
bench_setup_v1() {
  local d c name path deepest=/ dir
  local -A own=()
  while IFS=: read -r _ name path; do
    [ -n "$name" ] && own[$name]=$path
  done </proc/self/cgroup
  for d in /sys/fs/cgroup/*/; do
    c=$(basename "$d")
    # A co-mounted hierarchy appears three times (cpu,cpuacct and its links).
    [ "$c" = unified ] || [ -L "${d%/}" ] || [ ! -f "$d/cgroup.procs" ] && continue
    controllers+=("$c")
    path=${own[$c]-${own[name=$c]-/}}
    [ ${#path} -gt ${#deepest} ] && deepest=$path
  done
  for c in "${controllers[@]+"${controllers[@]}"}"; do
    path=${own[$c]-${own[name=$c]-/}}
    if [ "$path" != / ] && [ "$path" != "$deepest" ] && [[ $deepest != "$path"/* ]]; then
      echo "bench: this shell's cgroups do not nest in one path ($c: $path, deepest: $deepest); run it from cgroups that do" >&2
      exit 1
    fi
  done
  cgname="${deepest#/}/hullbench.$$"
  [ "$deepest" = / ] && cgname="hullbench.$$"
  for c in "${controllers[@]}"; do
    dir=/sys/fs/cgroup/$c
    for name in ${cgname//\// }; do
      dir=$dir/$name
      [ -d "$dir" ] && continue
      mkdir "$dir" || exit 1
      cg_v1_made+=("$dir")
      if [ "$c" = cpuset ]; then
        cat "${dir%/*}/cpuset.cpus" >"$dir/cpuset.cpus"
        cat "${dir%/*}/cpuset.mems" >"$dir/cpuset.mems"
      fi
    done
  done
}

# Pure cgroup v2, as on a systemd host: this script runs in a cgroup that
# holds processes (a login session's scope), where no controller can be
# enabled for children (no internal processes), and is never moved. The
# benchmark's cgroup is made beside it, in the scope's parent (or, when run
# from the root cgroup, below the root), and the memory, pids and cpu
# controllers (and cpuset when offered) are enabled in that parent's
# subtree_control if a nested parent lacks them, then in the benchmark's own
# cgroup for the containers. The root cgroup's subtree_control is never
# written: if it lacks a controller, the containers go without it.
bench_setup_v2() {
  local own c avail
  own=$(sed -n 's/^0:://p' /proc/self/cgroup)
  if [ "$own" = / ]; then cg_v2_parent=""; else cg_v2_parent=$(dirname "$own"); [ "$cg_v2_parent" = / ] && cg_v2_parent=""; fi
  cgname="${cg_v2_parent#/}${cg_v2_parent:+/}hullbench.$$"
  avail=" $(cat "/sys/fs/cgroup${cg_v2_parent}/cgroup.controllers") "
  for c in cpu memory pids cpuset; do
    [[ $avail == *" $c "* ]] || continue
    grep -qw "$c" "/sys/fs/cgroup${cg_v2_parent}/cgroup.subtree_control" && continue
    if [ -z "$cg_v2_parent" ]; then
      echo "bench: the root cgroup does not enable $c for its children; containers go without it" >&2
      continue
    fi
    echo "+$c" >"/sys/fs/cgroup${cg_v2_parent}/cgroup.subtree_control" && cg_v2_enabled+=("$c")
  done
  mkdir "/sys/fs/cgroup/$cgname"
  for c in $(cat "/sys/fs/cgroup/$cgname/cgroup.controllers"); do
    case $c in cpu | memory | pids | cpuset) echo "+$c" >"/sys/fs/cgroup/$cgname/cgroup.subtree_control" ;; esac
  done
}

# bench_config ID NETNS(0|1) ARGS_JSON > config.json — the same template the driver fills.
bench_config() {
  local net=""
  [ "$2" = 1 ] && net='\n      { "type": "network" },'
  sed -e "s|@ARGS@|$3|" -e "s|@ROOTFS@|$rootfs|" -e "s|@CGROUP@|/$cgname/$1|" \
      -e "s|@NETNS@|$net|" -e "s|@SECCOMP@||" "$here/config.template.json"
}

# Runs "$@" in a private mount namespace without the cgroup2 mount: crun
# refuses hybrid cgroups, so every runtime is measured in this same wrapper.
# HULL_BENCH_HOST_MOUNTS=N (run.sh --host-mounts N): N more tmpfs mounts in
# that namespace, under HULL_BENCH_HOST_MOUNTS_DIR, as a busy node has (a
# Kubernetes node mounts each pod's volumes and each container's rootfs):
# a runtime whose container's mount namespace starts as a copy of the
# caller's copies them all, and detaches them again after pivot_root. They
# go with the namespace.
in_bench_ns() {
  unshare -m --propagation private -- bash -c '
    if mountpoint -q /sys/fs/cgroup/unified; then umount /sys/fs/cgroup/unified || exit 1; fi
    n=${HULL_BENCH_HOST_MOUNTS:-0}
    for ((i = 0; i < n; i++)); do
      mkdir -p "$HULL_BENCH_HOST_MOUNTS_DIR/$i" && mount -t tmpfs -o size=4k hostmount "$HULL_BENCH_HOST_MOUNTS_DIR/$i" || exit 1
    done
    exec "$@"' in-bench-ns "$@"
}

# Every runtime starts from the same page-cache state: its binary and the
# libraries ldd lists are dropped from the page cache (where no process maps
# them; libc stays, shared by all) and read back in one sequential pass. How
# a binary got into the page cache moves its start-up: read back by the
# faults of an exec, its pages are single-page folios, and hull's `run` took
# 0.27 ms (6 %) longer, crun's 0.36 ms, than from the large folios that a
# sequential read or an install leaves (bench/rounds.md, "Fourteenth round").
level_page_cache() {
  local f lib files=()
  for f in "$@"; do
    files+=("$(readlink -f "$f")")
    # (No process substitution: a bare host may have no /dev/fd.)
    for lib in $(ldd "$f" 2>/dev/null | awk '$3 ~ /^\// { print $3 }'); do
      files+=("$(readlink -f "$lib")")
    done
  done
  for f in "${files[@]}"; do
    dd if="$f" iflag=nocache count=0 status=none 2>/dev/null || true
    cat "$f" >/dev/null
  done
}
