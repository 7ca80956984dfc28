#pragma once
// linux.maskedPaths and linux.readonlyPaths.
#include <string>
#include <vector>

namespace hull::rootfs {

// The kernel file systems setup mounted at /proc and /sys. A masked or
// read-only path below them is looked up from that mount, checked to be it
// (a symlink-free directory on procfs or sysfs), never through whatever the
// name /proc or /sys leads to by then: a process sharing the rootfs can
// rename the directory procfs was mounted on and put a decoy in its place,
// and the masks would cover the decoy while the real /proc/sys stayed
// writable under the new name.
struct KernelFsMounts {
  bool proc = false;
  bool sys = false;
};

// Hides each path: a file gets /dev/null bind-mounted over it, a directory an
// empty read-only tmpfs. Missing paths are skipped.
void mask_paths(int rootfd, const std::vector<std::string>& paths, const KernelFsMounts& kernel_fs = {});

// Makes each path (and everything mounted below it) read-only with a
// recursive bind of itself. Missing paths are skipped.
void make_readonly_paths(int rootfd, const std::vector<std::string>& paths, const KernelFsMounts& kernel_fs = {});

}  // namespace hull::rootfs
