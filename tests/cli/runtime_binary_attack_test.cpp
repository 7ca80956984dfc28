// CVE-2019-5736 from a malicious container: a process in the container
// watches for runtime processes entering its pid namespace (a container
// created into it, `hull exec`) and tries to overwrite the runtime binary
// through /proc/<pid>/exe, directly and the patient way (an fd kept open
// until no runtime process runs, then reopened for writing through
// /proc/self/fd). Plus entrypoints that are the runtime itself
// (#!/proc/self/exe). The runtime's defences: a non-dumpable init and exec
// process until execve, the pre-exec check of the binary, and the sealed
// view of the binary every runtime process runs from (the attacker here has
// no CAP_SYS_PTRACE; runtime_binary_sealed_test.cpp has one that does).
//
// Every hull command of these tests runs from a copy of the binary in the
// test's temp dir: if a defence failed, the copy is what gets written, never
// build/hull. Afterwards the copy's SHA-256 must be unchanged.
#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "runtime_binary_canary.hpp"

namespace hull::itest {
namespace {

namespace fs = std::filesystem;

class RuntimeBinaryAttack : public RuntimeBinaryCanaryTest {
 protected:
  void SetUp() override {
    HullTest::SetUp();
    use_canary("hull-copy");
  }
  static void write_script(const fs::path& path, const std::string& text) {
    std::ofstream(path) << text;
    fs::permissions(path, fs::perms(0755));
  }
};

TEST_F(RuntimeBinaryAttack, DuringCreateStartAndExec) {
  fs::path fifo = temp_dir() / "report";
  Report report(fifo);
  Bundle& a = bundle("attacker");
  pid_t attacker_init = start_attacker(a, fifo, "attacker");
  ASSERT_GT(attacker_init, 0);
  ASSERT_TRUE(report.wait_for("ready", milliseconds(20000))) << report.text();

  // create: the new container's init joins the attacker's pid namespace and
  // waits there, as the runtime, until start.
  ASSERT_NO_FATAL_FAILURE(create_in_pid_namespace_of(attacker_init, "victim"));
  ASSERT_TRUE(report.wait_for(" hull-copy", milliseconds(20000))) << "the attacker never saw the created init:\n"
                                                                  << report.text();
  // start: the init leaves the runtime binary for the container's.
  start_container("victim");

  // exec: each `hull exec` process is the runtime in the container until its
  // execve; the attacker needs to catch one in that window.
  size_t runtime_seen = report.count(" hull-copy");
  for (int i = 0; i < 100 && report.count(" hull-copy") == runtime_seen; ++i) {
    ProcResult e = hull({"exec", "attacker", "true"});
    ASSERT_EQ(e.exit_code, 0) << e.err;
    report.drain();
  }
  EXPECT_GT(report.count(" hull-copy"), runtime_seen) << "no exec process seen in 100 tries:\n" << report.text();

  // exec of the runtime itself, by path and as a script's interpreter.
  write_script(a.rootfs() / "evil", "#!/proc/self/exe\n");
  for (const char* entry : {"/evil", "/proc/self/exe"}) {
    ProcResult e = hull({"exec", "attacker", entry});
    EXPECT_TRUE(failed_with(e, {"is the hull runtime binary itself", "CVE-2019-5736"}, kExecFailed)) << entry;
  }

  // The victim goes first: its init is our child (re-parented at create)
  // and the attacker's pid namespace cannot end before we reap it.
  pid_t victim = state("victim").value("pid", 0);
  EXPECT_EQ(hull({"delete", "--force", "victim"}).exit_code, 0);
  if (victim > 0) {
    EXPECT_TRUE(wait_exit_and_reap(victim));
  }

  // No runtime process is left: the patient attacks write now or never.
  std::ofstream(a.rootfs() / "tmp/stop");  // NOLINT(bugprone-unused-raii): creating the file is the signal
  ASSERT_TRUE(report.wait_for("done", milliseconds(30000))) << report.text();
  EXPECT_EQ(report.count("WROTE"), 0u) << report.text();
  // Every runtime process the attacker saw was denied (non-dumpable until
  // execve), or opened just after its execve (the attacker read the name
  // before it changed: the fd is then the container's own program); the
  // WROTE check above is what matters.
}

// The entrypoint of a new container is the runtime binary (a #! script
// naming /proc/self/exe): refused at create, so no runtime binary ever runs
// as a container process.
TEST_F(RuntimeBinaryAttack, ShebangProcSelfExeEntrypoint) {
  Bundle& c = bundle("evil");
  write_script(c.rootfs() / "evil", "#!/proc/self/exe\n");
  c.args({"/evil"});
  ProcResult r = hull({"run", "--bundle", c.dir().string(), "evil"});
  EXPECT_TRUE(failed_with(r, {"is the hull runtime binary itself", "CVE-2019-5736"}));
  EXPECT_TRUE(state_dirs().empty());
}

// A writer sharing the rootfs swaps the entrypoint for a link to
// /proc/self/exe after the init's check of it and before its execve (here
// on the close of the check's read, the last open of the file before the
// execve). `run`'s init runs the runtime's binary unsealed until then, so
// the container's process would be that binary, here made to wait on a
// fifo: run sees what the init exec'd and kills it, never waits for it.
TEST_F(RuntimeBinaryAttack, AnEntrypointSwappedForTheRuntimeAfterItsCheckNeverRunsAsTheContainer) {
  Bundle& c = bundle("swapped");
  const fs::path entry = c.rootfs() / "entry", evil = c.rootfs() / "entry.evil";
  write_script(entry, "#!/bin/sh\necho harmless\n");
  ASSERT_EQ(::symlink("/proc/self/exe", evil.c_str()), 0);
  ASSERT_EQ(::mkfifo((c.rootfs() / "block").c_str(), 0600), 0);
  c.args({"/entry", "update", "-r", "/block", "x"});
  UniqueFd events(::inotify_init1(IN_CLOEXEC));
  ASSERT_TRUE(events);
  SpawnOptions bounded;
  bounded.timeout = milliseconds(10000);
  int swapped_after_check = 0;
  for (int i = 0; i < 20; ++i) {
    if (fs::is_symlink(entry)) {
      ASSERT_EQ(::renameat2(AT_FDCWD, entry.c_str(), AT_FDCWD, evil.c_str(), RENAME_EXCHANGE), 0);
    }
    ASSERT_GE(::inotify_add_watch(events.get(), entry.c_str(), IN_CLOSE_NOWRITE | IN_ONESHOT), 0);
    std::thread swapper([&] {
      pollfd p{events.get(), POLLIN, 0};
      char buf[4096];
      if (::poll(&p, 1, 10000) != 1 || ::read(events.get(), buf, sizeof buf) <= 0) return;
      // The checks of the path that follow the read, and what the init does
      // before its execve, take tens of microseconds: each try swaps later.
      for (auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(25 * i);
           std::chrono::steady_clock::now() < until;) {}
      ::renameat2(AT_FDCWD, entry.c_str(), AT_FDCWD, evil.c_str(), RENAME_EXCHANGE);
    });
    ProcResult r = hull({"run", "--bundle", c.dir().string(), "swapped" + std::to_string(i)}, bounded);
    swapper.join();
    ASSERT_FALSE(r.timed_out) << "the runtime binary ran as the container's process, and run waited for it";
    const bool refused_after_exec =
        r.err.find("the container's process is the hull runtime binary") != std::string::npos;
    swapped_after_check += refused_after_exec;
    // Otherwise refused by a check that came after the swap, or the script
    // ran and its shell read the link (a later swap): never the runtime.
    EXPECT_EQ(r.out.find("container runtime"), std::string::npos) << r.out << r.err;
  }
  std::cerr << "swapped between the check and the execve: " << swapped_after_check << " of 20\n";
  EXPECT_TRUE(state_dirs().empty());
}

}  // namespace
}  // namespace hull::itest
