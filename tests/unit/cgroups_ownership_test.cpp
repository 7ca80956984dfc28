// The init's placement as evidence of a cgroup's owner (cgroups::runs_in_exactly)
// and the /proc/<pid>/cgroup parser behind it.
#include <gtest/gtest.h>

#include <string>

#include "base/proc_cgroup.hpp"
#include "cgroups/ownership.hpp"

namespace hull::cgroups {
namespace {

constexpr const char* kV1Init =
    "9:name=systemd:/bench/c1\n8:pids:/bench/c1\n7:cpu,cpuacct:/bench/c1\n4:memory:/bench/c1\n0::/\n";

Paths v1_paths() {
  Paths p;
  p.mode = Mode::Legacy;
  p.v1 = {{"name=systemd", "/sys/fs/cgroup/systemd/bench/c1"},
          {"pids", "/sys/fs/cgroup/pids/bench/c1"},
          {"cpu,cpuacct", "/sys/fs/cgroup/cpu,cpuacct/bench/c1"},
          {"memory", "/sys/fs/cgroup/memory/bench/c1"}};
  return p;
}

TEST(ProcCgroup, LinesAreHierarchyAndPath) {
  auto e = parse_proc_cgroup("12:cpu,cpuacct:/a/b\nbroken\n0::/x:y\n");
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].hierarchy, "cpu,cpuacct");
  EXPECT_EQ(e[0].path, "/a/b");
  EXPECT_EQ(e[1].hierarchy, "");
  EXPECT_EQ(e[1].path, "/x:y");  // a colon in a path stays in it
}

TEST(InitPlacement, EveryRecordedV1DirectoryHoldsTheInit) { EXPECT_TRUE(runs_in_exactly(v1_paths(), kV1Init)); }

TEST(InitPlacement, UnifiedAndHybridV2) {
  Paths unified{Mode::Unified, "/sys/fs/cgroup/kubepods/pod1/c1", {}};
  EXPECT_TRUE(runs_in_exactly(unified, "0::/kubepods/pod1/c1\n"));
  Paths hybrid = v1_paths();
  hybrid.mode = Mode::Hybrid;
  hybrid.v2 = "/sys/fs/cgroup/unified/bench/c1";
  EXPECT_FALSE(runs_in_exactly(hybrid, kV1Init));  // its v2 cgroup is the root
  std::string placed = kV1Init;
  placed.replace(placed.find("0::/"), 4, "0::/bench/c1");
  EXPECT_TRUE(runs_in_exactly(hybrid, placed));
  EXPECT_FALSE(runs_in_exactly(unified, "0::/kubepods/pod1/c1/init.scope\n"));  // below it: not exactly
}

TEST(InitPlacement, AnyOtherDirectoryIsNoEvidence) {
  Paths p = v1_paths();
  // One hierarchy elsewhere: another container's cgroup named by a damaged state.json.
  EXPECT_FALSE(runs_in_exactly(p,
                               "9:name=systemd:/bench/c1\n8:pids:/bench/c2\n7:cpu,cpuacct:/bench/c1\n"
                               "4:memory:/bench/c1\n"));
  // A hierarchy the process is not listed in.
  EXPECT_FALSE(runs_in_exactly(p, "9:name=systemd:/bench/c1\n8:pids:/bench/c1\n4:memory:/bench/c1\n"));
  // A recorded directory outside the standard layout.
  p.v1["pids"] = "/tmp/pids/bench/c1";
  EXPECT_FALSE(runs_in_exactly(p, kV1Init));
  p.v1["pids"] = "/sys/fs/cgroup/memory/bench/c1";  // another hierarchy's directory
  EXPECT_FALSE(runs_in_exactly(p, kV1Init));
  // No directory at all: nothing to vouch for.
  EXPECT_FALSE(runs_in_exactly(Paths{Mode::Unified, "", {}}, "0::/\n"));
  EXPECT_FALSE(runs_in_exactly(v1_paths(), ""));
}

}  // namespace
}  // namespace hull::cgroups
