#include "rootfs/pivot.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "base/error.hpp"
#include "rootfs/mount_options.hpp"

namespace hull::rootfs {

void pivot_into(int rootfd) {
  if (::fchdir(rootfd) < 0) throw_errno("pivot_root: chdir to the rootfs");
  // pivot_root(".", ".") stacks the old root on top of the new one, so no
  // directory for it is needed inside the rootfs (a writable leftover).
  if (::syscall(SYS_pivot_root, ".", ".") < 0) throw_errno("pivot_root into the rootfs");
  // Make the old root a slave before unmounting it, or the unmount would
  // propagate to the host's mounts (everything is already rslave/rprivate,
  // this keeps it so whatever the caller did meanwhile).
  if (::mount(nullptr, ".", nullptr, MS_SLAVE | MS_REC, nullptr) < 0) {
    throw_errno("make the old root a slave (flags MS_SLAVE|MS_REC)");
  }
  if (::umount2(".", MNT_DETACH) < 0) throw_errno("detach the old root");
  if (::chdir("/") < 0) throw_errno("chdir to the new root");
}

void move_root_into(int rootfd) {
  if (::fchdir(rootfd) < 0) throw_errno("chdir to the rootfs");
  if (::mount(".", "/", nullptr, MS_MOVE, nullptr) < 0) throw_errno("move the rootfs onto / (flags MS_MOVE)");
  if (::chroot(".") < 0) throw_errno("chroot into the rootfs");
  if (::chdir("/") < 0) throw_errno("chdir to the new root");
}

void make_root_readonly() {
  mount_attr attr{};
  attr.attr_set = MOUNT_ATTR_RDONLY;
  if (::mount_setattr(AT_FDCWD, "/", 0, &attr, sizeof attr) < 0) {
    throw_errno("root.readonly: make \"/\" read-only (MOUNT_ATTR_RDONLY)");
  }
}

void set_root_propagation(unsigned long propagation) {
  if (::mount(nullptr, "/", nullptr, propagation, nullptr) < 0) {
    throw_errno("linux.rootfsPropagation: set \"/\" to " + propagation_to_string(propagation));
  }
}

}  // namespace hull::rootfs
