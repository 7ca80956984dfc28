#pragma once
// type "cgroup" / "cgroup2" mounts: the container's view of its cgroups.
#include <string>

#include "rootfs/mount_options.hpp"
#include "rootfs/mounts.hpp"

namespace hull::rootfs {

// Mounts the cgroup filesystem(s) on destfd. With a cgroup namespace the
// kernel roots fresh mounts at the container's cgroup; without one, the
// container's own cgroup directories are bind-mounted from the host so it
// does not see (or, read-write, move itself out to) the rest of the tree.
// On a cgroup v1 or hybrid host, destfd gets a tmpfs with one directory per
// hierarchy, as /sys/fs/cgroup looks on the host.
void mount_cgroup(const MountContext& ctx, int destfd, const std::string& dest, const std::string& type,
                  const MountOptions& o, const std::string& what);

}  // namespace hull::rootfs
