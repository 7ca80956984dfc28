#pragma once
// Applies one config.json mount inside the rootfs.
#include <string>

#include "spec/spec.hpp"

namespace hull::rootfs {

struct MountContext {
  int rootfd = -1;          // O_PATH fd of the rootfs mount
  std::string rootfs_path;  // where that mount is, for readlink-based checks
  std::string bundle;       // relative bind sources are resolved here
  bool cgroupns = false;    // the container has its own cgroup namespace
};

// Mounts m on its destination inside the rootfs, creating the destination
// (a directory, or an empty file when a bind source is not a directory).
// Throws hull::Error naming the mount.
void apply_mount(const MountContext& ctx, const spec::Mount& m);

}  // namespace hull::rootfs
