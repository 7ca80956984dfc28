// replace_file_at (base/fs.hpp): a state file is replaced whole, never
// written in place, whether or not it existed, and no temporary is left.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/unique_fd.hpp"
#include "support/temp_dir.hpp"

namespace {

class ReplaceFile : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = hull::open_fd(tmp_.path(), O_RDONLY | O_DIRECTORY); }

  std::string contents(const std::string& name) const {
    hull::UniqueFd fd = hull::open_at(dir_.get(), name, O_RDONLY);
    return hull::read_fd(fd.get(), name);
  }
  bool exists(const std::string& name) const { return ::faccessat(dir_.get(), name.c_str(), F_OK, 0) == 0; }

  hull::test::TempDir tmp_;
  hull::UniqueFd dir_;
};

TEST_F(ReplaceFile, TheFirstWriteMakesTheFile) {
  hull::replace_file_at(dir_.get(), "state.json", "one", 0600);
  EXPECT_EQ(contents("state.json"), "one");
  struct stat st {};
  ASSERT_EQ(::fstatat(dir_.get(), "state.json", &st, 0), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_FALSE(exists(".state.json.tmp"));
}

// A reader that opened the old version keeps reading all of it: the new one
// is another file swapped in, not the old one truncated and rewritten.
TEST_F(ReplaceFile, AnExistingFileIsSwappedOutWholeAndRemoved) {
  hull::replace_file_at(dir_.get(), "state.json", "the first version", 0600);
  hull::UniqueFd reader = hull::open_at(dir_.get(), "state.json", O_RDONLY);
  hull::replace_file_at(dir_.get(), "state.json", "second", 0600);
  EXPECT_EQ(contents("state.json"), "second");
  EXPECT_EQ(hull::read_fd(reader.get(), "old"), "the first version");
  struct stat old {};
  ASSERT_EQ(::fstat(reader.get(), &old), 0);
  EXPECT_EQ(old.st_nlink, 0u) << "the old version is unlinked";
  EXPECT_FALSE(exists(".state.json.tmp"));
}

// What a crash between the swap and the unlink leaves (the old version at
// the temp name) is removed by the next write, not an obstacle to it.
TEST_F(ReplaceFile, ALeftoverTemporaryIsOverwritten) {
  hull::replace_file_at(dir_.get(), "state.json", "one", 0600);
  hull::write_file_atomic(dir_.get(), "x", "y", 0600);  // a file of its own
  ASSERT_EQ(::renameat(dir_.get(), "x", dir_.get(), ".state.json.tmp"), 0);
  hull::replace_file_at(dir_.get(), "state.json", "two", 0600);
  EXPECT_EQ(contents("state.json"), "two");
  EXPECT_FALSE(exists(".state.json.tmp"));
}

// A symlink planted at the temp name (a pid file's directory others may
// write) is replaced, not written through: its target is left as it was.
TEST_F(ReplaceFile, ASymlinkAtTheTemporaryNameIsNotFollowed) {
  hull::write_file_atomic(dir_.get(), "victim", "precious", 0600);
  ASSERT_EQ(::symlinkat("victim", dir_.get(), ".p.pid.tmp"), 0);
  hull::write_file_atomic(dir_.get(), "p.pid", "4242", 0644);
  EXPECT_EQ(contents("victim"), "precious");
  EXPECT_EQ(contents("p.pid"), "4242");
  struct stat st {};
  ASSERT_EQ(::fstatat(dir_.get(), "p.pid", &st, AT_SYMLINK_NOFOLLOW), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_FALSE(exists(".p.pid.tmp"));
  ASSERT_EQ(::symlinkat("victim", dir_.get(), ".state.json.tmp"), 0);
  hull::replace_file_at(dir_.get(), "state.json", "one", 0600);
  EXPECT_EQ(contents("victim"), "precious");
}

// A failed write names the directory it was in (a full state root is what
// the user acts on), and leaves no temporary behind.
TEST_F(ReplaceFile, AFailedWriteNamesItsDirectory) {
  ASSERT_EQ(::mkdirat(dir_.get(), "busy", 0700), 0);
  ASSERT_EQ(::mkdirat(dir_.get(), "busy/inside", 0700), 0);
  try {
    hull::write_file_atomic(dir_.get(), "busy", "data", 0600);
    FAIL() << "renamed a file over a directory";
  } catch (const hull::Error& e) {
    EXPECT_NE(std::string(e.what()).find(tmp_.path() + "/.busy.tmp"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(exists(".busy.tmp"));
}

}  // namespace
