// base/procfs: paths resolve in a procfs without following any symlink or
// crossing a mount, and "self" is resolved in the same instance. Runs
// unprivileged too. (A mount in the way, and the private instance it leads
// to: tests/library/procfs_root_test.cpp, which needs root.)
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "base/error.hpp"
#include "base/procfs.hpp"

namespace {

TEST(Procfs, SelfIsThisProcess) {
  std::string status = hull::procfs::read("self/status");
  EXPECT_NE(status.find("\nPid:\t" + std::to_string(::getpid()) + "\n"), std::string::npos) << status;
}

TEST(Procfs, SymlinksAreNotFollowed) {
  // /proc/mounts is a symlink to self/mounts: refused, not followed.
  try {
    hull::procfs::read("mounts");
    ADD_FAILURE() << "/proc/mounts was followed";
  } catch (const hull::Error& e) {
    EXPECT_NE(std::string(e.what()).find("/proc/mounts"), std::string::npos) << e.what();
  }
  EXPECT_THROW(hull::procfs::read("self/../../etc/passwd"), hull::Error);
}

TEST(Procfs, MagicLinkTargetIsOpenedOnlyOnRequest) {
  // open() gives the link itself (O_PATH|O_NOFOLLOW), never where it leads.
  hull::UniqueFd link = hull::procfs::open("self/exe", O_PATH);
  struct stat of_link {};
  ASSERT_EQ(::fstat(link.get(), &of_link), 0);
  EXPECT_TRUE(S_ISLNK(of_link.st_mode));
  EXPECT_THROW(hull::procfs::open("self/exe", O_RDONLY), hull::Error);
  hull::UniqueFd exe = hull::procfs::open_link_target("self/exe", O_PATH);
  struct stat by_link {
  }, ours{};
  ASSERT_EQ(::fstat(exe.get(), &by_link), 0);
  ASSERT_EQ(::stat("/proc/self/exe", &ours), 0);
  EXPECT_EQ(by_link.st_ino, ours.st_ino);
}

TEST(Procfs, TheSharedRootIsTheProcWeSeeWhenNothingIsInTheWay) {
  // No private instance, whose dissolution at the last close is an
  // expedited RCU grace period on create's caller's path.
  hull::procfs::close_shared_root();
  hull::procfs::read("self/stat");
  const hull::procfs::SharedRootRecord root = hull::procfs::shared_root_record();
  ASSERT_GE(root.fd, 0);
  EXPECT_FALSE(root.private_instance);
  struct stat of_root {
  }, of_proc{};
  ASSERT_EQ(::fstat(root.fd, &of_root), 0);
  ASSERT_EQ(::stat("/proc", &of_proc), 0);
  EXPECT_EQ(of_root.st_dev, of_proc.st_dev);
  EXPECT_EQ(of_root.st_ino, of_proc.st_ino);
  hull::procfs::close_shared_root();
}

}  // namespace
