// The container lifecycle through the CLI: create, start, kill, delete, and
// what `hull state` reports at each step.
#include <signal.h>

#include <fstream>
#include <string>

#include "harness.hpp"

namespace hull::itest {
namespace {

namespace fs = std::filesystem;

std::string read_all(const fs::path& p) {
  std::ifstream f(p);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

TEST_F(HullTest, CreateLeavesInitWaitingAndRecordsIt) {
  Bundle& b = bundle();
  b.args({"sleep", "1000"});
  const fs::path pid_file = temp_dir() / "init.pid";
  ProcResult r = hull({"create", "--bundle", b.dir().string(), "--pid-file", pid_file.string(), "lc"});
  ASSERT_EQ(r.exit_code, 0) << r.err;

  nlohmann::json s = state("lc");
  ASSERT_TRUE(s.is_object());
  EXPECT_EQ(s.value("id", ""), "lc");
  EXPECT_EQ(s.value("status", ""), "created");
  EXPECT_EQ(s.value("bundle", ""), b.dir().string());
  const pid_t pid = s.value("pid", 0);
  ASSERT_GT(pid, 0);
  EXPECT_EQ(read_all(pid_file), std::to_string(pid)) << "the pid file must hold the init pid";
  EXPECT_TRUE(pid_alive(pid)) << "the created container's init must exist before start";
  EXPECT_TRUE(fs::exists(state_dir("lc") / "state.json"));
}

TEST_F(HullTest, StartMakesCreatedContainerRunning) {
  const pid_t pid = create_container("lc");
  ASSERT_GT(pid, 0);
  ProcResult r = hull({"start", "lc"});
  ASSERT_EQ(r.exit_code, 0) << r.err;

  nlohmann::json s = state("lc");
  ASSERT_TRUE(s.is_object());
  EXPECT_EQ(s.value("status", ""), "running");
  EXPECT_EQ(s.value("pid", 0), pid) << "start must not replace the init";
  EXPECT_TRUE(pid_alive(pid));
}

TEST_F(HullTest, KillStopsRunningContainer) {
  const pid_t pid = create_container("lc");
  ASSERT_GT(pid, 0);
  start_container("lc");
  ProcResult r = hull({"kill", "lc", "KILL"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The init is our child (we are its subreaper): it stays a zombie until we
  // reap it, and a zombie init already counts as stopped.
  ASSERT_TRUE(wait_pid_exit(pid, milliseconds(10000))) << "init " << pid << " survived SIGKILL";

  nlohmann::json zombie = state("lc");
  ASSERT_TRUE(zombie.is_object());
  EXPECT_EQ(zombie.value("status", ""), "stopped");

  ASSERT_TRUE(wait_exit_and_reap(pid));
  nlohmann::json reaped = state("lc");
  ASSERT_TRUE(reaped.is_object());
  EXPECT_EQ(reaped.value("status", ""), "stopped");
}

TEST_F(HullTest, DeleteRemovesStoppedContainer) {
  const pid_t pid = create_container("lc");
  ASSERT_GT(pid, 0);
  start_container("lc");
  ASSERT_EQ(hull({"kill", "lc", "KILL"}).exit_code, 0);
  ASSERT_TRUE(wait_exit_and_reap(pid));

  ProcResult del = hull({"delete", "lc"});
  ASSERT_EQ(del.exit_code, 0) << del.err;
  ProcResult st = hull({"state", "lc"});
  EXPECT_EQ(st.exit_code, 1);
  EXPECT_NE(st.err.find("container \"lc\" does not exist"), std::string::npos) << st.err;
  expect_nothing_left("lc");
}

TEST_F(HullTest, DeleteRemovesCreatedContainerAndItsInit) {
  const pid_t pid = create_container("lc");
  ASSERT_GT(pid, 0);
  ProcResult del = hull({"delete", "lc"});
  ASSERT_EQ(del.exit_code, 0) << del.err;
  EXPECT_TRUE(wait_exit_and_reap(pid)) << "deleting a created container must end its waiting init";
  expect_nothing_left("lc");
}

TEST_F(HullTest, ForceDeleteKillsRunningContainer) {
  const pid_t pid = create_container("lc");
  ASSERT_GT(pid, 0);
  start_container("lc");
  ProcResult del = hull({"delete", "--force", "lc"});
  ASSERT_EQ(del.exit_code, 0) << del.err;
  EXPECT_TRUE(wait_exit_and_reap(pid)) << "init " << pid << " survived delete --force";
  expect_nothing_left("lc");
}

}  // namespace
}  // namespace hull::itest
