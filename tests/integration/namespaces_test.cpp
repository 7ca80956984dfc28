// The namespaces config.json asks for are new ones: their /proc/self/ns links
// inside the container differ from the test process's own.
#include <string>

#include "harness.hpp"

namespace hull::itest {
namespace {

class NamespaceTest : public HullTest, public ::testing::WithParamInterface<std::string> {};

TEST_P(NamespaceTest, DiffersFromHost) {
  const std::string ns = GetParam();
  ProcResult r = run_sh(bundle(), "readlink /proc/self/ns/" + ns);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(r.out.starts_with(ns + ":[")) << r.out;
  EXPECT_NE(r.out, host_ns(ns) + "\n") << "the container shares the host's " << ns << " namespace";
}

INSTANTIATE_TEST_SUITE_P(Core, NamespaceTest, ::testing::Values("uts", "ipc", "net", "mnt", "pid", "cgroup"),
                         [](const auto& info) { return info.param; });

// The other side: a namespace left out of config.json is the runtime's own,
// so the test above cannot pass merely because readlink sees something else.
TEST_F(HullTest, OmittedNetworkNamespaceIsShared) {
  Bundle& b = bundle();
  auto& namespaces = b.config["linux"]["namespaces"];
  for (auto it = namespaces.begin(); it != namespaces.end(); ++it) {
    if ((*it)["type"] == "network") {
      namespaces.erase(it);
      break;
    }
  }
  // Whether sysfs mounts without its own network namespace is another question
  // (runc falls back to a bind mount); keep it out of this test.
  auto& mounts = b.config["mounts"];
  for (auto it = mounts.begin(); it != mounts.end(); ++it) {
    if ((*it)["destination"] == "/sys") {
      mounts.erase(it);
      break;
    }
  }
  ProcResult r = run_sh(b, "readlink /proc/self/ns/net");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, host_ns("net") + "\n");
}

}  // namespace
}  // namespace hull::itest
