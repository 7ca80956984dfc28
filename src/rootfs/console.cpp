#include "rootfs/console.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>

#include "base/error.hpp"
#include "rootfs/mount_api.hpp"
#include "rootfs/safe_path.hpp"

namespace hull::rootfs {

Pty open_pty(int rootfd, uid_t owner) {
  Pty pty;
  pty.master = open_in_root(rootfd, "/dev/pts/ptmx", O_RDWR | O_NOCTTY);
  if (!pty.master) {
    throw Error("create console: the container has no /dev/pts/ptmx (a terminal needs a devpts mount on /dev/pts)",
                ENOENT);
  }
  struct statfs sfs {};
  if (::fstatfs(pty.master.get(), &sfs) < 0) throw_errno("create console: statfs /dev/pts/ptmx");
  if (sfs.f_type != DEVPTS_SUPER_MAGIC) {
    throw Error("create console: /dev/pts/ptmx in the container is not on a devpts filesystem");
  }
  int unlock = 0;
  if (::ioctl(pty.master.get(), TIOCSPTLCK, &unlock) < 0) throw_errno("create console: unlock the pty");
  int slave = ::ioctl(pty.master.get(), TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0) throw_errno("create console: open the pty slave");
  pty.slave.reset(slave);
  if (owner != 0 && ::fchown(pty.slave.get(), owner, static_cast<gid_t>(-1)) < 0) {
    throw_errno("create console: give the pty to uid " + std::to_string(owner));
  }
  return pty;
}

namespace {

bool on_kernel_interface(int fd) {
  struct statfs sfs {};
  if (::fstatfs(fd, &sfs) < 0) throw_errno("create console: statfs");
  return sfs.f_type == PROC_SUPER_MAGIC || sfs.f_type == SYSFS_MAGIC;
}

// /dev/console as the pty's mount target (CVE-2025-52565, the target side):
// the rootfs's /dev/console may be a symlink to a procfs file such as
// /proc/sys/kernel/domainname or /proc/1/attr/exec, and a bind mount onto
// the symlink's target would hide that file behind the pty. So the last
// component is never followed: whatever is not a regular file or a device
// there is replaced by an empty file, opened O_NOFOLLOW and checked to be a
// regular file or character device outside procfs and sysfs. The mount then
// goes onto that fd, so a swap after the check changes nothing.
UniqueFd console_target(int rootfd) {
  UniqueFd dev = create_in_root(rootfd, "/dev", NodeKind::Directory);
  if (on_kernel_interface(dev.get())) throw Error("create console: /dev in the container is on procfs or sysfs");
  struct stat st {};
  if (::fstatat(dev.get(), "console", &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode)) {
    if (S_ISDIR(st.st_mode)) throw Error("create console: /dev/console in the container is a directory", EISDIR);
    if (::unlinkat(dev.get(), "console", 0) < 0 && errno != ENOENT)
      throw_errno("create console: remove the /dev/console that is not a file");
  }
  int raw = ::openat(dev.get(), "console", O_CREAT | O_EXCL | O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (raw < 0 && errno == EEXIST) raw = ::openat(dev.get(), "console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (raw < 0) throw_errno("create console: open /dev/console");
  UniqueFd target(raw);
  if (::fstat(target.get(), &st) < 0) throw_errno("create console: stat /dev/console");
  if ((!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode)) || on_kernel_interface(target.get()))
    throw Error("create console: /dev/console in the container was replaced while it was set up");
  return target;
}

}  // namespace

Pty create_console(int rootfd, uid_t owner) {
  Pty pty = open_pty(rootfd, owner);
  UniqueFd console = console_target(rootfd);
  std::string what = describe_mount("pty slave", "/dev/console", "", MS_BIND, "");
  UniqueFd tree = clone_mount(pty.slave.get(), "", false, what);
  attach_mount(tree.get(), console.get(), what);
  return pty;
}

}  // namespace hull::rootfs
