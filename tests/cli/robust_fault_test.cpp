// hull killed half-way: for every fault point (src/base/fault.hpp) that
// create, run --detach, start, exec, pause, update and delete reach, the verb is run by
// hull_fault with HULL_FAULT naming that point, so hull (or the container's
// init, for the init-* points) dies there as an OOM kill would kill it. Then
// the release hull must still serve the container: `state` answers (or says
// the container does not exist), `list` works, `delete --force` succeeds,
// nothing is left (state dir, mount, cgroup, process), and a new create of
// the same id works. The same with a plain SIGKILL at a random moment of
// create (seeded: HULL_FAULT_SEED=<n> replays).
//
// Built only in a -DHULL_FAULT_INJECTION=ON build, which defines HULL_FAULT_BINARY.
#ifdef HULL_FAULT_BINARY
#include <signal.h>
#include <sys/wait.h>
#include <sys/xattr.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <set>
#include <thread>

#include "harness.hpp"

namespace hull::itest {
namespace {

namespace fs = std::filesystem;

enum class Verb { Create, Run, Start, Exec, Pause, Update, Delete };

const char* verb_name(Verb v) {
  switch (v) {
    case Verb::Create: return "create";
    case Verb::Run: return "run";
    case Verb::Start: return "start";
    case Verb::Exec: return "exec";
    case Verb::Pause: return "pause";
    case Verb::Update: return "update";
    case Verb::Delete: return "delete";
  }
  return "?";
}

class FaultTest : public HullTest {
 protected:
  void SetUp() override {
    HullTest::SetUp();
    b_ = &bundle();
    // In a parent of its own, which create makes and delete removes: a
    // fault may come while create makes the parent too.
    parent_cgroups_path_ = b_->config["linux"]["cgroupsPath"].get<std::string>();
    b_->config["linux"]["cgroupsPath"] = parent_cgroups_path_ + "/c";
    b_->args({"sleep", "1000"});  // writes config.json
  }

  std::vector<std::string> verb_args(Verb v) const {
    switch (v) {
      case Verb::Create: return {"create", "--bundle", b_->dir().string(), kId};
      case Verb::Run: return {"run", "--detach", "--bundle", b_->dir().string(), kId};
      case Verb::Start: return {"start", kId};
      case Verb::Exec: return {"exec", kId, "true"};
      case Verb::Pause: return {"pause", kId};
      case Verb::Update: return {"update", "--pids-limit", "50", kId};
      case Verb::Delete: return {"delete", "--force", kId};
    }
    return {};
  }

  // Brings the container to where the verb applies, with the release hull.
  void prepare(Verb v) {
    if (v == Verb::Create || v == Verb::Run) return;
    ProcResult r = hull({"create", "--bundle", b_->dir().string(), kId});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    if (v == Verb::Start) return;
    r = hull({"start", kId});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  // hull_fault running the verb, dying at `point` ("" for none); the points
  // it reached are appended to `list` when given.
  ProcResult run_fault(Verb v, const std::string& point, const fs::path& list = {}) {
    std::vector<std::string> argv{
        "/usr/bin/env", "HULL_FAULT=" + point, "HULL_FAULT_LIST=" + list.string(), HULL_FAULT_BINARY,
        "--root",       state_root().string()};
    for (auto& a : verb_args(v)) argv.push_back(a);
    return run_process(argv);
  }

  // The points one run of the verb reaches, in order, without repeats.
  std::vector<std::string> points_of(Verb v) {
    prepare(v);
    if (HasFatalFailure()) return {};
    const fs::path list = temp_dir() / ("points-" + std::string(verb_name(v)));
    ProcResult r = run_fault(v, "", list);
    EXPECT_EQ(r.exit_code, 0) << verb_name(v) << ": " << r.err;
    std::vector<std::string> out;
    std::set<std::string> seen;
    std::ifstream in(list);
    for (std::string line; std::getline(in, line);)
      if (seen.insert(line).second) out.push_back(line);
    hull({"delete", "--force", kId});
    expect_clean_slate();
    return out;
  }

  // After a fault: the release hull still answers and cleans up, and the id is reusable.
  void expect_recoverable(const std::string& what) {
    SCOPED_TRACE(what);
    ProcResult st = hull({"state", kId});
    EXPECT_FALSE(st.timed_out);
    EXPECT_EQ(st.signal, 0);
    if (st.exit_code != 0) {
      EXPECT_NE(st.err.find("does not exist"), std::string::npos) << "state: " << st.err;
    }
    ProcResult ls = hull({"list"});
    EXPECT_EQ(ls.exit_code, 0) << "list: " << ls.err;
    ProcResult del = finish_reaping_orphans(hull_background({"delete", "--force", kId}));
    EXPECT_EQ(del.exit_code, 0) << "delete --force: " << del.err;
    expect_clean_slate();
    ProcResult again = hull({"create", "--bundle", b_->dir().string(), kId});
    EXPECT_EQ(again.exit_code, 0) << "create of the same id after the fault: " << again.err;
    hull({"delete", "--force", kId});
    expect_clean_slate();
  }

  // Fails the test for each leftover, then removes it (the test's own
  // uniquely named cgroup and what runs in it), so one finding does not make
  // every later case fail.
  void expect_clean_slate() {
    for (const std::string& path : {b_->config["linux"]["cgroupsPath"].get<std::string>(), parent_cgroups_path_})
      for (const auto& dir : existing_cgroup_dirs(path)) {
        ADD_FAILURE() << "cgroup left: " << dir;
        std::ifstream procs(dir / "cgroup.procs");
        for (pid_t pid; procs >> pid;) {
          ADD_FAILURE() << "process left in " << dir << ": " << pid;
          ::kill(pid, SIGKILL);
          wait_exit_and_reap(pid);
        }
        ::rmdir(dir.c_str());
      }
    expect_nothing_left(kId);
  }

  void fault_every_point(Verb v) {
    std::vector<std::string> points = points_of(v);
    ASSERT_FALSE(points.empty()) << verb_name(v) << " reached no fault point";
    for (const std::string& point : points) {
      SCOPED_TRACE(std::string(verb_name(v)) + " with HULL_FAULT=" + point);
      prepare(v);
      if (HasFatalFailure()) return;  // no container to fault: the rest would only pile up
      ProcResult r = run_fault(v, point);
      EXPECT_FALSE(r.timed_out) << "hull " << verb_name(v) << " hung";
      if (point.rfind("exec-process-", 0) == 0) {
        // The exec process died before its execve, as its program might
        // have: hull exec reports the SIGKILL as the program's end.
        EXPECT_EQ(r.exit_code, 128 + SIGKILL) << r.err;
      } else if (point.rfind("init-", 0) == 0 || point.rfind("exec-helper-", 0) == 0) {
        // The init or exec's helper died: the verb reports it (or, after
        // start, the container is stopped).
        if (r.exit_code == 0) {
          EXPECT_EQ(status(kId), "stopped");
        } else {
          EXPECT_EQ(r.exit_code, v == Verb::Exec ? kExecFailed : 1) << r.err;
        }
      } else {
        EXPECT_EQ(r.signal, SIGKILL) << "hull " << verb_name(v) << " did not die at " << point << ": exit "
                                     << r.exit_code << " " << r.err;
      }
      expect_recoverable("after the fault");
    }
    std::printf("%s: %zu fault points\n", verb_name(v), points.size());
  }

  static constexpr const char* kId = "fault";
  Bundle* b_ = nullptr;
  std::string parent_cgroups_path_;
};

TEST_F(FaultTest, Create) { fault_every_point(Verb::Create); }
// create and start in one process: every point of both.
TEST_F(FaultTest, RunDetached) { fault_every_point(Verb::Run); }
TEST_F(FaultTest, Start) { fault_every_point(Verb::Start); }
TEST_F(FaultTest, Exec) { fault_every_point(Verb::Exec); }
TEST_F(FaultTest, Pause) { fault_every_point(Verb::Pause); }
TEST_F(FaultTest, Update) { fault_every_point(Verb::Update); }
TEST_F(FaultTest, Delete) { fault_every_point(Verb::Delete); }

// The init dies right after start released it: the container is reported
// stopped, and delete cleans up.
TEST_F(FaultTest, InitDiesRightAfterStart) {
  ProcResult r = run_fault(Verb::Create, "init-after-start");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ProcResult s = hull({"start", kId});
  EXPECT_FALSE(s.timed_out);
  EXPECT_EQ(s.signal, 0);
  std::optional<InitRecord> init = recorded_init(kId);
  ASSERT_TRUE(init.has_value());
  EXPECT_TRUE(wait_exit_and_reap(init->pid));
  EXPECT_EQ(status(kId), "stopped");
  expect_recoverable("after the init died");
}

// create killed after its init said Ready, before the state recorded the
// init: nothing points to that init (the state has no pid and reads
// stopped, kill refuses it) while it would hold the caller's stdio and wait
// for a start. It exits by itself instead, as it would had it died with
// create before Ready.
TEST_F(FaultTest, CreateKilledBeforeItRecordedItsReadyInitLeavesNoInitBehind) {
  ProcResult r = run_fault(Verb::Create, "create-after-ready");
  ASSERT_EQ(r.signal, SIGKILL) << r.err;
  // The init (re-parented to us) may have gone already; one still there
  // must go without being killed.
  std::set<pid_t> left;  // one init, in each hierarchy
  for (const auto& dir : existing_cgroup_dirs(b_->config["linux"]["cgroupsPath"].get<std::string>())) {
    std::ifstream procs(dir / "cgroup.procs");
    for (pid_t pid; procs >> pid;) left.insert(pid);
  }
  for (pid_t pid : left) EXPECT_TRUE(wait_exit_and_reap(pid)) << "the init " << pid << " outlived its create";
  EXPECT_EQ(status(kId), "stopped");
  expect_recoverable("after create was killed before its record");
}

// run killed after it recorded "running", before it sent its init Start
// over the sync channel (which it does while the init still sets up): the
// init dies with it (its parent-death signal stays until it has Start; with
// a start socket it would wait there for a start that never comes), so the
// container is stopped, not a half-started one.
TEST_F(FaultTest, RunKilledBeforeItReleasedItsInitLeavesAStoppedContainer) {
  ProcResult r = run_fault(Verb::Run, "run-after-running-state");
  ASSERT_EQ(r.signal, SIGKILL) << r.err;
  std::optional<InitRecord> init = recorded_init(kId);
  ASSERT_TRUE(init.has_value());
  EXPECT_TRUE(wait_exit_and_reap(init->pid)) << "the init still waits after its run was killed";
  EXPECT_EQ(status(kId), "stopped");
  expect_recoverable("after run was killed before the release");
}

// run killed once its init had Start (which run sends, without runtime
// hooks, before the init is ready; killed here at the init's Ready, which
// comes after): the init goes on alone and runs the program, which the state
// records as running, never under the "creating" record.
TEST_F(FaultTest, RunKilledAfterItReleasedItsInitLeavesARunningContainer) {
  ProcResult r = run_fault(Verb::Run, "create-after-ready");
  ASSERT_EQ(r.signal, SIGKILL) << r.err;
  std::optional<InitRecord> init = recorded_init(kId);
  ASSERT_TRUE(init.has_value());
  EXPECT_EQ(status(kId), "running");
  // The init's execve comes after run died: bounded wait for the program.
  std::string comm;
  for (int i = 0; i < 400 && comm != "sleep"; ++i) {
    std::ifstream in("/proc/" + std::to_string(init->pid) + "/comm");
    std::getline(in, comm);
    if (comm != "sleep") std::this_thread::sleep_for(milliseconds(25));
  }
  EXPECT_EQ(comm, "sleep") << "the released init did not run the program";
  expect_recoverable("after run was killed after the release");
}

// SIGKILL at a random moment of create, as a node drain would.
// Killed right after the clone, where the init is already in its v2 cgroup
// (CLONE_INTO_CGROUP) and the runtime has yet to make the rest: that cgroup
// carries the container's mark, so delete --force never finds a process in
// a cgroup it must refuse as unmarked.
TEST_F(FaultTest, CreateKilledRightAfterTheCloneLeavesItsV2CgroupMarked) {
  ProcResult r = run_fault(Verb::Create, "launch-after-clone");
  EXPECT_EQ(r.signal, SIGKILL) << r.err;
  // state.json was written before the clone; its cgroupPath names the v2 directory.
  std::ifstream in(state_dir(kId) / "state.json");
  const nlohmann::json st = nlohmann::json::parse(in, nullptr, false);
  ASSERT_TRUE(st.is_object() && st.contains("cgroupPath")) << "no state.json with a cgroupPath";
  const nlohmann::json cg = nlohmann::json::parse(st["cgroupPath"].get<std::string>(), nullptr, false);
  const std::string dir = cg.is_object() && cg.contains("v2") ? cg["v2"].get<std::string>() : "";
  if (dir.empty()) {
    expect_recoverable("after the fault");
    GTEST_SKIP() << "the container has no v2 cgroup on this host";
  }
  char mark[512] = {};
  ssize_t n = ::getxattr(dir.c_str(), "trusted.hull.owner", mark, sizeof mark - 1);
  EXPECT_GT(n, 0) << dir << ": " << std::strerror(errno);
  EXPECT_NE(std::string(mark).find(kId), std::string::npos) << mark;
  expect_recoverable("after the fault");
}

TEST_F(FaultTest, CreateKilledAtRandomTimes) {
  uint64_t seed = std::random_device{}();
  if (const char* s = std::getenv("HULL_FAULT_SEED"); s && *s) seed = std::strtoull(s, nullptr, 10);
  std::printf("kill -9 seed %llu (replay: HULL_FAULT_SEED=%llu)\n", static_cast<unsigned long long>(seed),
              static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 20 && !HasFailure(); ++i) {
    const auto delay = std::chrono::microseconds(std::uniform_int_distribution<int>(0, 30000)(rng));
    SCOPED_TRACE("kill after " + std::to_string(delay.count()) + "us, seed " + std::to_string(seed));
    Child c = hull_background({"create", "--bundle", b_->dir().string(), kId});
    std::this_thread::sleep_for(delay);  // the test's own timing, not a sync in hull
    ::kill(c.pid(), SIGKILL);
    ProcResult r = c.finish();
    EXPECT_FALSE(r.timed_out);
    expect_recoverable("after kill -9");
  }
}

// The launch helper (a new pid namespace beside a user namespace joined by
// path: runtime/launcher.cpp clones the init from a helper that joined
// first) fails after its joins, or after it cloned the init but before it
// reported the init's pid. create fails with an error naming the helper and
// leaves nothing: no state dir, no cgroup, and no process, not even the
// init the helper cloned as hull's child (hull never learnt its pid): no
// process but the owner's init is handed to us as an orphan when hull exits.
TEST_F(FaultTest, LaunchHelperDyingLeavesNothing) {
  Bundle& owner = bundle("bundle-owner");
  owner.config["linux"]["namespaces"].push_back({{"type", "user"}});
  owner.config["linux"]["uidMappings"] = {{{"containerID", 0}, {"hostID", 300000}, {"size", 65536}}};
  owner.config["linux"]["gidMappings"] = {{{"containerID", 0}, {"hostID", 300000}, {"size", 65536}}};
  owner.args({"sleep", "1000"});
  ProcResult o = hull({"create", "--bundle", owner.dir().string(), "fault-owner"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const pid_t owner_pid = state("fault-owner").value("pid", 0);
  ASSERT_GT(owner_pid, 0);
  // The pid namespace stays new (the default bundle's): the helper is needed.
  b_->config["linux"]["namespaces"].push_back(
      {{"type", "user"}, {"path", "/proc/" + std::to_string(owner_pid) + "/ns/user"}});
  b_->write();
  // Reaps the inits earlier runs' deletes left us (orphans of a nested pid
  // namespace), so that a process found after a fault is that fault's.
  auto reap_all_but_owner = [&] {
    for (pid_t pid : children_of_self())
      if (pid != owner_pid && !wait_exit_and_reap(pid)) ADD_FAILURE() << "process not ending: " << pid;
  };
  std::vector<std::string> reached;
  {
    const fs::path list = temp_dir() / "points-helper";
    ProcResult r = run_fault(Verb::Create, "", list);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::ifstream in(list);
    for (std::string line; std::getline(in, line);)
      if (line.rfind("launch-helper-", 0) == 0) reached.push_back(line);
    hull({"delete", "--force", kId});
  }
  EXPECT_EQ(reached, (std::vector<std::string>{"launch-helper-joined", "launch-helper-cloned"}));
  for (const char* point : {"launch-helper-joined", "launch-helper-cloned"}) {
    SCOPED_TRACE(std::string("create with HULL_FAULT=") + point);
    reap_all_but_owner();
    ProcResult r = run_fault(Verb::Create, point);
    EXPECT_FALSE(r.timed_out);
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find("launch helper: it died without a report"), std::string::npos) << r.err;
    // Checked before anything reaps: an init hull left would be our orphan now.
    for (pid_t pid : children_of_self())
      if (pid != owner_pid) ADD_FAILURE() << "process left by the failed create: " << pid;
    EXPECT_FALSE(fs::exists(state_dir(kId)));
    for (const std::string& path : {b_->config["linux"]["cgroupsPath"].get<std::string>(), parent_cgroups_path_})
      for (const auto& dir : existing_cgroup_dirs(path)) ADD_FAILURE() << "cgroup left: " << dir;
    for (pid_t pid : children_of_self())
      if (pid != owner_pid) {
        ::kill(pid, SIGKILL);
        wait_exit_and_reap(pid);
      }
    // The release hull creates the same id afterwards.
    ProcResult again = hull({"create", "--bundle", b_->dir().string(), kId});
    EXPECT_EQ(again.exit_code, 0) << again.err;
    EXPECT_EQ(hull({"delete", "--force", kId}).exit_code, 0);
  }
  EXPECT_EQ(hull({"delete", "--force", "fault-owner"}).exit_code, 0);
  expect_clean_slate();
}

}  // namespace
}  // namespace hull::itest
#endif  // HULL_FAULT_BINARY
