// cgroups::at(): paths below /sys/fs/cgroup start from a descriptor of
// /sys/fs/cgroup that only the process that opened it uses; a child (fork,
// or a clone sharing our memory) looks paths up whole. Paths below a held
// directory (HeldDir) start from its descriptor.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <filesystem>
#include <string>

#include "base/unique_fd.hpp"
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

// A scratch directory with a "leaf" in it, standing in for a container's
// cgroup; removed with whatever the test left in it.
struct ScratchDir {
  std::string base, leaf;
  ScratchDir() {
    char tmpl[] = "/tmp/hull-held-XXXXXX";
    if (!::mkdtemp(tmpl)) return;
    base = tmpl;
    leaf = base + "/leaf";
    if (::mkdir(leaf.c_str(), 0755) != 0) leaf.clear();
  }
  ~ScratchDir() {
    std::error_code ec;
    if (!base.empty()) std::filesystem::remove_all(base, ec);
  }
};

UniqueFd open_dir(const std::string& path) { return UniqueFd(::open(path.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC)); }

std::string file_text(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(CgroupHeldDir, PathsBelowItStartFromItsDescriptor) {
  ScratchDir t;
  ASSERT_FALSE(t.leaf.empty());
  const std::string& leaf = t.leaf;
  ASSERT_EQ(::mkdir((leaf + "/sub").c_str(), 0755), 0);
  HeldDir held(leaf, open_dir(leaf));
  ASSERT_TRUE(held);
  const std::string file = leaf + "/memory.max";
  At p = at(file);
  EXPECT_EQ(p.dir, held.get());
  EXPECT_STREQ(p.rel, "memory.max");
  EXPECT_STREQ(at(leaf + "/sub/pids.max").rel, "sub/pids.max");
  // The directory itself, its parent and a sibling sharing its name's start
  // are not below it.
  for (const std::string& other : {leaf, leaf + "/", t.base + "/leafx/y", t.base + "/other"}) {
    EXPECT_EQ(at(other).dir, AT_FDCWD) << other;
    EXPECT_EQ(at(other).rel, other.c_str()) << other;
  }
  // The deepest held directory wins, whichever was held first.
  HeldDir sub(leaf + "/sub", open_dir(leaf + "/sub"));
  EXPECT_EQ(at(leaf + "/sub/pids.max").dir, sub.get());
  EXPECT_STREQ(at(leaf + "/sub/pids.max").rel, "pids.max");
  EXPECT_EQ(at(file).dir, held.get());
}

// What goes through the descriptor stays in the directory held, also once
// another directory stands at its path: written there, and nowhere else.
TEST(CgroupHeldDir, ValuesGoToTheDirectoryHeldNotToThePath) {
  ScratchDir t;
  ASSERT_FALSE(t.leaf.empty());
  const std::string& leaf = t.leaf;
  const std::string moved = t.base + "/moved";
  HeldDir held(leaf, open_dir(leaf));
  ASSERT_EQ(::rename(leaf.c_str(), moved.c_str()), 0);
  ASSERT_EQ(::mkdir(leaf.c_str(), 0755), 0);  // another directory at the path
  std::ofstream(moved + "/cpu.weight") << "1\n";
  write_value(leaf, "cpu.weight", "100");
  EXPECT_EQ(file_text(moved + "/cpu.weight"), "100");
  EXPECT_FALSE(std::filesystem::exists(leaf + "/cpu.weight"));
  EXPECT_EQ(read_value(leaf, "cpu.weight"), "100");
  EXPECT_TRUE(has_file(leaf, "cpu.weight"));
  // The directory's own extended attributes through its descriptor too.
  if (set_xattr(leaf, "user.hull.test", "held") == 0) {
    char buf[16];
    EXPECT_EQ(::getxattr(moved.c_str(), "user.hull.test", buf, sizeof buf), 4);
    EXPECT_EQ(get_xattr(leaf, "user.hull.test", buf, sizeof buf), 4);
    EXPECT_EQ(std::string(buf, 4), "held");
    EXPECT_LT(::getxattr(leaf.c_str(), "user.hull.test", buf, sizeof buf), 0);
  }
  // Dropped: the path again.
  held.reset();
  EXPECT_EQ(at(leaf + "/cpu.weight").dir, AT_FDCWD);
  EXPECT_EQ(try_write_value(leaf, "cpu.weight", "5"), ENOENT);
}

TEST(CgroupHeldDir, MovedAndDroppedWithItsDescriptor) {
  ScratchDir t;
  ASSERT_FALSE(t.leaf.empty());
  const std::string& leaf = t.leaf;
  HeldDir first(leaf, open_dir(leaf));
  const int fd = first.get();
  HeldDir second(std::move(first));
  EXPECT_FALSE(first);  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
  EXPECT_EQ(at(leaf + "/f").dir, fd);
  HeldDir third;
  third = std::move(second);
  EXPECT_EQ(at(leaf + "/f").dir, fd);
  {
    HeldDir gone = std::move(third);
  }
  // Closed, and out of at()'s reach: a descriptor made now may take its number.
  EXPECT_EQ(::fcntl(fd, F_GETFD), -1);
  EXPECT_EQ(at(leaf + "/f").dir, AT_FDCWD);
}

TEST(CgroupHeldDir, AChildLooksPathsUpWhole) {
  ScratchDir t;
  ASSERT_FALSE(t.leaf.empty());
  const std::string& leaf = t.leaf;
  HeldDir held(leaf, open_dir(leaf));
  const std::string file = leaf + "/f";
  ASSERT_EQ(at(file).dir, held.get());
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) ::_exit(at(file).dir == AT_FDCWD ? 0 : 1);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

}  // namespace
}  // namespace hull::cgroups
