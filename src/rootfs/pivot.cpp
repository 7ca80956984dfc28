#include "rootfs/pivot.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/log.hpp"
#include "base/mountinfo.hpp"
#include "base/unique_fd.hpp"
#include "rootfs/mount_options.hpp"
#include "rootfs/mount_setattr_fallback.hpp"

namespace hull::rootfs {

void pivot_into(int rootfd, const PassengerMount& passenger) {
  // The old root, to make it a slave once it is out of the way.
  UniqueFd old_root(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!old_root) throw_errno("pivot_root: open the old root");
  if (::fchdir(rootfd) < 0) throw_errno("pivot_root: chdir to the rootfs");
  // pivot_root(".", ".") stacks the old root on top of the new one, so no
  // directory for it is needed inside the rootfs (a writable leftover).
  if (::syscall(SYS_pivot_root, ".", ".") < 0) throw_errno("pivot_root into the rootfs");
  // Make the old root tree a slave before unmounting it, or the unmount
  // would propagate to the host's mounts. Through the fd, not ".": "." is the
  // new root, and making it rslave would also turn the container's own shared
  // mounts private.
  mount_attr attr{};
  attr.propagation = MS_SLAVE;
  if (::mount_setattr(old_root.get(), "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0) {
    // Linux 5.10 and 5.11: mount(2) on the old root as the cwd, where "."
    // is that mount itself (no /proc is needed, nor one in the rootfs).
    if (errno != ENOSYS || ::fchdir(old_root.get()) < 0 ||
        ::mount(nullptr, ".", nullptr, MS_SLAVE | MS_REC, nullptr) < 0)
      throw_errno("make the old root a slave (MS_SLAVE, recursive)");
  }
  // Only now: beneath a shared old root the attach would propagate to the
  // host's mounts.
  if (passenger.fd >= 0) {
    const bool attached =
        ::move_mount(passenger.fd, "", old_root.get(), passenger.at.c_str(), MOVE_MOUNT_F_EMPTY_PATH) == 0;
    const int err = errno;
    log::debug([&] {
      return attached ? "a detached mount leaves with the old root, attached beneath it at " + quote(passenger.at)
                      : "attach a detached mount beneath the old root at " + quote(passenger.at) + ": " +
                            std::strerror(err) + " (it stays detached)";
    });
  }
  // umount2 resolves "." to the topmost mount there: the old root.
  if (::umount2(".", MNT_DETACH) < 0) throw_errno("detach the old root");
  if (::chdir("/") < 0) throw_errno("chdir to the new root");
}

namespace {

bool is_under(const std::string& path, const std::string& dir) {
  return dir == "/" || path == dir || (path.rfind(dir, 0) == 0 && path[dir.size()] == '/');
}

// Detaches every mount that is neither the rootfs, below it, nor one of the
// mounts it sits on, so the host's mounts do not stay reachable below the
// moved root (runc does the same for --no-pivot). Runs while "/" is a slave
// or private, so nothing propagates back to the host.
void detach_outside(const std::string& rootfs) {
  std::vector<MountInfo> mounts = read_mountinfo();
  for (auto it = mounts.rbegin(); it != mounts.rend(); ++it) {
    const std::string& mp = it->mount_point;
    if (is_under(mp, rootfs) || is_under(rootfs, mp)) continue;
    // Already gone with a parent detached before it: fine. Out of reach of
    // a user namespace's root (EACCES: a 0700 directory on the way, as
    // /var/lib/kubelet's or /run/user/N's): as out of the container's
    // reach, and locked there anyway (EINVAL for every host mount).
    if (::umount2(mp.c_str(), MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT && errno != EACCES) {
      throw_errno("no_pivot: detach host mount " + quote(mp));
    }
  }
}

}  // namespace

void move_root_into(int rootfd, const std::string& rootfs) {
  detach_outside(rootfs);
  if (::fchdir(rootfd) < 0) throw_errno("chdir to the rootfs");
  if (::mount(".", "/", nullptr, MS_MOVE, nullptr) < 0) throw_errno("move the rootfs onto / (flags MS_MOVE)");
  if (::chroot(".") < 0) throw_errno("chroot into the rootfs");
  if (::chdir("/") < 0) throw_errno("chdir to the new root");
}

void make_root_readonly() {
  mount_attr attr{};
  attr.attr_set = MOUNT_ATTR_RDONLY;
  if (::mount_setattr(AT_FDCWD, "/", 0, &attr, sizeof attr) < 0) {
    if (errno != ENOSYS) throw_errno("make \"/\" read-only (MOUNT_ATTR_RDONLY)");
    remount_read_only_at("/", "make \"/\" read-only");
  }
}

void set_root_propagation(unsigned long propagation) {
  if (::mount(nullptr, "/", nullptr, propagation, nullptr) < 0) {
    throw_errno("linux.rootfsPropagation: set \"/\" to " + propagation_to_string(propagation));
  }
}

}  // namespace hull::rootfs
