#pragma once
// type "cgroup" / "cgroup2" mounts: the container's view of its cgroups.
#include <string>
#include <string_view>
#include <vector>

#include "rootfs/mount_options.hpp"
#include "rootfs/mounts.hpp"

namespace hull::rootfs {

// One hierarchy a cgroup mount shows: the whole mount (cgroup2 on a unified
// host, or asked for as type "cgroup2"), or one directory of the tmpfs a v1
// or hybrid host's mount is made of.
struct CgroupHierarchyMount {
  std::string name;      // its directory below the mount's destination; "" for the destination itself
  std::string fs_type;   // "cgroup" or "cgroup2"
  std::string data;      // a v1 hierarchy's controllers, for a fresh mount in a cgroup namespace
  std::string host_dir;  // without a cgroup namespace, the host directory bound there
};

// The hierarchies a cgroup mount of `type` shows on this host, each bound
// (without a cgroup namespace) from the cgroup that `membership`, a
// /proc/<pid>/cgroup text, names in it. On a hybrid host a `read_only`
// mount leaves out the cgroup2 one at "unified", as runc 1.1 does: a
// systemd init finding a cgroup2 "unified" takes the host for hybrid and
// must make its cgroup there, so a read-only one stops it at boot (podman's
// --systemd=always sends "ro" and binds the named systemd hierarchy
// writable for it). CRIU's checkpoint and restore list the same binds as
// external mounts.
std::vector<CgroupHierarchyMount> cgroup_hierarchy_mounts(const std::string& type, std::string_view membership,
                                                          bool read_only);

// Whether a cgroup mount's options make it read-only (ro, or rro).
bool cgroup_mount_read_only(const MountOptions& o);

// Mounts the cgroup filesystem(s) on destfd. With a cgroup namespace the
// kernel roots fresh mounts at the container's cgroup; without one, the
// container's own cgroup directories are bind-mounted from the host so it
// does not see (or, read-write, move itself out to) the rest of the tree.
// On a cgroup v1 or hybrid host, destfd gets a tmpfs with one directory per
// hierarchy, as /sys/fs/cgroup looks on the host. With mount_fd_needed,
// returns the fd of the mount on destfd (the tmpfs, or the one hierarchy),
// for the caller's recursive attributes and propagation: no lookup of dest
// again, which a symlink swapped in meanwhile could lead elsewhere.
UniqueFd mount_cgroup(const MountContext& ctx, int destfd, const std::string& dest, const std::string& type,
                      const MountOptions& o, const std::string& what, bool mount_fd_needed);

}  // namespace hull::rootfs
