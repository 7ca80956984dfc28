// V1SelfPlacement on a fake tree: the files are opened when added, the
// process writes "0" (itself) into each tasks file, the freezer's last, and
// a hierarchy without a tasks file fails with its path before any move.
#include "base/error.hpp"
#include "cgroups/self_placement.hpp"
#include "cgroups_fake_tree.hpp"

namespace hull::cgroups::testing {
namespace {

using V = std::vector<std::string>;

class SelfPlacementFake : public FakeCgroupFs {};

TEST_F(SelfPlacementFake, MovesItselfIntoEveryHierarchyWithTheFreezerLast) {
  V1SelfPlacement p;
  p.add("memory", dir("memory/c", {"tasks"}));
  p.add("freezer", dir("freezer/c", {"tasks"}));
  p.add("cpu,cpuacct", dir("cpu,cpuacct/c", {"tasks"}));
  p.add("net_cls,net_prio", dir("net_cls,net_prio/c", {"tasks"}));
  EXPECT_TRUE(log_.writes.empty()) << "adding moved something";
  p.move_self();
  EXPECT_EQ(written_files(),
            (V{"memory/c/tasks", "cpu,cpuacct/c/tasks", "net_cls,net_prio/c/tasks", "freezer/c/tasks"}));
  for (const auto& [path, value] : log_.writes) EXPECT_EQ(value, "0") << path;
}

TEST_F(SelfPlacementFake, AFreezerSharingAHierarchyGoesLastToo) {
  V1SelfPlacement p;
  p.add("cpu,freezer", dir("cpu,freezer/c", {"tasks"}));
  p.add("pids", dir("pids/c", {"tasks"}));
  p.move_self();
  EXPECT_EQ(written_files(), (V{"pids/c/tasks", "cpu,freezer/c/tasks"}));
}

TEST_F(SelfPlacementFake, AMissingTasksFileFailsWhenAddedNamingIt) {
  V1SelfPlacement p;
  const std::string d = dir("memory/c");
  try {
    p.add("memory", d);
    FAIL() << "a cgroup without tasks file was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(d + "/tasks"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(p.empty());
}

}  // namespace
}  // namespace hull::cgroups::testing
