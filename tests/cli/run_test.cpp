// `hull run`: what the container sees of itself, exit codes, -d and --keep.
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <sstream>
#include <string>
#include <thread>

#include "harness.hpp"
#include "proc_files.hpp"
#include "test_pty.hpp"
#include "unix_listener.hpp"

namespace hull::itest {
namespace {

namespace fs = std::filesystem;

TEST_F(HullTest, ContainerProcessIsPid1) {
  ProcResult r = run_sh(bundle(), "echo $$");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "1\n");
}

TEST_F(HullTest, HostnameComesFromConfig) {
  Bundle& b = bundle();
  b.config["hostname"] = "box-7";
  ProcResult r = run_sh(b, "hostname");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "box-7\n");
}

// An empty hostname is none, as with runc: the new uts namespace keeps the
// name it was made with (ours), rather than an empty one.
TEST_F(HullTest, AnEmptyHostnameKeepsTheName) {
  Bundle& b = bundle();
  b.config["hostname"] = "";
  ProcResult r = run_sh(b, "hostname");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  char ours[256] = {};
  ASSERT_EQ(::gethostname(ours, sizeof ours - 1), 0);
  EXPECT_EQ(r.out, std::string(ours) + "\n");
  // Nor does it ask a uts namespace of its own: ours is shared, untouched.
  Bundle& shared = bundle("bundle-shared-uts");
  shared.config["hostname"] = "";
  auto& ns = shared.config["linux"]["namespaces"];
  for (auto it = ns.begin(); it != ns.end();) it = (*it)["type"] == "uts" ? ns.erase(it) : it + 1;
  r = run_sh(shared, "hostname", "shared-uts");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, std::string(ours) + "\n");
}

TEST_F(HullTest, RunPassesContainerStdioThrough) {
  Bundle& b = bundle();
  b.args({"sh", "-c", "read line; echo \"got $line\"; echo oops >&2"});
  SpawnOptions in;
  in.stdin_data = "hello\n";
  ProcResult r = hull({"run", "--bundle", b.dir().string(), "io"}, in);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "got hello\n");
  EXPECT_NE(r.err.find("oops"), std::string::npos) << r.err;
}

TEST_F(HullTest, ProcessGetsEnvAndCwdFromConfig) {
  Bundle& b = bundle();
  b.config["process"]["env"].push_back("ITEST_GREETING=hello world");
  b.config["process"]["cwd"] = "/tmp";
  ProcResult r = run_sh(b, "echo \"$ITEST_GREETING\"; pwd");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "hello world\n/tmp\n");
}

// No descriptor of the runtime (state dir lock, sync socket, exec fifo) may
// reach the container: it could be used to escape (CVE-2024-21626).
TEST_F(HullTest, ContainerInheritsOnlyStdio) {
  // Not the last command, so sh forks ls instead of exec'ing it and $$ stays
  // the container's init rather than ls with its directory fd.
  ProcResult r = run_sh(bundle(), "ls /proc/$$/fd; exit $?");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "0\n1\n2\n");
}

// Attached, hull blocks every signal to forward them; the container must not
// inherit that mask (a blocked SIGTERM would make `hull kill` a no-op).
TEST_F(HullTest, ContainerStartsWithNoBlockedOrIgnoredSignals) {
  ProcResult r = run_sh(bundle(), "exec grep -E '^Sig(Blk|Ign)' /proc/self/status");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n");
}

TEST_F(HullTest, RunExitsWithContainerExitCode) {
  ProcResult r = run_sh(bundle(), "exit 7");
  EXPECT_EQ(r.exit_code, 7) << r.err;
  EXPECT_EQ(r.signal, 0) << "hull itself must exit, not die";
}

TEST_F(HullTest, RunOfKilledContainerExits128PlusSignal) {
  Bundle& b = bundle();
  // pid 1 ignores signals it has no handler for, except SIGKILL from outside its namespace.
  b.args({"sh", "-c", "echo ready; exec sleep 1000"});
  Child run = hull_background({"run", "--bundle", b.dir().string(), "sig"});
  ASSERT_TRUE(run.wait_for_output("ready", milliseconds(10000))) << run.finish().err;

  ProcResult k = hull({"kill", "sig", "KILL"});
  ASSERT_EQ(k.exit_code, 0) << k.err;
  ProcResult r = run.finish();
  EXPECT_EQ(r.exit_code, 128 + 9) << r.err;
  EXPECT_EQ(r.signal, 0) << "hull itself must exit, not die";
}

// A pid 1 with a handler gets the signal; `hull kill` without one sends TERM.
TEST_F(HullTest, KillDefaultsToTerm) {
  Bundle& b = bundle();
  b.args({"sh", "-c", "trap 'exit 42' TERM; sleep 1000 & echo ready; wait"});
  Child run = hull_background({"run", "--bundle", b.dir().string(), "term"});
  ASSERT_TRUE(run.wait_for_output("ready", milliseconds(10000)));

  ProcResult k = hull({"kill", "term"});
  ASSERT_EQ(k.exit_code, 0) << k.err;
  ProcResult r = run.finish();
  EXPECT_EQ(r.exit_code, 42) << r.err;
}

TEST_F(HullTest, AttachedRunForwardsSignalsToContainer) {
  Bundle& b = bundle();
  b.args({"sh", "-c", "trap 'exit 43' TERM; sleep 1000 & echo ready; wait"});
  Child run = hull_background({"run", "--bundle", b.dir().string(), "fwd"});
  ASSERT_TRUE(run.wait_for_output("ready", milliseconds(10000)));

  ASSERT_EQ(::kill(run.pid(), SIGTERM), 0);
  ProcResult r = run.finish();
  EXPECT_EQ(r.exit_code, 43) << "SIGTERM to hull run must reach the container; stderr: " << r.err;
}

// Without a terminal, a window change of hull's is not the container's (as
// runc): httpd, for one, takes SIGWINCH as "stop gracefully".
TEST_F(HullTest, AttachedRunKeepsAWindowChangeToItself) {
  Bundle& b = bundle();
  // The shell runs pending traps by signal number: SIGPWR (30) after
  // SIGWINCH (28), so a forwarded window change would print first.
  b.args({"sh", "-c", "trap 'echo got-winch' WINCH; trap 'exit 43' PWR; sleep 1000 & echo ready; wait; wait"});
  Child run = hull_background({"run", "--bundle", b.dir().string(), "winch"});
  ASSERT_TRUE(run.wait_for_output("ready", milliseconds(10000)));
  ASSERT_EQ(::kill(run.pid(), SIGWINCH), 0);
  ASSERT_EQ(::kill(run.pid(), SIGPWR), 0);
  ProcResult r = run.finish();
  EXPECT_EQ(r.exit_code, 43) << r.err;
  EXPECT_EQ(r.out, "ready\n");
}

// The same with process.terminal, whose pty hull proxies meanwhile (runc
// forwards them then too): a supervisor's SIGTERM reached the container
// only once it had exited by itself.
TEST_F(HullTest, AttachedTerminalRunForwardsSignalsToContainer) {
  Bundle& b = bundle();
  b.config["process"]["terminal"] = true;
  b.args({"sh", "-c", "trap 'exit 44' TERM; sleep 1000 & echo ready; wait"});
  SpawnOptions bounded;
  bounded.timeout = milliseconds(10000);
  Child run = hull_background({"run", "--bundle", b.dir().string(), "fwdtty"}, bounded);
  ASSERT_TRUE(run.wait_for_output("ready", milliseconds(10000)));

  ASSERT_EQ(::kill(run.pid(), SIGTERM), 0);
  ProcResult r = run.finish();
  EXPECT_FALSE(r.timed_out) << "the container never got the SIGTERM";
  EXPECT_EQ(r.exit_code, 44) << r.err;
}

// An attached run whose output cannot be written still waits for the
// container: its status is run's, and the container is deleted. A full disk
// has the rest of the output dropped, with a warning; a reader gone has the
// container's terminal hung up (a SIGHUP, which this container ignores, and
// EIO for its writes), as a closed terminal would, and is the normal end of
// a pipeline: told only with --debug, as runc does not tell it.
TEST_F(HullTest, AnAttachedRunWhoseOutputCannotBeWrittenReturnsTheStatusAndDeletes) {
  Bundle& b = bundle();
  b.config["process"]["terminal"] = true;
  b.args({"sh", "-c", "trap '' HUP; for i in 1 2 3 4 5 6 7 8; do echo line $i; done; exit 5"});
  SpawnOptions bounded;
  bounded.timeout = milliseconds(15000);
  ProcResult full = run_process({"/bin/sh", "-c", "exec \"$0\" --root \"$1\" run -b \"$2\" outfull >/dev/full",
                                 runtime_binary(), state_root().string(), b.dir().string()},
                                bounded);
  EXPECT_EQ(full.exit_code, 5) << full.err;
  EXPECT_NE(full.err.find("no space left on device: the rest of the process's output is dropped"), std::string::npos)
      << full.err;
  for (const char* debug : {"--log-format=text", "--debug"}) {
    ProcResult gone =
        run_process({"/bin/bash", "-c", "\"$0\" --root \"$1\" $3 run -b \"$2\" outgone | true; exit ${PIPESTATUS[0]}",
                     runtime_binary(), state_root().string(), b.dir().string(), debug},
                    bounded);
    EXPECT_EQ(gone.exit_code, 5) << gone.err;
    const bool told = gone.err.find("broken pipe: the process's output is closed") != std::string::npos;
    EXPECT_EQ(told, std::string(debug) == "--debug") << debug << ": " << gone.err;
  }
  EXPECT_TRUE(state_dirs().empty()) << "the containers were left behind";
}

// A SIGPIPE another process sends the attached runtime is forwarded, as
// runc does; only one the kernel raised for the runtime's own writes (its
// stdout gone) is dropped.
TEST_F(HullTest, AttachedRunForwardsASigpipeSentToIt) {
  Bundle& b = bundle();
  b.args({"sh", "-c", "trap 'exit 45' PIPE; sleep 1000 & echo ready; wait"});
  SpawnOptions bounded;
  bounded.timeout = milliseconds(10000);
  Child run = hull_background({"run", "--bundle", b.dir().string(), "fwdpipe"}, bounded);
  ASSERT_TRUE(run.wait_for_output("ready", milliseconds(10000)));
  ASSERT_EQ(::kill(run.pid(), SIGPIPE), 0);
  ProcResult r = run.finish();
  EXPECT_FALSE(r.timed_out) << "the container never got the SIGPIPE";
  EXPECT_EQ(r.exit_code, 45) << r.err;
}

// Signals 32 and 33, glibc's own (which its sigfillset and sigprocmask
// leave out), neither end the attached runtime nor reach the container, as
// runc drops 33: killed by them, hull run left its container behind.
TEST_F(HullTest, AttachedRunSurvivesTheLibcSignals) {
  Bundle& b = bundle();
  b.args({"sh", "-c", "trap 'exit 46' TERM; sleep 1000 & echo ready; wait"});
  SpawnOptions bounded;
  bounded.timeout = milliseconds(10000);
  Child run = hull_background({"run", "--bundle", b.dir().string(), "libcsig"}, bounded);
  ASSERT_TRUE(run.wait_for_output("ready", milliseconds(10000)));
  for (int sig : {33, 32, SIGTERM}) ASSERT_EQ(::kill(run.pid(), sig), 0) << sig;
  ProcResult r = run.finish();
  EXPECT_EQ(r.exit_code, 46) << r.err;
  EXPECT_TRUE(state_dirs().empty()) << "the container was left behind";

  // From a terminal, with the container's own: the terminal set up and a
  // line typed (each stops and restores the signal mask around its job
  // control; through glibc that unblocked 32 and 33 again).
  TestPty pty = open_test_pty();
  ASSERT_TRUE(pty.master);
  b.config["process"]["terminal"] = true;
  b.args({"sh", "-c", "trap 'exit 47' TERM; read line; echo got-$line; sleep 1000 & wait"});
  Child tty_run = spawn_on_terminal(pty.slave_path, {runtime_binary(), "--root", state_root().string(), "run",
                                                     "--bundle", b.dir().string(), "libcsigtty"});
  ASSERT_EQ(::write(pty.master.get(), "typed\n", 6), 6);
  std::string seen;
  char buf[256];
  for (auto until = std::chrono::steady_clock::now() + milliseconds(10000);
       seen.find("got-typed") == std::string::npos && std::chrono::steady_clock::now() < until;) {
    pollfd p{pty.master.get(), POLLIN, 0};
    if (::poll(&p, 1, 100) > 0) {
      ssize_t n = ::read(pty.master.get(), buf, sizeof buf);
      if (n <= 0) break;
      seen.append(buf, static_cast<size_t>(n));
    }
  }
  ASSERT_NE(seen.find("got-typed"), std::string::npos) << seen;
  for (int sig : {33, 32, SIGTERM}) ASSERT_EQ(::kill(tty_run.pid(), sig), 0) << sig;
  read_until_hangup(pty.master.get());
  ProcResult tty_r = tty_run.finish();
  EXPECT_EQ(tty_r.exit_code, 47) << seen;
  EXPECT_TRUE(state_dirs().empty()) << "the container was left behind";
}

// Attached, hull run is the child subreaper of the container's orphans, as
// runc run is: in a container without a pid namespace of its own, a
// process whose parent exits is hull run's, and reaped when it exits (not
// left a zombie to whatever reaps above).
TEST_F(HullTest, AttachedRunReapsTheOrphansOfAContainerWithoutAPidNamespace) {
  Bundle& b = bundle();
  nlohmann::json& namespaces = b.config["linux"]["namespaces"];
  for (auto it = namespaces.begin(); it != namespaces.end();)
    it = (*it)["type"] == "pid" ? namespaces.erase(it) : it + 1;
  // The orphan: a sleep whose shell exits at once; its pid printed.
  b.args({"sh", "-c", "sh -c 'sleep 2 >/dev/null & echo $! > /tmp/orphan'; echo ready; sleep 1000"});
  SpawnOptions bounded;
  bounded.timeout = milliseconds(20000);
  Child run = hull_background({"run", "--bundle", b.dir().string(), "reaper"}, bounded);
  ASSERT_TRUE(run.wait_for_output("ready", milliseconds(10000)));
  pid_t orphan = std::stoi(read_text_file(b.rootfs() / "tmp" / "orphan"));
  std::string stat = read_text_file("/proc/" + std::to_string(orphan) + "/stat");
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::string state;
  pid_t parent = 0;
  fields >> state >> parent;
  EXPECT_EQ(parent, run.pid()) << stat;
  // Gone once it exits: reaped, not a zombie.
  auto deadline = std::chrono::steady_clock::now() + milliseconds(10000);
  while (std::filesystem::exists("/proc/" + std::to_string(orphan)) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(milliseconds(50));
  EXPECT_FALSE(std::filesystem::exists("/proc/" + std::to_string(orphan)))
      << read_text_file("/proc/" + std::to_string(orphan) + "/stat");
  ASSERT_EQ(::kill(run.pid(), SIGKILL), 0);
  run.finish();
  EXPECT_EQ(hull({"delete", "--force", "reaper"}).exit_code, 0);
}

// An attached run from a terminal (no -t) gives the container's process
// pipes that hull copies until it exits, as runc does (and as an attached
// exec from a terminal): a process left in the background (here without a
// pid namespace of its own, under --keep) never holds the caller's
// terminal, so it cannot read what is typed there once `hull run` has
// returned; and a non-root user may reopen its stdio by path (/dev/stdout).
TEST_F(HullTest, AttachedRunFromATerminalGivesTheProcessPipesNotTheTerminal) {
  Bundle& b = bundle();
  nlohmann::json& namespaces = b.config["linux"]["namespaces"];
  for (auto it = namespaces.begin(); it != namespaces.end();)
    it = (*it)["type"] == "pid" ? namespaces.erase(it) : it + 1;
  b.config["process"]["user"] = {{"uid", 1000}, {"gid", 1000}};
  b.args({"sh", "-c",
          "readlink /proc/self/fd/0; readlink /proc/self/fd/1; echo to-stdout > /dev/stdout; "
          "(cat > /tmp/typed) & echo run-done"});
  TestPty pty = open_test_pty();
  ASSERT_TRUE(pty.master);
  Child run = spawn_on_terminal(pty.slave_path, {runtime_binary(), "--root", state_root().string(), "run", "--keep",
                                                 "--bundle", b.dir().string(), "runpipe"});
  ProcResult r = run.finish();
  std::string out = read_until_hangup(pty.master.get(), milliseconds(500));
  EXPECT_EQ(r.exit_code, 0) << out;
  EXPECT_NE(out.find("pipe:["), std::string::npos) << out;
  EXPECT_EQ(out.find("/dev/pts/"), std::string::npos) << out;
  EXPECT_NE(out.find("to-stdout"), std::string::npos) << out;
  EXPECT_NE(out.find("run-done"), std::string::npos) << out;
  // Typed after hull run returned: only the terminal's own reader sees it.
  ASSERT_EQ(::write(pty.master.get(), "secret-typed\n", 13), 13);
  read_until_hangup(pty.master.get(), milliseconds(300));
  EXPECT_EQ(hull({"delete", "--force", "runpipe"}).exit_code, 0);
  std::string typed;
  if (fs::exists(b.rootfs() / "tmp" / "typed")) typed = read_text_file(b.rootfs() / "tmp" / "typed");
  EXPECT_EQ(typed.find("secret"), std::string::npos) << typed;
}

TEST_F(HullTest, RunDetachedReturnsWhileContainerRuns) {
  Bundle& b = bundle();
  b.args({"sleep", "1000"});
  SpawnOptions quick;
  quick.timeout = milliseconds(10000);
  ProcResult r = hull({"run", "-d", "--bundle", b.dir().string(), "det"}, quick);
  ASSERT_FALSE(r.timed_out) << "run -d must not wait for the container";
  ASSERT_EQ(r.exit_code, 0) << r.err;

  nlohmann::json s = state("det");
  ASSERT_TRUE(s.is_object());
  EXPECT_EQ(s.value("status", ""), "running");
  EXPECT_TRUE(pid_alive(s.value("pid", 0)));
}

TEST_F(HullTest, RunKeepLeavesStoppedContainer) {
  Bundle& b = bundle();
  b.args({"sh", "-c", "exit 3"});
  ProcResult r = hull({"run", "--keep", "--bundle", b.dir().string(), "kept"});
  EXPECT_EQ(r.exit_code, 3) << r.err;

  EXPECT_EQ(status("kept"), "stopped");
  ProcResult del = hull({"delete", "kept"});
  EXPECT_EQ(del.exit_code, 0) << del.err;
  expect_nothing_left("kept");
}

TEST_F(HullTest, RunWithoutKeepRemovesContainer) {
  ProcResult r = run_sh(bundle(), "true", "gone");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ProcResult st = hull({"state", "gone"});
  EXPECT_EQ(st.exit_code, 1);
  EXPECT_NE(st.err.find("container \"gone\" does not exist"), std::string::npos) << st.err;
  expect_nothing_left("gone");
}

}  // namespace
}  // namespace hull::itest
