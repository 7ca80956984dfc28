#pragma once
// Where a cgroup that /proc/<pid>/cgroup names lies below a cgroupfs mount.
// /proc/<pid>/cgroup gives the path from the hierarchy's root (as the
// reader's cgroup namespace sees it); a mount shows the hierarchy from the
// mount's own root. On a host that is the hierarchy's root, but where
// /sys/fs/cgroup was bound from a sub-cgroup (a container made without a
// cgroup namespace: by runc on cgroup v1, by hull or crun on v2) the same
// cgroup lies that much higher below the mount point: that is where a runtime
// run inside such a container finds its own cgroup.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/mountinfo.hpp"

namespace hull {

// `path` relative to a mount whose root (mountinfo's fourth field) is
// `mount_root`: "/" for that root itself, nullopt where the cgroup is not
// below it (outside what the mount shows, e.g. a root of "/.." seen from a
// cgroup namespace).
std::optional<std::string> cgroup_below_mount_root(std::string_view path, std::string_view mount_root);

// The cgroupfs mounts of this process, read once on first need.
class CgroupMountRoots {
 public:
  // `path` as the mount at `mount_point` shows it: unchanged where that mount
  // is of the hierarchy's root (one stat: a kernfs root is inode 1, so a
  // host pays no read of its mount table) or where the cgroup is outside
  // what it shows, else relative to its root.
  std::string path_in(const std::string& mount_point, std::string_view path);

 private:
  std::optional<std::vector<MountInfo>> mounts_;
};

}  // namespace hull
