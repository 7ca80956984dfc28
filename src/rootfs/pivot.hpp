#pragma once
// Making the rootfs the process's "/".
#include <string>

namespace hull::rootfs {

// A detached mount (fsmount, open_tree) that leaves with the old root: attached
// beneath it, at `at` (relative to the old root), once the old root is a
// slave and before it is detached. Dropping the last fd of a mount that is
// still detached dissolves it, and the kernel then waits for an RCU grace
// period (an IPI to every CPU, queued behind every other such wait on a busy
// host); attached here, it goes in the old root's unmount and its one grace
// period. fd -1: none. Where the attach fails, the mount stays detached and
// its fd's holder pays as before.
struct PassengerMount {
  int fd = -1;
  std::string at;
};

// pivot_root into the mount whose root is rootfd, then detaches the old root
// (and the passenger with it). Afterwards "/" and the cwd are the container's
// root.
void pivot_into(int rootfd, const PassengerMount& passenger = {});

// The no_pivot way: detaches the mounts outside the rootfs (at `rootfs`, as
// the current root names it), moves the rootfs mount onto "/" and chroots
// into it. Less safe than pivot_root: the old root filesystem stays beneath
// the rootfs, and a process keeping CAP_SYS_CHROOT can chroot back out of a
// chroot. Only for setups where pivot_root cannot work (a ramfs root).
void move_root_into(int rootfd, const std::string& rootfs);

// Makes "/" (only the root mount, not those below it) read-only: for
// root.readonly, or "/" among linux.readonlyPaths.
void make_root_readonly();

// Sets the propagation of "/" (flags from parse_rootfs_propagation).
void set_root_propagation(unsigned long propagation);

}  // namespace hull::rootfs
