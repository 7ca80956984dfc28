// Controller enabling on a pure cgroup v2 host, as runc does it (fs2
// CreateCgroupPath): every controller of the hierarchy is enabled down to the
// container's parent whatever the limits need, and none in a cgroup that
// holds processes. Skips on hybrid hosts; the v2vm lane runs it in a VM,
// the first test also against runc (tests/vm/then_runc_reference.sh).
#include <unistd.h>

#include <set>
#include <string>

#include "base/fs.hpp"
#include "cgroups/cgroupfs.hpp"
#include "cgroups/host.hpp"
#include "pure_v2_fixture.hpp"

namespace hull::itest {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class UnifiedControllersTest : public PureV2Test {
 protected:
  // `hull create` of a sleeping container with the given cgroupsPath and
  // resources, its cgroup mounted at /sys/fs/cgroup; the host-side cgroup
  // directory, "" (and a failure) when create fails.
  std::string created(const std::string& id, const std::string& cgroups_path, const json& resources) {
    Bundle& b = bundle("bundle-" + id);
    b.config["mounts"].push_back({{"destination", "/sys/fs/cgroup"},
                                  {"type", "cgroup"},
                                  {"source", "cgroup"},
                                  {"options", {"nosuid", "noexec", "nodev", "relatime", "ro"}}});
    b.config["linux"]["cgroupsPath"] = cgroups_path;
    b.config["linux"]["resources"] = resources;
    b.args({"sleep", "1000"});
    ProcResult r = hull({"create", "--bundle", b.dir().string(), id});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    if (r.exit_code != 0) return "";
    // Where the init is, as the host sees it: the same with any runtime.
    const json s = state(id);
    const auto dirs = cgroup_dirs_of_pid(s.is_object() ? s.value("pid", 0) : 0);
    EXPECT_EQ(dirs.size(), 1u) << s.dump();
    return dirs.size() == 1 ? dirs.begin()->second.string() : "";
  }

  // cgroup.controllers of the container as it sees them (its cgroup namespace).
  std::set<std::string> controllers_inside(const std::string& id) {
    ProcResult r = hull({"exec", id, "cat", "/sys/fs/cgroup/cgroup.controllers"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return cgroups::split_words(r.out);
  }
};

std::set<std::string> words_of(const std::string& dir, const std::string& file) {
  return cgroups::split_words(cgroups::read_value(dir, file));
}

// A pids-only config under a parent cgroup that create makes (so nothing an
// earlier test enabled can help): the container still has every controller
// the parent is offered, memory and io accounting included, as with runc.
TEST_F(UnifiedControllersTest, APidsOnlyContainerHasEveryControllerItsParentIsOffered) {
  const std::string parent_name = "hull-ctl-" + std::to_string(::getpid());
  const std::string dir = created("ctlall", parent_name + "/ctlall", {{"pids", {{"limit", 100}}}});
  ASSERT_FALSE(dir.empty());
  const std::string parent = dir.substr(0, dir.rfind('/'));
  ASSERT_EQ(parent.substr(parent.rfind('/') + 1), parent_name);
  start_container("ctlall");

  const std::set<std::string> offered = words_of(parent, "cgroup.controllers");
  const std::set<std::string> root = words_of(cgroups::Host::current().v2_mount, "cgroup.controllers");
  EXPECT_EQ(words_of(parent, "cgroup.subtree_control"), offered);
  EXPECT_EQ(offered, root) << "a controller of the hierarchy was not enabled on the way down";
  const std::set<std::string> inside = controllers_inside("ctlall");
  EXPECT_EQ(inside, offered);
  EXPECT_TRUE(inside.count("memory") && inside.count("io") && inside.count("pids"));
  ProcResult r = hull({"exec", "ctlall", "sh", "-c",
                       "cat /sys/fs/cgroup/pids.max; test -f /sys/fs/cgroup/memory.current && echo memory-accounted"});
  EXPECT_EQ(r.out, "100\nmemory-accounted\n") << r.err;
}

// A container below our own cgroup, which holds this test: it runs there with
// no controllers, and our cgroup.subtree_control (and type) stay as they were.
// Here hull differs from runc on purpose: runc 1.1.5 makes the caller's
// cgroup "domain threaded" and enables cpuset, cpu and pids in it (measured
// in the VM), changing a cgroup that holds processes it does not own.
TEST_F(UnifiedControllersTest, NothingIsEnabledInACgroupThatHoldsProcesses) {
  const cgroups::Host& host = cgroups::Host::current();
  const std::string own = host.v2_mount + (host.v2_own_path == "/" ? "" : host.v2_own_path);
  if (own == host.v2_mount) GTEST_SKIP() << "the test runs in the root cgroup, which the kernel exempts";
  const std::string before = cgroups::read_value(own, "cgroup.subtree_control");
  const std::string type_before = cgroups::read_value(own, "cgroup.type");
  const std::string dir = created("ctlbusy", host.v2_own_path + "/ctlbusy", json::object());
  ASSERT_FALSE(dir.empty());
  EXPECT_EQ(dir, own + "/ctlbusy");
  start_container("ctlbusy");
  EXPECT_EQ(cgroups::read_value(own, "cgroup.subtree_control"), before);
  EXPECT_EQ(cgroups::read_value(own, "cgroup.type"), type_before);
  EXPECT_EQ(controllers_inside("ctlbusy"), words_of(own, "cgroup.subtree_control"));
  ProcResult r = hull({"exec", "ctlbusy", "cat", "/proc/self/cgroup"});
  EXPECT_EQ(r.out, "0::/\n") << r.err;
}

}  // namespace
}  // namespace hull::itest
