// cgroup.subtree_control on a fake pure-v2 tree: every controller of the
// hierarchy enabled down to the container's parent (runc's rule), never in a
// cgroup that holds processes or is not a domain.
#include "cgroups/subtree_control.hpp"

#include "base/error.hpp"
#include "cgroups/cgroup_manager.hpp"
#include "cgroups_fake_tree.hpp"
#include "support/error_of.hpp"

namespace hull::cgroups::testing {
namespace {

using V = std::vector<std::string>;
using S = std::set<std::string>;

class SubtreeControlFake : public FakeCgroupFs {
 protected:
  // The root offers four controllers and enables only memory; below it the
  // domain cgroup "slice", offered memory.
  void SetUp() override {
    FakeCgroupFs::SetUp();
    mount_ = dir("v2", {"cgroup.controllers=cpu io memory pids\n", "cgroup.subtree_control=memory\n"});
    slice_ = dir("v2/slice",
                 {"cgroup.type=domain\n", "cgroup.procs", "cgroup.controllers=memory\n", "cgroup.subtree_control"});
  }
  std::string mount_, slice_;
};

TEST_F(SubtreeControlFake, EveryControllerIsEnabledFromTheRootDown) {
  S have = enable_available_controllers(slice_, mount_, {"cpu", "io", "memory", "pids"});
  EXPECT_EQ(have, (S{"cpu", "io", "memory", "pids"}));
  EXPECT_EQ(writes(mount_, "cgroup.subtree_control"), V{"+cpu +io +pids"});
  EXPECT_EQ(writes(slice_, "cgroup.subtree_control"), V{"+cpu +io +memory +pids"});
}

TEST_F(SubtreeControlFake, NothingIsWrittenWhenEverythingIsEnabled) {
  dir("v2/slice", {"cgroup.subtree_control=cpu io memory pids\n"});
  EXPECT_EQ(enable_available_controllers(slice_, mount_, {"cpu", "io", "memory", "pids"}),
            (S{"cpu", "io", "memory", "pids"}));
  EXPECT_TRUE(log_.writes.empty());
}

TEST_F(SubtreeControlFake, ACgroupThatHoldsProcessesIsLeftAloneAndSoAreItsAncestors) {
  dir("v2/slice", {"cgroup.procs=77\n"});
  EXPECT_EQ(enable_available_controllers(slice_, mount_, {"cpu", "io", "memory", "pids"}), S{});
  EXPECT_TRUE(log_.writes.empty());
}

TEST_F(SubtreeControlFake, AThreadedCgroupIsLeftAlone) {
  dir("v2/slice", {"cgroup.type=domain threaded\n"});
  EXPECT_EQ(enable_available_controllers(slice_, mount_, {"cpu", "memory"}), S{});
  EXPECT_TRUE(log_.writes.empty());
}

// A threaded cgroup's cgroup.procs cannot be read (EOPNOTSUPP; a directory
// here): its type is read first, and it is left alone as one that is not a
// domain, not failed with a bare read error (found in the pure-v2 VM).
TEST_F(SubtreeControlFake, AThreadedCgroupIsJudgedByItsTypeBeforeItsProcesses) {
  std::string slice = dir("v2/slice", {"cgroup.type=threaded\n"});
  std::filesystem::remove(slice + "/cgroup.procs");
  std::filesystem::create_directory(slice + "/cgroup.procs");
  EXPECT_EQ(enable_available_controllers(slice_, mount_, {"cpu", "memory"}), S{});
  EXPECT_TRUE(log_.writes.empty());
}

// Below a populated cgroup the container's parent is not offered what the
// populated one cannot enable: nothing is written there either.
TEST_F(SubtreeControlFake, BelowAPopulatedCgroupOnlyWhatItAlreadyOffers) {
  dir("v2/slice", {"cgroup.procs=77\n"});
  std::string inner =
      dir("v2/slice/inner", {"cgroup.type=domain\n", "cgroup.procs", "cgroup.controllers", "cgroup.subtree_control"});
  EXPECT_EQ(enable_available_controllers(inner, mount_, {"cpu", "memory"}), S{});
  EXPECT_TRUE(log_.writes.empty());
}

// Manager::create on a pure v2 host: the limits' own controllers keep their
// error where the rule forbids them (the rest, end to end with a real kernel
// and the device program, is UnifiedTest.*Controller* in the v2vm lane).
TEST_F(SubtreeControlFake, ANeededControllerInAPopulatedParentIsStillAnError) {
  Host h;
  h.mode = Mode::Unified;
  h.v2_mount = mount_;
  h.v2_controllers = S{"cpu", "io", "memory", "pids"};
  dir("v2/slice", {"cgroup.procs=77\n"});
  dir("v2/slice/c", {"cgroup.procs", "cgroup.controllers", "cgroup.subtree_control", "pids.max"});
  spec::Linux l;
  l.cgroupsPath = "/slice/c";
  l.resources = spec::Resources{};
  l.resources->pids = spec::Pids{10};
  Manager m = Manager::plan(&l, "c", false, h);
  const std::string what = test::error_of([&] { m.create(); });
  EXPECT_NE(what.find("enable +pids in " + slice_ + "/cgroup.subtree_control: the cgroup holds"), std::string::npos)
      << what;
  EXPECT_TRUE(writes(slice_, "cgroup.subtree_control").empty());
}

// The mount's root with a cgroup.type is a cgroup namespace's root (hull run
// in a container): no cgroupsPath leads above it, so the error says to move
// its processes down instead of naming another path.
TEST_F(SubtreeControlFake, APopulatedMountRootThatIsNotTheHierarchysSaysToMoveItsProcesses) {
  Host h;
  h.mode = Mode::Unified;
  h.v2_mount = mount_;
  h.v2_controllers = S{"cpu", "io", "memory", "pids"};
  dir("v2", {"cgroup.type=domain\n", "cgroup.procs=1\n"});
  const std::string what = test::error_of([&] { enable_controllers(mount_, mount_, {"pids"}, h); });
  EXPECT_NE(what.find("it is the root of this cgroup namespace"), std::string::npos) << what;
  EXPECT_NE(what.find("move its processes into a child cgroup first"), std::string::npos) << what;
  EXPECT_EQ(what.find("an absolute one"), std::string::npos) << what;
  EXPECT_TRUE(writes(mount_, "cgroup.subtree_control").empty());
}

}  // namespace
}  // namespace hull::cgroups::testing
