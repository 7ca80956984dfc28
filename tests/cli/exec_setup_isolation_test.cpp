// A container process with CAP_SYS_PTRACE in the host's user namespace (a
// container without a user namespace of its own, given SYS_PTRACE to debug
// with) passes the kernel's ptrace check on every process of its pid
// namespace, non-dumpable or not: it may open /proc/<pid>/fd/N of hull's
// exec process while that sets up. A directory there (the host's procfs,
// the state dir, a cgroup directory) walks to the host's files with "..";
// a host file is the host's. So the exec process is born holding neither
// (runtime/exec.cpp, docs/security.md). Stopped at its first step
// (hull_fault, `exec-process-started`), it is looked at from inside the
// container by a process given CAP_SYS_PTRACE, as an attacker would.
//
// Built only in a -DHULL_FAULT_INJECTION=ON build, which defines HULL_FAULT_BINARY.
#ifdef HULL_FAULT_BINARY
#include <signal.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "harness.hpp"
#include "proc_files.hpp"
#include "test_pty.hpp"

namespace hull::itest {
namespace {

namespace fs = std::filesystem;

constexpr const char* kId = "setup-fds";

// A child of `parent` stopped by a signal, waited for (bounded): the exec
// process, our `hull exec`'s child, stopped at its fault point.
pid_t stopped_child_of(pid_t parent) {
  for (int i = 0; i < 400; ++i) {
    for (pid_t pid : children_of(parent))
      if (auto st = read_pid_stat(pid); st && st->state == 'T') return pid;
    std::this_thread::sleep_for(milliseconds(25));
  }
  return 0;
}

// Its pid in the innermost pid namespace (the container's), "" outside one.
std::string pid_in_its_namespace(pid_t pid) {
  std::istringstream fields(status_field(read_text_file("/proc/" + std::to_string(pid) + "/status"), "NSpid"));
  std::vector<std::string> pids;
  for (std::string p; fields >> p;) pids.push_back(p);
  return pids.size() >= 2 ? pids.back() : "";
}

class ExecSetupIsolation : public HullTest {
 protected:
  // Starts a container whose init, given CAP_SYS_PTRACE, is the attacker:
  // each time it is told an exec process's pid (through a fifo, as `hull
  // exec` holds the container's lock until its process has exec'd), it
  // follows every fd of it, one line each into /report: "dir", "file",
  // "ownpty" (a pty of the container's devpts: exec -t's, opened by the
  // helper), "char <major>:<minor>" (hex) or "other" (pipes, sockets); and reads its
  // environment and command line: "environ-leaked" or "cmdline-leaked"
  // where it finds `hull exec`'s caller's (its -e values are on that line).
  // It holds the fifo open both ways: reopened for each pid, its read found
  // our write end still open after a quick look, then end of file at our
  // close, and the init's exit killed the exec process (137, seen under
  // load: review 2026-12-07).
  void start_attacker() {
    b_ = &bundle();
    for (auto& [set, names] : b_->config["process"]["capabilities"].items()) names.push_back("CAP_SYS_PTRACE");
    b_->args({"sh", "-c",
              "exec 3<>/trigger; while read P <&3; do (cd /proc/$P/fd || exit; for f in *; do "
              "if [ -d $f ]; then echo dir $f $(readlink $f); "
              "elif [ -f $f ]; then echo file $f $(readlink $f); "
              "elif [ -c $f ] && [ \"$(stat -L -c %d $f)\" = \"$(stat -c %d /dev/pts)\" ]; then "
              "echo ownpty $f $(readlink $f); "
              "elif [ -c $f ]; then echo char $(stat -L -c %t:%T $f) $f $(readlink $f); "
              "else echo other $f $(readlink $f); fi; done; "
              "if grep -q hull-caller-secret /proc/$P/environ; then echo environ-leaked; fi; "
              "if grep -q hull-caller-secret /proc/$P/cmdline; then echo cmdline-leaked; fi) > /report.part "
              "2>&1 || echo refused >> /report.part; mv /report.part /report; done"});
    ASSERT_EQ(::mkfifo((b_->rootfs() / "trigger").c_str(), 0600), 0);
    ProcResult c = hull({"create", "--bundle", b_->dir().string(), kId});
    ASSERT_EQ(c.exit_code, 0) << c.err;
    start_container(kId);
  }

  // `exec` (hull_fault, stopped at its process's first step), given to the
  // attacker; what it found.
  std::string attack(Child exec) {
    const pid_t victim = stopped_child_of(exec.pid());
    EXPECT_GT(victim, 0) << "the exec process did not stop at exec-process-started";
    if (victim <= 0) return "(no victim)";
    const std::string inner = pid_in_its_namespace(victim);
    EXPECT_FALSE(inner.empty()) << "the exec process is not in the container's pid namespace";
    std::ofstream(b_->rootfs() / "trigger") << inner << "\n";
    const fs::path report = b_->rootfs() / "report";
    for (int i = 0; i < 400 && !fs::exists(report); ++i) std::this_thread::sleep_for(milliseconds(25));
    const std::string look = fs::exists(report) ? read_text_file(report) : "(no report)";
    fs::remove(report);
    ::kill(victim, SIGCONT);
    ProcResult done = finish_reaping_orphans(std::move(exec));
    EXPECT_EQ(done.exit_code, 0) << done.err;
    return look;
  }

  // `hull_args` go before the verb, `exec_args` after it.
  std::vector<std::string> fault_argv(const std::vector<std::string>& hull_args,
                                      const std::vector<std::string>& exec_args) const {
    // A variable of the caller's that the container must not read.
    std::vector<std::string> argv{"/usr/bin/env", "HULL_FAULT=exec-process-started", "HULL_FAULT_ACTION=stop",
                                  "HULL_TEST_TOKEN=hull-caller-secret"};
    for (const std::string& a : {std::string(HULL_FAULT_BINARY), std::string("--root"), state_root().string()})
      argv.push_back(a);
    argv.insert(argv.end(), hull_args.begin(), hull_args.end());
    argv.push_back("exec");
    argv.insert(argv.end(), exec_args.begin(), exec_args.end());
    return argv;
  }

  // Nothing of the host's: no directory, no regular file, no character
  // device but /dev/null (1:3); and the attacker did look (the kernel let
  // the ptracer in): it found the process's channel to hull exec at least.
  static void expect_nothing_of_the_hosts(const std::string& look) {
    EXPECT_NE(look.find("socket:"), std::string::npos) << look;
    std::istringstream lines(look);
    for (std::string line; std::getline(lines, line);) {
      const bool allowed =
          line.rfind("other ", 0) == 0 || line.rfind("char 1:3 ", 0) == 0 || line.rfind("ownpty ", 0) == 0;
      EXPECT_TRUE(allowed) << "reachable from the container: " << line << "\nall: " << look;
    }
  }

  // A command whose every wait is bounded (20 s), as the stopped exec's.
  static Child spawn_bounded(const std::vector<std::string>& argv) {
    SpawnOptions bounded;
    bounded.timeout = milliseconds(20000);
    return Child::spawn(argv, bounded);
  }

  Bundle* b_ = nullptr;
};

// With --log: the log file is a host file the process must not hold either.
TEST_F(ExecSetupIsolation, TheExecProcessHoldsNoHostDirectoryOrFileWhileItSetsUp) {
  ASSERT_NO_FATAL_FAILURE(start_attacker());
  expect_nothing_of_the_hosts(attack(spawn_bounded(
      fault_argv({"--log", (temp_dir() / "exec.log").string()}, {"-e", "TOKEN=hull-caller-secret", kId, "true"}))));
  EXPECT_EQ(hull({"delete", "--force", kId}).exit_code, 0);
}

// The init of a created container waits for `start` with what the config
// gives it from the first: its capabilities and, without noNewPrivileges,
// its seccomp filter (loaded before the wait, as runc loads it), and none of
// its caller's command line or environment. A container process with
// CAP_SYS_PTRACE may drive it there: it kept CAP_SYS_ADMIN, unfiltered, and
// a syscall injected into it mounted the host's cgroup hierarchy.
TEST_F(ExecSetupIsolation, ACreatedInitWaitsWithTheConfigsCapabilitiesAndFilterOnly) {
  Bundle& b = bundle();
  b.config["process"]["noNewPrivileges"] = false;
  const nlohmann::json caps = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SYS_PTRACE"};
  b.config["process"]["capabilities"] = {{"bounding", caps}, {"effective", caps}, {"permitted", caps}};
  b.config["linux"]["seccomp"] = {
      {"defaultAction", "SCMP_ACT_ALLOW"},
      {"syscalls", {{{"names", {"mkdir", "mkdirat"}}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", 1}}}}};
  b.args({"sleep", "1000"});
  ProcResult c = run_process({"/usr/bin/env", "HULL_TEST_TOKEN=hull-caller-secret", runtime_binary(), "--root",
                              state_root().string(), "create", "--bundle", b.dir().string(), kId});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  const std::string script =
      "grep -e CapEff -e Seccomp: /proc/1/status; tr '\\0' '\\n' < /proc/1/cmdline | grep .; "
      "grep -c hull-caller-secret /proc/1/environ || true";
  ProcResult look = hull({"exec", kId, "sh", "-c", script});
  ASSERT_EQ(look.exit_code, 0) << look.err;
  EXPECT_EQ(look.out, "CapEff:\t0000000020080420\nSeccomp:\t2\nhull\ninit\n0\n");
  EXPECT_EQ(status(kId), "created");
  start_container(kId);
  EXPECT_EQ(hull({"delete", "--force", kId}).exit_code, 0);
}

// The exec process is born as the container's user, with the config's
// capabilities and (without noNewPrivileges) under its filter: a container
// process with CAP_SYS_PTRACE could drive it from its first instruction.
// It was born with the runtime's every capability and set itself up in the
// container: a process that seized it read a host file through
// open_by_handle_at (found by review 2026-12-07; runc 1.1 the same).
TEST_F(ExecSetupIsolation, TheExecProcessIsBornWithTheConfigsIdentityCapabilitiesAndFilter) {
  Bundle& b = bundle();
  b.config["process"]["noNewPrivileges"] = false;
  const nlohmann::json caps = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SYS_PTRACE"};
  b.config["process"]["capabilities"] = {{"bounding", caps}, {"effective", caps}, {"permitted", caps}};
  // clone3 answered ENOSYS, as Docker's and podman's profiles answer it
  // without CAP_SYS_ADMIN: the helper, under the filter, clones with clone.
  b.config["linux"]["seccomp"] = {{"defaultAction", "SCMP_ACT_ALLOW"},
                                  {"syscalls",
                                   {{{"names", {"mkdir", "mkdirat"}}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", 1}},
                                    {{"names", {"clone3"}}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", ENOSYS}}}}};
  b.args({"sleep", "1000"});
  ASSERT_EQ(hull({"create", "--bundle", b.dir().string(), kId}).exit_code, 0);
  start_container(kId);
  for (bool nnp : {false, true}) {
    SCOPED_TRACE(nnp ? "exec --no-new-privs" : "without noNewPrivileges");
    std::vector<std::string> args{"--user", "1000:1000", kId, "true"};
    if (nnp) args.insert(args.begin(), "--no-new-privs");
    Child exec = spawn_bounded(fault_argv({}, args));
    const pid_t victim = stopped_child_of(exec.pid());
    ASSERT_GT(victim, 0) << "the exec process did not stop at exec-process-started";
    const std::string st = read_text_file("/proc/" + std::to_string(victim) + "/status");
    ::kill(victim, SIGCONT);
    ProcResult done = finish_reaping_orphans(std::move(exec));
    EXPECT_EQ(done.exit_code, 0) << done.err;
    // The effective uid: the real and saved ones are made the user's by its
    // first step (the helper keeps root's, see below).
    std::istringstream uids(status_field(st, "Uid"));
    std::string real, effective;
    uids >> real >> effective;
    EXPECT_EQ(effective, "1000");
    EXPECT_EQ(status_field(st, "Gid"), "1000\t1000\t1000\t1000");
    for (const char* set : {"CapEff", "CapPrm", "CapBnd"}) EXPECT_EQ(status_field(st, set), "0000000020080420") << set;
    EXPECT_EQ(status_field(st, "NoNewPrivs"), nnp ? "1" : "0");
    // With noNewPrivileges the filter comes last, as runc loads it: no
    // capability is needed for it.
    EXPECT_EQ(status_field(st, "Seccomp"), nnp ? "0" : "2");
  }
  EXPECT_EQ(hull({"delete", "--force", kId}).exit_code, 0);
}

// exec's helper takes the container user's uid as its effective one only:
// a process of that uid on the host could signal it otherwise, and a
// SIGSTOP held `hull exec` (waiting for it, in the kernel) and with it the
// container's lock (found by review 2026-12-07).
TEST_F(ExecSetupIsolation, TheHelperCannotBeSignalledByAProcessOfTheContainerUsersUid) {
  ASSERT_GT(create_container(kId), 0);
  start_container(kId);
  Child exec =
      spawn_bounded({"/usr/bin/env", "HULL_FAULT=exec-helper-cloned", "HULL_FAULT_ACTION=stop", HULL_FAULT_BINARY,
                     "--root", state_root().string(), "exec", "--user", "1000:1000", kId, "true"});
  const pid_t helper = stopped_child_of(exec.pid());
  ASSERT_GT(helper, 0) << "the helper did not stop at exec-helper-cloned";
  const pid_t other = ::fork();
  if (other == 0) {
    if (::setresgid(1000, 1000, 1000) < 0 || ::setresuid(1000, 1000, 1000) < 0) ::_exit(3);
    ::_exit(::kill(helper, 0) == 0 ? 0 : errno == EPERM ? 1 : 2);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(other, &status, 0), other);
  EXPECT_EQ(WEXITSTATUS(status), 1) << "a process of uid 1000 may signal the helper (0) or failed otherwise";
  ::kill(helper, SIGCONT);
  ProcResult done = finish_reaping_orphans(std::move(exec));
  EXPECT_EQ(done.exit_code, 0) << done.err;
  EXPECT_EQ(hull({"delete", "--force", kId}).exit_code, 0);
}

// From a terminal, with -t and without: the caller's terminal (the host's)
// is not among its fds; it gets /dev/null until its pty, or its pipes.
TEST_F(ExecSetupIsolation, TheExecProcessHoldsNotTheCallersTerminal) {
  ASSERT_NO_FATAL_FAILURE(start_attacker());
  for (bool tty : {true, false}) {
    SCOPED_TRACE(tty ? "exec -t" : "exec from a terminal without -t");
    TestPty pty = open_test_pty();
    ASSERT_TRUE(pty.master);
    std::vector<std::string> args{kId, "true"};
    if (tty) args.insert(args.begin(), "-t");
    expect_nothing_of_the_hosts(attack(spawn_on_terminal(pty.slave_path, fault_argv({}, args))));
  }
  EXPECT_EQ(hull({"delete", "--force", kId}).exit_code, 0);
}

// A container process may stop the exec process before its execve (its
// root may signal anything in its pid namespace; here the process stops
// itself at its first step): `hull exec` then lets go of the container's
// lock, so kill and delete --force are not held up for as long as it stays
// stopped (found by review 2026-11-30: they timed out; runc's kill works).
TEST_F(ExecSetupIsolation, AStoppedExecProcessHoldsUpNeitherKillNorDelete) {
  ASSERT_GT(create_container(kId), 0);
  start_container(kId);
  Child exec = spawn_bounded(fault_argv({}, {kId, "true"}));
  ASSERT_GT(stopped_child_of(exec.pid()), 0) << "the exec process did not stop at exec-process-started";
  SpawnOptions quick;
  quick.timeout = milliseconds(5000);
  ProcResult kill = hull({"kill", kId, "KILL"}, quick);
  EXPECT_FALSE(kill.timed_out) << "kill waited for the stopped exec";
  EXPECT_EQ(kill.exit_code, 0) << kill.err;
  ProcResult del = hull({"delete", "--force", kId}, quick);
  EXPECT_FALSE(del.timed_out) << "delete --force waited for the stopped exec";
  EXPECT_EQ(del.exit_code, 0) << del.err;
  // Killed with the container: it ends too.
  ProcResult done = finish_reaping_orphans(std::move(exec));
  EXPECT_FALSE(done.timed_out) << done.err;
  expect_nothing_left(kId);
}

// The helper killed after it cloned the process, before it reported it:
// `hull exec` fails and the process must not run on. Where the container
// shares every namespace but its network one with us, nothing but being
// our child marks that process (found by review 2026-11-30: it was left
// running, its parent-death signal cleared, and ran its command).
TEST_F(ExecSetupIsolation, AHelperKilledAfterItsCloneLeavesNoProcessRunning) {
  Bundle& b = bundle();
  b.config["linux"]["namespaces"] = nlohmann::json::array({{{"type", "network"}}});
  b.config["mounts"] = nlohmann::json::array();
  b.config.erase("hostname");
  b.args({"sleep", "1000"});
  ProcResult c = hull({"create", "--bundle", b.dir().string(), kId});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  start_container(kId);
  const pid_t init = state(kId).value("pid", 0);
  ASSERT_GT(init, 0);
  ProcResult r = run_process({"/usr/bin/env", "HULL_FAULT=exec-helper-cloned", HULL_FAULT_BINARY, "--root",
                              state_root().string(), "exec", kId, "sleep", "1000"});
  EXPECT_EQ(r.exit_code, kExecFailed) << r.err;
  EXPECT_NE(r.err.find("the exec process was killed before it started"), std::string::npos) << r.err;
  // An exec process left behind is our orphan now (we are the subreaper).
  for (pid_t pid : children_of_self())
    if (pid != init) ADD_FAILURE() << "process left by the failed exec: " << pid;
  EXPECT_EQ(hull({"delete", "--force", kId}).exit_code, 0);
}

// The exec process does not hold the --log file, yet its warnings reach
// it: it writes them into a pipe that `hull exec` copies into the file.
TEST_F(ExecSetupIsolation, TheExecProcessesWarningsReachTheLogFile) {
  ASSERT_GT(create_container(kId), 0);
  start_container(kId);
  nlohmann::json process = {{"args", {"true"}},
                            {"cwd", "/"},
                            {"user", {{"uid", 0}, {"gid", 0}}},
                            {"capabilities", {{"bounding", {"CAP_CHOWN", "CAP_NOT_REAL"}}}}};
  const fs::path file = temp_dir() / "process.json";
  std::ofstream(file) << process.dump();
  const fs::path log = temp_dir() / "exec.log";
  ProcResult r = hull({"--log", log.string(), "--log-format", "json", "exec", "--process", file.string(), kId});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const std::string text = read_text_file(log);
  EXPECT_NE(
      text.find(
          R"({"level":"warning","msg":"process.capabilities.bounding: unknown capability \"CAP_NOT_REAL\" ignored")"),
      std::string::npos)
      << text;
  EXPECT_EQ(hull({"delete", "--force", kId}).exit_code, 0);
}

}  // namespace
}  // namespace hull::itest
#endif
