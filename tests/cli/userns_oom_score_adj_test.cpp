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

// `exec -t` into a container with its own user namespace (podman --uidmap,
// Kubernetes' hostUsers: false): the pty belongs to the process's user,
// root's or not, who can reopen it by name (su, script, screen), as under
// runc, which becomes the namespace's root before it opens the pty. Opened
// as the host's root, unmapped there, it was owned by the overflow uid and
// could not be given to uid 1000 (EPERM).
TEST_F(HullTest, ExecWithATerminalInAUserNamespaceGivesThePtyToItsUser) {
  Bundle& b = bundle();
  ASSERT_TRUE(remap_with_oom_score_adj(b, 0));
  b.args({"sleep", "1000"});
  ProcResult c = hull({"create", "--bundle", b.dir().string(), "ttyuserns"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  start_container("ttyuserns");
  ProcResult root =
      hull({"exec", "-t", "ttyuserns", "sh", "-c", "stat -c 'owner %u' $(tty); (exec 3<>$(tty)) && echo reopened"});
  EXPECT_EQ(root.exit_code, 0) << root.out << root.err;
  // The caller's stdio are pipes here: the output comes as the program wrote
  // it (the pty turns no "\n" into "\r\n", as under runc).
  EXPECT_NE(root.out.find("owner 0\n"), std::string::npos) << root.out;
  EXPECT_NE(root.out.find("reopened"), std::string::npos) << root.out;
  ProcResult user = hull({"exec", "-t", "--user", "1000:1000", "ttyuserns", "sh", "-c", "stat -c '%u' $(tty); id -u"});
  EXPECT_EQ(user.exit_code, 0) << user.out << user.err;
  EXPECT_NE(user.out.find("1000\n1000"), std::string::npos) << user.out;
}

// podman lists the host's /dev/ptmx among the devices for --privileged (and
// --device /dev/ptmx): /dev/ptmx stays the link to the container's own
// devpts, as runc makes it. In a user namespace, where mknod is refused,
// the host's node bound there could not be replaced (EBUSY) and create failed.
TEST_F(HullTest, APtmxDeviceInTheConfigLeavesTheLinkToTheContainersDevpts) {
  for (bool userns : {false, true}) {
    Bundle& b = bundle(userns ? "bundle-ptmx-userns" : "bundle-ptmx");
    if (userns) {
      ASSERT_TRUE(remap_with_oom_score_adj(b, 0));
    }
    b.config["linux"]["devices"] = {
        {{"path", "/dev/ptmx"}, {"type", "c"}, {"major", 5}, {"minor", 2}, {"fileMode", 0666}, {"uid", 0}, {"gid", 0}}};
    ProcResult r = run_sh(b, "readlink /dev/ptmx", userns ? "ptmxuserns" : "ptmx");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "pts/ptmx\n") << "user namespace: " << userns;
  }
}

}  // namespace
}  // namespace hull::itest
