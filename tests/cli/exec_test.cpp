// hull exec: the process joins the container (namespaces, cgroups) and gets
// the process spec applied like the init (identity, capabilities, env, cwd,
// seccomp, no_new_privs), checked from inside against the init.
#include <linux/keyctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "base/fs.hpp"
#include "cgroups/cgroupfs.hpp"
#include "cgroups/host.hpp"
#include "exec_fixture.hpp"

namespace hull::itest {
namespace {

namespace fs = std::filesystem;

TEST_F(ExecTest, JoinsEveryNamespaceOfTheInitAsAChildInItsPidNamespace) {
  const pid_t init = start_sleeping("exns");
  ASSERT_GT(init, 0);
  const std::vector<std::string> kinds{"pid", "mnt", "net", "uts", "ipc", "cgroup", "user"};
  std::string script = "for n in";
  for (const auto& k : kinds) script += " " + k;
  script += "; do readlink /proc/self/ns/$n; done; cat /proc/1/comm; hostname; grep ^PPid: /proc/self/status";
  ProcResult r = exec({"exns", "sh", "-c", script});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string want;
  for (const auto& k : kinds) want += ns_link(init, k) + "\n";
  // The init is pid 1 of the namespace; our parent (hull) is outside it.
  want += "sleep\nhull-itest\nPPid:\t0\n";
  EXPECT_EQ(r.out, want);
  EXPECT_NE(ns_link(init, "pid"), host_ns("pid")) << "the container has no pid namespace of its own";
}

TEST_F(ExecTest, RunsInTheContainersCgroups) {
  const pid_t init = start_sleeping("excg");
  ASSERT_GT(init, 0);
  // Inside the cgroup namespace a cgroup outside the container's reads "/..".
  ProcResult r = exec({"excg", "sh", "-c", "cat /proc/self/cgroup; echo --; cat /proc/1/cgroup"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto sep = r.out.find("--\n");
  ASSERT_NE(sep, std::string::npos) << r.out;
  EXPECT_EQ(r.out.substr(0, sep), r.out.substr(sep + 3));
  EXPECT_EQ(r.out.find(".."), std::string::npos) << r.out;
}

// Sub-cgroups the test makes inside the container's cgroups, removed (they
// are empty once the exec'd process exited) before the container is deleted.
class SubCgroups {
 public:
  void make(const fs::path& dir) {
    fs::create_directory(dir);
    dirs_.push_back(dir);
  }
  ~SubCgroups() {
    for (const auto& d : dirs_) ::rmdir(d.c_str());
  }

 private:
  std::vector<fs::path> dirs_;
};

// The init's cgroups as the host sees them (any runtime), less any
// hierarchy where it stayed in ours (one the runtime does not manage).
std::vector<fs::path> cgroups_of_container(pid_t init) {
  std::vector<fs::path> dirs;
  const auto ours = cgroup_dirs_of_pid(::getpid());
  for (const auto& [name, dir] : cgroup_dirs_of_pid(init))
    if (!ours.contains(name) || ours.at(name) != dir) dirs.push_back(dir);
  return dirs;
}

// --cgroup PATH (no controller) is a path below the container's cgroup in
// every hierarchy, a leading "/" included ("/" is the container's own), and
// nothing outside it: runc's reading, on v1, hybrid and pure v2 alike. This
// test also runs against runc (parity_runc_reference, and in the v2vm lane);
// the "controller:path" forms are the next test's (runc 1.1.5 refuses them
// on pure v2: "unknown controller pids in SubCgroupPaths", where hull takes
// the one hierarchy).
TEST_F(ExecTest, CgroupFlagPathIsBelowTheContainersCgroup) {
  const pid_t init = start_sleeping("exslash");
  ASSERT_GT(init, 0);
  std::vector<fs::path> dirs = cgroups_of_container(init);
  ASSERT_FALSE(dirs.empty());
  SubCgroups subs;
  for (const auto& d : dirs) {
    subs.make(d / "sub");
    // A v1 cpuset cgroup takes no process before it has cpus and mems.
    if (d.string().starts_with("/sys/fs/cgroup/cpuset/"))
      for (const char* f : {"cpuset.cpus", "cpuset.mems"}) std::ofstream(d / "sub" / f) << read_text_file(d / f);
  }
  const std::string own = exec({"exslash", "cat", "/proc/self/cgroup"}).out;
  ASSERT_FALSE(own.empty());
  ProcResult r = exec({"--cgroup", "/", "exslash", "cat", "/proc/self/cgroup"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, own);
  for (const char* sub : {"sub", "/sub"}) {
    r = exec({"--cgroup", sub, "exslash", "cat", "/proc/self/cgroup"});
    ASSERT_EQ(r.exit_code, 0) << sub << ": " << r.err;
    std::istringstream lines(r.out);
    int seen = 0;
    for (std::string line; std::getline(lines, line); ++seen)
      EXPECT_TRUE(line.ends_with(":/sub")) << sub << ": " << line;
    EXPECT_GT(seen, 0) << r.out;
  }
  // hull: a ".." component is not allowed; runc: ... is not a sub cgroup path.
  EXPECT_TRUE(failed_with(exec({"--cgroup", "../escape", "exslash", "true"}), {"../escape"}, kExecFailed));
  EXPECT_TRUE(failed_with(exec({"--cgroup", "no-such-sub", "exslash", "true"}), {"no-such-sub"}, kExecFailed));
}

TEST_F(ExecTest, CgroupFlagPicksASubCgroupOfTheContainers) {
  const pid_t init = start_sleeping("exsub");
  ASSERT_GT(init, 0);
  std::vector<fs::path> dirs = cgroups_of_container(init);
  ASSERT_FALSE(dirs.empty());
  SubCgroups subs;
  bool has_pids = false;
  fs::path cpuset;
  for (const auto& d : dirs) {
    subs.make(d / "sub");
    has_pids |= d.string().starts_with("/sys/fs/cgroup/pids/");
    if (d.string().starts_with("/sys/fs/cgroup/cpuset/")) cpuset = d;
  }
  // A v1 cpuset cgroup takes no process before it has cpus and mems.
  if (!cpuset.empty())
    for (const char* f : {"cpuset.cpus", "cpuset.mems"})
      std::ofstream(cpuset / "sub" / f) << read_text_file(cpuset / f);
  // Pure v2 (the v2vm lane): one hierarchy, which offers pids.
  const bool unified = cgroups::Host::current().mode == cgroups::Mode::Unified;
  ASSERT_TRUE(has_pids || unified) << "the container has no v1 pids cgroup";

  // "controller:path": only that hierarchy.
  ProcResult r = exec({"--cgroup", "pids:sub", "exsub", "cat", "/proc/self/cgroup"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(r.out);
  int seen = 0;
  for (std::string line; std::getline(lines, line); ++seen) {
    bool pids = unified || line.find(":pids:") != std::string::npos;
    EXPECT_TRUE(line.ends_with(pids ? ":/sub" : ":/")) << line;
  }
  EXPECT_GT(seen, unified ? 0 : 1) << r.out;

  // Given several times, each for its controllers, two before one path
  // (runc's exec.bats): the other hierarchies stay in the container's.
  r = exec({"--cgroup", "pids:sub", "--cgroup", "memory,devices:sub", "exsub", "cat", "/proc/self/cgroup"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream several(r.out);
  for (std::string line; std::getline(several, line);) {
    bool named = unified;
    for (const char* c : {":pids:", ":memory:", ":devices:"}) named |= line.find(c) != std::string::npos;
    EXPECT_TRUE(line.ends_with(named ? ":/sub" : ":/")) << line;
  }

  // "path": every hierarchy.
  r = exec({"--cgroup", "sub", "exsub", "cat", "/proc/self/cgroup"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream all(r.out);
  for (std::string line; std::getline(all, line);) EXPECT_TRUE(line.ends_with(":/sub")) << line;

  // A leading "/" is the container's cgroup, as with runc: "/" itself, and
  // "/sub" is "sub".
  r = exec({"--cgroup", "/", "exsub", "cat", "/proc/self/cgroup"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, exec({"exsub", "cat", "/proc/self/cgroup"}).out);
  r = exec({"--cgroup", "pids:/sub", "exsub", "cat", "/proc/self/cgroup"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(unified ? "0::/sub\n" : ":pids:/sub\n"), std::string::npos) << r.out;

  // Nothing outside the container's cgroup, nothing that is not there.
  r = exec({"--cgroup", "pids:../escape", "exsub", "true"});
  // hull: a ".." component is not allowed; runc: ... is not a sub cgroup path.
  EXPECT_TRUE(failed_with(r, {"../escape"}, kExecFailed));
  r = exec({"--cgroup", "pids:no-such-sub", "exsub", "true"});
  EXPECT_TRUE(failed_with(r, {"no-such-sub"}, kExecFailed));
  // A controller the container has no cgroup of (a typo): refused on pure
  // v2 too, where the one hierarchy took any name.
  for (const char* unknown : {"waaaaat:/", "#subsys_name:/"}) {
    r = exec({"--cgroup", unknown, "exsub", "true"});
    EXPECT_TRUE(failed_with(r, {std::string(unknown).substr(0, std::strlen(unknown) - 2)}, kExecFailed)) << unknown;
  }

  // A cgroup that refuses the process (cpuset without cpus: ENOSPC) fails
  // the exec with its name; hull exec once hung here, its child waiting.
  if (!cpuset.empty()) {
    subs.make(cpuset / "bare");
    SpawnOptions bounded;
    bounded.timeout = milliseconds(20000);
    r = exec({"--cgroup", "cpuset:bare", "exsub", "true"}, bounded);
    EXPECT_FALSE(r.timed_out) << "hull exec hung";
    // hull names bare/tasks (the child moves itself), runc bare/cgroup.procs.
    EXPECT_TRUE(failed_with(r, {(cpuset / "bare").string() + "/", "no space left on device"}, kExecFailed));
  }
}

// A sub-cgroup frozen before the exec (by the container, through a
// writable cgroup mount, or from outside): the process placed there froze at
// birth, and hull exec waited for its execve for ever, holding the
// container's lock (kill, pause and delete -f waited behind it). Refused,
// naming it, as a frozen container's own cgroup is.
TEST_F(ExecTest, ASubCgroupFrozenBeforehandIsRefusedNotWaitedFor) {
  const pid_t init = start_sleeping("exfrozen");
  ASSERT_GT(init, 0);
  const bool unified = cgroups::Host::current().mode == cgroups::Mode::Unified;
  SubCgroups subs;
  std::vector<std::pair<fs::path, std::string>> thaw;  // file, value
  std::string named;
  for (const auto& d : cgroups_of_container(init)) {
    const bool v1_freezer = d.string().starts_with("/sys/fs/cgroup/freezer/");
    if (!v1_freezer && !unified) continue;
    subs.make(d / "f");
    const fs::path file = d / "f" / (v1_freezer ? "freezer.state" : "cgroup.freeze");
    std::ofstream(file) << (v1_freezer ? "FROZEN" : "1");
    thaw.emplace_back(file, v1_freezer ? "THAWED" : "0");
    named = v1_freezer ? "freezer:f" : "f";
  }
  ASSERT_FALSE(named.empty()) << "no v1 freezer and no pure cgroup v2 here";
  SpawnOptions bounded;
  bounded.timeout = milliseconds(20000);
  ProcResult r = exec({"--cgroup", named, "exfrozen", "true"}, bounded);
  EXPECT_FALSE(r.timed_out) << "hull exec waited for the frozen process";
  EXPECT_TRUE(failed_with(r, {"/f is frozen"}, kExecFailed));
  for (const auto& [file, value] : thaw) std::ofstream(file) << value;
  if (!unified) return;

  // Its init moved into a sub-cgroup, controllers enabled for its children
  // (its own cgroup then takes no process: exec joins the init's), and that
  // sub-cgroup frozen: a plain exec waited the same way.
  const fs::path own = cgroups_of_container(init).front();
  subs.make(own / "init");
  std::ofstream(own / "init" / "cgroup.procs") << init;
  // Any controller the cgroup has (pids on a systemd host): one enabled is
  // what makes it take no process.
  std::istringstream controllers(read_text_file(own / "cgroup.controllers"));
  std::string controller;
  ASSERT_TRUE(controllers >> controller) << "no controller in " << own;
  ASSERT_NO_THROW(cgroups::write_value(own.string(), "cgroup.subtree_control", "+" + controller));
  std::ofstream(own / "init" / "cgroup.freeze") << "1";
  r = exec({"exfrozen", "true"}, bounded);
  EXPECT_FALSE(r.timed_out) << "hull exec waited for the frozen process";
  EXPECT_TRUE(failed_with(r, {"/init is frozen"}, kExecFailed));
  std::ofstream(own / "init" / "cgroup.freeze") << "0";
}

TEST_F(ExecTest, UserAndAdditionalGidsTakeEffect) {
  ASSERT_GT(start_sleeping("exuser"), 0);
  ProcResult r = exec({"-u", "1000:1001", "-g", "2000", "-g", "2001", "exuser", "sh", "-c",
                       "id -u; id -g; id -G; cat /proc/self/status"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.starts_with("1000\n1001\n")) << r.out;
  EXPECT_EQ(status_field(r.out, "Uid"), "1000\t1000\t1000\t1000");
  EXPECT_EQ(status_field(r.out, "Gid"), "1001\t1001\t1001\t1001");
  EXPECT_EQ(status_field(r.out, "Groups"), "2000 2001 ");

  // A uid alone keeps the process's gid (the container's) and drops hull's groups.
  r = exec({"--user", "1000", "exuser", "sh", "-c", "id -u; id -g; grep ^Groups: /proc/self/status"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "1000\n0\nGroups:\t \n");  // the kernel always ends the list with a space
}

// Keys are not namespaced: an exec process that kept the session keyring of
// `hull exec`'s caller could read the host session's keys (found by review:
// it did; runc's exec joins the container's). A key only its possessors may
// view shows in /proc/keys to a process whose keyrings hold it, and only to it.
TEST_F(ExecTest, AnExecProcessDoesNotPossessItsCallersSessionKeys) {
  if (!fs::exists("/proc/keys")) GTEST_SKIP() << "no keyrings in this kernel";
  // This test process's own session keyring (later tests inherit it, harmlessly).
  ASSERT_GE(::syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, "hull-itest-caller-keys"), 0) << std::strerror(errno);
  const long key = ::syscall(SYS_add_key, "user", "hull-itest-secret", "s3cret", 6, KEY_SPEC_SESSION_KEYRING);
  ASSERT_GE(key, 0) << std::strerror(errno);
  constexpr unsigned long kPossessorOnly = 0x3f000000;  // KEY_POS_ALL (keyutils.h)
  ASSERT_EQ(::syscall(SYS_keyctl, KEYCTL_SETPERM, key, kPossessorOnly), 0) << std::strerror(errno);
  ASSERT_NE(read_text_file("/proc/keys").find("hull-itest-secret"), std::string::npos) << "the possessor sees it";
  const std::vector<std::string> probe{"sh", "-c", "grep -c hull-itest-secret /proc/keys; true"};
  for (const bool keep_callers : {false, true}) {
    SCOPED_TRACE(keep_callers ? "--no-new-keyring" : "default");
    const std::string id = keep_callers ? "keys-kept" : "keys";
    Bundle& b = bundle("bundle-" + id);
    nlohmann::json masked = nlohmann::json::array();
    for (const auto& path : b.config["linux"]["maskedPaths"])
      if (path != "/proc/keys") masked.push_back(path);
    b.config["linux"]["maskedPaths"] = masked;
    b.args({"sleep", "1000"});
    std::vector<std::string> create{"create", "--bundle", b.dir().string(), id};
    if (keep_callers) create.insert(create.begin() + 1, "--no-new-keyring");
    ASSERT_EQ(hull(create).exit_code, 0);
    start_container(id);
    std::vector<std::string> args{id};
    args.insert(args.end(), probe.begin(), probe.end());
    ProcResult r = exec(args);
    EXPECT_EQ(r.out, keep_callers ? "1\n" : "0\n") << r.err;
    args.insert(args.begin(), {"--user", "1000"});
    r = exec(args);
    EXPECT_EQ(r.out, keep_callers ? "1\n" : "0\n") << r.err;
  }
  ::syscall(SYS_keyctl, KEYCTL_REVOKE, key);
}

TEST_F(ExecTest, RlimitsOfTheProcessSpecApply) {
  Bundle& b = bundle();
  b.config["process"]["rlimits"] = {{{"type", "RLIMIT_NOFILE"}, {"soft", 777}, {"hard", 888}},
                                    {{"type", "RLIMIT_NPROC"}, {"soft", 4321}, {"hard", 4321}}};
  ASSERT_GT(start_sleeping(b, "exrlim"), 0);
  ProcResult r = exec({"exrlim", "sh", "-c", "ulimit -n; ulimit -Hn; ulimit -u"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "777\n888\n4321\n");

  // A process file without rlimits: the container's too (runc 1.1 sets
  // none then, docs/differences-from-runc.md); with its own, those.
  fs::path file = temp_dir() / "process.json";
  std::ofstream(file) << R"({"args": ["sh", "-c", "ulimit -n; ulimit -Hn"], "cwd": "/"})";
  r = exec({"--process", file.string(), "exrlim"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "777\n888\n");
  std::ofstream(file) << R"({"args": ["sh", "-c", "ulimit -n; ulimit -Hn"], "cwd": "/",
    "rlimits": [{"type": "RLIMIT_NOFILE", "soft": 100, "hard": 200}]})";
  r = exec({"--process", file.string(), "exrlim"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "100\n200\n");
}

// In a user namespace the limits and the I/O priority are set before the
// process joins it: inside, the kernel asks the realtime I/O class (as a
// raised hard limit) of the host's namespace, where the container's root
// holds nothing.
TEST_F(ExecTest, TheRealtimeIoClassAndTheLimitsApplyInAUserNamespace) {
  Bundle& b = bundle();
  b.add_user_namespace();
  ASSERT_GT(start_sleeping(b, "exuserns"), 0);
  fs::path file = temp_dir() / "process.json";
  std::ofstream(file) << R"({"args": ["sh", "-c", "ionice; ulimit -n; ulimit -Hn"], "cwd": "/",
    "ioPriority": {"class": "IOPRIO_CLASS_RT", "priority": 4},
    "rlimits": [{"type": "RLIMIT_NOFILE", "soft": 100, "hard": 200}]})";
  ProcResult r = exec({"--process", file.string(), "exuserns"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "realtime: prio 4\n100\n200\n");
}

TEST_F(ExecTest, CapAddsACapabilityAndInheritableStaysEmpty) {
  ASSERT_GT(start_sleeping("excap"), 0);
  // The default config: CAP_AUDIT_WRITE (29), CAP_KILL (5), CAP_NET_BIND_SERVICE (10).
  ProcResult r = exec({"excap", "cat", "/proc/self/status"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(status_field(r.out, "CapEff"), "0000000020000420");
  EXPECT_EQ(status_field(r.out, "CapBnd"), "0000000020000420");
  EXPECT_EQ(status_field(r.out, "CapInh"), "0000000000000000");

  // + CAP_SYS_ADMIN (21); CVE-2022-29162: never inheritable.
  r = exec({"-c", "CAP_SYS_ADMIN", "excap", "cat", "/proc/self/status"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(status_field(r.out, "CapEff"), "0000000020200420");
  EXPECT_EQ(status_field(r.out, "CapPrm"), "0000000020200420");
  EXPECT_EQ(status_field(r.out, "CapBnd"), "0000000020200420");
  EXPECT_EQ(status_field(r.out, "CapInh"), "0000000000000000");
  EXPECT_EQ(r.err, "") << "a plain --cap must not warn";
}

TEST_F(ExecTest, EnvIsTheContainersPlusFlagsAndCwdIsApplied) {
  ASSERT_GT(start_sleeping("exenv"), 0);
  // busybox env prints the environment exactly as execve got it.
  ProcResult r = exec({"-e", "FOO=bar baz", "-e", "TERM=dumb", "exenv", "env"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("FOO=bar baz\n"), std::string::npos) << r.out;
  // -e replaces the container's value, as with runc: one TERM, ours.
  EXPECT_NE(r.out.find("TERM=dumb\n"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("TERM=xterm"), std::string::npos) << r.out;

  r = exec({"--cwd", "/tmp", "exenv", "readlink", "/proc/self/cwd"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "/tmp\n");
  r = exec({"exenv", "readlink", "/proc/self/cwd"});
  EXPECT_EQ(r.out, "/\n") << r.err;
  // A missing one is named as what it is: the flag's, not config.json's.
  r = exec({"--cwd", "/no/such/dir", "exenv", "true"});
  EXPECT_TRUE(failed_with(r, {"/no/such/dir", "exec --cwd", "no such file or directory"}, kExecFailed));
}

// CVE-2024-21626: a cwd through an fd the runtime leaked would start the
// process in a host directory; hull leaks none and checks the cwd anyway.
TEST_F(ExecTest, CwdThroughProcSelfFdIsRefused) {
  ASSERT_GT(start_sleeping("excwd"), 0);
  for (int fd = 3; fd <= 9; ++fd) {
    ProcResult r = exec({"--cwd", "/proc/self/fd/" + std::to_string(fd), "excwd", "sh", "-c", "echo ran in $PWD"});
    EXPECT_EQ(r.exit_code, kExecFailed) << "fd " << fd << ": " << r.out << r.err;
    EXPECT_EQ(r.out, "") << "fd " << fd;
  }
}

TEST_F(ExecTest, ExitCodeAndSignalExit) {
  ASSERT_GT(start_sleeping("exexit"), 0);
  EXPECT_EQ(exec({"exexit", "sh", "-c", "exit 42"}).exit_code, 42);
  ProcResult r = exec({"exexit", "sh", "-c", "kill -KILL $$"});
  EXPECT_EQ(r.exit_code, 128 + SIGKILL) << r.err;
  EXPECT_EQ(r.signal, 0) << "hull itself must exit, not be killed";
}

TEST_F(ExecTest, ForwardsSignalsToTheProcess) {
  ASSERT_GT(start_sleeping("exsig"), 0);
  Child ex = hull_background({"exec", "exsig", "sh", "-c", "echo ready; exec sleep 1000"});
  ASSERT_TRUE(ex.wait_for_output("ready\n", milliseconds(20000)));
  ASSERT_EQ(::kill(ex.pid(), SIGTERM), 0);
  ProcResult r = ex.finish();
  EXPECT_EQ(r.exit_code, 128 + SIGTERM) << r.err;
  EXPECT_EQ(r.signal, 0) << "hull must forward SIGTERM, not die of it";
}

// As runc's exec: the process leads a session and a process group of its own
// inside the container (pid, pgrp and session equal as it sees them), not
// the caller's (which it would see as 0): a terminal's ^C reaches it only
// through hull's forwarding, and CRIU can checkpoint it. With --detach too.
TEST_F(ExecTest, TheProcessLeadsASessionOfItsOwn) {
  ASSERT_GT(start_sleeping("exsid"), 0);
  const std::string own = "read -r l < /proc/self/stat; set -- $l; [ $1 = $5 ] && [ $1 = $6 ] && echo own || echo $l";
  ProcResult r = exec({"exsid", "sh", "-c", own});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "own\n");
  const std::string pid_file = (temp_dir() / "detached.pid").string();
  ProcResult d = exec({"--detach", "--pid-file", pid_file, "exsid", "sh", "-c", "{ " + own + "; } > /tmp/detached"});
  ASSERT_EQ(d.exit_code, 0) << d.err;
  pid_t pid = 0;
  ASSERT_TRUE(std::ifstream(pid_file) >> pid) << "no pid in " << pid_file;
  ASSERT_EQ(::waitpid(pid, nullptr, 0), pid);  // re-parented to us, the child subreaper
  r = exec({"exsid", "cat", "/tmp/detached"});
  EXPECT_EQ(r.out, "own\n") << r.err;
}

TEST_F(ExecTest, ProcessJsonIsUsedAsGiven) {
  ASSERT_GT(start_sleeping("exjson"), 0);
  fs::path file = temp_dir() / "process.json";
  std::ofstream(file) << nlohmann::json{
      {"args", {"sh", "-c", "id -u; id -g; echo $A; pwd; grep ^NoNewPrivs: /proc/self/status"}},
      {"env", {"A=from-json", "PATH=/bin:/usr/bin"}},
      {"cwd", "/tmp"},
      {"user", {{"uid", 7}, {"gid", 8}}},
      {"noNewPrivileges",
       false}}.dump();
  ProcResult r = exec({"--process", file.string(), "exjson"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "7\n8\nfrom-json\n/tmp\nNoNewPrivs:\t0\n");

  std::ofstream(file) << R"({"args": ["true"], "cwd": "relative"})";
  r = exec({"--process", file.string(), "exjson"});
  EXPECT_TRUE(failed_with(r, {"cwd"}, kExecFailed)) << r.err;
}

// What an `exec --process` file leaves out (capabilities, oomScoreAdj) is
// the container's, as in runc: not no capabilities, nor the caller's score.
TEST_F(ExecTest, AProcessFileTakesWhatItLeavesOutFromTheContainer) {
  Bundle& b = bundle();
  b.config["process"]["oomScoreAdj"] = 300;
  pid_t init = start_sleeping(b, "exjsondef");
  ASSERT_GT(init, 0);
  fs::path file = temp_dir() / "process.json";
  std::ofstream(file) << R"({"args": ["sh", "-c", "grep ^CapEff: /proc/self/status; cat /proc/self/oom_score_adj"],
    "env": ["PATH=/bin:/usr/bin"], "cwd": "/"})";
  ProcResult r = exec({"--process", file.string(), "exjsondef"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string init_caps = status_field(read_file("/proc/" + std::to_string(init) + "/status"), "CapEff");
  EXPECT_EQ(r.out, "CapEff:\t" + init_caps + "\n300\n");
  EXPECT_NE(init_caps, "0000000000000000");
}

// -g adds to the container's groups (runc appends); a relative --cwd is
// refused, as runc refuses it; repeated names in process.env leave one
// entry, the last value in the first place, as runc's init builds it.
TEST_F(ExecTest, GroupsAddCwdMustBeAbsoluteAndEnvNamesAreUnique) {
  Bundle& b = bundle();
  b.config["process"]["user"] = {{"uid", 0}, {"gid", 0}, {"additionalGids", {3000}}};
  b.config["process"]["env"] = {"PATH=/nonexistent", "A=1", "PATH=/bin:/sbin", "A=2"};
  ASSERT_GT(start_sleeping(b, "exadd"), 0);
  ProcResult r =
      exec({"-g", "2000", "exadd", "sh", "-c",
            "grep ^Groups: /proc/self/status; tr '\\0' '\\n' < /proc/$$/environ | grep -c ^PATH=; echo $PATH $A"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Groups:\t2000 3000 \n1\n/bin:/sbin 2\n");
  r = exec({"--cwd", "tmp", "exadd", "pwd"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.out, "");
}

// runc's -g is an int64 slice flag: decimal with an optional sign, a word
// that is no integer a usage error (exit 1), a negative gid exec's own
// failure (255).
TEST_F(ExecTest, AdditionalGidsAreReadAsRuncReadsThem) {
  ASSERT_GT(start_sleeping("exgids"), 0);
  ProcResult r = exec({"-g", "010", "-g", "+16", "exgids", "grep", "^Groups:", "/proc/self/status"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Groups:\t10 16 \n");
  for (const char* word : {"extra", "3000,5", "", "0x10"}) {
    r = exec({"-g", word, "exgids", "true"});
    EXPECT_EQ(r.exit_code, 1) << "-g \"" << word << "\": " << r.err;
  }
  r = exec({"-g", "-1", "exgids", "true"});
  EXPECT_EQ(r.exit_code, 255) << r.err;
}

// A pid file that cannot be written fails the exec, and the process it would
// have named does not go on unseen: as runc, it is killed first.
TEST_F(ExecTest, APidFileThatCannotBeWrittenEndsTheProcess) {
  const pid_t init = start_sleeping("expidf");
  ASSERT_GT(init, 0);
  const fs::path directory = temp_dir() / "a-directory";
  fs::create_directories(directory);
  for (bool detach : {false, true}) {
    std::vector<std::string> args;
    if (detach) args.emplace_back("--detach");
    for (const std::string& a : {std::string("--pid-file"), directory.string(), std::string("expidf"),
                                 std::string("sleep"), std::string("1000")})
      args.push_back(a);
    ProcResult r = exec(args);
    EXPECT_NE(r.exit_code, 0) << "detach " << detach;
    ProcResult ps = hull({"ps", "--format", "json", "expidf"});
    ASSERT_EQ(ps.exit_code, 0) << ps.err;
    EXPECT_EQ(nlohmann::json::parse(ps.out), nlohmann::json::array({init})) << "detach " << detach << ": " << ps.out;
  }
}

// A detached exec's stdio (the engine's) becomes the process's user's, as
// for a detached container (HullTest.ANonRootUserCanReopenTheStdioADetachedContainerGets).
TEST_F(ExecTest, ADetachedExecsStdioBecomesItsUsers) {
  ASSERT_GT(start_sleeping("exstdio"), 0);
  const fs::path out = temp_dir() / "exec-stdio.log";
  const fs::path pid_file = temp_dir() / "exec.pid";
  { std::ofstream create_it(out); }
  ProcResult r = run_process({"/bin/sh", "-c", "exec \"$@\" > \"$0\" 2>&1", out.string(), runtime_binary(), "--root",
                              state_root().string(), "exec", "--detach", "--user", "1234", "--pid-file",
                              pid_file.string(), "exstdio", "sh", "-c", "echo reopened >> /dev/stdout"});
  ASSERT_EQ(r.exit_code, 0) << r.err << read_file(out.string());
  const pid_t pid = std::stoi(read_file(pid_file.string()));
  ASSERT_TRUE(wait_exit_and_reap(pid));
  EXPECT_EQ(read_file(out.string()), "reopened\n");
}

TEST_F(ExecTest, TheContainersSeccompFilterApplies) {
  Bundle& b = bundle();
  b.config["linux"]["seccomp"] = {{"defaultAction", "SCMP_ACT_ALLOW"},
                                  {"syscalls", {{{"names", {"mkdir", "mkdirat"}}, {"action", "SCMP_ACT_ERRNO"}}}}};
  ASSERT_GT(start_sleeping(b, "exsec"), 0);
  ProcResult r = exec(
      {"exsec", "sh", "-c", "grep ^Seccomp: /proc/self/status; mkdir /tmp/d 2>/dev/null && echo made || echo refused"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Seccomp:\t2\nrefused\n");

  ASSERT_GT(start_sleeping("exnosec"), 0);
  r = exec({"exnosec", "grep", "^Seccomp:", "/proc/self/status"});
  EXPECT_EQ(r.out, "Seccomp:\t0\n") << r.err;
}

// The exec'd process's set-up error goes over the channel, under the
// container's filter where it is loaded before execve. A profile refusing
// sendmsg, writev and write lost it: `exec -d` returned 0 and `exec` 127
// with no word, for a file execve refuses. It is left in a page shared
// with `hull exec` instead, before the send: a profile killing the process
// at the send (SCMP_ACT_KILL*, SCMP_ACT_TRAP) lost it too.
TEST_F(ExecTest, AnErrorOfTheProcessUnderAProfileRefusingEveryReportingCallIsStillNamed) {
  for (const std::string action : {"SCMP_ACT_ERRNO", "SCMP_ACT_KILL_PROCESS"}) {
    SCOPED_TRACE(action);
    const std::string id = "exunheard-" + std::to_string(action.size());
    Bundle& b = bundle("bundle-" + id);
    {
      std::ofstream junk(b.rootfs() / "junk");
      junk << "neither ELF nor a script\n";
    }
    fs::permissions(b.rootfs() / "junk", fs::perms::owner_all);
    b.config["linux"]["seccomp"] = {{"defaultAction", "SCMP_ACT_ALLOW"},
                                    {"syscalls", {{{"names", {"sendmsg", "writev", "write"}}, {"action", action}}}}};
    ASSERT_GT(start_sleeping(b, id), 0);
    for (bool detach : {true, false}) {
      SCOPED_TRACE(detach ? "--detach" : "attached");
      std::vector<std::string> args{id, "/junk"};
      if (detach) args.insert(args.begin(), "--detach");
      ProcResult r = exec(args);
      EXPECT_TRUE(failed_with(r, {"\"/junk\"", "neither an ELF binary for this machine nor a script"}, kExecFailed));
    }
    EXPECT_EQ(status(id), "running");
  }
}

TEST_F(ExecTest, NoNewPrivsFromTheContainerOrTheFlag) {
  Bundle& b = bundle();
  b.config["process"]["noNewPrivileges"] = false;
  ASSERT_GT(start_sleeping(b, "exnnp"), 0);
  ProcResult r = exec({"exnnp", "grep", "^NoNewPrivs:", "/proc/self/status"});
  EXPECT_EQ(r.out, "NoNewPrivs:\t0\n") << r.err;
  r = exec({"--no-new-privs", "exnnp", "grep", "^NoNewPrivs:", "/proc/self/status"});
  EXPECT_EQ(r.out, "NoNewPrivs:\t1\n") << r.err;

  ASSERT_GT(start_sleeping("exnnp2"), 0);  // the default config asks for it
  r = exec({"exnnp2", "grep", "^NoNewPrivs:", "/proc/self/status"});
  EXPECT_EQ(r.out, "NoNewPrivs:\t1\n") << r.err;
  // Given as false, it clears the container's, as runc's does.
  r = exec({"--no-new-privs=false", "exnnp2", "grep", "^NoNewPrivs:", "/proc/self/status"});
  EXPECT_EQ(r.out, "NoNewPrivs:\t0\n") << r.err;
}

}  // namespace
}  // namespace hull::itest
