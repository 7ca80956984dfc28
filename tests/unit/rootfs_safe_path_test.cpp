// open_in_root / create_in_root on a temp directory standing in for a rootfs
// (no root needed: openat2 and mkdirat are unprivileged).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <filesystem>
#include <fstream>

#include "base/error.hpp"
#include "rootfs/safe_path.hpp"
#include "support/temp_dir.hpp"

namespace hull::rootfs {
namespace {

namespace fs = std::filesystem;

class SafePathFs : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(root() + "/etc");
    fs::create_directories(outside());
    rootfd_.reset(::open(root().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    ASSERT_TRUE(rootfd_);
  }
  std::string root() const { return dir_ + "/root"; }
  std::string outside() const { return dir_ + "/outside"; }
  // Where an fd really is, relative to the root ("" when outside it).
  std::string where(const UniqueFd& fd) const {
    char buf[PATH_MAX];
    ssize_t n = ::readlink(fd_path(fd.get()).c_str(), buf, sizeof buf);
    std::string p(buf, n > 0 ? static_cast<size_t>(n) : 0);
    if (p.rfind(root(), 0) != 0) return "OUTSIDE:" + p;
    return p.substr(root().size()).empty() ? "/" : p.substr(root().size());
  }
  hull::test::TempDir tmp_{"safe-path"};
  std::string dir_ = tmp_.path();
  UniqueFd rootfd_;
};

TEST_F(SafePathFs, OpenMissingIsEmpty) { EXPECT_FALSE(open_in_root(rootfd_.get(), "/nope")); }

TEST_F(SafePathFs, AbsoluteSymlinkResolvesInsideTheRoot) {
  fs::create_directories(root() + outside());
  fs::create_directory_symlink(outside(), root() + "/etc/link");
  UniqueFd fd = open_in_root(rootfd_.get(), "/etc/link");
  ASSERT_TRUE(fd);
  EXPECT_EQ(where(fd), outside());
}

TEST_F(SafePathFs, DotDotCannotClimbOut) {
  UniqueFd fd = open_in_root(rootfd_.get(), "/../../../etc");
  ASSERT_TRUE(fd);
  EXPECT_EQ(where(fd), "/etc");
  fs::create_directory_symlink("../../../../..", root() + "/etc/up");
  fd = open_in_root(rootfd_.get(), "/etc/up");
  ASSERT_TRUE(fd);
  EXPECT_EQ(where(fd), "/");
}

TEST_F(SafePathFs, MagicLinksAreRefused) {
  fs::create_symlink("/proc/self/root", root() + "/etc/magic");
  // /proc is not mounted in this "rootfs", so the link dangles inside it;
  // opened from the real /proc the magic link is refused.
  UniqueFd proc(::open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC));
  ASSERT_TRUE(proc);
  EXPECT_THROW(open_in_root(proc.get(), "self/root"), Error);
}

TEST_F(SafePathFs, CreateMakesMissingDirectoriesInside) {
  UniqueFd fd = create_in_root(rootfd_.get(), "/a/b/c", NodeKind::Directory);
  ASSERT_TRUE(fd);
  EXPECT_EQ(where(fd), "/a/b/c");
  EXPECT_TRUE(fs::is_directory(root() + "/a/b/c"));
}

// A missing directory that a ".." leaves again is not made (runc's path
// join reads "a/.." as nothing): no stray directories in the image.
TEST_F(SafePathFs, CreateMakesNothingADotDotLeavesAgain) {
  UniqueFd fd = create_in_root(rootfd_.get(), "/d1/../d2", NodeKind::Directory);
  ASSERT_TRUE(fd);
  EXPECT_EQ(where(fd), "/d2");
  fd = create_in_root(rootfd_.get(), "/d3/x/../../d4/y", NodeKind::Directory);
  ASSERT_TRUE(fd);
  EXPECT_EQ(where(fd), "/d4/y");
  EXPECT_FALSE(fs::exists(root() + "/d1"));
  EXPECT_FALSE(fs::exists(root() + "/d3"));
  // Through one that exists, as the kernel resolves it.
  fd = create_in_root(rootfd_.get(), "/etc/../d5", NodeKind::Directory);
  ASSERT_TRUE(fd);
  EXPECT_EQ(where(fd), "/d5");
  // ".." past the missing one's parent stays in the root.
  fd = create_in_root(rootfd_.get(), "/d6/../../../d7", NodeKind::File);
  ASSERT_TRUE(fd);
  EXPECT_EQ(where(fd), "/d7");
  EXPECT_FALSE(fs::exists(root() + "/d6"));
}

TEST_F(SafePathFs, CreateFollowsDanglingAbsoluteLinkInside) {
  fs::create_directory_symlink(outside() + "/target", root() + "/etc/dangling");
  UniqueFd fd = create_in_root(rootfd_.get(), "/etc/dangling/sub", NodeKind::Directory);
  ASSERT_TRUE(fd);
  EXPECT_EQ(where(fd), outside() + "/target/sub");
  EXPECT_TRUE(fs::is_empty(outside())) << "created outside the root";
}

TEST_F(SafePathFs, CreateFollowsDanglingRelativeLinkThroughDotDotInside) {
  fs::create_symlink("../../../../../../outside/file", root() + "/etc/rel");
  UniqueFd fd = create_in_root(rootfd_.get(), "/etc/rel", NodeKind::File);
  ASSERT_TRUE(fd);
  EXPECT_EQ(where(fd), "/outside/file");
  EXPECT_TRUE(fs::is_regular_file(root() + "/outside/file"));
  EXPECT_TRUE(fs::is_empty(outside()));
}

TEST_F(SafePathFs, CreateFileWithMissingParents) {
  UniqueFd fd = create_in_root(rootfd_.get(), "etc/x/y/resolv.conf", NodeKind::File);
  ASSERT_TRUE(fd);
  struct stat st {};
  ASSERT_EQ(::fstat(fd.get(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
}

TEST_F(SafePathFs, SymlinkLoopIsAnError) {
  fs::create_symlink("/etc/b", root() + "/etc/a");
  fs::create_symlink("/etc/a", root() + "/etc/b");
  try {
    create_in_root(rootfd_.get(), "/etc/a/x", NodeKind::Directory);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ELOOP) << e.what();
  }
}

TEST_F(SafePathFs, CreateUnderAParentReachedThroughALinkStaysInside) {
  // The walk starts at the parent, resolved in the root: a link in it is
  // followed inside the root, never to the host path it names.
  fs::create_directories(root() + "/real");
  fs::create_directory_symlink("/real", root() + "/etc/via");
  UniqueFd fd = create_in_root(rootfd_.get(), "/etc/via/new", NodeKind::Directory);
  ASSERT_TRUE(fd);
  EXPECT_EQ(where(fd), "/real/new");
  EXPECT_TRUE(fs::is_directory(root() + "/real/new"));
}

TEST_F(SafePathFs, CreateUnderAParentThatIsAFileNamesThePath) {
  std::ofstream(root() + "/etc/plain") << "x";
  try {
    create_in_root(rootfd_.get(), "/etc/plain/sub", NodeKind::Directory);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ENOTDIR) << e.what();
    EXPECT_NE(std::string(e.what()).find("\"/etc/plain/sub\""), std::string::npos) << e.what();
  }
}

TEST_F(SafePathFs, FileInTheWayIsAnError) {
  std::ofstream(root() + "/etc/file") << "x";
  EXPECT_THROW(create_in_root(rootfd_.get(), "/etc/file/sub", NodeKind::Directory), Error);
}

}  // namespace
}  // namespace hull::rootfs
