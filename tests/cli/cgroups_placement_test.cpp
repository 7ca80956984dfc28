// Where containers land on a pure cgroup-v2 host when hull runs from a nested
// cgroup that holds processes (a login scope, a CI job): the v2vm lane starts
// its tests in /test.slice/session.scope with a neighbour process beside them.
// Each form of cgroupsPath gets its limits (read from inside through exec,
// which joins the cgroup), the caller's own cgroup is left exactly as it was,
// and delete removes what create made. Skips on this project's hybrid hosts.
#include <signal.h>
#include <sys/stat.h>

#include <set>
#include <sstream>

#include "base/fs.hpp"
#include "cgroups/host.hpp"
#include "pure_v2_fixture.hpp"

namespace hull::itest {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string parent_of(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos || slash == 0 ? "" : path.substr(0, slash);
}

// What must not change in the caller's cgroup.
struct CallerCgroup {
  std::string subtree_control, type;
  std::set<pid_t> procs;
};

class PlacementTest : public PureV2Test {
 protected:
  void SetUp() override {
    PureV2Test::SetUp();
    if (IsSkipped()) return;
    const cgroups::Host& h = cgroups::Host::current();
    own_ = h.v2_own_path == "/" ? "" : h.v2_own_path;
    mount_ = h.v2_mount;
    tag_ = "hull-place-" + std::to_string(::getpid());
  }

  CallerCgroup caller() const {
    const std::string dir = mount_ + own_;
    CallerCgroup c;
    c.subtree_control = read_file(dir + "/cgroup.subtree_control");
    if (fs::exists(dir + "/cgroup.type")) c.type = read_file(dir + "/cgroup.type");
    std::istringstream in(read_file(dir + "/cgroup.procs"));
    for (pid_t p; in >> p;) c.procs.insert(p);
    return c;
  }
  void expect_caller_unchanged(const CallerCgroup& before) const {
    CallerCgroup now = caller();
    EXPECT_EQ(now.subtree_control, before.subtree_control) << "caller's cgroup " << own_;
    EXPECT_EQ(now.type, before.type) << "caller's cgroup " << own_;
    EXPECT_TRUE(now.procs.count(::getpid())) << "the test left its own cgroup";
    // Every process that was there and still lives is still there (the
    // neighbour above all); hull's own short-lived processes come and go.
    for (pid_t p : before.procs)
      if (::kill(p, 0) == 0) {
        EXPECT_TRUE(now.procs.count(p)) << "pid " << p << " was moved out of " << own_;
      }
  }

  // Creates and starts a container (`sleep 1000`) with cgroupsPath (erased
  // when nullopt) and resources; checks that its init is in `expected`
  // (relative to the cgroup2 mount), reads `inside` through exec, deletes it
  // and checks that `expected` and `gone_parent` (when set) no longer exist.
  std::string run_case(const std::string& id, const std::optional<std::string>& cgroups_path, const json& resources,
                       const std::string& expected, const std::string& inside, const std::string& gone_parent = "") {
    Bundle& b = bundle("bundle-" + id);
    if (cgroups_path)
      b.config["linux"]["cgroupsPath"] = *cgroups_path;
    else
      b.config["linux"].erase("cgroupsPath");
    b.config["mounts"].push_back({{"destination", "/sys/fs/cgroup"},
                                  {"type", "cgroup"},
                                  {"source", "cgroup"},
                                  {"options", {"nosuid", "noexec", "nodev", "relatime", "ro"}}});
    b.config["linux"]["resources"] = resources;
    b.args({"sleep", "1000"});
    ProcResult c = hull({"create", "--bundle", b.dir().string(), id});
    EXPECT_EQ(c.exit_code, 0) << c.err;
    if (c.exit_code != 0) return "";
    pid_t init = state(id).value("pid", 0);
    EXPECT_EQ(read_file("/proc/" + std::to_string(init) + "/cgroup"), "0::" + expected + "\n");
    start_container(id);
    ProcResult e = hull({"exec", id, "sh", "-c", inside + "; cat /proc/self/cgroup"});
    EXPECT_EQ(e.exit_code, 0) << e.err;
    ProcResult d = hull({"delete", "--force", id});
    EXPECT_EQ(d.exit_code, 0) << d.err;
    wait_exit_and_reap(init);
    EXPECT_FALSE(fs::exists(mount_ + expected)) << "left behind: " << expected;
    if (!gone_parent.empty()) {
      EXPECT_FALSE(fs::exists(mount_ + gone_parent)) << "left behind: " << gone_parent;
    }
    return e.out;
  }

  std::string own_, mount_, tag_;
};

const json kLimits = {{"memory", {{"limit", 32 << 20}}}, {"pids", {{"limit", 42}}}};
const char* kReadLimits = "cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max";

// runc's rule: the default "<id>" is relative to the parent of the caller's
// cgroup, which, unlike the caller's own, may have controllers enabled.
TEST_F(PlacementTest, NoCgroupsPathPutsTheContainerBesideTheCallersCgroup) {
  CallerCgroup before = caller();
  const std::string id = tag_ + "-default";
  EXPECT_EQ(run_case(id, std::nullopt, kLimits, parent_of(own_) + "/" + id, kReadLimits), "33554432\n42\n0::/\n");
  expect_caller_unchanged(before);
}

TEST_F(PlacementTest, RelativeCgroupsPathStartsAtTheParentOfTheCallersCgroup) {
  CallerCgroup before = caller();
  const std::string rel = tag_ + "/rel";
  EXPECT_EQ(run_case("rel", rel, kLimits, parent_of(own_) + "/" + rel, kReadLimits, parent_of(own_) + "/" + tag_),
            "33554432\n42\n0::/\n");
  expect_caller_unchanged(before);
}

TEST_F(PlacementTest, AbsoluteCgroupsPathStartsAtTheHierarchyRoot) {
  CallerCgroup before = caller();
  const std::string abs = "/" + tag_ + "/abs";
  EXPECT_EQ(run_case("abs", abs, kLimits, abs, kReadLimits, "/" + tag_), "33554432\n42\n0::/\n");
  expect_caller_unchanged(before);
}

// A threaded controller alone: enabled where the caller's cgroup holds
// processes, it would have made that cgroup a thread root (issue #13).
TEST_F(PlacementTest, APidsOnlyLimitLeavesTheCallersCgroupADomain) {
  CallerCgroup before = caller();
  const std::string rel = tag_ + "/pids";
  EXPECT_EQ(run_case("pids", rel, {{"pids", {{"limit", 7}}}}, parent_of(own_) + "/" + rel,
                     "cat /sys/fs/cgroup/pids.max", parent_of(own_) + "/" + tag_),
            "7\n0::/\n");
  expect_caller_unchanged(before);
}

// The caller's own cgroup holds processes: a cgroupsPath that needs
// controllers enabled there is refused with the rule and the remedy, before
// anything in it changes.
TEST_F(PlacementTest, AParentHoldingProcessesIsRefusedWithTheRemedy) {
  if (own_.empty()) GTEST_SKIP() << "the test runs in the root cgroup (the VM lane nests it)";
  CallerCgroup before = caller();
  if (before.subtree_control.find("memory") != std::string::npos)
    GTEST_SKIP() << "the caller's cgroup already has memory enabled for its children";
  Bundle& b = bundle();
  b.config["linux"]["cgroupsPath"] = own_ + "/" + tag_;  // a child of the caller's cgroup
  b.config["linux"]["resources"] = {{"memory", {{"limit", 32 << 20}}}};
  b.args({"true"});
  ProcResult r = hull({"run", "--bundle", b.dir().string(), "busy"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find(mount_ + own_ + "/cgroup.subtree_control: the cgroup holds processes"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("no-internal-process rule"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(mount_ + own_ + "/" + tag_));
  expect_caller_unchanged(before);
}

}  // namespace
}  // namespace hull::itest
