#pragma once
// Builds the container's filesystem view. Runs in the container init, inside
// its new mount namespace, before the process attributes are applied.
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/shared_flag.hpp"
#include "base/unique_fd.hpp"
#include "rootfs/pivot.hpp"
#include "spec/spec.hpp"

namespace hull::rootfs {

// Which mount namespace a process is in: the device and inode of its
// /proc/<pid>/ns/mnt.
struct MountNamespaceId {
  dev_t dev = 0;
  ino_t ino = 0;
  bool operator==(const MountNamespaceId&) const = default;
};
MountNamespaceId mount_namespace_of_self();

struct SetupOptions {
  std::string bundle;           // absolute bundle directory (relative root.path / mount sources resolve here)
  std::string rootfs;           // absolute root.path
  bool no_pivot = false;        // move-mount + chroot instead of pivot_root
  bool create_console = false;  // process.terminal: make a pty from the container's devpts
  std::string state_dir;        // the container's state directory (overlay upper/work may live here)
  // hull's overlay rootfs (--overlay-rootfs, annotation org.hull.overlay-rootfs):
  // root.path becomes the read-only lower layer of an overlay whose upper/ and
  // work/ live in overlay_dir (empty: <state_dir>/overlay), so the bundle is
  // never written and many containers can share one rootfs.
  bool overlay_rootfs = false;
  std::string overlay_dir;
  const SharedFlag* overlay_dir_claimed = nullptr;  // a user-named overlay_dir's (mount_overlay_rootfs)
  // Detached copies of bind sources the runtime opened (rootfs/bind_trees.hpp),
  // by index in spec.mounts, -1 where there is none; each is consumed
  // (attached and closed) by its mount.
  std::vector<int> bind_trees;
  // The runtime's id-mapping of an id-mapped bind the init clones (below the
  // rootfs; in a user namespace, any: MountContext::idmap_by_runtime); may
  // be empty where there is none.
  std::function<void(size_t mount, int tree)> idmap_by_runtime;
  // The runtime's opening of a bind source out of the init's reach
  // (MountContext::source_from_runtime); may be empty where there is none.
  std::function<UniqueFd(size_t mount, int rootfd)> source_from_runtime;
  // How many of spec.mounts are config.json's: errors name those by their
  // index there (".mounts[2]"); the ones after are the runtime's own (the
  // bind of the NOTIFY_SOCKET socket), which the user's config has no index for.
  size_t config_mounts = SIZE_MAX;
  // An id-mapped rootfs (annotation org.hull.rootfs-idmap): the runtime's
  // detached, id-mapped copy of root.path, attached over root.path instead
  // of a plain bind of it; -1 for none.
  int rootfs_tree = -1;
  // A detached mount to drop with the old root (pivot.hpp); not with no_pivot,
  // which keeps no old root to drop.
  PassengerMount leaves_with_old_root;
  // Called after every mount is in place and before pivot_root/chroot
  // (the createContainer hooks' moment). May be empty.
  std::function<void()> before_pivot;
  // Called once, before the first mount of type cgroup or cgroup2, which
  // binds the cgroups the process is in: the init that joins its cgroups
  // late (InitPlan::cgroups_joined_after_rootfs) joins them there. May be empty.
  std::function<void()> before_cgroup_mount;
  // Called before every mount that depends on its mounter's network
  // namespace (mount_takes_network_namespace: sysfs, a network filesystem),
  // which the init enters there when a thread made it
  // (ns::NetworkNamespaceThread). May be empty.
  std::function<void()> before_network_mount;
  // The mount namespace hull was started in (mount_namespace_of_self() taken
  // by the runtime before the clone). setup_rootfs refuses to mount anything
  // while the init is still in it, whatever the config says: a mount
  // namespace joined by a path that names the caller's own must not be
  // re-rooted.
  MountNamespaceId runtime_mount_ns;
};

// Mounts config mounts in order, devices, masked and read-only paths, then
// pivot_root (or chroot with no_pivot) into the rootfs and applies root.readonly.
// On return the process's root and cwd are the container's "/".
struct SetupResult {
  // With create_console: a pty opened from the container's own /dev/pts
  // instance; the slave is already bind-mounted on /dev/console (from the fd,
  // never from a path the container could race: CVE-2025-52565).
  UniqueFd pty_master, pty_slave;
};
SetupResult setup_rootfs(const spec::Spec& spec, const SetupOptions& opts);

// For a config without a mount namespace (none listed): the container shares
// the caller's, so nothing in it may change. No propagation change, no mount,
// no device node, no pivot: only chroot into root.path (which is per process,
// as runc and crun do). Config mounts are skipped; the settings that cannot
// be had without mounts (masked and read-only paths, root.readonly,
// rootfsPropagation, devices) are refused by spec validation, and the
// overlay rootfs here. A terminal comes from the caller's /dev/pts.
SetupResult enter_rootfs_without_mount_namespace(const spec::Spec& spec, const SetupOptions& opts);

}  // namespace hull::rootfs
