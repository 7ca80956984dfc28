#pragma once
// Making the rootfs the process's "/".
namespace hull::rootfs {

// pivot_root into the mount whose root is rootfd, then detaches the old root.
// Afterwards "/" and the cwd are the container's root.
void pivot_into(int rootfd);

// The no_pivot way: moves the rootfs mount onto "/" and chroots into it.
// Less safe than pivot_root: the host's mounts stay in the namespace beneath
// the rootfs, and a process keeping CAP_SYS_CHROOT can chroot back out of a
// chroot. Only for setups where pivot_root cannot work (a ramfs root).
void move_root_into(int rootfd);

// Makes "/" (only the root mount, not those below it) read-only: root.readonly.
void make_root_readonly();

// Sets the propagation of "/" (flags from parse_rootfs_propagation).
void set_root_propagation(unsigned long propagation);

}  // namespace hull::rootfs
