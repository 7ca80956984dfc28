#include "base/cgroup_mount_root.hpp"

#include <gtest/gtest.h>

namespace hull {
namespace {

TEST(CgroupMountRoot, AMountOfTheHierarchysRootShowsThePathAsItIs) {
  EXPECT_EQ(cgroup_below_mount_root("/user.slice/session-1.scope", "/"), "/user.slice/session-1.scope");
  EXPECT_EQ(cgroup_below_mount_root("/", "/"), "/");
}

TEST(CgroupMountRoot, AMountOfASubCgroupShowsWhatIsBelowItFromItsRoot) {
  EXPECT_EQ(cgroup_below_mount_root("/docker/abc", "/docker/abc"), "/");
  EXPECT_EQ(cgroup_below_mount_root("/docker/abc/inner", "/docker/abc"), "/inner");
  EXPECT_EQ(cgroup_below_mount_root("/docker/abc/a/b", "/docker/abc"), "/a/b");
}

TEST(CgroupMountRoot, ACgroupOutsideWhatTheMountShowsHasNoPathThere) {
  // A sibling whose name only starts like the root, one above it, and the
  // "/.." roots a cgroup namespace shows for a mount made outside it.
  EXPECT_EQ(cgroup_below_mount_root("/docker/abcdef", "/docker/abc"), std::nullopt);
  EXPECT_EQ(cgroup_below_mount_root("/docker", "/docker/abc"), std::nullopt);
  EXPECT_EQ(cgroup_below_mount_root("/", "/docker/abc"), std::nullopt);
  EXPECT_EQ(cgroup_below_mount_root("/init", "/.."), std::nullopt);
}

TEST(CgroupMountRoot, ThePathsOfAMountThatIsNoneStayAsTheyAre) {
  CgroupMountRoots roots;
  // Not a mount point in this process's mount table: nothing to take away.
  EXPECT_EQ(roots.path_in("/nonexistent/hull-test/cgroup", "/a/b"), "/a/b");
  EXPECT_EQ(roots.path_in("/nonexistent/hull-test/cgroup", "/"), "/");
}

}  // namespace
}  // namespace hull
