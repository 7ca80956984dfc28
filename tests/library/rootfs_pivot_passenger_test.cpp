// A detached mount handed to setup_rootfs as the old root's passenger
// (rootfs::PassengerMount: how the init drops the sealed view's overlay) is
// attached beneath the old root and leaves with it: afterwards it is no
// detached tree any more, so its fd can be attached nowhere (the kernel
// refuses a mount that has been unmounted) and its close dissolves nothing.
// One that cannot be attached stays detached and the pivot goes on.
#include <linux/mount.h>
#include <sys/mount.h>
#include <sys/syscall.h>

#include "base/unique_fd.hpp"
#include "rootfs/rootfs.hpp"
#include "rootfs_test_util.hpp"

namespace hull::rootfs {
namespace {

using namespace hull::rootfs::testing;

// A tmpfs mounted nowhere.
UniqueFd detached_tmpfs() {
  UniqueFd ctx(static_cast<int>(::syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC)));
  if (!ctx) throw_errno("fsopen tmpfs");
  if (::syscall(SYS_fsconfig, ctx.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) < 0) throw_errno("fsconfig");
  UniqueFd mnt(static_cast<int>(::syscall(SYS_fsmount, ctx.get(), FSMOUNT_CLOEXEC, 0)));
  if (!mnt) throw_errno("fsmount");
  return mnt;
}

// 0, or the errno of attaching `fd` on `path`.
int attach_errno(int fd, const char* path) {
  return ::move_mount(fd, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH) == 0 ? 0 : errno;
}

// Setup with a passenger at `at` (relative to the old root); in the
// container, tries to attach the passenger and a detached mount that was
// no passenger on /proc, and reports both errnos as "passenger=N other=M".
std::string setup_with_passenger(const TempBundle& tb, const std::string& at) {
  spec::Spec s = default_spec(tb.rootfs());
  return in_child([&] {
    UniqueFd passenger = detached_tmpfs();
    UniqueFd other = detached_tmpfs();
    SetupOptions o;
    o.bundle = tb.bundle();
    o.rootfs = tb.rootfs();
    o.leaves_with_old_root = {passenger.get(), at};
    setup_rootfs(s, o);
    if (::access("/bin/busybox", X_OK) != 0) return std::string("not pivoted into the rootfs");
    const int p = attach_errno(passenger.get(), "/proc");
    const int q = attach_errno(other.get(), "/proc");
    return "passenger=" + std::to_string(p) + " other=" + std::to_string(q);
  });
}

TEST(RootfsPivotPassenger, LeavesWithTheOldRoot) {
  HULL_REQUIRE_ROOT();
  TempBundle tb;
  // The stand-in for the host directory the init attaches the view on.
  EXPECT_EQ(setup_with_passenger(tb, tb.host().substr(1)), "passenger=" + std::to_string(EINVAL) + " other=0");
  EXPECT_EQ(mounts_under(tb.dir()), 0);
}

TEST(RootfsPivotPassenger, OneThatCannotBeAttachedStaysDetachedAndThePivotGoesOn) {
  HULL_REQUIRE_ROOT();
  TempBundle tb;
  EXPECT_EQ(setup_with_passenger(tb, tb.host().substr(1) + "/no-such-dir"), "passenger=0 other=0");
  EXPECT_EQ(mounts_under(tb.dir()), 0);
}

}  // namespace
}  // namespace hull::rootfs
