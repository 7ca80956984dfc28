// cgroups::at(): paths below /sys/fs/cgroup start from a descriptor of
// /sys/fs/cgroup that only the process that opened it uses; a child (fork,
// or a clone sharing our memory) looks paths up whole.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "cgroups/cgroupfs.hpp"

namespace hull::cgroups {
namespace {

bool same_file(int fd, const char* path) {
  struct stat a {}, b {};
  return ::fstat(fd, &a) == 0 && ::stat(path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

TEST(CgroupAt, BelowTheCgroupRootStartsFromItsDescriptor) {
  if (!std::filesystem::is_directory("/sys/fs/cgroup")) GTEST_SKIP() << "no /sys/fs/cgroup";
  const std::string path = "/sys/fs/cgroup/a/b/memory.max";
  At p = at(path);
  ASSERT_NE(p.dir, AT_FDCWD);
  EXPECT_STREQ(p.rel, "a/b/memory.max");
  EXPECT_TRUE(same_file(p.dir, "/sys/fs/cgroup"));
  EXPECT_EQ(root_fd_held(), p.dir);
  // One descriptor for every path.
  const std::string other = "/sys/fs/cgroup/c";
  EXPECT_EQ(at(other).dir, p.dir);
}

TEST(CgroupAt, OtherPathsAreLookedUpWhole) {
  for (const std::string path : {"/tmp/x", "/sys/fs/cgroup", "/sys/fs/cgroup/", "/sys/fs/cgroupx/y", "rel/x"}) {
    At p = at(path);
    EXPECT_EQ(p.dir, AT_FDCWD) << path;
    EXPECT_EQ(p.rel, path.c_str()) << path;
  }
}

TEST(CgroupAt, AChildNeverUsesItsParentsDescriptor) {
  if (!std::filesystem::is_directory("/sys/fs/cgroup")) GTEST_SKIP() << "no /sys/fs/cgroup";
  const std::string path = "/sys/fs/cgroup/a";
  ASSERT_NE(at(path).dir, AT_FDCWD);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The same number, copied by fork: not the child's to use, nor to
    // replace in memory a clone would share with its parent.
    const bool whole = at(path).dir == AT_FDCWD && root_fd_held() == -1;
    ::_exit(whole ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_NE(at(path).dir, AT_FDCWD);
}

// The helpers behave as the path calls they replace, on paths the
// descriptor does not cover (the unit tests' temporary trees).
TEST(CgroupAt, DirectoriesAndXattrsThroughThePathCalls) {
  char tmpl[] = "/tmp/hull-at-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::string dir = std::string(tmpl) + "/leaf";
  EXPECT_EQ(make_dir(dir), 0);
  EXPECT_EQ(make_dir(dir), -1);
  EXPECT_EQ(errno, EEXIST);
  if (set_xattr(dir, "user.hull.test", "mark") == 0) {
    char buf[16];
    EXPECT_EQ(get_xattr(dir, "user.hull.test", buf, sizeof buf), 4);
    EXPECT_EQ(std::string(buf, 4), "mark");
  }
  EXPECT_EQ(remove_dir(dir), 0);
  EXPECT_EQ(remove_dir(dir), -1);
  EXPECT_EQ(errno, ENOENT);
  ::rmdir(tmpl);
}

}  // namespace
}  // namespace hull::cgroups
