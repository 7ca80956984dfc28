// What hull recorded, drifted from the host by hand: the container's init
// moved to another cgroup in some hierarchies or in all, its cgroup renamed,
// its saved config truncated. runc signals the init by pid and start time
// alone; hull also wants the cgroup's owner marks to vouch for it (a damaged
// state.json must not aim a kill at a bystander: hostile_state_test.cpp),
// and must still act where they do, and say what to do where they cannot.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

#include "at_scope_exit.hpp"
#include "harness.hpp"
#include "proc_files.hpp"

namespace hull::itest {
namespace {

namespace fs = std::filesystem;

class CgroupDrift : public HullTest {
 protected:
  // Moves pid into a new sibling "<dir>-moved" of each of the given
  // hierarchies' directories (cgroup_dirs_of_pid keys), remembered for
  // removal. A v1 cpuset takes no process until given its parent's cpus and
  // memory nodes.
  void move_to_siblings(pid_t pid, const std::vector<std::string>& hierarchies) {
    std::map<std::string, fs::path> dirs = cgroup_dirs_of_pid(pid);
    for (const std::string& h : hierarchies) {
      const fs::path sibling = dirs.at(h).string() + "-moved";
      ASSERT_TRUE(fs::create_directory(sibling)) << sibling;
      made_.push_back(sibling);
      if (h.find("cpuset") != std::string::npos)
        for (const char* file : {"cpuset.cpus", "cpuset.mems"})
          std::ofstream(sibling / file) << read_text_file(sibling.parent_path() / file) << std::flush;
      std::ofstream(sibling / "cgroup.procs") << pid << std::flush;
    }
    std::map<std::string, fs::path> now = cgroup_dirs_of_pid(pid);
    for (const std::string& h : hierarchies) ASSERT_EQ(now.at(h), dirs.at(h).string() + "-moved") << h;
  }

  // The hierarchies (cgroup_dirs_of_pid keys) in which pid runs in the
  // cgroup that id's state.json records.
  std::vector<std::string> container_hierarchies(const std::string& id, pid_t pid) {
    std::optional<InitRecord> rec = recorded_init(id);
    std::vector<std::string> out;
    if (!rec || rec->cgroup_path.empty()) return out;
    const std::vector<fs::path> recorded = existing_cgroup_dirs(rec->cgroup_path);
    for (const auto& [hierarchy, dir] : cgroup_dirs_of_pid(pid))
      if (std::find(recorded.begin(), recorded.end(), dir) != recorded.end()) out.push_back(hierarchy);
    return out;
  }

  // Renames each of the container's cgroup directories that the kernel lets
  // rename ("<dir>-renamed"): v1's; cgroup2 refuses. Returns how many.
  size_t rename_cgroup(const std::string& id) {
    std::optional<InitRecord> rec = recorded_init(id);
    size_t renamed = 0;
    for (const fs::path& dir : existing_cgroup_dirs(rec ? rec->cgroup_path : "")) {
      const fs::path to = dir.string() + "-renamed";
      if (::rename(dir.c_str(), to.c_str()) != 0) continue;
      made_.push_back(to);
      ++renamed;
    }
    return renamed;
  }

  void TearDown() override {
    HullTest::TearDown();
    for (const fs::path& dir : made_) ::rmdir(dir.c_str());
  }

 private:
  std::vector<fs::path> made_;
};

// In some hierarchies the init was moved to a sibling cgroup; in one it
// stays in the container's: kill signals it, with a warning, and delete
// removes the container.
TEST_F(CgroupDrift, AnInitMovedOutInSomeHierarchiesIsStillSignalled) {
  pid_t init = create_container("partly");
  ASSERT_GT(init, 0);
  start_container("partly");
  std::vector<std::string> moved = container_hierarchies("partly", init);
  if (moved.size() < 2) GTEST_SKIP() << "one cgroup hierarchy (pure cgroup v2): nothing to move it out of in part";
  moved.erase(moved.begin());
  ASSERT_NO_FATAL_FAILURE(move_to_siblings(init, moved));

  ProcResult k = hull({"kill", "partly", "KILL"});
  EXPECT_EQ(k.exit_code, 0) << k.err;
  EXPECT_NE(k.err.find("runs outside the cgroup"), std::string::npos) << k.err;
  EXPECT_TRUE(wait_exit_reaping_orphans(init, milliseconds(10000))) << "the init was not killed";
  ProcResult d = hull({"delete", "partly"});
  EXPECT_EQ(d.exit_code, 0) << d.err;
  expect_nothing_left("partly");
}

// The container's cgroup renamed by hand (its marks go with it): ps says
// where to look instead of listing nothing, and delete --force kills the
// init and removes the container, as runc does.
TEST_F(CgroupDrift, AnInitInARenamedCgroupIsKilledByDeleteForce) {
  pid_t init = create_container("renamed");
  ASSERT_GT(init, 0);
  start_container("renamed");
  if (rename_cgroup("renamed") == 0) GTEST_SKIP() << "no cgroup directory here may be renamed (cgroup2's may not)";

  ProcResult ps = hull({"ps", "renamed"});
  EXPECT_TRUE(failed_with(ps, {"holds no process", "/proc/" + std::to_string(init) + "/cgroup"})) << ps.out;
  ProcResult d = hull({"delete", "--force", "renamed"});
  EXPECT_EQ(d.exit_code, 0) << d.err;
  EXPECT_NE(d.err.find("runs outside the cgroup"), std::string::npos) << d.err;
  EXPECT_TRUE(wait_exit_reaping_orphans(init, milliseconds(10000))) << "the init was not killed";
  expect_nothing_left("renamed");
}

// Moved out of every cgroup of the container: nothing vouches for the
// recorded pid, which is refused as a damaged record would be; the message
// says how to end it if it is the container's, and that advice works.
TEST_F(CgroupDrift, AnInitMovedOutOfEveryCgroupIsRefusedWithAWayOut) {
  pid_t init = create_container("outside");
  ASSERT_GT(init, 0);
  start_container("outside");
  std::vector<std::string> all = container_hierarchies("outside", init);
  ASSERT_FALSE(all.empty());
  ASSERT_NO_FATAL_FAILURE(move_to_siblings(init, all));

  const std::string advice = "`kill -KILL " + std::to_string(init) + "` ends it";
  for (std::vector<std::string> cmd : std::vector<std::vector<std::string>>{{"kill", "outside", "KILL"},
                                                                            {"delete", "--force", "outside"}}) {
    ProcResult r = hull(cmd);
    EXPECT_TRUE(failed_with(r, {"is not in the container's cgroup", advice})) << cmd[0];
  }
  ProcResult ps = hull({"ps", "outside"});
  EXPECT_TRUE(failed_with(ps, {"holds no process"})) << ps.out;
  EXPECT_TRUE(alive_and_not_being_killed(init)) << "a refused command killed it";
  ASSERT_EQ(::kill(init, SIGKILL), 0);
  ASSERT_TRUE(wait_exit_reaping_orphans(init, milliseconds(10000)));
  ProcResult d = hull({"delete", "outside"});
  EXPECT_EQ(d.exit_code, 0) << d.err;
  expect_nothing_left("outside");
}

// A saved config truncated (a full disk when update rewrote it, an edit by
// hand) in a container with hooks: delete --force still removes it, saying
// its poststop hooks do not run, where every retry failed on the parse.
TEST_F(CgroupDrift, DeleteForceRemovesAContainerWhoseSavedConfigIsTruncated) {
  Bundle& b = bundle("bundle-hooked");
  const fs::path ran = temp_dir() / "poststop-ran";
  b.config["hooks"]["poststop"] = {{{"path", "/bin/touch"}, {"args", {"touch", ran.string()}}}};
  b.args({"sleep", "1000"});
  ProcResult c = hull({"create", "--bundle", b.dir().string(), "hooked"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  const fs::path saved = state_dir("hooked") / "config.json";
  const std::string text = read_text_file(saved);
  ASSERT_GT(text.size(), 100u);
  std::ofstream(saved, std::ios::trunc) << text.substr(0, text.size() / 2);

  ProcResult d = hull({"delete", "--force", "hooked"});
  EXPECT_EQ(d.exit_code, 0) << d.err;
  EXPECT_NE(d.err.find("its poststop hooks are not run"), std::string::npos) << d.err;
  EXPECT_NE(d.err.find(saved.string()), std::string::npos) << d.err;
  EXPECT_FALSE(fs::exists(ran));
  expect_nothing_left("hooked");
}

}  // namespace
}  // namespace hull::itest
