// `hull exec` racing `hull delete --force` of the same container (issue #12,
// point 5: this pair hung in one of two runs once). Each round starts a
// container, execs into it (long-running processes already in, and more
// starting while the delete runs) and force-deletes it. Every command must
// finish (bounded), an exec either ran (0), was killed with the container
// (SIGKILL: 137) or failed with a message that says why (the state machine's
// refusal when it came too late, or the container vanishing under it), and
// nothing is left: state dir, cgroup, process, or an fd of ours.
#include <dirent.h>
#include <signal.h>

#include <filesystem>
#include <thread>

#include "harness.hpp"

namespace hull::itest {
namespace {

namespace fs = std::filesystem;

size_t count_open_fds() {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

class ExecDeleteRace : public HullTest {};

TEST_F(ExecDeleteRace, ExecRacingForceDeleteNeverHangsOrLeaks) {
  Bundle& b = bundle();
  b.args({"sleep", "1000"});
  const std::string id = "race";
  const size_t fds_before = count_open_fds();
  // What an exec that lost the race may say: the state machine's refusals,
  // or the container disappearing between the check and the exec.
  const std::vector<std::string> known = {"does not exist",
                                          "cannot exec in container",
                                          "the container's init has exited",
                                          "join the container's namespaces",
                                          "clone3 the exec process",
                                          "the exec process was killed before it started"};
  int ran = 0, killed = 0, refused = 0;
  for (int round = 0; round < 15 && !HasFailure(); ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    ProcResult c = hull({"create", "--bundle", b.dir().string(), id});
    ASSERT_EQ(c.exit_code, 0) << c.err;
    start_container(id);
    SpawnOptions opts;
    opts.timeout = milliseconds(20000);
    // Two already inside (the delete must kill them: one detached, one
    // whose `hull exec` waits for it), then more racing the delete.
    ProcResult detached = hull({"exec", "--detach", id, "sleep", "30"});
    ASSERT_EQ(detached.exit_code, 0) << detached.err;
    std::vector<Child> execs;
    execs.push_back(hull_background({"exec", id, "sleep", "30"}, opts));
    for (int i = 0; i < 4; ++i) execs.push_back(hull_background({"exec", id, "true"}, opts));
    std::this_thread::sleep_for(std::chrono::microseconds(round * 3000));  // spread the race over rounds
    Child del = hull_background({"delete", "--force", id}, opts);
    for (int i = 0; i < 4; ++i) execs.push_back(hull_background({"exec", id, "true"}, opts));

    // Reaps only zombies of the container's pid namespace, never the execs.
    ProcResult d = finish_reaping_orphans(std::move(del));
    EXPECT_FALSE(d.timed_out) << "delete --force hung";
    EXPECT_EQ(d.exit_code, 0) << d.err;
    for (Child& e : execs) {
      ProcResult r = e.finish();
      EXPECT_FALSE(r.timed_out) << "exec hung";
      if (r.exit_code == 0) {
        ++ran;
      } else if (r.exit_code == 128 + SIGKILL) {
        ++killed;
      } else {
        ++refused;
        EXPECT_EQ(r.exit_code, kExecFailed) << r.err;
        bool says_why = false;
        for (const auto& k : known) says_why = says_why || r.err.find(k) != std::string::npos;
        EXPECT_TRUE(says_why) << "unexplained exec failure: " << r.err;
      }
    }
    // The id is gone and reusable: nothing of the container is left.
    EXPECT_TRUE(failed_with(hull({"state", id}), {"does not exist"}));
    for (const auto& dir : existing_cgroup_dirs(b.config["linux"]["cgroupsPath"]))
      ADD_FAILURE() << "cgroup left: " << dir;
    expect_nothing_left(id);
  }
  EXPECT_EQ(count_open_fds(), fds_before) << "fds leaked into the test process";
  std::printf("exec outcomes: %d ran, %d killed with the container, %d refused\n", ran, killed, refused);
  EXPECT_GT(killed + refused, 0) << "no exec ever met the delete: the race was not exercised";
}

}  // namespace
}  // namespace hull::itest
