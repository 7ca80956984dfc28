// The lifecycle when a command is interrupted or raced at a precise step
// (the lifecycle model test's findings, issue #18, made deterministic with
// hull_fault: HULL_FAULT=<step> kills hull there, HULL_FAULT_ACTION=stop
// stops it there until the test sends SIGCONT):
//  - a `start` killed before it told the init to go leaves a container that
//    is, and is reported, created: a later start runs it, delete removes it;
//  - an `exec` and a `pause` racing: the exec's process is never frozen
//    before it runs (hull exec would wait for it until a resume), and an
//    exec into a cgroup a killed pause left frozen is refused, not hung.
//
// Built only in a -DHULL_FAULT_INJECTION=ON build, which defines HULL_FAULT_BINARY.
#ifdef HULL_FAULT_BINARY
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <thread>

#include "at_scope_exit.hpp"
#include "base/signal_mask.hpp"
#include "cgroups/cgroup_manager.hpp"
#include "harness.hpp"
#include "proc_files.hpp"

namespace hull::itest {
namespace {

namespace fs = std::filesystem;

class InterruptedLifecycleTest : public HullTest {
 protected:
  void SetUp() override {
    HullTest::SetUp();
    b_ = &bundle();
    // What the container ran is seen from the host: the init leaves a mark
    // in its rootfs before it sleeps.
    b_->args({"sh", "-c", "echo ran > /ran; exec sleep 1000"});
  }

  void create() {
    ProcResult r = hull({"create", "--bundle", b_->dir().string(), kId});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  // The container's program ran: its mark is in the rootfs (bounded wait,
  // the program runs after start returned).
  bool program_ran() {
    for (int i = 0; i < 200; ++i) {
      if (fs::exists(b_->rootfs() / "ran")) return true;
      std::this_thread::sleep_for(milliseconds(25));
    }
    return false;
  }

  // Waits (bounded) until pid has exited or waits for a flock (a "->" line
  // of /proc/locks names the blocked waiter): where a command racing a
  // stopped one ends up, whichever the ordering lets it reach.
  static void wait_exited_or_blocked_on_lock(pid_t pid) {
    const std::string waiter = " " + std::to_string(pid) + " ";
    for (int i = 0; i < 400; ++i) {
      auto st = read_pid_stat(pid);
      if (!st || st->state == 'Z') return;
      std::ifstream locks("/proc/locks");
      for (std::string line; std::getline(locks, line);)
        if (line.find("->") != std::string::npos && line.find(waiter) != std::string::npos) return;
      std::this_thread::sleep_for(milliseconds(25));
    }
    ADD_FAILURE() << "pid " << pid << " neither exited nor waited for a lock";
  }

  bool cgroup_frozen() {
    std::optional<InitRecord> init = recorded_init(kId);
    if (!init || init->cgroup_path.empty()) return false;
    return cgroups::Manager::load(init->cgroup_path).frozen();
  }

  static constexpr const char* kId = "interrupted";
  Bundle* b_ = nullptr;
};

// A start killed at any step before it told the init to go (before or
// after recording "running", before or after connecting to the init): the
// init still waits, so the container is created, a start runs it (once),
// and the program did not run before that start.
TEST_F(InterruptedLifecycleTest, StartKilledBeforeTheReleaseLeavesItCreated) {
  for (const char* point : {"start-after-open", "start-after-running-state", "start-after-connect"}) {
    SCOPED_TRACE(std::string("start killed at ") + point);
    create();
    ProcResult killed = run_process(fault_argv(point, {"start", kId}));
    ASSERT_EQ(killed.signal, SIGKILL) << "hull start did not die at " << point << ": " << killed.err;
    EXPECT_EQ(status(kId), "created");
    ProcResult ls = hull({"list", "--format", "json"});
    EXPECT_NE(ls.out.find("\"created\""), std::string::npos) << ls.out;
    EXPECT_FALSE(fs::exists(b_->rootfs() / "ran")) << "the program ran without a completed start";
    // Paused and resumed as any created container is: created again, even
    // where the killed start had recorded "running".
    ProcResult pause = hull({"pause", kId});
    EXPECT_EQ(pause.exit_code, 0) << pause.err;
    EXPECT_EQ(status(kId), "paused");
    ProcResult resume = hull({"resume", kId});
    EXPECT_EQ(resume.exit_code, 0) << resume.err;
    EXPECT_EQ(status(kId), "created");
    ProcResult start = hull({"start", kId});
    EXPECT_EQ(start.exit_code, 0) << start.err;
    EXPECT_TRUE(program_ran());
    EXPECT_EQ(status(kId), "running");
    ProcResult again = hull({"start", kId});
    EXPECT_TRUE(failed_with(again, {"cannot start container", "it is running"}));
    ProcResult del = hull({"delete", "--force", kId});
    EXPECT_EQ(del.exit_code, 0) << del.err;
    expect_nothing_left(kId);
    fs::remove(b_->rootfs() / "ran");
  }
}

// A start killed after the init was told to go: the program runs, the
// container is running, and another start is refused with the model's words.
TEST_F(InterruptedLifecycleTest, StartKilledAfterTheReleaseLeavesItRunning) {
  create();
  ProcResult killed = run_process(fault_argv("start-after-release", {"start", kId}));
  ASSERT_EQ(killed.signal, SIGKILL) << killed.err;
  EXPECT_TRUE(program_ran());
  EXPECT_EQ(status(kId), "running");
  ProcResult again = hull({"start", kId});
  EXPECT_TRUE(failed_with(again, {"cannot start container", "it is running"}));
  ProcResult del = hull({"delete", kId});
  EXPECT_TRUE(failed_with(del, {"cannot delete container", "it is running"}));
  ProcResult force = hull({"delete", "--force", kId});
  EXPECT_EQ(force.exit_code, 0) << force.err;
  expect_nothing_left(kId);
}

// After a start killed once it recorded "running": delete without --force
// removes the container as it removes any created one, and kill signals it.
TEST_F(InterruptedLifecycleTest, KillAndDeleteActOnAContainerWhoseStartWasKilled) {
  create();
  ProcResult killed = run_process(fault_argv("start-after-running-state", {"start", kId}));
  ASSERT_EQ(killed.signal, SIGKILL) << killed.err;
  std::optional<InitRecord> init = recorded_init(kId);
  ASSERT_TRUE(init.has_value());
  ProcResult del = hull({"delete", kId});
  EXPECT_EQ(del.exit_code, 0) << del.err;
  EXPECT_TRUE(wait_exit_and_reap(init->pid));
  expect_nothing_left(kId);

  create();
  killed = run_process(fault_argv("start-after-running-state", {"start", kId}));
  ASSERT_EQ(killed.signal, SIGKILL) << killed.err;
  init = recorded_init(kId);
  ASSERT_TRUE(init.has_value());
  ProcResult kill = hull({"kill", kId, "KILL"});
  EXPECT_EQ(kill.exit_code, 0) << kill.err;
  EXPECT_TRUE(wait_exit_and_reap(init->pid));
  EXPECT_EQ(status(kId), "stopped");
  EXPECT_FALSE(fs::exists(b_->rootfs() / "ran"));
  ProcResult gone = hull({"delete", kId});
  EXPECT_EQ(gone.exit_code, 0) << gone.err;
  expect_nothing_left(kId);
}

// A create of an id that exists is refused before it makes anything; but
// two creates of a new id race: the loser passed its existence check before
// the winner renamed its directory into place, is refused at its own
// rename, and killed before removing its temporary directory leaves
// "~creating-<id>". `delete --force` of the container clears that too, so a
// client's cleanup leaves nothing (found by the lifecycle model, seeds 501409
// and 701073, when the refused create made its directory first).
TEST_F(InterruptedLifecycleTest, DeleteForceClearsWhatARefusedCreateKilledHalfWayLeft) {
  create();
  ProcResult again =
      run_process(fault_argv("create-after-existence-check", {"create", "--bundle", b_->dir().string(), kId}));
  EXPECT_TRUE(failed_with(again, {"already exists"})) << "a create of an existing id got past its existence check";
  ProcResult del = hull({"delete", "--force", kId});
  ASSERT_EQ(del.exit_code, 0) << del.err;

  SpawnOptions bounded;
  bounded.timeout = milliseconds(15000);
  std::vector<std::string> loser_argv =
      fault_argv("create-after-existence-check", {"create", "--bundle", b_->dir().string(), kId}, true);
  loser_argv.insert(loser_argv.begin() + 1, "HULL_FAULT_THEN=create-after-refused-rename");
  Child loser = Child::spawn(loser_argv, bounded);
  ASSERT_TRUE(wait_stopped(loser.pid())) << "hull create did not stop after its existence check";
  create();  // the winner
  ::kill(loser.pid(), SIGCONT);
  ProcResult killed = finish_reaping_orphans(std::move(loser));
  ASSERT_EQ(killed.signal, SIGKILL) << "hull create did not die at create-after-refused-rename: " << killed.err;
  const std::string debris = std::string("~creating-") + kId;
  ASSERT_TRUE(fs::exists(state_root() / debris))
      << "the killed create left no temporary directory: the fault point moved?";
  EXPECT_EQ(status(kId), "created") << "the refused create must not touch the container";
  ProcResult force = hull({"delete", "--force", kId});
  EXPECT_EQ(force.exit_code, 0) << force.err;
  EXPECT_FALSE(fs::exists(state_root() / debris)) << debris << " left after delete --force";
  expect_nothing_left(kId);
}

// An attached run whose container a client force-deleted while it ran, and
// whose id a new container took before the run reached its own delete: the
// run leaves the new container alone. It used to delete by id, and so
// killed and removed the newcomer.
TEST_F(InterruptedLifecycleTest, ARunLeavesTheContainerThatTookItsIdSinceAlone) {
  SpawnOptions bounded;
  bounded.timeout = milliseconds(15000);
  Child run = Child::spawn(fault_argv("run-after-exit", {"run", "--bundle", b_->dir().string(), kId}, true), bounded);
  ASSERT_TRUE(program_ran());
  ProcResult del = hull({"delete", "--force", kId});
  ASSERT_EQ(del.exit_code, 0) << del.err;
  ASSERT_TRUE(wait_stopped(run.pid())) << "hull run did not stop after its container exited";
  Bundle& successor = bundle("successor");
  successor.args({"sleep", "1000"});
  ProcResult c = hull({"create", "--bundle", successor.dir().string(), kId});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  std::optional<InitRecord> init = recorded_init(kId);
  ASSERT_TRUE(init.has_value());
  ::kill(run.pid(), SIGCONT);
  ProcResult r = finish_reaping_orphans(std::move(run));
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 128 + SIGKILL) << r.err;
  EXPECT_EQ(status(kId), "created") << "the run removed the container that took its id";
  std::optional<InitRecord> after = recorded_init(kId);
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->pid, init->pid);
  ProcResult force = hull({"delete", "--force", kId});
  EXPECT_EQ(force.exit_code, 0) << force.err;
  expect_nothing_left(kId);
}

// exec passed its status check and is about to clone its process when a
// pause comes: the pause waits until the process has exec'd (then freezes
// it with the rest), so exec returns and the container ends up paused.
// Before, the pause froze the cgroup first and the process was frozen at
// birth: `hull exec` waited until a resume.
TEST_F(InterruptedLifecycleTest, PauseRacingAnExecBeforeItsCloneDoesNotFreezeItAtBirth) {
  create();
  ProcResult start = hull({"start", kId});
  ASSERT_EQ(start.exit_code, 0) << start.err;
  SpawnOptions bounded;
  bounded.timeout = milliseconds(15000);
  Child exec = Child::spawn(fault_argv("exec-before-clone", {"exec", "--detach", kId, "true"}, true), bounded);
  ASSERT_TRUE(wait_stopped(exec.pid())) << "hull exec did not stop before its clone";
  Child pause = hull_background({"pause", kId}, bounded);
  wait_exited_or_blocked_on_lock(pause.pid());
  ::kill(exec.pid(), SIGCONT);
  ProcResult re = finish_reaping_orphans(std::move(exec)), rp = finish_reaping_orphans(std::move(pause));
  EXPECT_FALSE(re.timed_out) << "hull exec hung: its process was frozen before it ran";
  EXPECT_EQ(re.exit_code, 0) << re.err;
  EXPECT_EQ(rp.exit_code, 0) << rp.err;
  EXPECT_EQ(status(kId), "paused");
  EXPECT_TRUE(cgroup_frozen());
  ProcResult resume = hull({"resume", kId});
  EXPECT_EQ(resume.exit_code, 0) << resume.err;
  ProcResult ex = hull({"exec", kId, "true"});
  EXPECT_EQ(ex.exit_code, 0) << ex.err;
  // The detached exec's process, thawed, exits as our orphan (we are the
  // subreaper): reaped here, as a shim would, or the init could not die.
  ProcResult del = finish_reaping_orphans(hull_background({"delete", "--force", kId}));
  EXPECT_EQ(del.exit_code, 0) << del.err;
  expect_nothing_left(kId);
}

// A pause killed after freezing the cgroup, before recording "paused":
// exec is refused at once (its process could not run), then pause + resume
// bring the container back and exec works.
TEST_F(InterruptedLifecycleTest, ExecIntoACgroupAKilledPauseLeftFrozenIsRefused) {
  create();
  ProcResult start = hull({"start", kId});
  ASSERT_EQ(start.exit_code, 0) << start.err;
  ProcResult killed = run_process(fault_argv("freeze-after-cgroup", {"pause", kId}));
  ASSERT_EQ(killed.signal, SIGKILL) << killed.err;
  ASSERT_TRUE(cgroup_frozen());
  EXPECT_EQ(status(kId), "running");
  SpawnOptions bounded;
  bounded.timeout = milliseconds(15000);
  ProcResult ex = hull({"exec", kId, "true"}, bounded);
  EXPECT_FALSE(ex.timed_out) << "hull exec hung on the frozen cgroup";
  EXPECT_TRUE(failed_with(ex, {"the container's cgroup is frozen while its status is running"}, kExecFailed));
  ProcResult pause = hull({"pause", kId});
  EXPECT_EQ(pause.exit_code, 0) << pause.err;
  ProcResult resume = hull({"resume", kId});
  EXPECT_EQ(resume.exit_code, 0) << resume.err;
  EXPECT_FALSE(cgroup_frozen());
  ProcResult again = hull({"exec", kId, "true"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
}

// exec --ignore-paused into a paused container: the process runs once the
// container is resumed, and the resume is not held up by the waiting exec.
TEST_F(InterruptedLifecycleTest, ExecIgnorePausedRunsAtResume) {
  create();
  ProcResult start = hull({"start", kId});
  ASSERT_EQ(start.exit_code, 0) << start.err;
  ProcResult pause = hull({"pause", kId});
  ASSERT_EQ(pause.exit_code, 0) << pause.err;
  SpawnOptions bounded;
  bounded.timeout = milliseconds(15000);
  Child exec = hull_background({"exec", "--ignore-paused", kId, "sh", "-c", "echo late > /late"}, bounded);
  // Resumed only once the exec's process is in the (frozen) cgroup beside the init.
  std::optional<InitRecord> init = recorded_init(kId);
  ASSERT_TRUE(init.has_value());
  cgroups::Manager cg = cgroups::Manager::load(init->cgroup_path);
  for (int i = 0; i < 400 && cg.pids().size() < 2; ++i) std::this_thread::sleep_for(milliseconds(25));
  EXPECT_GE(cg.pids().size(), 2u) << "the exec'd process never joined the container's cgroup";
  EXPECT_FALSE(fs::exists(b_->rootfs() / "late")) << "a process ran in a paused container";
  ProcResult resume = hull({"resume", kId}, bounded);
  EXPECT_EQ(resume.exit_code, 0) << resume.err;
  ProcResult re = exec.finish();
  EXPECT_EQ(re.exit_code, 0) << re.err;
  EXPECT_EQ(read_text_file(b_->rootfs() / "late"), "late\n");
}

// An attached run whose init never reached its execve (stuck at its memory
// limit with disableOOMKiller; here stopped by hull_fault, which needs the
// host's pid namespace) held the container's lock for good: its forwarder
// blocks SIGTERM, and kill and delete --force waited for the lock. A SIGTERM
// now ends the wait: the init is killed, the run fails saying so, and
// nothing is left.
TEST_F(InterruptedLifecycleTest, ASigtermEndsARunWhoseInitNeverReachedItsProgram) {
  nlohmann::json& namespaces = b_->config["linux"]["namespaces"];
  namespaces.erase(std::remove(namespaces.begin(), namespaces.end(), nlohmann::json{{"type", "pid"}}),
                   namespaces.end());
  b_->write();
  SpawnOptions bounded;
  bounded.timeout = milliseconds(20000);
  Child run = Child::spawn(fault_argv("init-after-start", {"run", "--bundle", b_->dir().string(), kId}, true), bounded);
  std::optional<InitRecord> init;
  for (int i = 0; i < 400 && !(init && init->pid > 0 && wait_stopped(init->pid)); ++i) {
    std::this_thread::sleep_for(milliseconds(25));
    init = recorded_init(kId);
  }
  ASSERT_TRUE(init && init->pid > 0) << "no init recorded";
  ASSERT_TRUE(wait_stopped(init->pid)) << "the init did not stop before its execve";
  ::kill(run.pid(), SIGTERM);
  ProcResult r = finish_reaping_orphans(std::move(run));
  EXPECT_FALSE(r.timed_out) << "hull run went on waiting for an init that never reached its program";
  EXPECT_TRUE(failed_with(r, {"SIGTERM before the container's process started"})) << r.err;
  EXPECT_EQ(r.err.find("interrupted system call"), std::string::npos) << "no system call was interrupted";
  EXPECT_FALSE(fs::exists(b_->rootfs() / "ran"));
  expect_nothing_left(kId);
}

// `kill --all` freezes the cgroup, signals each process, then thaws: hull
// ended in between (SIGTERM from an engine's timeout) left the running
// container frozen, its processes never signalled, under a state that said
// running. The ending signals wait for the thaw now.
TEST_F(InterruptedLifecycleTest, AKillAllEndedWhileTheCgroupIsFrozenThawsItFirst) {
  create();
  ASSERT_EQ(hull({"start", kId}).exit_code, 0);
  ASSERT_TRUE(program_ran());
  Child kill = Child::spawn(fault_argv("kill-all-frozen", {"kill", "--all", kId, "USR1"}, true));
  ASSERT_TRUE(wait_stopped(kill.pid())) << "kill --all did not stop with the cgroup frozen";
  EXPECT_TRUE(cgroup_frozen());
  ::kill(kill.pid(), SIGTERM);
  ::kill(kill.pid(), SIGCONT);
  ProcResult r = kill.finish();
  EXPECT_EQ(r.signal, SIGTERM) << r.err;
  EXPECT_FALSE(cgroup_frozen()) << "left frozen under a running state";
  EXPECT_EQ(status(kId), "running");
  EXPECT_EQ(hull({"exec", kId, "true"}).exit_code, 0);
}

// exec --detach ended once its process's set-up was done exited 143 with
// the process running on in the container, no pid file written. Ended
// before it lets the process go, it kills it and says so; after, the exec
// succeeds, as runc's does.
TEST_F(InterruptedLifecycleTest, ADetachedExecEndedBeforeItsReleaseKillsItsProcess) {
  create();
  ASSERT_EQ(hull({"start", kId}).exit_code, 0);
  const fs::path pid_file = temp_dir() / "exec.pid";
  for (const char* point : {"exec-after-clone", "exec-after-started"}) {
    SCOPED_TRACE(point);
    const std::string mark = std::string("/") + point;
    Child exec = Child::spawn(fault_argv(point,
                                         {"exec", "-d", "--pid-file", pid_file.string(), kId, "sh", "-c",
                                          "touch " + mark + "; exec sleep 777 >/dev/null 2>&1"},
                                         true));
    ASSERT_TRUE(wait_stopped(exec.pid()));
    ::kill(exec.pid(), SIGTERM);
    ::kill(exec.pid(), SIGCONT);
    ProcResult r = exec.finish();
    ProcResult ps = hull({"exec", kId, "sh", "-c", "ps -o args | grep -c '^sleep 777'"});
    if (std::string(point) == "exec-after-clone") {
      EXPECT_TRUE(failed_with(r,
                              {"the exec process was killed: SIGTERM ended `hull exec --detach` before it was "
                               "released"},
                              kExecFailed))
          << r.err;
      EXPECT_FALSE(fs::exists(pid_file));
      EXPECT_EQ(ps.out, "0\n") << "the killed exec's process runs on";
    } else {
      EXPECT_EQ(r.exit_code, 0) << r.err;
      EXPECT_TRUE(fs::exists(pid_file));
      EXPECT_EQ(ps.out, "1\n");
    }
  }
}

// A signal the caller ignores (nohup's SIGHUP) or blocks (Go's runtime
// keeps an inherited block) is held pending as the others are until the
// release, and never counted as one that ended the exec (the blocked one
// was, and killed the process).
TEST_F(InterruptedLifecycleTest, ADetachedExecIsNotEndedByASignalItsCallerIgnoresOrBlocks) {
  create();
  ASSERT_EQ(hull({"start", kId}).exit_code, 0);
  const fs::path pid_file = temp_dir() / "exec.pid";
  const std::vector<std::pair<int, std::vector<std::string>>> callers{
      {SIGHUP, {"/bin/sh", "-c", "trap '' HUP; exec \"$@\"", "sh"}},
      {SIGTERM, {"/usr/bin/env", "--block-signal=TERM"}}};
  for (const auto& [sig, caller] : callers) {
    SCOPED_TRACE(signal_name(sig));
    fs::remove(pid_file);
    const std::string sleep = std::to_string(770 + sig);
    std::vector<std::string> argv = caller;
    for (std::string& arg :
         fault_argv("exec-after-clone", {"exec", "-d", "--pid-file", pid_file.string(), kId, "sleep", sleep}, true))
      argv.push_back(std::move(arg));
    Child exec = Child::spawn(argv);
    ASSERT_TRUE(wait_stopped(exec.pid()));
    ::kill(exec.pid(), sig);
    ::kill(exec.pid(), SIGCONT);
    ProcResult r = exec.finish();
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(fs::exists(pid_file));
    EXPECT_EQ(hull({"exec", kId, "sh", "-c", "ps -o args | grep -c '^sleep " + sleep + "'"}).out, "1\n");
  }
}

// A rootless caller gives a mode-0 directory of its own in the tree (an
// overlay's "work") its owner's bits before emptying it. A process of the
// container still running (one without a pid namespace or cgroup to kill it
// by) could put a symlink to another of the caller's directories in its
// place after the refused open: the mode went to the symlink's target, as it
// was given by name. It goes through the fd of what was refused now.
TEST_F(InterruptedLifecycleTest, ARootlessDeleteNeverChmodsWhatASymlinkSwappedInPointsAt) {
  constexpr uid_t kUser = 65534;
  char tmpl[] = "/tmp/hull-itest-chmod-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const fs::path top = tmpl, root = top / "state", target = top / "target", swapped = root / kId / "v";
  AtScopeExit cleanup([&] { fs::remove_all(top); });
  fs::create_directories(swapped);
  fs::create_directory(target);
  for (const fs::path& p : {top, root, root / kId, swapped, target}) ASSERT_EQ(::chown(p.c_str(), kUser, kUser), 0);
  ASSERT_EQ(::chmod(top.c_str(), 0755), 0);
  ASSERT_EQ(::chmod(target.c_str(), 0755), 0);
  ASSERT_EQ(::chmod(swapped.c_str(), 0), 0);
  Child del = Child::spawn({"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/env",
                            "HULL_FAULT_ACTION=stop", "HULL_FAULT=delete-before-chmod-of-own-dir", HULL_FAULT_BINARY,
                            "--root", root.string(), "delete", "--force", kId});
  ASSERT_TRUE(wait_stopped(del.pid())) << "the rootless delete did not stop before its chmod";
  fs::remove(swapped);
  fs::create_directory_symlink(target, swapped);
  ::kill(del.pid(), SIGCONT);
  ProcResult r = del.finish();
  struct stat st {};
  ASSERT_EQ(::stat(target.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0755u) << "the symlink's target was given the owner's bits: " << r.err;
}

}  // namespace
}  // namespace hull::itest
#endif
