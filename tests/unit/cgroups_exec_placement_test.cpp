// Where `hull exec --cgroup` puts the process, on a fake v1 tree: runc's
// forms (exec.go's getSubCgroupPaths in runc 1.1), given once or several
// times, and what is refused before anything is joined.
#include <algorithm>

#include "base/error.hpp"
#include "cgroups/placement.hpp"
#include "cgroups_fake_tree.hpp"
#include "support/error_of.hpp"

namespace hull::cgroups::testing {
namespace {

using ::hull::test::error_of;
using V = std::vector<std::string>;

class ExecPlacement : public FakeCgroupFs {
 protected:
  // A legacy host with cpu and cpuacct mounted together, memory and pids;
  // the container "c" has sub-cgroups a and b in each.
  Paths legacy_container() {
    Paths p;
    p.mode = Mode::Legacy;
    for (const std::string h : {"cpu,cpuacct", "memory", "pids"}) {
      p.v1[h] = dir(h + "/c", {"tasks"});
      for (const char* sub : {"a", "b"}) dir(h + "/c/" + sub, {"tasks"});
    }
    return p;
  }
  // The tasks files the process writes itself into, sorted.
  V joined(const V& subs) {
    Placement p(legacy_container(), subs);
    log_.writes.clear();
    p.v1().move_self();
    V files = written_files();
    std::sort(files.begin(), files.end());
    return files;
  }
};

TEST_F(ExecPlacement, EachNamedControllerGetsItsSubCgroupAndTheOthersStay) {
  EXPECT_EQ(joined({}), (V{"cpu,cpuacct/c/tasks", "memory/c/tasks", "pids/c/tasks"}));
  EXPECT_EQ(joined({"a"}), (V{"cpu,cpuacct/c/a/tasks", "memory/c/a/tasks", "pids/c/a/tasks"}));
  EXPECT_EQ(joined({"/"}), (V{"cpu,cpuacct/c/tasks", "memory/c/tasks", "pids/c/tasks"}));
  // Several flags, and several controllers before one path (runc's bats test).
  EXPECT_EQ(joined({"memory:a", "cpu,cpuacct:b"}), (V{"cpu,cpuacct/c/b/tasks", "memory/c/a/tasks", "pids/c/tasks"}));
  EXPECT_EQ(joined({"cpuacct:/b", "pids:a"}), (V{"cpu,cpuacct/c/b/tasks", "memory/c/tasks", "pids/c/a/tasks"}));
  // Two controllers of one hierarchy naming the same sub-cgroup agree.
  EXPECT_EQ(joined({"cpu:a", "cpuacct:a"}), (V{"cpu,cpuacct/c/a/tasks", "memory/c/tasks", "pids/c/tasks"}));
}

TEST_F(ExecPlacement, RefusesAmbiguousOrUnknownSubCgroups) {
  const Paths paths = legacy_container();
  auto refusal = [&](const V& subs) { return error_of([&] { Placement p(paths, subs); }); };
  EXPECT_EQ(refusal({"a", "memory:b"}),
            "--cgroup \"a\": a path without a controller must be the only --cgroup; give controller:path for each");
  EXPECT_EQ(refusal({"memory:a:b"}),
            "--cgroup \"memory:a:b\": more than one \":\" (give [controller[,controller...]:]path)");
  EXPECT_EQ(refusal({":a"}), "--cgroup \":a\": no controller before the \":\"");
  EXPECT_EQ(refusal({"cpu:a", "cpuacct:b"}),
            "--cgroup \"cpu:a\" and \"cpuacct:b\" name two sub-cgroups of the \"cpu,cpuacct\" hierarchy");
  EXPECT_EQ(refusal({"memory:a", "whaaat:/"}),
            "--cgroup \"whaaat:/\": the container has no cgroup for controller \"whaaat\"");
  EXPECT_EQ(
      refusal({"memory:../x"}),
      "--cgroup \"memory:../x\": a \"..\" component is not allowed (the path names a sub-cgroup of the container's)");
  // Inside the container's cgroup, but refused all the same (it was said
  // to leave it).
  EXPECT_EQ(refusal({"sub/.."}),
            "--cgroup \"sub/..\": a \"..\" component is not allowed (the path names a sub-cgroup of the container's)");
  EXPECT_EQ(refusal({"a", "b"}),
            "--cgroup \"a\": a path without a controller must be the only --cgroup; give controller:path for each");
}

}  // namespace
}  // namespace hull::cgroups::testing
