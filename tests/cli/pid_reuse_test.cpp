// Pid reuse (issue #15 point 4): a container's init exits and an unrelated
// process gets its pid. state.json still names that pid, so every command
// must tell the newcomer from the init (hull records the init's start time
// and compares it, and signals through a pidfd taken only after that check):
// `state` and `list` report the container stopped, `kill` refuses with runc's
// "container not running", `kill --all` and `delete` touch only the
// container's cgroup, and the unrelated process lives on untouched.
//
// The reuse is forced, not waited for: the test runs hull in a pid
// namespace of its own (with its own /proc, in a private mount namespace),
// where nothing else forks, and sets that namespace's ns_last_pid to the
// init's pid minus one before forking the newcomer. The host's pid
// allocation is not touched.
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <fstream>

#include "../support/forked_child.hpp"
#include "base/error.hpp"
#include "harness.hpp"
#include "proc_files.hpp"

namespace hull::itest {
namespace {

using nlohmann::json;

class PidReuseTest : public HullTest {
 protected:
  // Throws (ending the forked scenario with the message) unless ok.
  static void check(bool ok, const std::string& what) {
    if (!ok) throw Error(what);
  }

  // A process that does nothing until killed, forked so that it gets `pid`
  // in this (private) pid namespace.
  static pid_t fork_with_pid(pid_t pid) {
    {
      std::ofstream last("/proc/sys/kernel/ns_last_pid");
      last << pid - 1;
      last.close();
      check(last.good(), "write ns_last_pid");
    }
    pid_t child = ::fork();
    if (child < 0) throw_errno("fork the process that reuses the pid");
    if (child == 0) {
      for (;;) ::pause();
    }
    if (child != pid) {
      ::kill(child, SIGKILL);
      ::waitpid(child, nullptr, 0);
      throw Error("the new process got pid " + std::to_string(child) + ", not " + std::to_string(pid));
    }
    return child;
  }

  // Returns once CLOCK_BOOTTIME, which /proc/<pid>/stat's start time
  // counts in clock ticks, has passed the end of tick `tick`.
  static void wait_past_tick(unsigned long long tick) {
    const long long tick_ns = 1000000000LL / ::sysconf(_SC_CLK_TCK);
    const long long end_ns = static_cast<long long>(tick + 1) * tick_ns;
    timespec until{static_cast<time_t>(end_ns / 1000000000LL), static_cast<long>(end_ns % 1000000000LL)};
    while (::clock_nanosleep(CLOCK_BOOTTIME, TIMER_ABSTIME, &until, nullptr) == EINTR) {}
  }

  // The newcomer still runs, the same process as before (same start time).
  static void check_untouched(pid_t pid, unsigned long long start_time, const std::string& after) {
    auto st = read_pid_stat(pid);
    check(st && st->state != 'Z' && st->start_time == start_time,
          "the process that reused the init's pid was signalled by `" + after + "`");
  }

  // One container: created (and started when `start`), its init killed and
  // reaped, its pid given to a new process, then every command run on it.
  void scenario(const std::string& id, bool start) {
    Bundle& b = *bundle_;
    ProcResult r = hull({"create", "--bundle", b.dir().string(), id});
    check(r.exit_code == 0, "create: " + r.err);
    if (start) {
      r = hull({"start", id});
      check(r.exit_code == 0, "start: " + r.err);
    }
    std::optional<InitRecord> init = recorded_init(id);
    check(init && init->pid > 1, "no init recorded");
    r = hull({"kill", id, "KILL"});
    check(r.exit_code == 0, "kill: " + r.err);
    // The init was re-parented to us, this namespace's pid 1: reap it so its pid is free.
    check(::waitpid(init->pid, nullptr, 0) == init->pid, "reap the container init");
    // The kernel tells the two processes apart by their start time, in clock
    // ticks of boot time: the newcomer must start at least one tick after the
    // init, which create, kill and reap can all fit inside on a fast host.
    wait_past_tick(init->start_time);

    const pid_t newcomer = fork_with_pid(init->pid);
    auto st = read_pid_stat(newcomer);
    check(st.has_value(), "the new process vanished");
    const unsigned long long newcomer_start = st->start_time;
    check(newcomer_start != init->start_time, "the new process started in the same clock tick as the init");
    try {
      r = hull({"state", id});
      json state = json::parse(r.out, nullptr, false);
      check(r.exit_code == 0 && state.is_object(), "state: " + r.err);
      check(state.value("status", "") == "stopped",
            "state reports " + state.dump() + " for a container whose init exited");
      check(state.value("pid", -1) == 0, "state reports the reused pid: " + state.dump());
      r = hull({"list", "--format", "json"});
      check(r.out.find("\"stopped\"") != std::string::npos, "list: " + r.out);

      r = hull({"kill", id, "KILL"});
      check(r.exit_code != 0 && r.err.find("container not running") != std::string::npos,
            "kill of the stopped container: exit " + std::to_string(r.exit_code) + " " + r.err);
      check_untouched(newcomer, newcomer_start, "kill KILL");
      r = hull({"kill", id, "TERM"});
      check(r.exit_code != 0, "kill TERM of the stopped container succeeded");
      check_untouched(newcomer, newcomer_start, "kill TERM");
      r = hull({"exec", id, "true"});
      check(r.exit_code != 0 && r.err.find("it is stopped") != std::string::npos, "exec: " + r.err);
      r = hull({"kill", "--all", id, "KILL"});
      check(r.exit_code == 0, "kill --all of the stopped container: " + r.err);
      check_untouched(newcomer, newcomer_start, "kill --all KILL");
      r = hull({"delete", id});
      check(r.exit_code == 0, "delete: " + r.err);
      check_untouched(newcomer, newcomer_start, "delete");
      check(!std::filesystem::exists(state_dir(id)), "delete left the state dir");
    } catch (...) {
      ::kill(newcomer, SIGKILL);
      ::waitpid(newcomer, nullptr, 0);
      throw;
    }
    ::kill(newcomer, SIGKILL);
    ::waitpid(newcomer, nullptr, 0);
  }

  Bundle* bundle_ = nullptr;
};

TEST_F(PidReuseTest, StoppedContainerNeverSignalsTheProcessThatReusedItsPid) {
  bundle_ = &bundle();
  bundle_->args({"sleep", "1000"});
  test::ForkedResult outer = test::run_forked([&] {
    if (::unshare(CLONE_NEWNS | CLONE_NEWPID) < 0) throw_errno("unshare a mount and a pid namespace");
    // The next child is pid 1 of the new pid namespace.
    test::ForkedResult inner = test::run_forked([&] {
      if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0) throw_errno("make / private");
      if (::mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) < 0)
        throw_errno("mount the namespace's /proc");
      scenario("reuse-created", false);
      scenario("reuse-running", true);
    });
    if (!inner.exited_ok())
      throw Error(inner.error.empty() ? "the scenario died, wait status " + std::to_string(inner.status) : inner.error);
  });
  EXPECT_TRUE(outer.exited_ok()) << outer.error << " (wait status " << outer.status << ")";
}

}  // namespace
}  // namespace hull::itest
