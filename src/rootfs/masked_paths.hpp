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

// Hides each path: a file gets /dev/null bind-mounted over it, a directory a
// read-only bind of one empty directory made in `covered_dev_dir`, a
// directory of the container's own /dev tmpfs that a mount covers (held open
// from below that mount: nothing in the container reaches it), or, without
// one (-1) or where it takes no new directory, a clone of one empty
// read-only tmpfs. Either way no masked directory costs the container a
// superblock of its own (or only one for them all): each superblock is
// kernel memory, two list_lrus and a shrinker that every memory cgroup's
// removal walks, so deleting N containers costs N times the superblocks of
// those still running (bench/rounds.md, "Twenty-second round"). Missing
// paths are skipped.
void mask_paths(int rootfd, const std::vector<std::string>& paths, const KernelFsMounts& kernel_fs = {},
                int covered_dev_dir = -1);

// Makes each path read-only with a recursive bind of itself whose top mount
// is read-only; mounts below it keep their own options, as in runc. Missing
// paths are skipped. Returns whether the list names the container's root,
// which it leaves for the caller to make read-only once pivoted into it.
[[nodiscard]] bool make_readonly_paths(int rootfd, const std::vector<std::string>& paths,
                                       const KernelFsMounts& kernel_fs = {});

}  // namespace hull::rootfs
