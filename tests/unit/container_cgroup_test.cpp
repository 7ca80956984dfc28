// The container's cgroup as one command sees it: marks read once, refusals
// naming the directory.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <string>

#include "base/error.hpp"
#include "cgroups/ownership.hpp"
#include "runtime/owned_cgroup.hpp"
#include "runtime/state_store.hpp"
#include "support/error_of.hpp"
#include "support/temp_dir.hpp"

namespace hull {
namespace {

using test::error_of;

class ContainerCgroupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::mkdir(cg_dir_.c_str(), 0755), 0);
    state_.id = "web";
    state_.cgroupPath = R"({"mode":"unified","v1":{},"v2":")" + cg_dir_ + R"("})";
  }
  cgroups::Paths paths() const { return cgroups::Manager::load(state_.cgroupPath).paths(); }

  hull::test::TempDir tmp_{"container-cgroup"};
  std::string cg_dir_ = tmp_.path() + "/web";  // stands in for the cgroup: only its marks are read
  StateStore store_{tmp_.path() + "/root"};
  ContainerDir dir_ = store_.create("web");
  ContainerState state_;
};

TEST_F(ContainerCgroupTest, MarksAreReadOnceForTheWholeCommand) {
  cgroups::mark_owner(paths(), cgroup_owner_tag(dir_));
  ContainerCgroup cgroup(dir_, state_);
  EXPECT_NO_THROW(cgroup.refuse_foreign());
  // Marks change only outside hull's lock: the command goes on with what it
  // read (delete checks before its kill, and kills and removes after it).
  cgroups::mark_owner(paths(), "hull container other state 1:2");
  EXPECT_NO_THROW(cgroup.owned());
  EXPECT_NO_THROW(cgroup.refuse_foreign());
  // The next command reads them again.
  ContainerCgroup next(dir_, state_);
  EXPECT_EQ(error_of([&] { next.refuse_foreign(); }),
            "cgroup " + cg_dir_ + " belongs to another container: refusing to act on it (is " + dir_.path() +
                "/state.json damaged? if so, `rm -r " + dir_.path() +
                "` forgets the container and touches none of its processes or cgroups): operation not permitted");
  EXPECT_NE(error_of([&] { next.owned(); }).find("belongs to another container"), std::string::npos);
}

TEST_F(ContainerCgroupTest, UnmarkedIsRefusedForActsOnItsProcessesButNotForeign) {
  ContainerCgroup cgroup(dir_, state_);
  EXPECT_NO_THROW(cgroup.refuse_foreign());
  EXPECT_NE(error_of([&] { cgroup.owned(); }).find("carries no mark of this container"), std::string::npos);
}

TEST_F(ContainerCgroupTest, NoCgroupNamedHoldsEveryPidAndRefusesNothing) {
  state_.cgroupPath.clear();
  ContainerCgroup cgroup(dir_, state_);
  EXPECT_FALSE(cgroup.named());
  EXPECT_TRUE(cgroup.holds(1));
  EXPECT_NO_THROW(cgroup.refuse_foreign());
}

}  // namespace
}  // namespace hull
