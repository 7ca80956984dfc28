// process.oomScoreAdj in a container with its own user namespace, as
// dockerd --userns-remap runs it (Docker always sends oomScoreAdj): the init
// writes it while still the host's uid 0, before it becomes the mapped root,
// which could not open its own non-dumpable /proc/self/oom_score_adj.
#include <unistd.h>

#include <filesystem>

#include "harness.hpp"

namespace hull::itest {
namespace {

// Docker's layout: root mapped to host uid 200000, which owns the rootfs.
bool remap_with_oom_score_adj(Bundle& b, int value) {
  b.config["process"]["oomScoreAdj"] = value;
  b.config["linux"]["namespaces"].push_back({{"type", "user"}});
  b.config["linux"]["uidMappings"] = {{{"containerID", 0}, {"hostID", 200000}, {"size", 65536}}};
  b.config["linux"]["gidMappings"] = {{{"containerID", 0}, {"hostID", 200000}, {"size", 65536}}};
  for (const auto& e : std::filesystem::recursive_directory_iterator(b.rootfs()))
    if (::lchown(e.path().c_str(), 200000, 200000) != 0) return false;
  return ::lchown(b.rootfs().c_str(), 200000, 200000) == 0;
}

TEST_F(HullTest, OomScoreAdjInAUserNamespaceWithARemappedRoot) {
  Bundle& b = bundle();
  ASSERT_TRUE(remap_with_oom_score_adj(b, 123));
  ProcResult r = run_sh(b, "id -u; cat /proc/self/oom_score_adj", "oomuserns");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "0\n123\n");
}

// `hull exec` into such a container applies its own oomScoreAdj too.
TEST_F(HullTest, OomScoreAdjOfAnExecInAUserNamespace) {
  Bundle& b = bundle();
  ASSERT_TRUE(remap_with_oom_score_adj(b, 123));
  b.args({"sleep", "1000"});
  ProcResult c = hull({"create", "--bundle", b.dir().string(), "oomexec"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  start_container("oomexec");
  ProcResult r = hull({"exec", "oomexec", "sh", "-c", "id -u; cat /proc/self/oom_score_adj"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "0\n123\n");
}

}  // namespace
}  // namespace hull::itest
