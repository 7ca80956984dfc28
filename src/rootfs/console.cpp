#include "rootfs/console.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/vfs.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>

#include "base/error.hpp"
#include "rootfs/mount_api.hpp"
#include "rootfs/safe_path.hpp"

namespace hull::rootfs {

Pty create_console(int rootfd, uid_t owner) {
  Pty pty;
  pty.master = open_in_root(rootfd, "/dev/pts/ptmx", O_RDWR | O_NOCTTY);
  if (!pty.master) {
    throw Error("create console: the container has no /dev/pts/ptmx (a terminal needs a devpts mount on /dev/pts)",
                ENOENT);
  }
  struct statfs sfs{};
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

  UniqueFd console = create_in_root(rootfd, "/dev/console", NodeKind::File);
  std::string what = describe_mount("pty slave", "/dev/console", "", MS_BIND, "");
  UniqueFd tree = clone_mount(pty.slave.get(), "", false, what);
  attach_mount(tree.get(), console.get(), what);
  return pty;
}

}  // namespace hull::rootfs
