// cgroups::walk_below: the sub-cgroups below a container's cgroup, walked by
// descriptors, on a plain directory tree standing in for cgroupfs.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cgroups/subtree.hpp"
#include "support/deep_chain.hpp"
#include "support/temp_dir.hpp"

namespace hull::cgroups {
namespace {

std::string names_of(const SubCgroup& sub) {
  std::string out;
  for (const std::string& n : sub.names) out += "/" + n;
  return out;
}

class CgroupSubtree : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* d : {"a", "a/b", "a/b/c", "a/d"}) ASSERT_EQ(::mkdir((dir_ / d).c_str(), 0755), 0);
    std::ofstream(dir_ / "cgroup.procs") << "1\n";
    std::ofstream(dir_ / "a/cgroup.procs") << "2\n";
  }
  test::TempDir dir_{"cgroups-subtree"};
};

TEST_F(CgroupSubtree, EntersEverySubdirectoryParentsFirstAndLeavesChildrenFirst) {
  std::vector<std::string> entered, left;
  EXPECT_TRUE(walk_below(
      dir_.path(),
      [&](int fd, const SubCgroup& sub) {
        struct stat st {};
        EXPECT_EQ(::fstat(fd, &st), 0);
        EXPECT_TRUE(S_ISDIR(st.st_mode));
        entered.push_back(names_of(sub));
        return true;
      },
      [&](int parent_fd, const SubCgroup& sub) {
        struct stat st {};
        EXPECT_EQ(::fstatat(parent_fd, sub.names.back().c_str(), &st, 0), 0) << names_of(sub);
        left.push_back(names_of(sub));
        return true;
      }));
  ASSERT_EQ(entered.size(), 4u);
  ASSERT_EQ(left.size(), 4u);
  auto index = [](const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) - v.begin();
  };
  EXPECT_LT(index(entered, "/a"), index(entered, "/a/b"));
  EXPECT_LT(index(entered, "/a/b"), index(entered, "/a/b/c"));
  EXPECT_LT(index(entered, "/a"), index(entered, "/a/d"));
  EXPECT_LT(index(left, "/a/b/c"), index(left, "/a/b"));
  EXPECT_LT(index(left, "/a/b"), index(left, "/a"));
  EXPECT_LT(index(left, "/a/d"), index(left, "/a"));
}

TEST_F(CgroupSubtree, LeavingWithTheParentsDescriptorRemovesTheTreeDeepestFirst) {
  std::string refused;
  EXPECT_FALSE(walk_below(dir_.path(), {}, [&](int parent_fd, const SubCgroup& sub) {
    if (::unlinkat(parent_fd, sub.names.back().c_str(), AT_REMOVEDIR) == 0) return true;
    refused = names_of(sub) + ": " + std::strerror(errno);
    return false;
  }));
  // a/ holds a file of its own, and the walk stops there.
  EXPECT_EQ(refused, "/a: " + std::string(std::strerror(ENOTEMPTY)));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "a/b"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "a/d"));
}

TEST_F(CgroupSubtree, ACallbackSayingNoEndsTheWalk) {
  int entered = 0;
  EXPECT_FALSE(walk_below(dir_.path(), [&](int, const SubCgroup&) { return ++entered < 2; }));
  EXPECT_EQ(entered, 2);
}

TEST_F(CgroupSubtree, AMissingTopIsAnEmptyWalk) {
  bool called = false;
  EXPECT_TRUE(walk_below(dir_ / "gone", [&](int, const SubCgroup&) { return called = true; }));
  EXPECT_FALSE(called);
}

// Deeper than PATH_MAX, where every call by path fails with ENAMETOOLONG.
TEST_F(CgroupSubtree, WalksAndRemovesATreeDeeperThanAPathCanName) {
  test::DeepChain chain(dir_ / "a/d", 20);
  ASSERT_TRUE(chain.complete()) << std::strerror(errno);
  ASSERT_EQ(::mkdirat(chain.deepest(), "leaf", 0755), 0);
  size_t deepest = 0;
  std::string deepest_text;
  EXPECT_TRUE(walk_below(dir_.path(), [&](int, const SubCgroup& sub) {
    if (sub.names.size() > deepest) {
      deepest = sub.names.size();
      deepest_text = sub.text();
    }
    return true;
  }));
  EXPECT_EQ(deepest, 23u);  // a, d, 20 of the chain, leaf
  // The message names the top, the depth and the name, not 5 KB of path.
  EXPECT_EQ(deepest_text, dir_.path() + "/…/leaf (23 levels below " + dir_.path() + ")");

  EXPECT_TRUE(walk_below(dir_ / "a/d", {}, [](int parent_fd, const SubCgroup& sub) {
    return ::unlinkat(parent_fd, sub.names.back().c_str(), AT_REMOVEDIR) == 0;
  }));
  struct stat st {};
  ASSERT_EQ(::stat((dir_ / "a/d").c_str(), &st), 0);
  EXPECT_EQ(st.st_nlink, 2u) << "a/d still has subdirectories";
}

TEST_F(CgroupSubtree, ShortPathsAreNamedWhole) {
  std::vector<std::string> texts;
  walk_below(dir_ / "a", [&](int, const SubCgroup& sub) {
    texts.push_back(sub.text("cgroup.procs"));
    return true;
  });
  EXPECT_NE(std::find(texts.begin(), texts.end(), dir_ / "a/b/c/cgroup.procs"), texts.end());
}

TEST_F(CgroupSubtree, TheLinkCountTellsWhetherThereAreSubdirectories) {
  struct stat st {};
  ASSERT_EQ(::stat((dir_ / "a/b/c").c_str(), &st), 0);
  if (st.st_nlink != 2) GTEST_SKIP() << "this file system does not count subdirectories in a link count";
  EXPECT_FALSE(has_sub_cgroups(dir_ / "a/b/c"));
  EXPECT_TRUE(has_sub_cgroups(dir_ / "a/b"));
  EXPECT_FALSE(has_sub_cgroups(dir_ / "gone"));
}

}  // namespace
}  // namespace hull::cgroups
