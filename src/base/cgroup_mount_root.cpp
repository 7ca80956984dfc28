#include "base/cgroup_mount_root.hpp"

#include <sys/stat.h>

namespace hull {

std::optional<std::string> cgroup_below_mount_root(std::string_view path, std::string_view mount_root) {
  if (mount_root == "/") return std::string(path);
  if (path == mount_root) return std::string("/");
  if (path.starts_with(mount_root) && path.size() > mount_root.size() && path[mount_root.size()] == '/')
    return std::string(path.substr(mount_root.size()));
  return std::nullopt;
}

std::string CgroupMountRoots::path_in(const std::string& mount_point, std::string_view path) {
  if (path == "/" || path.empty()) return std::string(path);
  // The root of a kernfs hierarchy is its first node, inode 1 (kernfs's ids
  // start at 1); any other inode is a sub-cgroup, so the mount table says which.
  struct stat st {};
  if (::stat(mount_point.c_str(), &st) == 0 && st.st_ino == 1) return std::string(path);
  if (!mounts_) mounts_ = read_mountinfo();
  const MountInfo* top = nullptr;
  for (const MountInfo& m : *mounts_)
    if (m.mount_point == mount_point) top = &m;  // the last one there is the one seen
  if (!top) return std::string(path);
  return cgroup_below_mount_root(path, top->root).value_or(std::string(path));
}

}  // namespace hull
