// The loopback interface of a new network namespace is up, as runc and crun
// leave it: a connection to 127.0.0.1 reaches the stack (refused on a closed
// port) instead of failing with "Network is unreachable". A namespace the
// config joins by path is the caller's, and is left as it is.
#include <string>

#include "harness.hpp"

namespace hull::itest {
namespace {

// The flags of lo (IFF_UP is bit 0) and what a connection to a closed port of
// 127.0.0.1 says, from inside the container.
constexpr const char* kProbe = "cat /sys/class/net/lo/flags; nc 127.0.0.1 1 </dev/null 2>&1; true";

bool lo_up(const std::string& out) {
  unsigned long flags = std::stoul(out.substr(0, out.find('\n')), nullptr, 16);
  return (flags & 1) != 0;
}

TEST_F(HullTest, ANewNetworkNamespaceHasItsLoopbackUp) {
  ProcResult r = run_sh(bundle(), kProbe);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(lo_up(r.out)) << r.out;
  EXPECT_NE(r.out.find("Connection refused"), std::string::npos) << r.out;
}

// Made after the user namespace, so owned by it: the init, its root, may
// change it.
TEST_F(HullTest, ANetworkNamespaceInAUserNamespaceHasItsLoopbackUp) {
  ProcResult r = run_sh(bundle().add_user_namespace(100000, 200000), kProbe);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(lo_up(r.out)) << r.out;
  EXPECT_NE(r.out.find("Connection refused"), std::string::npos) << r.out;
}

TEST_F(HullTest, AJoinedNetworkNamespaceKeepsItsLoopbackAsItWas) {
  // A network namespace of our own making, its lo down as the kernel made it.
  Child holder = Child::spawn({"/usr/bin/unshare", "--net", "/bin/sh", "-c", "echo ready; exec sleep 1000"});
  ASSERT_TRUE(holder.wait_for_output("ready", milliseconds(10000)));
  Bundle& b = bundle();
  for (auto& n : b.config["linux"]["namespaces"])
    if (n["type"] == "network") n["path"] = "/proc/" + std::to_string(holder.pid()) + "/ns/net";
  ProcResult r = run_sh(b, kProbe);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(lo_up(r.out)) << r.out;
  EXPECT_NE(r.out.find("Network is unreachable"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace hull::itest
