// A create SIGKILLed while it makes the container's cgroup (hull_fault at a
// step of that work) leaves a state.json naming every directory it made,
// the parents of a new cgroupsPath parent included, and `delete --force`
// (what clients run after a failed create) removes them all: nothing is
// left in any hierarchy. A parent that was there before the create stays.
//
// Built only in a -DHULL_FAULT_INJECTION=ON build, which defines HULL_FAULT_BINARY.
#ifdef HULL_FAULT_BINARY
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <nlohmann/json.hpp>

#include "cgroups_run_fixture.hpp"
#include "proc_files.hpp"

namespace hull::itest {
namespace {

class KilledCreateCgroupTest : public CgroupRunTest {
 protected:
  // Two levels the create makes above the container's own directory.
  std::string nested_path() const { return parent_ + "/mid/c"; }
  std::vector<std::string> dirs_of(const std::string& cgroups_path) const {
    cgroups::Paths p = cgroups::resolve_paths(cgroups_path, "", cgroups::Host::current());
    std::vector<std::string> out;
    for (const auto& [name, dir] : p.v1) out.push_back(dir);
    if (!p.v2.empty()) out.push_back(p.v2);
    return out;
  }
  static std::string parent_of(const std::string& dir) { return dir.substr(0, dir.rfind('/')); }
  static bool exists(const std::string& dir) {
    struct stat st {};
    return ::stat(dir.c_str(), &st) == 0;
  }
  // `hull_fault create`, killed at `point`: a test failure unless it died there.
  void killed_create(const std::string& path, const std::string& point) {
    Bundle& b = bundle(point);  // one per point: a test may kill several creates
    b.config["linux"]["cgroupsPath"] = path;
    b.args({"sleep", "1000"});
    ProcResult killed = run_process(fault_argv(point, {"create", "--bundle", b.dir().string(), kId}));
    ASSERT_EQ(killed.signal, SIGKILL) << "hull create did not die at " << point << ": " << killed.err;
  }
  void delete_force() {
    ProcResult d = finish_reaping_orphans(hull_background({"delete", "--force", kId}));
    EXPECT_EQ(d.exit_code, 0) << d.err;
    EXPECT_FALSE(std::filesystem::exists(state_dir(kId)));
  }
  // What a failed test left, innermost first; the fixture's TearDown
  // checks and removes parent_/c and parent_.
  void TearDown() override {
    for (const std::string& d : dirs_of(nested_path()))
      for (const std::string& dir : {d, parent_of(d)}) ::rmdir(dir.c_str());
    CgroupRunTest::TearDown();
  }
  static constexpr const char* kId = "killed";
};

// Killed right after its first parent's mkdir, and after the whole cgroup
// (every hierarchy's leaf and parents) was made and marked: the parents
// were recorded before they were made. delete --force used to remove the
// leaves and leave the parents, which no command knew of.
TEST_F(KilledCreateCgroupTest, DeleteForceRemovesTheParentsTheKilledCreateMade) {
  for (const char* point : {"create-cgroup-parent-made", "create-after-cgroup"}) {
    SCOPED_TRACE(std::string("create killed at ") + point);
    killed_create(nested_path(), point);
    const std::vector<std::string> leaves = dirs_of(nested_path());
    bool a_parent_made = false;
    for (const std::string& d : leaves) a_parent_made = a_parent_made || exists(parent_of(parent_of(d)));
    ASSERT_TRUE(a_parent_made) << "the killed create made no parent: nothing to check";
    // Every hierarchy's parents named by the first state write that names
    // any (one write, not one per hierarchy), made or not yet.
    const auto recorded = nlohmann::json::parse(
        nlohmann::json::parse(read_text_file(state_dir(kId) / "state.json"))["cgroupPath"].get<std::string>());
    for (const std::string& d : leaves)
      for (const std::string& dir : {parent_of(d), parent_of(parent_of(d))})
        EXPECT_NE(std::find(recorded["made"].begin(), recorded["made"].end(), dir), recorded["made"].end())
            << "not named in state.json: " << dir;
    delete_force();
    for (const std::string& d : leaves)
      for (const std::string& dir : {d, parent_of(d), parent_of(parent_of(d))})
        EXPECT_FALSE(exists(dir)) << "left behind: " << dir;
  }
}

// Its parent made before (as a pod's is by the kubelet), empty: the killed
// create made only its leaf, and delete --force leaves the parent.
TEST_F(KilledCreateCgroupTest, DeleteForceKeepsAParentThatWasThereBefore) {
  const std::vector<std::string> leaves = dirs_of(cgroups_path());
  for (const std::string& d : leaves)
    ASSERT_EQ(::mkdir(parent_of(d).c_str(), 0755), 0) << parent_of(d) << ": " << std::strerror(errno);
  killed_create(cgroups_path(), "create-after-cgroup");
  for (const std::string& d : leaves) ASSERT_TRUE(exists(d)) << "the killed create did not make " << d;
  delete_force();
  for (const std::string& d : leaves) {
    EXPECT_FALSE(exists(d)) << "left behind: " << d;
    EXPECT_TRUE(exists(parent_of(d))) << "removed, though made before the create: " << parent_of(d);
  }
}

}  // namespace
}  // namespace hull::itest
#endif  // HULL_FAULT_BINARY
