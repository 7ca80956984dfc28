// Which fds a container's init holds, seen from the host in
// /proc/<pid>/fd and /proc/<pid>/fdinfo: while created (waiting at the start
// barrier) only stdio, the --preserve-fds ones and the barrier's listening
// socket, which must be close-on-exec; after start exactly stdio and the
// preserved fds. Anything else would be a runtime fd that the container
// process could reach (CVE-2016-9962, CVE-2024-21626).
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <climits>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "harness.hpp"
#include "proc_files.hpp"
#include "process/terminal_proxy.hpp"

namespace hull::itest {
namespace {

struct OpenFd {
  std::string target;  // readlink of /proc/<pid>/fd/<n>
  bool cloexec = false;
};

// fd number -> what it is. fdinfo's flags show O_CLOEXEC for the fd's
// close-on-exec bit but also when the file was opened with O_CLOEXEC (the
// open flags keep it), so the bit is only meaningful for fds that were not
// opened that way: sockets, whose open flags never carry it.
std::map<int, OpenFd> open_fds_of(pid_t pid) {
  std::map<int, OpenFd> fds;
  std::string dir = "/proc/" + std::to_string(pid);
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir + "/fd", ec)) {
    int n = std::stoi(e.path().filename());
    OpenFd f;
    char buf[PATH_MAX];
    ssize_t len = ::readlink(e.path().c_str(), buf, sizeof buf);
    if (len > 0) f.target.assign(buf, static_cast<size_t>(len));
    std::ifstream info(dir + "/fdinfo/" + std::to_string(n));
    for (std::string line; std::getline(info, line);) {
      if (line.rfind("flags:", 0) == 0) f.cloexec = std::stoul(line.substr(6), nullptr, 8) & O_CLOEXEC;
    }
    fds[n] = f;
  }
  EXPECT_FALSE(ec) << "list " << dir << "/fd: " << ec.message();
  return fds;
}

std::string describe(const std::map<int, OpenFd>& fds) {
  std::string s;
  for (const auto& [n, f] : fds) s += std::to_string(n) + " -> " + f.target + (f.cloexec ? " (cloexec)" : "") + "\n";
  return s;
}

// A created init's fds above `last_kept` (stdio and preserved fds): exactly
// one, the start barrier's listening socket, CLOEXEC so execve drops it.
void expect_only_the_barrier_above(const std::map<int, OpenFd>& fds, int last_kept) {
  auto barrier = std::find_if(fds.begin(), fds.end(), [&](const auto& e) { return e.first > last_kept; });
  ASSERT_NE(barrier, fds.end()) << "no barrier socket";
  EXPECT_EQ(barrier->second.target.rfind("socket:[", 0), 0u) << barrier->second.target;
  EXPECT_TRUE(barrier->second.cloexec);
  EXPECT_EQ(fds.size(), static_cast<size_t>(last_kept) + 2);
}

class InitFds : public HullTest {};

// The caller's other open fds (5 and 9 here, not close-on-exec) are not the
// container's: the created init does not hold them while it waits (runc's
// create.bats, "detect fd leak"). Nor the --log file, once its lines are
// written: a process exec'd with CAP_SYS_PTRACE could open the host file
// through /proc/1/fd and rewrite what an engine reads its errors from
// (found by review: it held it; runc's init holds a pipe).
TEST_F(InitFds, CreatedInitHoldsStdioPreservedFdAndOnlyTheCloexecBarrier) {
  std::filesystem::path kept = temp_dir() / "kept", other = temp_dir() / "other", log = temp_dir() / "debug.log";
  std::ofstream(kept) << "kept\n";
  std::ofstream(other) << "other\n";
  Bundle& b = bundle();
  b.args({"sleep", "1000"});
  b.write();
  std::string cmd = "exec 3<'" + kept.string() + "' 5<'" + other.string() + "' 9<'" + other.string() +
                    "'; exec '" HULL_BINARY "' --root '" + state_root().string() + "' --debug --log '" + log.string() +
                    "' create --preserve-fds 1 --bundle '" + b.dir().string() + "' fds";
  ProcResult r = run_process({"/bin/sh", "-c", cmd});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(read_text_file(log).find("level=debug"), std::string::npos) << read_text_file(log);
  pid_t init = state("fds").value("pid", 0);
  ASSERT_GT(init, 0);

  std::map<int, OpenFd> created = open_fds_of(init);
  SCOPED_TRACE("created init's fds:\n" + describe(created));
  for (int n : {0, 1, 2, 3}) ASSERT_TRUE(created.count(n)) << n;
  EXPECT_EQ(created[0].target, "/dev/null");
  EXPECT_EQ(created[3].target, kept.string());
  expect_only_the_barrier_above(created, 3);

  start_container("fds");
  std::map<int, OpenFd> running = open_fds_of(init);
  SCOPED_TRACE("running process's fds:\n" + describe(running));
  ASSERT_EQ(running.size(), 4u);
  EXPECT_EQ(running[0].target, "/dev/null");
  EXPECT_EQ(running[3].target, kept.string());
}

// Without noNewPrivileges the seccomp filter is loaded before the start
// barrier, so the init closes its fds under it: a profile that denies
// close_range (or predates it) still leaves the program stdio and the
// preserved fd only, closed one by one.
TEST_F(InitFds, AProfileDenyingCloseRangeStillLeavesOnlyStdioAndThePreservedFd) {
  std::filesystem::path kept = temp_dir() / "kept", other = temp_dir() / "other";
  std::ofstream(kept) << "kept\n";
  std::ofstream(other) << "other\n";
  Bundle& b = bundle();
  b.config["process"]["noNewPrivileges"] = false;
  b.config["linux"]["seccomp"] = {
      {"defaultAction", "SCMP_ACT_ALLOW"},
      {"syscalls", {{{"names", {"close_range"}}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", 1}}}}};
  b.args({"sleep", "1000"});
  b.write();
  std::string cmd = "exec 3<'" + kept.string() + "' 5<'" + other.string() + "'; exec '" HULL_BINARY "' --root '" +
                    state_root().string() + "' create --preserve-fds 1 --bundle '" + b.dir().string() + "' fds";
  ProcResult r = run_process({"/bin/sh", "-c", cmd});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  pid_t init = state("fds").value("pid", 0);
  ASSERT_GT(init, 0);
  start_container("fds");
  std::map<int, OpenFd> running = open_fds_of(init);
  SCOPED_TRACE("running process's fds:\n" + describe(running));
  ASSERT_EQ(running.size(), 4u);
  EXPECT_EQ(running[3].target, kept.string());
}

// With process.terminal the pty slave is stdio and the master went to the
// console socket: neither the master nor the console socket stays in the init.
TEST_F(InitFds, TerminalInitHoldsOnlyThePtyAndTheBarrier) {
  Bundle& b = bundle();
  b.config["process"]["terminal"] = true;
  b.args({"sleep", "1000"});
  b.write();
  std::string sock = (temp_dir() / "console.sock").string();
  UniqueFd listener(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, sock.c_str(), sizeof addr.sun_path - 1);
  ASSERT_EQ(::bind(listener.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(listener.get(), 1), 0);
  Child create = hull_background({"create", "--bundle", b.dir().string(), "--console-socket", sock, "fds-tty"});
  pollfd p = {listener.get(), POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 20000), 1) << "no connection on the console socket";
  UniqueFd conn(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
  ASSERT_TRUE(conn);
  process::ReceivedPty pty = process::receive_pty_master(conn.get());
  ProcResult c = create.finish();
  ASSERT_EQ(c.exit_code, 0) << c.err;
  pid_t init = state("fds-tty").value("pid", 0);
  ASSERT_GT(init, 0);

  std::map<int, OpenFd> created = open_fds_of(init);
  SCOPED_TRACE("created init's fds:\n" + describe(created));
  // The container's devpts is another instance: the host sees the slave
  // under the container's mount, by its pts name.
  for (int n : {0, 1, 2}) EXPECT_TRUE(created[n].target.ends_with(pty.name)) << n << ": " << created[n].target;
  expect_only_the_barrier_above(created, 2);

  start_container("fds-tty");
  std::map<int, OpenFd> running = open_fds_of(init);
  SCOPED_TRACE("running process's fds:\n" + describe(running));
  EXPECT_EQ(running.size(), 3u);
  for (int n : {0, 1, 2}) EXPECT_TRUE(running[n].target.ends_with(pty.name)) << n;
}

}  // namespace
// --preserve-fds 2 from a caller that has fd 3 open but not fd 4: hull
// refuses before it opens anything of its own (its --log file would take fd
// 4 and be carried into the container), and leaves nothing. The same for
// exec, with runc's status for a failed exec.
TEST_F(InitFds, PreservedFdsTheCallerLeftClosedAreRefusedBeforeHullOpensAnything) {
  std::filesystem::path kept = temp_dir() / "kept", log = temp_dir() / "hull.log";
  std::ofstream(kept) << "kept\n";
  Bundle& b = bundle();
  b.args({"sleep", "1000"});
  b.write();
  const std::string hull = std::string("'" HULL_BINARY "' --root '") + state_root().string() + "' --log '" +
                           log.string() + "' ";
  for (const char* verb : {"run -d", "create"}) {
    SCOPED_TRACE(verb);
    std::string cmd = "exec 3<'" + kept.string() + "' 4<&-; exec " + hull + verb + " --preserve-fds 2 --bundle '" +
                      b.dir().string() + "' leak";
    ProcResult r = run_process({"/bin/sh", "-c", cmd});
    EXPECT_TRUE(failed_with(r, {"fd 4 is not open", "fds 3 to 4"}));
    EXPECT_TRUE(state_dirs().empty());
  }
  ASSERT_GT(create_container("up"), 0);
  start_container("up");
  std::string cmd = "exec 3<&- 4<&-; exec " + hull + "exec --preserve-fds 1 up true";
  ProcResult r = run_process({"/bin/sh", "-c", cmd});
  EXPECT_EQ(r.exit_code, 255) << r.err;
  EXPECT_NE(r.err.find("fd 3 is not open"), std::string::npos) << r.err;
}

// A program handed over as a preserved fd runs, as with runc (an engine's
// memfd; a host script as /proc/self/fd/3), in `run` and `exec`: the
// CVE-2024-21626 check refuses a binary outside the container's mounts only
// when the caller did not pass that very file. Another host file, reached
// through a preserved directory, is still refused.
TEST_F(InitFds, AProgramPassedAsAPreservedFdRuns) {
  const std::filesystem::path script = temp_dir() / "passed.sh";
  std::ofstream(script) << "#!/bin/sh\necho passed-ran \"$@\"\n";
  std::filesystem::permissions(script, std::filesystem::perms(0755));
  Bundle& b = bundle();
  b.args({"/proc/self/fd/3", "by-run"});
  b.write();
  const std::string hull = std::string("'" HULL_BINARY "' --root '") + state_root().string() + "' ";
  auto with_fd3 = [&](const std::filesystem::path& file, const std::string& rest) {
    return run_process({"/bin/sh", "-c", "exec 3<'" + file.string() + "'; exec " + hull + rest});
  };
  ProcResult r = with_fd3(script, "run --preserve-fds 1 --bundle '" + b.dir().string() + "' passed");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "passed-ran by-run\n") << r.err;

  ASSERT_GT(create_container("up"), 0);
  start_container("up");
  r = with_fd3(script, "exec --preserve-fds 1 up /proc/self/fd/3 by-exec");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "passed-ran by-exec\n") << r.err;

  r = with_fd3(temp_dir(), "exec --preserve-fds 1 up /proc/self/fd/3/passed.sh");
  EXPECT_TRUE(failed_with(r, {"outside the container", "CVE-2024-21626"}, kExecFailed));
}

}  // namespace hull::itest
