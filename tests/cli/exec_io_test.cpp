// hull exec: terminal, detach and pid file, the fds the process gets, and
// what a long run of execs leaves behind.
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "exec_fixture.hpp"
#include "process/terminal_proxy.hpp"
#include "test_pty.hpp"
#include "unix_listener.hpp"

namespace hull::itest {
namespace {

namespace fs = std::filesystem;

// The caller's terminal as a window of rows x cols.
bool set_window_size(const TestPty& pty, unsigned short rows, unsigned short cols) {
  struct winsize ws {};
  ws.ws_row = rows;
  ws.ws_col = cols;
  return ::ioctl(pty.master.get(), TIOCSWINSZ, &ws) == 0;
}

// The pty starts at the size the container's process.consoleSize gives, as
// runc's exec takes it from the config.
TEST_F(ExecTest, TtyOverConsoleSocket) {
  Bundle& b = bundle();
  b.config["process"]["consoleSize"] = {{"height", 30}, {"width", 100}};
  ASSERT_GT(start_sleeping(b, "extty"), 0);
  fs::path sock = temp_dir() / "exec-console.sock";
  UniqueFd listener = listen_unix(sock);
  Child ex =
      hull_background({"exec", "-t", "--console-socket", sock.string(), "extty", "sh", "-c",
                       "tty; [ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo stdio-is-tty; stty size; read go; exit 3"});
  UniqueFd conn = accept_within(listener.get(), milliseconds(20000));
  ASSERT_TRUE(conn) << "no connection on the console socket";
  process::ReceivedPty pty = process::receive_pty_master(conn.get());
  EXPECT_TRUE(pty.name.starts_with("/dev/pts/")) << pty.name;
  // The socket is done once the master is sent: it ends while the process,
  // waiting for input, still runs (an attached exec held it to the end).
  pollfd ended{conn.get(), POLLIN, 0};
  ASSERT_EQ(::poll(&ended, 1, 10000), 1) << "the console socket stayed open";
  char byte;
  EXPECT_EQ(::recv(conn.get(), &byte, 1, 0), 0);
  ASSERT_EQ(::write(pty.master.get(), "go\n", 3), 3);
  std::string out = read_until_hangup(pty.master.get());
  ProcResult r = ex.finish();
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(out.find(pty.name), std::string::npos) << out;
  EXPECT_NE(out.find("stdio-is-tty"), std::string::npos) << out;
  EXPECT_NE(out.find("30 100"), std::string::npos) << out;
}

// Without --console-socket the attached hull proxies the pty itself.
TEST_F(ExecTest, TtyProxiedByHull) {
  ASSERT_GT(start_sleeping("exproxy"), 0);
  ProcResult r = exec({"-t", "exproxy", "sh", "-c", "[ -t 0 ] && [ -t 1 ] && tty"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.starts_with("/dev/pts/")) << r.out;

  r = exec({"-t", "-d", "exproxy", "true"});
  EXPECT_TRUE(failed_with(r, {"--console-socket"}, kExecFailed));
}

// Proxied, the exec'd program starts at the caller's window size: runc sets
// it before the execve; a first resize from the proxy would come after a
// program that reads the size at once (stty, a shell's first prompt) saw
// 0x0. Three times: that race lost most runs. The caller's window, not the
// container's process.consoleSize, as runc resizes the pty to it.
TEST_F(ExecTest, TtyProxiedStartsAtTheCallersWindowSize) {
  Bundle& b = bundle();
  b.config["process"]["consoleSize"] = {{"height", 20}, {"width", 60}};
  ASSERT_GT(start_sleeping(b, "exwin"), 0);
  for (int round = 0; round < 3; ++round) {
    TestPty pty = open_test_pty();
    ASSERT_TRUE(pty.master);
    ASSERT_TRUE(set_window_size(pty, 33, 111));
    Child ex = spawn_on_terminal(
        pty.slave_path, {runtime_binary(), "--root", state_root().string(), "exec", "-t", "exwin", "stty", "size"});
    std::string out = read_until_hangup(pty.master.get());
    ProcResult r = ex.finish();
    EXPECT_EQ(r.exit_code, 0) << out;
    EXPECT_NE(out.find("33 111"), std::string::npos) << "round " << round << ": " << out;
  }
}

// Input from a pipe, output to a terminal (`echo x | hull exec -t`): the
// terminal is still the caller's, found on stdout or stderr as runc's
// console package finds it, so the pty starts at its size and it is put in
// raw mode (left cooked, each line came out as "\r\r\n").
TEST_F(ExecTest, TtyProxiedWithPipedInputUsesTheTerminalOfItsOutput) {
  ASSERT_GT(start_sleeping("expiped"), 0);
  TestPty pty = open_test_pty();
  ASSERT_TRUE(pty.master);
  ASSERT_TRUE(set_window_size(pty, 33, 111));
  Child ex = Child::spawn({"/bin/sh", "-c", "exec \"$@\" </dev/null >\"$0\" 2>&1", pty.slave_path, runtime_binary(),
                           "--root", state_root().string(), "exec", "-t", "expiped", "stty", "size"});
  std::string out = read_until_hangup(pty.master.get());
  ProcResult r = ex.finish();
  EXPECT_EQ(r.exit_code, 0) << out;
  EXPECT_NE(out.find("33 111\r\n"), std::string::npos) << out;
  EXPECT_EQ(out.find("\r\r\n"), std::string::npos) << out;
}

// An attached exec from a terminal (no -t) gives the process pipes that
// hull copies until the process exits, as runc does: a process it leaves in
// the background never holds the caller's terminal, so it cannot read what
// is typed there once `hull exec` has returned; and a non-root user may
// reopen its stdio by path (/dev/stdout).
TEST_F(ExecTest, FromATerminalTheProcessGetsPipesNotTheCallersTerminal) {
  ASSERT_GT(start_sleeping("expipe"), 0);
  TestPty pty = open_test_pty();
  ASSERT_TRUE(pty.master);
  const std::string script =
      "readlink /proc/self/fd/0; readlink /proc/self/fd/1; echo to-stdout > /dev/stdout; "
      "(cat > /dev/shm/typed) & echo exec-done";
  Child ex = spawn_on_terminal(pty.slave_path, {runtime_binary(), "--root", state_root().string(), "exec", "--user",
                                                "1000:1000", "expipe", "sh", "-c", script});
  ProcResult r = ex.finish();
  std::string out = read_until_hangup(pty.master.get(), milliseconds(500));
  EXPECT_EQ(r.exit_code, 0) << out;
  EXPECT_NE(out.find("pipe:["), std::string::npos) << out;
  EXPECT_EQ(out.find("/dev/pts/"), std::string::npos) << out;
  EXPECT_NE(out.find("to-stdout"), std::string::npos) << out;
  EXPECT_NE(out.find("exec-done"), std::string::npos) << out;
  // Typed after hull exec returned: only the terminal's own reader sees it.
  ASSERT_EQ(::write(pty.master.get(), "secret-typed\n", 13), 13);
  read_until_hangup(pty.master.get(), milliseconds(300));
  ProcResult typed = exec({"expipe", "cat", "/dev/shm/typed"});
  EXPECT_EQ(typed.out.find("secret"), std::string::npos) << typed.out;
}

// An attached exec whose output cannot be written for a full disk drops the
// rest of it and still returns the process's status: through the pty it
// proxies (-t) and through the pipes it copies (from a terminal, without
// -t). A reader gone closes the output instead (TerminalProxy unit tests,
// HullTest.AnAttachedRunWhoseOutputCannotBeWrittenReturnsTheStatusAndDeletes).
TEST_F(ExecTest, AnExecWhoseOutputCannotBeWrittenReturnsTheProcessStatus) {
  ASSERT_GT(start_sleeping("exfull"), 0);
  const std::string script = "for i in 1 2 3 4 5 6 7 8; do echo line $i; done; exit 5";
  ProcResult tty = run_process({"/bin/sh", "-c", "exec \"$0\" --root \"$1\" exec -t exfull sh -c \"$2\" >/dev/full",
                                runtime_binary(), state_root().string(), script});
  EXPECT_EQ(tty.exit_code, 5) << tty.err;
  EXPECT_NE(tty.err.find("the rest of the process's output is dropped"), std::string::npos) << tty.err;

  TestPty pty = open_test_pty();
  ASSERT_TRUE(pty.master);
  Child piped = spawn_on_terminal(pty.slave_path,
                                  {"/bin/sh", "-c", "exec \"$0\" --root \"$1\" exec exfull sh -c \"$2\" >/dev/full",
                                   runtime_binary(), state_root().string(), script});
  ProcResult r = piped.finish();
  const std::string out = read_until_hangup(pty.master.get(), milliseconds(500));
  EXPECT_EQ(r.exit_code, 5) << out;
  EXPECT_NE(out.find("the rest of the process's output is dropped"), std::string::npos) << out;
}

TEST_F(ExecTest, DetachedWritesThePidFileBeforeReturning) {
  const pid_t init = start_sleeping("exdet");
  ASSERT_GT(init, 0);
  fs::path pid_file = temp_dir() / "exec.pid";
  ProcResult r = exec({"-d", "--pid-file", pid_file.string(), "exdet", "sleep", "1000"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(fs::exists(pid_file)) << "no pid file when hull exec -d returned";
  const pid_t pid = std::stoi(read_text_file(pid_file));
  EXPECT_TRUE(pid_alive(pid));
  EXPECT_EQ(read_text_file("/proc/" + std::to_string(pid) + "/comm"), "sleep\n");
  for (const char* ns : {"pid", "mnt", "net", "uts", "ipc", "cgroup"})
    EXPECT_EQ(ns_link(pid, ns), ns_link(init, ns)) << ns;
  EXPECT_EQ(read_text_file("/proc/" + std::to_string(pid) + "/cgroup"),
            read_text_file("/proc/" + std::to_string(init) + "/cgroup"));
  // hull exited: the process was re-parented to us (a subreaper); not to leak it.
  ::kill(pid, SIGKILL);
  EXPECT_TRUE(wait_exit_and_reap(pid));
}

TEST_F(ExecTest, ProcessGetsOnlyStdioAndPreservedFds) {
  ASSERT_GT(start_sleeping("exfd"), 0);
  // `ls /proc/$$/fd` lists the shell's fds, not ls's own.
  // (ls -l on stderr says what an unexpected one is.)
  ProcResult r = exec({"exfd", "sh", "-c", "ls /proc/$$/fd; ls -l /proc/$$/fd >&2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "0\n1\n2\n") << r.err;

  // hull started with 3, 4 and 5 open; --preserve-fds 2 passes 3 and 4 only
  // (written 0x2: Go's flag package reads a uint flag in any base).
  fs::path data = temp_dir() / "preserved";
  std::ofstream(data) << "preserved-data\n";
  std::vector<std::string> argv{"/bin/sh",
                                "-c",
                                "exec 3<\"$0\" 4<\"$0\" 5<\"$0\"; exec \"$@\"",
                                data.string(),
                                HULL_BINARY,
                                "--root",
                                state_root().string(),
                                "exec",
                                "--preserve-fds",
                                "0x2",
                                "exfd",
                                "sh",
                                "-c",
                                "ls /proc/$$/fd; cat <&4; ls -l /proc/$$/fd >&2"};
  r = run_process(argv);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "0\n1\n2\n3\n4\npreserved-data\n") << r.err;
}

// The config of a process whose filter exec's helper loads before it
// clones it (no noNewPrivileges, no CAP_SYS_ADMIN), sleeping.
void under_the_helpers_filter(Bundle& b, const nlohmann::json& seccomp) {
  b.config["process"]["noNewPrivileges"] = false;
  const nlohmann::json caps = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
  b.config["process"]["capabilities"] = {{"bounding", caps}, {"effective", caps}, {"permitted", caps}};
  b.config["linux"]["seccomp"] = seccomp;
  b.args({"sleep", "1000"});
}

// exec -p's file: the bundle's process with `changes`, written to `path`.
std::filesystem::path process_file(const Bundle& b, const nlohmann::json& changes, const std::filesystem::path& path) {
  nlohmann::json process = b.config["process"];
  process.update(changes);
  std::ofstream(path) << process.dump();
  return path;
}

nlohmann::json nproc(uint64_t limit) { return {{{"type", "RLIMIT_NPROC"}, {"hard", limit}, {"soft", limit}}}; }

// CVE-2019-5736: the exec'd process cannot get at the runtime binary through
// its own /proc/self/exe before execve.
TEST_F(ExecTest, TheRuntimeBinaryCannotBeExecuted) {
  ASSERT_GT(start_sleeping("exself"), 0);
  ProcResult r = exec({"exself", "/proc/self/exe"});
  EXPECT_TRUE(failed_with(r, {"is the hull runtime binary itself", "CVE-2019-5736"}, kExecFailed));
}

// Where the process is born under its filter (no noNewPrivileges, no
// CAP_SYS_ADMIN: exec's helper loads it) and the filter refuses openat2, the
// process cannot read its /proc/self/exe: the runtime binary is known from
// the helper. Without it the check was skipped.
TEST_F(ExecTest, TheRuntimeBinaryIsRefusedUnderAFilterRefusingOpenat2) {
  Bundle& b = bundle();
  under_the_helpers_filter(
      b, {{"defaultAction", "SCMP_ACT_ALLOW"},
          {"syscalls", {{{"names", {"openat2"}}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", ENOSYS}}}}});
  ASSERT_EQ(hull({"create", "--bundle", b.dir().string(), "exself2"}).exit_code, 0);
  start_container("exself2");
  ProcResult r = exec({"exself2", "/proc/self/exe"});
  EXPECT_TRUE(failed_with(r, {"is the hull runtime binary itself", "CVE-2019-5736"}, kExecFailed)) << r.err;
  EXPECT_EQ(exec({"exself2", "true"}).exit_code, 0);
}

// exec's helper loads a filter without noNewPrivileges (no CAP_SYS_ADMIN)
// before it clones the process: a profile refusing clone3 with EPERM (an
// allow-list older than clone3) gets clone(2), as one answering ENOSYS does
// (found by review 2026-12-07: every exec failed; runc runs it). And
// RLIMIT_NPROC is the process's own, set as it leaves root: in a user
// namespace, at a limit of 1 with one process of that user running, the
// clone was refused (runc runs it too).
TEST_F(ExecTest, AProfileRefusingClone3AndALimitOfOneProcessStillExec) {
  Bundle& b = bundle();
  b.add_user_namespace();
  under_the_helpers_filter(
      b, {{"defaultAction", "SCMP_ACT_ALLOW"},
          {"syscalls", {{{"names", {"clone3"}}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", EPERM}}}}});
  ASSERT_EQ(hull({"create", "--bundle", b.dir().string(), "exclone"}).exit_code, 0);
  start_container("exclone");
  ProcResult r = exec({"exclone", "id", "-u"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "0\n");
  ASSERT_EQ(exec({"-d", "--user", "1000:1000", "exclone", "sleep", "1000"}).exit_code, 0);
  const std::filesystem::path file =
      process_file(b, {{"user", {{"uid", 1000}, {"gid", 1000}}}, {"args", {"id", "-u"}}, {"rlimits", nproc(1)}},
                   temp_dir() / "nproc.json");
  r = exec({"-p", file.string(), "exclone"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "1000\n");
}

// The same profile refusing the clone(2) tried then too (its flags:
// CLONE_PARENT alone): the error named clone3 (review "rules", 109th
// round).
TEST_F(ExecTest, AProfileRefusingClone3AndThenCloneNamesClone) {
  Bundle& b = bundle();
  under_the_helpers_filter(b, {{"defaultAction", "SCMP_ACT_ALLOW"},
                               {"syscalls",
                                {{{"names", {"clone3"}}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", EPERM}},
                                 {{"names", {"clone"}},
                                  {"action", "SCMP_ACT_ERRNO"},
                                  {"errnoRet", EACCES},
                                  {"args", {{{"index", 0}, {"value", CLONE_PARENT}, {"op", "SCMP_CMP_EQ"}}}}}}}});
  ASSERT_EQ(hull({"create", "--bundle", b.dir().string(), "exclone2"}).exit_code, 0);
  start_container("exclone2");
  ProcResult r = exec({"exclone2", "true"});
  EXPECT_TRUE(failed_with(
      r,
      {"clone the exec process in the container's namespaces (clone(2), tried where clone3 is refused, as a "
       "seccomp filter refuses it)",
       "permission denied"},
      kExecFailed))
      << r.err;
}

// Under a filter exec's helper loads (no noNewPrivileges, no
// CAP_SYS_ADMIN), the process takes as few steps as it can: root's uid
// needs no setresuid, and RLIMIT_NPROC is set by the runtime with prlimit,
// as runc sets exec's limits (found by review 2026-12-07: both failed the
// exec, which the order before this round ran; runc 1.1.5 fails the first,
// its setuid(0) refused).
TEST_F(ExecTest, AProfileRefusingSetresuidAndPrlimitStillExecs) {
  Bundle& b = bundle();
  under_the_helpers_filter(b, {{"defaultAction", "SCMP_ACT_ALLOW"},
                               {"syscalls",
                                {{{"names", {"setresuid", "setuid", "prlimit64", "setrlimit"}},
                                  {"action", "SCMP_ACT_ERRNO"},
                                  {"errnoRet", 1}}}}});
  ASSERT_EQ(hull({"create", "--bundle", b.dir().string(), "exsetuid"}).exit_code, 0);
  start_container("exsetuid");
  ProcResult r = exec({"exsetuid", "id", "-u"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "0\n");
  // Read from /proc: the profile refuses the shell's getrlimit too.
  const std::filesystem::path file =
      process_file(b,
                   {{"args", {"sh", "-c", "grep 'Max processes' /proc/self/limits | tr -s ' ' | cut -d' ' -f3,4"}},
                    {"rlimits", nproc(100)}},
                   temp_dir() / "nproc100.json");
  r = exec({"-p", file.string(), "exsetuid"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "100 100\n");
}

TEST_F(ExecTest, StdinReachesTheProcess) {
  ASSERT_GT(start_sleeping("exstdin"), 0);
  SpawnOptions in;
  in.stdin_data = "line one\nline two\n";
  ProcResult r = exec({"exstdin", "sh", "-c", "cat; echo done"}, in);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "line one\nline two\ndone\n");
}

// A running exec holds no lock: state, kill and other execs go on meanwhile.
TEST_F(ExecTest, LongExecBlocksNoOtherCommand) {
  ASSERT_GT(start_sleeping("exlong"), 0);
  Child longer = hull_background({"exec", "exlong", "sh", "-c", "echo ready; exec sleep 1000"});
  ASSERT_TRUE(longer.wait_for_output("ready\n", milliseconds(20000)));
  SpawnOptions bounded;
  bounded.timeout = milliseconds(10000);
  ProcResult r = exec({"exlong", "echo", "second"}, bounded);
  EXPECT_EQ(r.out, "second\n") << r.err;
  EXPECT_EQ(status("exlong"), "running");
  // kill --all reaches the exec'd sleep too (it is in the container's cgroup).
  r = hull({"kill", "--all", "exlong", "KILL"}, bounded);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ProcResult l = longer.finish();
  EXPECT_EQ(l.exit_code, 128 + SIGKILL) << l.err;
}

std::set<std::string> dir_entries(const fs::path& dir) {
  std::set<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) names.insert(e.path().filename());
  return names;
}

TEST_F(ExecTest, HundredExecsLeaveNoZombieFdOrMountBehind) {
  const pid_t init = start_sleeping("exmany");
  ASSERT_GT(init, 0);
  const std::string proc = "/proc/" + std::to_string(init);
  const std::string mountinfo = read_text_file(proc + "/mountinfo");
  const std::set<std::string> init_fds = dir_entries(proc + "/fd");
  const std::set<std::string> our_fds = dir_entries("/proc/self/fd");
  ASSERT_FALSE(mountinfo.empty());
  for (int i = 0; i < 100; ++i) {
    ProcResult r = exec({"exmany", "true"});
    ASSERT_EQ(r.exit_code, 0) << "exec " << i << ": " << r.err;
  }
  EXPECT_EQ(read_text_file(proc + "/mountinfo"), mountinfo);
  EXPECT_EQ(dir_entries(proc + "/fd"), init_fds);
  EXPECT_EQ(dir_entries("/proc/self/fd"), our_fds);
  EXPECT_EQ(children_of(init), std::vector<pid_t>{});
  EXPECT_EQ(children_of_self(), std::vector<pid_t>{init}) << "an exec'd process outlived its hull exec";
  // Inside: only the init and find itself, no zombie in the pid namespace.
  ProcResult r = exec({"exmany", "find", "/proc", "-maxdepth", "1", "-name", "[0-9]*"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(r.out);
  std::set<std::string> pids;
  for (std::string l; std::getline(lines, l);) pids.insert(l);
  EXPECT_EQ(pids.size(), 2u) << r.out;
  EXPECT_EQ(pids.count("/proc/1"), 1u) << r.out;
}

}  // namespace
}  // namespace hull::itest
