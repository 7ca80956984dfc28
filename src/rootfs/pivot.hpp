#pragma once
// Making the rootfs the process's "/".
#include <string>

namespace hull::rootfs {

// pivot_root into the mount whose root is rootfd, then detaches the old root.
// Afterwards "/" and the cwd are the container's root.
void pivot_into(int rootfd);

// The no_pivot way: detaches the mounts outside the rootfs (at `rootfs`, as
// the current root names it), moves the rootfs mount onto "/" and chroots
// into it. Less safe than pivot_root: the old root filesystem stays beneath
// the rootfs, and a process keeping CAP_SYS_CHROOT can chroot back out of a
// chroot. Only for setups where pivot_root cannot work (a ramfs root).
void move_root_into(int rootfd, const std::string& rootfs);

// Makes "/" (only the root mount, not those below it) read-only: root.readonly.
void make_root_readonly();

// Sets the propagation of "/" (flags from parse_rootfs_propagation).
void set_root_propagation(unsigned long propagation);

}  // namespace hull::rootfs
