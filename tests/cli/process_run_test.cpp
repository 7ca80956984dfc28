// The container process through `hull run`: what the container sees of its
// identity, capabilities, limits, scheduling, sysctls and seccomp filter, and
// the escapes the process stage refuses.
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <linux/keyctl.h>
#include <unistd.h>

#include <seccomp.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fstream>
#include <iterator>
#include <string>

#include "arch.hpp"
#include "at_scope_exit.hpp"
#include "base/fd_passing.hpp"
#include "base/fs.hpp"
#include "harness.hpp"
#include "proc_files.hpp"
#include "process/terminal_proxy.hpp"
#include "unix_listener.hpp"

namespace hull::itest {
namespace {

using nlohmann::json;

TEST_F(HullTest, ProcessCapabilitySetsAndNoNewPrivs) {
  Bundle& b = bundle();
  b.config["process"]["user"] = {{"uid", 1000}, {"gid", 1000}};
  b.config["process"]["capabilities"] = {{"bounding", {"CAP_CHOWN", "CAP_NET_BIND_SERVICE", "CAP_KILL"}},
                                         {"effective", {"CAP_CHOWN", "CAP_NET_BIND_SERVICE"}},
                                         {"permitted", {"CAP_CHOWN", "CAP_NET_BIND_SERVICE"}},
                                         {"inheritable", {"CAP_NET_BIND_SERVICE"}},
                                         {"ambient", {"CAP_NET_BIND_SERVICE", "CAP_NOT_REAL"}}};
  ProcResult r = run_sh(b, "cat /proc/self/status", "hullproc-caps");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(status_field(r.out, "CapBnd"), "0000000000000421");
  EXPECT_EQ(status_field(r.out, "CapInh"), "0000000000000400");
  EXPECT_EQ(status_field(r.out, "CapPrm"), "0000000000000400");
  EXPECT_EQ(status_field(r.out, "CapEff"), "0000000000000400");
  EXPECT_EQ(status_field(r.out, "CapAmb"), "0000000000000400");
  EXPECT_EQ(status_field(r.out, "NoNewPrivs"), "1");
  EXPECT_NE(r.err.find("unknown capability"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("CAP_NOT_REAL"), std::string::npos) << r.err;
}

// capset(2)'s EPERM is told by the rule the config broke. Attached as
// another user, the process's stdio are hull's pipes: what the init warned
// before it failed still reaches the caller.
TEST_F(HullTest, ACapsetRefusalNamesTheCapabilityAfterTheInitsWarnings) {
  Bundle& b = bundle();
  b.config["process"]["user"] = {{"uid", 1000}, {"gid", 1000}};
  b.config["process"]["capabilities"] = {{"bounding", {"CAP_KILL"}}, {"inheritable", {"CAP_NET_RAW", "CAP_BOGUS"}}};
  ProcResult r = run_sh(b, "true", "hullproc-capset");
  EXPECT_TRUE(failed_with(r, {"inheritable must be a subset of bounding; not in bounding: CAP_NET_RAW"}));
  EXPECT_NE(r.err.find("CAP_BOGUS"), std::string::npos) << r.err;
  EXPECT_LT(r.err.find("CAP_BOGUS"), r.err.find("inheritable must")) << r.err;
  EXPECT_TRUE(state_dirs().empty());
}

// The runtime moves the init off its own CPU while it makes the init's
// cgroups beside it (runtime/other_cpu.hpp), and the init takes every CPU
// its cpuset allows before anything of the container's runs: the container
// may run on every CPU its caller may, as under runc.
TEST_F(HullTest, TheContainerMayRunOnEveryCpuItsCallerMay) {
  const std::string ours = status_field(read_text_file("/proc/self/status"), "Cpus_allowed_list");
  ASSERT_FALSE(ours.empty());
  ProcResult r = run_sh(bundle(), "grep Cpus_allowed_list: /proc/self/status");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(status_field(r.out, "Cpus_allowed_list"), ours);
}

TEST_F(HullTest, ProcessRootKeepsConfiguredCapsAndNoInheritable) {
  Bundle& b = bundle();
  b.config["process"]["noNewPrivileges"] = false;
  ProcResult r = run_sh(b, "cat /proc/self/status", "hullproc-root");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // CAP_KILL(5) | CAP_NET_BIND_SERVICE(10) | CAP_AUDIT_WRITE(29)
  EXPECT_EQ(status_field(r.out, "CapBnd"), "0000000020000420");
  EXPECT_EQ(status_field(r.out, "CapEff"), "0000000020000420");
  EXPECT_EQ(status_field(r.out, "CapInh"), "0000000000000000");
  EXPECT_EQ(status_field(r.out, "NoNewPrivs"), "0");
}

// A group listed twice is one group, as runc gives it.
TEST_F(HullTest, ProcessUserGroupsAndUmask) {
  Bundle& b = bundle();
  b.config["process"]["user"] = {
      {"uid", 1234}, {"gid", 2345}, {"additionalGids", {3001, 3000, 3001}}, {"umask", 077}};
  ProcResult r = run_sh(b, "id; umask; touch /dev/shm/f; stat -c %a /dev/shm/f", "hullproc-user");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "uid=1234 gid=2345 groups=3000,3001\n0077\n600\n");
}

// The stdio a detached container inherits (an engine's pipes, fifos or
// files, root's) become the container user's, as runc's fixStdioPermissions
// makes them: a non-root user can reopen them through /dev/stdout or
// /proc/self/fd/N (nginx-unprivileged logs to /dev/stdout). The uid changes,
// the group stays. (Here a file of the test's is the container's stdout.)
TEST_F(HullTest, ANonRootUserCanReopenTheStdioADetachedContainerGets) {
  Bundle& b = bundle();
  b.config["process"]["user"] = {{"uid", 1234}, {"gid", 2345}};
  b.args({"sh", "-c", "echo to-stdout >> /dev/stdout; echo to-stderr >> /proc/self/fd/2"});
  const std::filesystem::path out = temp_dir() / "stdio.log";
  { std::ofstream create_it(out); }
  ProcResult r = run_process({"/bin/sh", "-c", "exec \"$@\" > \"$0\" 2>&1", out.string(), runtime_binary(), "--root",
                              state_root().string(), "create", "--bundle", b.dir().string(), "stdio-d"});
  ASSERT_EQ(r.exit_code, 0) << r.err << read_file(out.string());
  const pid_t pid = state("stdio-d")["pid"].get<pid_t>();
  start_container("stdio-d");
  ASSERT_TRUE(wait_exit_and_reap(pid));
  EXPECT_EQ(read_file(out.string()), "to-stdout\nto-stderr\n");
  struct stat st {};
  ASSERT_EQ(::stat(out.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 1234u);
  EXPECT_EQ(st.st_gid, 0u);
}

// A uid of 4294967295 is "no change" to setresuid(2): refused at create
// (runc's range), never a process that keeps the runtime's root.
TEST_F(HullTest, AUidOfMinusOneIsRefusedNotRoot) {
  Bundle& b = bundle();
  b.config["process"]["user"] = {{"uid", 4294967295u}, {"gid", 0}};
  ProcResult r = run_sh(b, "id -u", "hullproc-uid-1");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("uids and gids must be in range 0-2147483647"), std::string::npos) << r.err;
}

TEST_F(HullTest, ProcessRlimitsAndOomScoreAdj) {
  Bundle& b = bundle();
  // Within the host's hard limit: no CAP_SYS_RESOURCE on this machine.
  b.config["process"]["rlimits"] = {{{"type", "RLIMIT_NOFILE"}, {"soft", 1234}, {"hard", 2345}},
                                    {{"type", "RLIMIT_CORE"}, {"soft", 0}, {"hard", 0}},
                                    {{"type", "RLIMIT_NPROC"}, {"soft", 500}, {"hard", 600}}};
  b.config["process"]["oomScoreAdj"] = 321;
  ProcResult r =
      run_sh(b, "ulimit -n; ulimit -Hn; ulimit -c; ulimit -u; cat /proc/self/oom_score_adj", "hullproc-rlim");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "1234\n2345\n0\n500\n321\n");
}

TEST_F(HullTest, ProcessUnknownRlimitFailsCreate) {
  Bundle& b = bundle();
  b.config["process"]["rlimits"] = {{{"type", "RLIMIT_FOO"}, {"soft", 1}, {"hard", 1}}};
  ProcResult r = run_sh(b, "true", "hullproc-rlimfoo");
  EXPECT_TRUE(failed_with(r, {"RLIMIT_FOO"}));
}

// Above the host's hard limit (no CAP_SYS_RESOURCE here, nor in most
// runtimes' callers): the entry is named by its place in config.json.
TEST_F(HullTest, AnRlimitAboveTheHardLimitNamesItsEntry) {
  struct rlimit cur {};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &cur), 0);
  if (cur.rlim_max == RLIM_INFINITY) GTEST_SKIP() << "no hard limit on open files to go above";
  const uint64_t effective = std::stoull(status_field(hull::read_file("/proc/self/status"), "CapEff"), nullptr, 16);
  if (effective & (uint64_t{1} << CAP_SYS_RESOURCE)) GTEST_SKIP() << "with CAP_SYS_RESOURCE the hard limit may rise";
  Bundle& b = bundle();
  b.config["process"]["rlimits"] = {{{"type", "RLIMIT_CORE"}, {"soft", 0}, {"hard", 0}},
                                    {{"type", "RLIMIT_NOFILE"}, {"soft", 1024}, {"hard", cur.rlim_max + 1}}};
  ProcResult r = run_sh(b, "true", "hullproc-rlimhard");
  EXPECT_TRUE(failed_with(r, {"process.rlimits[1]: set RLIMIT_NOFILE soft=1024 hard=", "the current hard limit is"}))
      << r.err;
}

// Above fs.nr_open the kernel answers EPERM as well, which no capability
// lifts: the hint named CAP_SYS_RESOURCE, held or not.
TEST_F(HullTest, AnOpenFilesLimitAboveNrOpenSaysSo) {
  const uint64_t nr_open = std::stoull(hull::read_file("/proc/sys/fs/nr_open"));
  Bundle& b = bundle();
  b.config["process"]["rlimits"] = {{{"type", "RLIMIT_NOFILE"}, {"soft", 1024}, {"hard", nr_open + 1}}};
  ProcResult r = run_sh(b, "true", "hullproc-nropen");
  EXPECT_TRUE(failed_with(r, {"process.rlimits[0]: set RLIMIT_NOFILE",
                              "above the host's fs.nr_open, " + std::to_string(nr_open), "operation not permitted"}))
      << r.err;
  EXPECT_EQ(r.err.find("CAP_SYS_RESOURCE"), std::string::npos) << r.err;
}

// process.oomScoreAdj below the caller's floor (oom_score_adj_min, which a
// caller with CAP_SYS_RESOURCE sets by raising its own: containerd raises
// each shim to 1, and dockerd --userns-remap asks for 0) is set in a user
// namespace too, for the init and an exec process: the runtime sets it on
// itself, where it holds the capability, and they inherit it. Written by the
// init or the exec process inside the user namespace, it was refused
// (EACCES) and every such container failed (found by review; runc writes it
// before its init enters any namespace). Needs CAP_SYS_RESOURCE (the VM lanes).
TEST_F(HullTest, AnOomScoreBelowTheCallersIsSetInAUserNamespace) {
  const uint64_t effective = std::stoull(status_field(hull::read_file("/proc/self/status"), "CapEff"), nullptr, 16);
  if (!(effective & (uint64_t{1} << CAP_SYS_RESOURCE))) GTEST_SKIP() << "no CAP_SYS_RESOURCE to lower a score";
  Bundle& b = bundle();
  b.add_user_namespace();
  b.config["process"]["oomScoreAdj"] = 100;
  b.args({"sleep", "1000"});
  // hull run from a caller whose score (and floor) is 500.
  auto from_500 = [&](std::vector<std::string> args) {
    std::vector<std::string> argv{"/bin/sh",
                                  "-c",
                                  "echo 500 > /proc/self/oom_score_adj && exec \"$@\"",
                                  "sh",
                                  runtime_binary(),
                                  "--root",
                                  state_root().string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return Child::spawn(argv).finish();
  };
  ProcResult created = from_500({"create", "--bundle", b.dir().string(), "oomns"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  const pid_t init = state("oomns").value("pid", 0);
  EXPECT_EQ(hull::read_file("/proc/" + std::to_string(init) + "/oom_score_adj"), "100\n");
  ProcResult exec = from_500({"exec", "oomns", "cat", "/proc/self/oom_score_adj"});
  EXPECT_EQ(exec.exit_code, 0) << exec.err;
  EXPECT_EQ(exec.out, "100\n");
  EXPECT_EQ(hull({"delete", "--force", "oomns"}).exit_code, 0);
}

// ...and the runtime has its own value back once the clone is made: the
// hooks it runs keep the caller's score, as runc's do, and so does a `run`
// that stays attached, not the container's (found by review of a8c76b2: a
// BestEffort pod's 1000 made them the OOM killer's first choice).
TEST_F(HullTest, TheRuntimesHooksKeepTheCallersOomScoreBesideAUserNamespacedContainer) {
  const std::string own = hull::read_file("/proc/self/oom_score_adj");
  const std::filesystem::path seen = temp_dir() / "hook-oom";
  Bundle& b = bundle();
  b.add_user_namespace();
  b.config["process"]["oomScoreAdj"] = 900;
  b.config["hooks"]["createRuntime"] = {
      {{"path", "/bin/sh"}, {"args", {"sh", "-c", "cat /proc/self/oom_score_adj > " + seen.string()}}}};
  ProcResult r = run_sh(b, "cat /proc/self/oom_score_adj");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "900\n");
  EXPECT_EQ(hull::read_file(seen.string()), own);
}

// With CAP_SYS_RESOURCE (the VM lanes' root) a hard limit rises, in a user
// namespace too, whose init holds the capability only in its own: the
// runtime raises it from outside (runc alike), for a new user namespace and
// for one the exec joins.
TEST_F(HullTest, AHardLimitRisesInAUserNamespace) {
  struct rlimit cur {};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &cur), 0);
  const uint64_t effective = std::stoull(status_field(hull::read_file("/proc/self/status"), "CapEff"), nullptr, 16);
  if (!(effective & (uint64_t{1} << CAP_SYS_RESOURCE))) GTEST_SKIP() << "no CAP_SYS_RESOURCE to raise a hard limit";
  const uint64_t nr_open = std::stoull(hull::read_file("/proc/sys/fs/nr_open"));
  if (cur.rlim_max == RLIM_INFINITY || cur.rlim_max >= nr_open) GTEST_SKIP() << "no room above the hard limit";
  const std::string raised = std::to_string(cur.rlim_max + 1);
  Bundle& b = bundle();
  b.add_user_namespace();
  b.config["process"]["rlimits"] = {{{"type", "RLIMIT_NOFILE"}, {"soft", 1024}, {"hard", cur.rlim_max + 1}}};
  b.args({"sleep", "1000"});
  ASSERT_EQ(hull({"create", "--bundle", b.dir().string(), "rlimraise"}).exit_code, 0);
  ASSERT_EQ(hull({"start", "rlimraise"}).exit_code, 0);
  const pid_t init = state("rlimraise").value("pid", 0);
  EXPECT_NE(hull::read_file("/proc/" + std::to_string(init) + "/limits").find(raised), std::string::npos);
  ProcResult r = hull({"exec", "rlimraise", "sh", "-c", "ulimit -Hn"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, raised + "\n");
  EXPECT_EQ(hull({"delete", "--force", "rlimraise"}).exit_code, 0);
}

TEST_F(HullTest, ProcessSchedulerIoPriorityPersonality) {
  Bundle& b = bundle();
  b.config["process"]["scheduler"] = {{"policy", "SCHED_BATCH"}, {"nice", 7}};
  b.config["process"]["ioPriority"] = {{"class", "IOPRIO_CLASS_BE"}, {"priority", 6}};
  b.config["linux"]["personality"] = {{"domain", "LINUX32"}};
  ProcResult r = run_sh(b, "grep -E '^policy' /proc/self/sched | tr -s ' '; cut -d' ' -f19 /proc/self/stat; uname -m",
                        "hullproc-sched");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, std::string("policy : 3\n7\n") + kLinux32Machine + "\n");
}

// The realtime I/O class needs CAP_SYS_ADMIN in the host's user namespace,
// which the init of a user namespace never holds: set from outside it, by
// the runtime for a new one, before the join for one joined by path (by the
// init, or by the helper that makes a new pid namespace beside it).
TEST_F(HullTest, TheRealtimeIoClassAppliesInANewOrAJoinedUserNamespace) {
  const nlohmann::json realtime = {{"class", "IOPRIO_CLASS_RT"}, {"priority", 4}};
  Bundle& b = bundle("bundle-new");
  b.add_user_namespace();
  b.config["process"]["ioPriority"] = realtime;
  ProcResult r = run_sh(b, "ionice", "rt-new");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "realtime: prio 4\n");

  Bundle& owner = bundle("bundle-owner");
  owner.add_user_namespace();
  owner.args({"sleep", "1000"});
  ASSERT_EQ(hull({"create", "--bundle", owner.dir().string(), "rt-owner"}).exit_code, 0);
  const std::string owner_ns = "/proc/" + std::to_string(state("rt-owner").value("pid", 0)) + "/ns/";
  for (bool joins_pid : {true, false}) {
    Bundle& joined = bundle(joins_pid ? "bundle-joined-pid" : "bundle-own-pid");
    joined.config["process"]["ioPriority"] = realtime;
    if (joins_pid)
      for (auto& n : joined.config["linux"]["namespaces"])
        if (n["type"] == "pid") n["path"] = owner_ns + "pid";
    joined.config["linux"]["namespaces"].push_back({{"type", "user"}, {"path", owner_ns + "user"}});
    r = run_sh(joined, "ionice", "rt-joined");
    ASSERT_EQ(r.exit_code, 0) << joins_pid << r.err;
    EXPECT_EQ(r.out, "realtime: prio 4\n") << joins_pid;
  }
  EXPECT_EQ(hull({"delete", "--force", "rt-owner"}).exit_code, 0);
}

TEST_F(HullTest, ProcessSysctlsInOwnNamespaces) {
  Bundle& b = bundle();
  b.config["linux"]["sysctl"] = {{"kernel.shmmni", "1234"}, {"net.ipv4.ip_forward", "1"}, {"fs.mqueue.msg_max", "77"}};
  // Docker's default config makes /proc/sys read-only; sysctls still apply.
  b.config["linux"]["readonlyPaths"] = {"/proc/sys"};
  ProcResult r = run_sh(b,
                        "cat /proc/sys/kernel/shmmni /proc/sys/net/ipv4/ip_forward /proc/sys/fs/mqueue/msg_max; "
                        "echo 1 > /proc/sys/kernel/shmmni || echo ro",
                        "hullproc-sysctl");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "1234\n1\n77\nro\n");
}

TEST_F(HullTest, ProcessHostSysctlRefused) {
  Bundle& b = bundle();
  b.config["linux"]["sysctl"] = {{"kernel.core_pattern", "|/tmp/pwn"}};
  ProcResult r = run_sh(b, "true", "hullproc-hostsysctl");
  EXPECT_TRUE(failed_with(r, {"kernel.core_pattern", "namespaced"}));

  Bundle& shared = bundle("shared-net");
  json ns = json::array();
  for (const auto& n : shared.config["linux"]["namespaces"])
    if (n["type"] != "network") ns.push_back(n);
  shared.config["linux"]["namespaces"] = ns;
  shared.config["linux"]["sysctl"] = {{"net.ipv4.ip_forward", "1"}};
  r = run_sh(shared, "true", "hullproc-shared");
  EXPECT_TRUE(failed_with(r, {"net.ipv4.ip_forward", "network namespace"}));
}

TEST_F(HullTest, ProcessLsmLabelWithoutLsmFails) {
  Bundle& b = bundle();
  b.config["process"]["apparmorProfile"] = "hull-itest";
  ProcResult r = run_sh(b, "true", "hullproc-lsm");
  if (r.exit_code == 0) GTEST_SKIP() << "AppArmor is enabled on this host and has a hull-itest profile";
  // Debian's own kernel (the v2vm lane's) enables AppArmor: then the profile is missing.
  std::ifstream enabled("/sys/module/apparmor/parameters/enabled");
  std::string yes;
  if (enabled >> yes && yes == "Y")
    EXPECT_TRUE(failed_with(r, {"apparmorProfile", "hull-itest", "is the profile loaded"}));
  else
    EXPECT_TRUE(failed_with(r, {"apparmorProfile", "not enabled"}));
}

// Keys are not namespaced, and KEYCTL_JOIN_SESSION_KEYRING by name joins a
// keyring of that name the caller may search, where one exists: another
// container's root (the same uid and user namespace) that made "_ses.<id>"
// beforehand got the init's session keyring, and read the keys the container
// added (runc 1.1.5 the same). The init's is anonymous now, as an exec's. A
// key only its possessors may view shows in /proc/keys to a process whose
// keyrings hold it.
TEST_F(HullTest, TheInitNeverJoinsASessionKeyringPlantedUnderItsName) {
  if (!std::filesystem::exists("/proc/keys")) GTEST_SKIP() << "no keyrings in this kernel";
  const std::string id = "hullproc-keyplant";
  const long planted = ::syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, ("_ses." + id).c_str());
  ASSERT_GE(planted, 0) << std::strerror(errno);
  // Left for an anonymous one of this test process's own at the end.
  AtScopeExit leave([] { ::syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, nullptr); });
  constexpr unsigned long kPossessorAndUserAll = 0x3f3f0000, kPossessorOnly = 0x3f000000;
  ASSERT_EQ(::syscall(SYS_keyctl, KEYCTL_SETPERM, planted, kPossessorAndUserAll), 0) << std::strerror(errno);
  const long key = ::syscall(SYS_add_key, "user", "hull-itest-planted", "bait", 4, KEY_SPEC_SESSION_KEYRING);
  ASSERT_GE(key, 0) << std::strerror(errno);
  AtScopeExit revoke([key] { ::syscall(SYS_keyctl, KEYCTL_REVOKE, key); });
  ASSERT_EQ(::syscall(SYS_keyctl, KEYCTL_SETPERM, key, kPossessorOnly), 0) << std::strerror(errno);
  Bundle& b = bundle();
  json masked = json::array();
  for (const auto& path : b.config["linux"]["maskedPaths"])
    if (path != "/proc/keys") masked.push_back(path);
  b.config["linux"]["maskedPaths"] = masked;
  ProcResult r = run_sh(b, "grep -c hull-itest-planted /proc/keys; true", id);
  EXPECT_EQ(r.out, "0\n") << "the init joined the planted keyring: " << r.err;
}

json seccomp_allow_all_but(json rules) {
  return {{"defaultAction", "SCMP_ACT_ALLOW"},
          {"architectures", {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86"}},
          {"syscalls", rules}};
}

TEST_F(HullTest, ProcessSeccompErrnoKillLog) {
  for (bool nnp : {true, false}) {
    Bundle& b = bundle(nnp ? "nnp" : "no-nnp");
    b.config["process"]["noNewPrivileges"] = nnp;
    b.config["linux"]["seccomp"] =
        seccomp_allow_all_but({{{"names", {"mkdir", "mkdirat"}}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", 38}},
                               {{"names", {"no_such_syscall_xyz"}}, {"action", "SCMP_ACT_KILL"}}});
    ProcResult r = run_sh(b, "grep -E '^(Seccomp|Seccomp_filters|CapEff)' /proc/self/status; mkdir /tmp/x 2>&1",
                          nnp ? "hullproc-sc-a" : "hullproc-sc-b");
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.out.find("Seccomp:\t2\nSeccomp_filters:\t1\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("CapEff:\t0000000020000420"), std::string::npos) << r.out;  // no CAP_SYS_ADMIN left
    EXPECT_NE(r.out.find("Function not implemented"), std::string::npos) << r.out;
    EXPECT_NE(r.err.find("unknown syscall"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("no_such_syscall_xyz"), std::string::npos) << r.err;
  }

  Bundle& k = bundle("kill");
  k.config["linux"]["seccomp"] = seccomp_allow_all_but({{{"names", {"sync"}}, {"action", "SCMP_ACT_KILL_PROCESS"}}});
  k.args({"sync"});
  ProcResult r = hull({"run", "--bundle", k.dir().string(), "hullproc-k"});
  EXPECT_EQ(r.exit_code, 128 + SIGSYS) << r.err;

  Bundle& l = bundle("log");
  l.config["linux"]["seccomp"] = seccomp_allow_all_but({{{"names", {"sync"}}, {"action", "SCMP_ACT_LOG"}}});
  l.args({"sync"});
  r = hull({"run", "--bundle", l.dir().string(), "hullproc-l"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(HullTest, ProcessSeccompMaskedEqOnArgument) {
  Bundle& b = bundle();
  // Refuse chmod with the setuid bit, allow any other mode.
  b.config["linux"]["seccomp"] = seccomp_allow_all_but(
      {{{"names", {"chmod", "fchmod"}},
        {"action", "SCMP_ACT_ERRNO"},
        {"args", {{{"index", 1}, {"value", 04000}, {"valueTwo", 04000}, {"op", "SCMP_CMP_MASKED_EQ"}}}}},
       {{"names", {"fchmodat"}},
        {"action", "SCMP_ACT_ERRNO"},
        {"args", {{{"index", 2}, {"value", 04000}, {"valueTwo", 04000}, {"op", "SCMP_CMP_MASKED_EQ"}}}}}});
  ProcResult r =
      run_sh(b, "touch /tmp/f; chmod 755 /tmp/f && echo plain; chmod 4755 /tmp/f 2>/dev/null || echo suid-denied",
             "hullproc-masked");
  EXPECT_EQ(r.out, "plain\nsuid-denied\n") << r.err;
}

TEST_F(HullTest, ProcessBadSeccompFailsCreateNamingField) {
  Bundle& b = bundle();
  b.config["linux"]["seccomp"] =
      seccomp_allow_all_but({{{"names", {"getpid"}}, {"action", "SCMP_ACT_ALLOW"}, {"errnoRet", 5}}});
  ProcResult r = run_sh(b, "true", "hullproc-badsc");
  EXPECT_TRUE(failed_with(r, {"syscalls[0]", "errnoRet"}));
}

TEST_F(HullTest, ProcessMissingBinaryAndCrlfScriptExplained) {
  Bundle& b = bundle();
  b.args({"no-such-program"});
  ProcResult r = hull({"run", "--bundle", b.dir().string(), "hullproc-m"});
  EXPECT_TRUE(failed_with(r, {"\"no-such-program\"", "not found in $PATH"}));

  Bundle& c = bundle("crlf");
  { std::ofstream(c.rootfs() / "run.sh") << "#!/bin/sh\r\necho hi\r\n"; }
  std::filesystem::permissions(c.rootfs() / "run.sh", std::filesystem::perms(0755));
  c.args({"/run.sh"});
  r = hull({"run", "--bundle", c.dir().string(), "hullproc-c"});
  EXPECT_TRUE(failed_with(r, {"/run.sh", "carriage return"}));
}

// A program below a directory the container user cannot search is
// "permission denied", not missing: engines map the first to exit status 126
// and the second to 127, as they do for runc's errors.
TEST_F(HullTest, AProgramBelowAnUnsearchableDirectoryIsPermissionDenied) {
  Bundle& b = bundle();
  std::filesystem::create_directories(b.rootfs() / "secret");
  std::filesystem::copy_file("/bin/busybox", b.rootfs() / "secret/true");
  std::filesystem::permissions(b.rootfs() / "secret", std::filesystem::perms::owner_all);
  b.config["process"]["user"] = {{"uid", 1000}, {"gid", 1000}};
  b.args({"/secret/true"});
  ProcResult r = hull({"run", "--bundle", b.dir().string(), "hullproc-eacces"});
  EXPECT_TRUE(failed_with(r, {"/secret/true", "permission denied"})) << r.err;
  EXPECT_EQ(r.err.find("no such file"), std::string::npos) << r.err;
}

// execve lets a user with CAP_DAC_OVERRIDE run a file only root may
// execute, and so does runc (start_hello.bats): the lookup before the
// barrier judges with the user's capabilities, not only its ids.
TEST_F(HullTest, AUserWithDacOverrideRunsAFileOnlyRootMayExecute) {
  Bundle& b = bundle();
  std::filesystem::create_directories(b.rootfs() / "opt");
  std::filesystem::copy_file("/bin/busybox", b.rootfs() / "opt/busybox");
  std::filesystem::permissions(b.rootfs() / "opt/busybox", std::filesystem::perms(0744));
  b.config["process"]["user"] = {{"uid", 1000}, {"gid", 1000}};
  const json caps = {"CAP_DAC_OVERRIDE"};
  b.config["process"]["capabilities"] = {{"bounding", caps}, {"effective", caps}, {"permitted", caps}};
  b.args({"/opt/busybox", "echo", "by path"});
  ProcResult r = hull({"run", "--bundle", b.dir().string(), "hullproc-dac"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "by path\n");
  // Found in $PATH too, where an unreadable-by-mode file is still the one.
  b.config["process"]["env"] = {"PATH=/opt"};
  b.args({"busybox", "echo", "in PATH"});
  r = hull({"run", "--bundle", b.dir().string(), "hullproc-dac2"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "in PATH\n");
  // Without the capability the user is refused, naming why.
  b.config["process"]["capabilities"] = {{"bounding", json::array()}};
  b.write();
  r = hull({"run", "--bundle", b.dir().string(), "hullproc-dac3"});
  EXPECT_TRUE(failed_with(r, {"busybox", "uid 1000"})) << r.err;
}

// A process.cwd the image lacks is made, as runc does (a Kubernetes
// workingDir need not exist in the image), even under root.readonly, and
// through a symlink of the image only inside the rootfs.
TEST_F(HullTest, AMissingCwdIsMadeInTheRootfs) {
  Bundle& b = bundle("cwd");
  b.config["process"]["cwd"] = "/work/dir";
  b.config["root"]["readonly"] = true;
  ProcResult r = run_sh(b, "pwd", "hullproc-cwd");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "/work/dir\n");
  EXPECT_TRUE(std::filesystem::is_directory(b.rootfs() / "work" / "dir"));

  Bundle& l = bundle("cwdlink");
  std::filesystem::create_directory_symlink("/../../../../outside", l.rootfs() / "app");
  l.config["process"]["cwd"] = "/app/sub";
  r = run_sh(l, "pwd", "hullproc-cwdlink");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::filesystem::is_directory(l.rootfs() / "outside" / "sub"));
  EXPECT_FALSE(std::filesystem::exists(l.rootfs().parent_path() / "outside"));
}

// CVE-2024-21626: a cwd through one of the init's own fds would start the
// container in the host's filesystem.
TEST_F(HullTest, ProcessCwdThroughInitFdsRefused) {
  for (int n = 3; n <= 20; ++n) {
    Bundle& b = bundle("fd" + std::to_string(n));
    b.config["process"]["cwd"] = "/proc/self/fd/" + std::to_string(n);
    ProcResult r = run_sh(b, "pwd; ls ../../../..", "hullproc-fd" + std::to_string(n));
    EXPECT_TRUE(failed_with(r, {"cwd"})) << "fd " << n << " out: " << r.out;
  }
}

// CVE-2019-5736: an entrypoint that makes the init execve the runtime binary
// must not get a handle to write it.
TEST_F(HullTest, ProcessSelfExeEntrypointCannotTouchRuntime) {
  std::string before = read_text_file(HULL_BINARY);
  ASSERT_FALSE(before.empty());
  Bundle& b = bundle();
  { std::ofstream(b.rootfs() / "evil") << "#!/proc/self/exe\n"; }
  std::filesystem::permissions(b.rootfs() / "evil", std::filesystem::perms(0755));
  b.args({"/evil"});
  ProcResult r = hull({"run", "--bundle", b.dir().string(), "hullproc-evil"});
  EXPECT_TRUE(failed_with(r, {"CVE-2019-5736"}));

  Bundle& direct = bundle("direct");
  direct.args({"/proc/self/exe"});
  r = hull({"run", "--bundle", direct.dir().string(), "hullproc-direct"});
  EXPECT_TRUE(failed_with(r, {"CVE-2019-5736"}));

  // And the classic payload, from an ordinary container: open the runtime
  // through /proc/1/exe (our init until execve, then sh) for writing.
  Bundle& writer = bundle("writer");
  r = run_sh(writer, "for p in /proc/[0-9]*; do echo x 2>/dev/null >> $p/exe && echo wrote $p; done; true",
             "hullproc-writer");
  EXPECT_EQ(r.out.find("wrote"), std::string::npos) << r.out;
  EXPECT_EQ(read_text_file(HULL_BINARY), before) << "the runtime binary changed";
}

TEST_F(HullTest, ProcessHooksRunInOrderWithState) {
  Bundle& b = bundle();
  std::string log = (temp_dir() / "hooks.log").string();
  std::string hook = (temp_dir() / "hook.sh").string();
  {
    std::ofstream(hook) << "#!/bin/sh\necho $1 >> " << log << "\ncat > " << temp_dir().string() << "/$1.json\n";
    std::ofstream(b.rootfs() / "start.sh")
        << "#!/bin/sh\nstate=$(cat)\necho \"startContainer $state\" > /tmp/start.log\n";
  }
  std::filesystem::permissions(hook, std::filesystem::perms(0755));
  std::filesystem::permissions(b.rootfs() / "start.sh", std::filesystem::perms(0755));
  auto h = [&](const std::string& kind) {
    return json{{"path", hook}, {"args", {"hook.sh", kind}}, {"env", {"PATH=/usr/bin:/bin"}}};
  };
  b.config["hooks"] = {{"createRuntime", {h("createRuntime")}},
                       {"createContainer", {h("createContainer")}},
                       {"startContainer", {{{"path", "/start.sh"}, {"env", {"PATH=/bin"}}}}},
                       {"poststart", {h("poststart")}},
                       {"poststop", {h("poststop")}}};
  ProcResult r = run_sh(b, "cat /tmp/start.log", "hullproc-hooks");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("startContainer {"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"pid\":1"), std::string::npos) << "startContainer sees the container's pid: " << r.out;
  // They run as part of start, of a created container (runc says so too).
  EXPECT_NE(r.out.find("\"status\":\"created\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("hullproc-hooks"), std::string::npos) << r.out;
  // poststop runs at delete, which `hull run` does on exit.
  EXPECT_EQ(lines_of(read_text_file(log)),
            (std::vector<std::string>{"createRuntime", "createContainer", "poststart", "poststop"}));
  for (const char* kind : {"createRuntime", "createContainer", "poststart", "poststop"}) {
    const std::string text = read_text_file((temp_dir() / (std::string(kind) + ".json")).string());
    auto state = json::parse(text);
    EXPECT_EQ(state["id"], "hullproc-hooks") << kind;
    EXPECT_EQ(state["bundle"], b.dir().string()) << kind;
    // On one line, as runc marshals it: a shell hook reads it with `read -r`.
    EXPECT_EQ(text.find('\n'), std::string::npos) << kind << ": " << text;
  }
  auto status = [&](const char* kind) {
    return json::parse(read_text_file((temp_dir() / (std::string(kind) + ".json")).string()))["status"];
  };
  EXPECT_EQ(status("createRuntime"), "creating");
  EXPECT_EQ(status("createContainer"), "creating");
  EXPECT_EQ(status("poststop"), "stopped");
  // runtime.md, State: a hook run in the container's namespaces is given the
  // pid as the container sees it (its own pid namespace: 1), as runc does.
  auto pid = [&](const char* kind) {
    return json::parse(read_text_file((temp_dir() / (std::string(kind) + ".json")).string()))["pid"];
  };
  EXPECT_EQ(pid("createContainer"), 1);
  EXPECT_NE(pid("createRuntime"), 1);
}

// The hooks in the container get the state, however large: CRI-O copies a
// pod's annotations into the config (Kubernetes allows 256 KiB of them), and
// the state crosses the sync socket in pieces of one packet.
TEST_F(HullTest, HooksInTheContainerGetAStateOfAnySize) {
  Bundle& b = bundle();
  const std::string big(size_t{300} * 1024, 'a');
  const std::string created = (temp_dir() / "createContainer.json").string();
  b.config["annotations"] = {{"big", big}};
  b.config["hooks"] = {
      {"createContainer", {{{"path", "/bin/sh"}, {"args", {"sh", "-c", "cat > " + created}}}}},
      {"startContainer", {{{"path", "/bin/sh"}, {"args", {"sh", "-c", "cat > /tmp/startContainer.json"}}}}}};
  ProcResult r = run_sh(b, "cat /tmp/startContainer.json", "hullproc-big");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const std::string& text : {read_text_file(created), r.out}) {
    const json state = json::parse(text, nullptr, false);
    ASSERT_TRUE(state.is_object()) << text.size() << " bytes: " << text.substr(0, 200);
    EXPECT_EQ(state["annotations"]["big"], big);
    EXPECT_EQ(state["id"], "hullproc-big");
  }
}

// Hooks run in the container (createContainer, startContainer) without an
// `env` get the container process's environment, as under runc, never the
// caller's: nothing of the engine's environment reaches a program of the
// image. `"env": []` is an empty environment.
TEST_F(HullTest, HooksInTheContainerGetTheProcessEnvironmentNotTheCallers) {
  Bundle& b = bundle();
  b.config["process"]["env"].push_back("HULL_TEST_MARK=container");
  const std::string created = (temp_dir() / "createContainer.env").string();
  b.config["hooks"] = {
      {"createContainer",
       {{{"path", "/bin/sh"}, {"args", {"sh", "-c", "env > " + created}}},
        {{"path", "/bin/sh"}, {"args", {"sh", "-c", "env > " + created + ".none"}}, {"env", json::array()}}}},
      {"startContainer", {{{"path", "/bin/sh"}, {"args", {"sh", "-c", "env > /tmp/startContainer.env"}}}}}};
  b.args({"cat", "/tmp/startContainer.env"});
  SpawnOptions caller;
  caller.extra_env = {"HULL_TEST_CALLER_ONLY=leaked"};
  ProcResult r = hull({"run", "--bundle", b.dir().string(), "hullproc-hookenv"}, caller);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const std::string& env : {read_text_file(created), r.out}) {
    EXPECT_NE(env.find("HULL_TEST_MARK=container\n"), std::string::npos) << env;
    EXPECT_NE(env.find("PATH="), std::string::npos) << env;
    EXPECT_EQ(env.find("HULL_TEST_CALLER_ONLY"), std::string::npos) << env;
  }
  EXPECT_EQ(read_text_file(created + ".none").find("HULL_TEST_MARK"), std::string::npos);
}

// runc loads the seccomp filter before it runs startContainer hooks, so they
// run under it: a hook can see (and is held to) the container's profile.
TEST_F(HullTest, StartContainerHooksRunUnderTheSeccompFilter) {
  Bundle& b = bundle();
  b.config["linux"]["seccomp"] = {{"defaultAction", "SCMP_ACT_ALLOW"},
                                  {"syscalls", {{{"names", {"acct"}}, {"action", "SCMP_ACT_ERRNO"}}}}};
  json hook = {{"path", "/bin/sh"}, {"args", {"sh", "-c", "grep '^Seccomp:' /proc/self/status > /tmp/hook.seccomp"}}};
  b.config["hooks"] = {{"startContainer", json::array({hook})}};
  ProcResult r = run_sh(b, "cat /tmp/hook.seccomp", "hullproc-hookseccomp");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Seccomp:\t2\n");
}

// runc's ENOSYS stub, through the runtime binary: a syscall numbered above
// every one the profile names gets ENOSYS (programs fall back), one the
// profile could have named keeps the default action's EPERM. The probe is
// this test binary (its HULL_SECCOMP_PROBE constructor, in
// process_seccomp_test.cpp: "nr:errno" per syscall), bound into the
// container with the host's /usr for its libraries.
TEST_F(HullTest, SeccompSyscallsNewerThanTheProfileGetEnosys) {
  constexpr int kNewest = 434, kUnknown = 436;  // pidfd_open, close_range (every architecture's since Linux 5.1)
  json names = json::array();
  for (int nr = 0; nr <= kNewest; ++nr) {
    char* name = seccomp_syscall_resolve_num_arch(seccomp_arch_native(), nr);
    if (!name) continue;
    if (std::string(name) != "acct") names.push_back(name);
    std::free(name);
  }
  Bundle& b = bundle();
  // The architecture listed, as every engine's profile does: runc 1.1.5
  // makes its stub only for the architectures the profile lists (later runc
  // adds the native one, as hull does; measured in docs/differences-from-runc.md).
  b.config["linux"]["seccomp"] = {{"defaultAction", "SCMP_ACT_ERRNO"},
                                  {"architectures", {kProfileArchitectures.front()}},
                                  {"syscalls", {{{"names", names}, {"action", "SCMP_ACT_ALLOW"}}}}};
  std::filesystem::create_directories(b.rootfs() / "usr");
  std::filesystem::create_directory_symlink("usr/lib", b.rootfs() / "lib");
  std::filesystem::create_directory_symlink("usr/lib64", b.rootfs() / "lib64");
  std::ofstream(b.rootfs() / "probe").flush();
  const std::string self = std::filesystem::canonical("/proc/self/exe").string();
  b.config["mounts"].push_back(
      {{"destination", "/usr"}, {"type", "bind"}, {"source", "/usr"}, {"options", {"rbind", "ro"}}});
  b.config["mounts"].push_back(
      {{"destination", "/probe"}, {"type", "bind"}, {"source", self}, {"options", {"bind", "ro"}}});
  b.config["process"]["env"].push_back("HULL_SECCOMP_PROBE=" + std::to_string(kUnknown) + "," +
                                       std::to_string(SYS_getpid) + "," + std::to_string(SYS_acct));
  b.args({"/probe"});
  ProcResult r = hull({"run", "--bundle", b.dir().string(), "hullproc-enosys"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, std::to_string(kUnknown) + ":" + std::to_string(ENOSYS) + "\n" + std::to_string(SYS_getpid) +
                       ":0\n" + std::to_string(SYS_acct) + ":" + std::to_string(EPERM) + "\n")
      << r.err;
}

// runc runs createContainer hooks with the rootfs as their cwd (a hook with
// relative paths depends on it).
TEST_F(HullTest, CreateContainerHooksRunInTheRootfs) {
  Bundle& b = bundle();
  const std::string out = (temp_dir() / "hook.cwd").string();
  json hook = {{"path", "/bin/sh"}, {"args", {"sh", "-c", "pwd -P > " + out}}};
  b.config["hooks"] = {{"createContainer", json::array({hook})}};
  ProcResult r = run_sh(b, "true", "hullproc-hookcwd");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_text_file(out), std::filesystem::canonical(b.rootfs()).string() + "\n");
}

// The hooks run on the host (prestart, createRuntime, poststart) run in the
// bundle, whatever directory create and start are called from, as runc's
// do (it works from the bundle): a hook's relative paths (config.json,
// rootfs) are the bundle's.
TEST_F(HullTest, HostSideHooksRunInTheBundle) {
  Bundle& b = bundle();
  json hooks;
  for (const char* kind : {"prestart", "createRuntime", "poststart"}) {
    const std::string out = (temp_dir() / (std::string(kind) + ".cwd")).string();
    hooks[kind] = json::array({{{"path", "/bin/sh"}, {"args", {"sh", "-c", "pwd -P > " + out}}}});
  }
  b.config["hooks"] = hooks;
  ProcResult r = run_sh(b, "true", "hullproc-hookbundle");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_NE(std::filesystem::current_path(), std::filesystem::canonical(b.dir()));
  for (const char* kind : {"prestart", "createRuntime", "poststart"})
    EXPECT_EQ(read_text_file(temp_dir() / (std::string(kind) + ".cwd")),
              std::filesystem::canonical(b.dir()).string() + "\n")
        << kind;
}

TEST_F(HullTest, ProcessFailingHookFailsCreateWithItsName) {
  Bundle& b = bundle();
  std::string hook = (temp_dir() / "bad.sh").string();
  { std::ofstream(hook) << "#!/bin/sh\necho 'no network for you' >&2\nexit 3\n"; }
  std::filesystem::permissions(hook, std::filesystem::perms(0755));
  b.config["hooks"] = {{"createRuntime", {{{"path", hook}}}}};
  ProcResult r = run_sh(b, "true", "hullproc-badhook");
  EXPECT_TRUE(failed_with(r, {"hook createRuntime[0]", hook, "exited with status 3", "no network for you"}));
}

// run releases its init over the sync channel (no start.sock): a step after
// that barrier failing (a startContainer hook, run in the container after
// the release) still reaches run with the hook's words, and the container
// is removed.
TEST_F(HullTest, RunReportsAFailureAfterItsStartBarrierAndLeavesNothing) {
  Bundle& b = bundle();
  json hook = {{"path", "/bin/sh"}, {"args", {"sh", "-c", "echo 'not today' >&2; exit 3"}}};
  b.config["hooks"] = {{"startContainer", json::array({hook})}};
  ProcResult r = run_sh(b, "echo should-not-run", "hullproc-latefail");
  EXPECT_TRUE(failed_with(r, {"hook startContainer[0]", "exited with status 3", "not today"}));
  EXPECT_EQ(r.out.find("should-not-run"), std::string::npos) << r.out;
  expect_nothing_left("hullproc-latefail");
}

// A detached run's container is running with no start socket left in its
// state dir, and a start of it is refused as for any running container.
TEST_F(HullTest, DetachedRunLeavesNoStartSocketAndIsRunning) {
  Bundle& b = bundle();
  b.args({"sleep", "1000"});
  ProcResult r = hull({"run", "--detach", "--bundle", b.dir().string(), "hullproc-nosock"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(status("hullproc-nosock"), "running");
  EXPECT_FALSE(std::filesystem::exists(state_dir("hullproc-nosock") / "start.sock"));
  ProcResult again = hull({"start", "hullproc-nosock"});
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.err.find("cannot start container \"hullproc-nosock\""), std::string::npos) << again.err;
  EXPECT_EQ(hull({"delete", "--force", "hullproc-nosock"}).exit_code, 0);
}

// The agent's part: one mkdir notification, answered with success without
// doing it.
void answer_a_mkdir(int notify_fd) {
  struct seccomp_notif req = {};
  ASSERT_EQ(::ioctl(notify_fd, SECCOMP_IOCTL_NOTIF_RECV, &req), 0) << std::strerror(errno);
  EXPECT_TRUE(is_mkdir_call(req.data.nr)) << req.data.nr;
  struct seccomp_notif_resp resp = {};
  resp.id = req.id;
  ASSERT_EQ(::ioctl(notify_fd, SECCOMP_IOCTL_NOTIF_SEND, &resp), 0) << std::strerror(errno);
}

// A seccomp agent at listenerPath gets the notify fd and the container
// process state, and answers the container's syscalls.
TEST_F(HullTest, ProcessSeccompNotifyAgent) {
  Bundle& b = bundle();
  std::string sock = (temp_dir() / "agent.sock").string();
  UniqueFd listener = listen_unix(sock);
  b.config["linux"]["seccomp"] = {{"defaultAction", "SCMP_ACT_ALLOW"},
                                  {"listenerPath", sock},
                                  {"listenerMetadata", "itest-meta"},
                                  {"syscalls", {{{"names", {"mkdir", "mkdirat"}}, {"action", "SCMP_ACT_NOTIFY"}}}}};
  b.args({"sh", "-c", "mkdir /made-by-agent && echo mkdir-ok; ls -d /made-by-agent || echo not-really"});
  Child run = hull_background({"run", "--bundle", b.dir().string(), "hullproc-notify"});

  UniqueFd conn = accept_within(listener.get(), milliseconds(20000));
  ASSERT_TRUE(conn) << "no connection from the runtime";
  ReceivedMessage first = receive_with_fd(conn.get(), 8192, "the seccomp agent message");
  ASSERT_TRUE(first.fd) << "no fd with the first message";
  UniqueFd notify = std::move(first.fd);
  std::string payload = std::move(first.data);
  char buf[8192];
  ssize_t n;
  while ((n = ::read(conn.get(), buf, sizeof buf)) > 0) payload.append(buf, static_cast<size_t>(n));
  auto state = json::parse(payload);
  EXPECT_EQ(state["fds"], json::array({"seccompFd"}));
  EXPECT_EQ(state["metadata"], "itest-meta");
  EXPECT_EQ(state["state"]["id"], "hullproc-notify");
  EXPECT_GT(state["pid"].get<int>(), 1);

  answer_a_mkdir(notify.get());
  ProcResult r = run.finish();
  EXPECT_EQ(r.out, "mkdir-ok\nnot-really\n") << r.err;
}

// The listener fd reaches the agent where the profile denies sendmsg (it
// goes by sendmmsg then; runc's parent hands it over from outside the
// filter), and a relative listenerPath is the bundle's, as runc reads it.
TEST_F(HullTest, TheAgentGetsItsFdWhereTheProfileDeniesSendmsgAtAPathInTheBundle) {
  Bundle& b = bundle();
  UniqueFd listener = listen_unix((b.dir() / "agent.sock").string());
  b.config["linux"]["seccomp"] = {{"defaultAction", "SCMP_ACT_ALLOW"},
                                  {"listenerPath", "agent.sock"},
                                  {"syscalls",
                                   {{{"names", {"mkdir", "mkdirat"}}, {"action", "SCMP_ACT_NOTIFY"}},
                                    {{"names", {"sendmsg"}}, {"action", "SCMP_ACT_ERRNO"}}}}};
  b.args({"sh", "-c", "mkdir /made-by-agent && echo mkdir-ok"});
  Child run = hull_background({"run", "--bundle", b.dir().string(), "hullproc-nosendmsg"});
  UniqueFd conn = accept_within(listener.get(), milliseconds(20000));
  ASSERT_TRUE(conn) << "no connection from the runtime";
  ReceivedMessage first = receive_with_fd(conn.get(), 8192, "the seccomp agent message");
  ASSERT_TRUE(first.fd) << "no fd with the first message";
  answer_a_mkdir(first.fd.get());
  ProcResult r = run.finish();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "mkdir-ok\n") << r.err;
}

// A failure under the container's filter (its execve denied) is reported
// where the profile also denies the socket calls that carry reports
// (sendmsg to run, sendto to start): they fall back to write(2). It was
// lost: run exited 1 without a word, start exited 0.
TEST_F(HullTest, AFailureUnderAProfileDenyingSocketSendsIsStillReported) {
  Bundle& b = bundle();
  b.config["linux"]["seccomp"] = {{"defaultAction", "SCMP_ACT_ALLOW"},
                                  {"syscalls",
                                   {{{"names", {"sendmsg", "sendto", "sendmmsg"}}, {"action", "SCMP_ACT_ERRNO"}},
                                    // For every path in practice, but for some arguments only: a profile
                                    // that refuses execve whatever its arguments fails create instead.
                                    {{"names", {"execve"}},
                                     {"action", "SCMP_ACT_ERRNO"},
                                     {"args", {{{"index", 0}, {"value", 0}, {"op", "SCMP_CMP_NE"}}}}}}}};
  ProcResult r = run_sh(b, "true", "hullproc-deniedsend");
  EXPECT_TRUE(failed_with(r, {"exec \"/bin/sh\": not permitted"}));
  expect_nothing_left("hullproc-deniedsend");

  b.write();
  r = hull({"create", "--bundle", b.dir().string(), "hullproc-deniedsend2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = hull({"start", "hullproc-deniedsend2"});
  EXPECT_TRUE(failed_with(r, {"exec \"/bin/sh\": not permitted"}));
  EXPECT_EQ(hull({"delete", "--force", "hullproc-deniedsend2"}).exit_code, 0);
}

// Without noNewPrivileges the init waits for start under the filter (as
// runc's waits on its fifo): a profile that denies the calls it makes
// there (socket sends, close, close_range, read) still runs, attached and
// created then started.
TEST_F(HullTest, AProfileDenyingTheInitsCallsStillRunsWithoutNoNewPrivileges) {
  Bundle& b = bundle();
  b.config["process"]["noNewPrivileges"] = false;
  b.config["linux"]["seccomp"] = {
      {"defaultAction", "SCMP_ACT_ALLOW"},
      {"syscalls",
       {{{"names", {"sendmsg", "sendto", "sendmmsg", "close", "close_range", "read"}}, {"action", "SCMP_ACT_ERRNO"}}}}};
  ProcResult r = run_sh(b, "echo ran", "hullproc-denied-init");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "ran\n");
  b.args({"sleep", "1000"});
  ProcResult c = hull({"create", "--bundle", b.dir().string(), "hullproc-denied-init2"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  ProcResult s = hull({"start", "hullproc-denied-init2"});
  EXPECT_EQ(s.exit_code, 0) << s.err;
  EXPECT_EQ(status("hullproc-denied-init2"), "running");
  EXPECT_EQ(hull({"delete", "--force", "hullproc-denied-init2"}).exit_code, 0);
}

// startContainer hooks run under the container's filter: one refusing
// signalfd4 and rt_sigprocmask (which the hooks' wait uses to end a hook on
// ^C) failed every start with them (found by review; runc runs it). The
// hooks run without that wait then.
TEST_F(HullTest, AProfileRefusingSignalfdStillRunsStartContainerHooks) {
  Bundle& b = bundle();
  const std::string mark = "/tmp/start-hook.ran";
  b.config["hooks"] = {{"startContainer", {{{"path", "/bin/sh"}, {"args", {"sh", "-c", "echo ran > " + mark}}}}}};
  b.config["linux"]["seccomp"] = {
      {"defaultAction", "SCMP_ACT_ALLOW"},
      {"syscalls", {{{"names", {"signalfd4", "signalfd", "rt_sigprocmask"}}, {"action", "SCMP_ACT_ERRNO"}}}}};
  for (bool nnp : {false, true}) {
    SCOPED_TRACE(nnp ? "noNewPrivileges" : "privileges kept");
    b.config["process"]["noNewPrivileges"] = nnp;
    ProcResult r = run_sh(b, "cat " + mark, nnp ? "hullproc-sfd-nnp" : "hullproc-sfd");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "ran\n");
  }
}

// The other calls the init makes there: receiving (run's Start, create's
// Recorded, start's go) and accepting start's connection. A profile written
// for a program that neither receives on nor accepts sockets runs, as under
// runc, attached and created then started, whatever errno it answers with
// (EINTR and EAGAIN, which the kernel gives for its own reasons, included).
TEST_F(HullTest, AProfileDenyingSocketReceivesAndAccept4StillRunsWithoutNoNewPrivileges) {
  Bundle& b = bundle();
  b.config["process"]["noNewPrivileges"] = false;
  for (int err : {EPERM, EINTR, EAGAIN, EBADF}) {
    SCOPED_TRACE("errnoRet " + std::to_string(err));
    b.config["linux"]["seccomp"] = {{"defaultAction", "SCMP_ACT_ALLOW"},
                                    {"syscalls",
                                     {{{"names", {"recvfrom", "recvmsg", "recvmmsg", "accept4"}},
                                       {"action", "SCMP_ACT_ERRNO"},
                                       {"errnoRet", err}}}}};
    ProcResult r = run_sh(b, "echo ran", "hullproc-denied-recv");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "ran\n");
    b.args({"sleep", "1000"});
    ProcResult c = hull({"create", "--bundle", b.dir().string(), "hullproc-denied-recv2"});
    ASSERT_EQ(c.exit_code, 0) << c.err;
    ProcResult s = hull({"start", "hullproc-denied-recv2"});
    EXPECT_EQ(s.exit_code, 0) << s.err;
    EXPECT_EQ(status("hullproc-denied-recv2"), "running");
    std::optional<InitRecord> init = recorded_init("hullproc-denied-recv2");
    ASSERT_TRUE(init.has_value());
    EXPECT_EQ(read_text_file("/proc/" + std::to_string(init->pid) + "/comm"), "sleep\n");
    EXPECT_EQ(hull({"delete", "--force", "hullproc-denied-recv2"}).exit_code, 0);
  }
}

// A profile that leaves no call to accept start's connection with fails the
// create, naming the profile and the way out, rather than leave an init
// that dies unheard at start: whatever errno it gives (EBADF too, which a
// call on no fd would get from the kernel), or when it refuses real fds
// only. The init rehearses the wait with a connection create queued.
TEST_F(HullTest, AProfileDenyingEveryAcceptFailsTheCreateNamingTheProfile) {
  Bundle& b = bundle();
  b.config["process"]["noNewPrivileges"] = false;
  b.args({"sleep", "1000"});
  const nlohmann::json any_fd = nlohmann::json::array();
  const nlohmann::json real_fds = {{{"index", 0}, {"value", 0}, {"op", "SCMP_CMP_GE"}}};
  for (const auto& [err, args] : {std::pair{EPERM, any_fd}, {EBADF, any_fd}, {EINTR, any_fd}, {EPERM, real_fds}}) {
    SCOPED_TRACE("errnoRet " + std::to_string(err) + ", args " + args.dump());
    b.config["linux"]["seccomp"] = {
        {"defaultAction", "SCMP_ACT_ALLOW"},
        {"syscalls",
         {{{"names", {"accept4", "accept"}}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", err}, {"args", args}}}}};
    b.write();
    ProcResult c = hull({"create", "--bundle", b.dir().string(), "hullproc-denied-accept"});
    EXPECT_TRUE(failed_with(c, {"linux.seccomp: the profile refuses accept4 and accept", "process.noNewPrivileges"}));
    expect_nothing_left("hullproc-denied-accept");
  }
  // Killed for it: the create says by what.
  b.config["linux"]["seccomp"] = {{"defaultAction", "SCMP_ACT_ALLOW"},
                                  {"syscalls", {{{"names", {"accept4"}}, {"action", "SCMP_ACT_KILL"}}}}};
  b.write();
  ProcResult c = hull({"create", "--bundle", b.dir().string(), "hullproc-killed-accept"});
  EXPECT_TRUE(failed_with(c, {"killed by SIGSYS during set-up: linux.seccomp kills a system call"}));
  expect_nothing_left("hullproc-killed-accept");
}

// The init reports that failure over the sync channel, under the filter:
// where the profile also refuses sendmsg and writev (one recorded from a
// program's own calls allows write), write carries it. It was lost: create
// said only that the init exited. Where write is refused too, create says
// the report could not be sent, and by which calls.
TEST_F(HullTest, AnInitsErrorUnderAProfileRefusingSendmsgAndWritevIsStillReported) {
  Bundle& b = bundle();
  b.config["process"]["noNewPrivileges"] = false;
  b.args({"sleep", "1000"});
  const auto refusing = [&](std::vector<std::string> names) {
    b.config["linux"]["seccomp"] = {{"defaultAction", "SCMP_ACT_ALLOW"},
                                    {"syscalls", {{{"names", names}, {"action", "SCMP_ACT_ERRNO"}}}}};
    b.write();
  };
  refusing({"accept4", "accept", "sendmsg", "writev"});
  ProcResult c = hull({"create", "--bundle", b.dir().string(), "hullproc-unheard"});
  EXPECT_TRUE(failed_with(c, {"linux.seccomp: the profile refuses accept4 and accept", "process.noNewPrivileges"}));
  expect_nothing_left("hullproc-unheard");

  refusing({"accept4", "accept", "sendmsg", "writev", "write"});
  c = hull({"create", "--bundle", b.dir().string(), "hullproc-unheard"});
  EXPECT_TRUE(failed_with(c, {"the container init failed during set-up, after it loaded linux.seccomp, and could "
                              "not report why: the profile refuses sendmsg, writev and write",
                              "process.noNewPrivileges"}));
  expect_nothing_left("hullproc-unheard");
}

// The other call the init (and exec's process) makes under the filter
// before it is reported ready: clearing its parent-death signal, so that it
// outlives the hull that made it. Refused unseen, `create`, `run -d` and
// `exec -d` returned 0 for a process killed as they exited; they fail,
// naming the profile. The stop signals' handlers of a created init come
// before the filter: a profile refusing rt_sigaction still leaves it one
// that a `kill` ends.
TEST_F(HullTest, AProfileRefusingTheParentDeathSignalsClearFailsCreateRunAndExecNamingIt) {
  Bundle& b = bundle();
  b.config["process"]["noNewPrivileges"] = false;
  b.args({"sleep", "1000"});
  const nlohmann::json refuse_pdeathsig = {
      {"defaultAction", "SCMP_ACT_ALLOW"},
      {"syscalls",
       {{{"names", {"prctl"}},
         {"action", "SCMP_ACT_ERRNO"},
         {"args", {{{"index", 0}, {"value", PR_SET_PDEATHSIG}, {"op", "SCMP_CMP_EQ"}}}}}}}};
  b.config["linux"]["seccomp"] = refuse_pdeathsig;
  b.write();
  const std::vector<std::string> refused{"linux.seccomp: the profile refuses prctl(PR_SET_PDEATHSIG)",
                                         "process.noNewPrivileges"};
  EXPECT_TRUE(failed_with(hull({"create", "--bundle", b.dir().string(), "hullproc-pdeath"}), refused));
  expect_nothing_left("hullproc-pdeath");
  EXPECT_TRUE(failed_with(hull({"run", "--detach", "--bundle", b.dir().string(), "hullproc-pdeath"}), refused));
  expect_nothing_left("hullproc-pdeath");

  // exec's process: the container itself runs with noNewPrivileges (its
  // filter comes after its own clear), the exec's process without.
  b.config["process"]["noNewPrivileges"] = true;
  b.write();
  ASSERT_EQ(hull({"run", "--detach", "--bundle", b.dir().string(), "hullproc-pdeath"}).exit_code, 0);
  nlohmann::json p = b.config["process"];
  p["noNewPrivileges"] = false;
  p["args"] = {"sleep", "999"};
  const std::filesystem::path process_json = temp_dir() / "pdeath-process.json";
  std::ofstream(process_json) << p.dump();
  ProcResult e = hull({"exec", "--detach", "--process", process_json.string(), "hullproc-pdeath"});
  EXPECT_TRUE(failed_with(e, refused, kExecFailed));
  EXPECT_EQ(hull({"delete", "--force", "hullproc-pdeath"}).exit_code, 0);

  b.config["process"]["noNewPrivileges"] = false;
  b.config["linux"]["seccomp"] = {{"defaultAction", "SCMP_ACT_ALLOW"},
                                  {"syscalls", {{{"names", {"rt_sigaction"}}, {"action", "SCMP_ACT_ERRNO"}}}}};
  b.write();
  ASSERT_EQ(hull({"create", "--bundle", b.dir().string(), "hullproc-nosigaction"}).exit_code, 0);
  std::optional<InitRecord> init = recorded_init("hullproc-nosigaction");
  ASSERT_TRUE(init.has_value());
  EXPECT_EQ(hull({"kill", "hullproc-nosigaction", "TERM"}).exit_code, 0);
  EXPECT_TRUE(wait_exit_and_reap(init->pid)) << "the created init ignored SIGTERM";
  EXPECT_EQ(hull({"delete", "--force", "hullproc-nosigaction"}).exit_code, 0);
}

// An attached run as another user whose caller gives it pipes (a shell
// pipeline, a CI job): the user can reopen its stdio by path, as images
// that log to /dev/stdout do (nginx). The caller's pipes are root's, so
// hull copies through pipes of the user's, as runc always does.
TEST_F(HullTest, AnAttachedRunAsAnotherUserCanReopenItsStdio) {
  Bundle& b = bundle();
  b.config["process"]["user"] = {{"uid", 1000}, {"gid", 1000}};
  b.args({"sh", "-c", "echo to-stdout > /dev/stdout && echo to-stderr > /dev/stderr && cat /dev/stdin"});
  SpawnOptions opts;
  opts.stdin_data = "typed\n";
  ProcResult r = hull({"run", "--bundle", b.dir().string(), "hullproc-reopen"}, opts);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "to-stdout\ntyped\n") << r.err;
  EXPECT_NE(r.err.find("to-stderr"), std::string::npos) << r.err;
}

// listenerPath with no SCMP_ACT_NOTIFY rule: nothing is handed to an agent,
// so none is asked for (the spec sends the state "when the SCMP_ACT_NOTIFY
// action is used"); an agent not listening there fails nothing, as in runc.
TEST_F(HullTest, AListenerPathWithoutNotifyRulesIsNotConnected) {
  Bundle& b = bundle();
  b.config["linux"]["seccomp"] = {
      {"defaultAction", "SCMP_ACT_ALLOW"},
      {"listenerPath", (temp_dir() / "no-agent.sock").string()},
      {"syscalls", {{{"names", {"mkdir", "mkdirat"}}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", EROFS}}}}};
  ProcResult r = run_sh(b, "mkdir /d 2>&1 || echo filtered", "hullproc-nolistener");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("filtered"), std::string::npos) << r.out << r.err;
}

// process.terminal with --console-socket: the caller gets the pty master
// (runc's protocol), the container has it as controlling terminal and stdio,
// with consoleSize applied.
TEST_F(HullTest, ProcessTerminalOverConsoleSocket) {
  Bundle& b = bundle();
  b.config["process"]["terminal"] = true;
  b.config["process"]["consoleSize"] = {{"height", 33}, {"width", 101}};
  b.config["process"]["args"] = {
      "sh", "-c", "tty; stty size; ls -l /proc/self/fd/0 | grep -o 'pts/[0-9]*'; [ -t 1 ] && echo stdout-is-tty"};
  b.write();
  std::string sock = (temp_dir() / "console.sock").string();
  UniqueFd listener = listen_unix(sock);
  Child create = hull_background({"create", "--bundle", b.dir().string(), "--console-socket", sock, "hullproc-tty"});
  UniqueFd conn = accept_within(listener.get(), milliseconds(20000));
  ASSERT_TRUE(conn) << "no connection on the console socket";
  process::ReceivedPty pty = process::receive_pty_master(conn.get());
  EXPECT_EQ(pty.name.rfind("/dev/pts/", 0), 0u) << pty.name;
  ProcResult c = create.finish();
  ASSERT_EQ(c.exit_code, 0) << c.err;
  start_container("hullproc-tty");
  std::string out = read_until_hangup(pty.master.get());
  EXPECT_NE(out.find("/dev/pts/0"), std::string::npos) << out;
  EXPECT_NE(out.find("33 101"), std::string::npos) << out;
  EXPECT_NE(out.find("stdout-is-tty"), std::string::npos) << out;
}

// A relative --console-socket is the bundle's (runc reaches it from the
// bundle as its working directory): in a bundle deep enough that the joined
// path passes sun_path's 108 bytes, create failed ("path is too long").
TEST_F(HullTest, ARelativeConsoleSocketInADeepBundleIsReached) {
  std::filesystem::create_directories(temp_dir() / "deep");
  Bundle& b = bundle("deep/" + std::string(120, 'd'));
  b.config["process"]["terminal"] = true;
  b.args({"true"});
  UniqueFd bundle_dir(::open(b.dir().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  ASSERT_TRUE(bundle_dir);
  ASSERT_GE((b.dir() / "tty.sock").string().size(), sizeof(sockaddr_un::sun_path));
  UniqueFd listener = listen_unix("/proc/self/fd/" + std::to_string(bundle_dir.get()) + "/tty.sock");
  Child create = hull_background({"create", "--bundle", b.dir().string(), "--console-socket", "tty.sock", "deep-tty"});
  UniqueFd conn = accept_within(listener.get(), milliseconds(20000));
  ProcResult c = create.finish();
  ASSERT_TRUE(conn) << "no connection on the console socket: " << c.err;
  process::ReceivedPty pty = process::receive_pty_master(conn.get());
  EXPECT_EQ(pty.name.rfind("/dev/pts/", 0), 0u) << pty.name;
  EXPECT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(hull({"delete", "--force", "deep-tty"}).exit_code, 0);
}

// A consoleSize with a side of 0 sizes nothing, as runc sizes the pty only
// with both: the terminal was made 0 columns wide.
TEST_F(HullTest, AConsoleSizeWithASideOfZeroLeavesThePtyUnsized) {
  Bundle& b = bundle();
  b.config["process"]["terminal"] = true;
  b.config["process"]["consoleSize"] = {{"height", 40}, {"width", 0}};
  b.args({"true"});
  std::string sock = (temp_dir() / "console.sock").string();
  UniqueFd listener = listen_unix(sock);
  Child create = hull_background({"create", "--bundle", b.dir().string(), "--console-socket", sock, "hullproc-size"});
  UniqueFd conn = accept_within(listener.get(), milliseconds(20000));
  ASSERT_TRUE(conn) << "no connection on the console socket";
  process::ReceivedPty pty = process::receive_pty_master(conn.get());
  ProcResult c = create.finish();
  ASSERT_EQ(c.exit_code, 0) << c.err;
  struct winsize ws {};
  ASSERT_EQ(::ioctl(pty.master.get(), TIOCGWINSZ, &ws), 0);
  EXPECT_EQ(ws.ws_row, 0);
  EXPECT_EQ(ws.ws_col, 0);
}

// Started with stdout and stderr closed (a supervisor that closed them), as
// runc manages: hull's own fds must not take 0-2, where the terminal setup
// copies the pty (it closed the console socket there before the master was
// sent: "socket operation on non-socket").
TEST_F(HullTest, ATerminalCreateWithClosedStdioSendsTheMaster) {
  Bundle& b = bundle();
  b.config["process"]["terminal"] = true;
  b.args({"sh", "-c", "[ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo all-three-are-the-terminal"});
  std::string sock = (temp_dir() / "console.sock").string();
  UniqueFd listener = listen_unix(sock);
  std::vector<std::string> argv{"/bin/sh",
                                "-c",
                                "exec \"$@\" >&- 2>&-",
                                "sh",
                                runtime_binary(),
                                "--root",
                                state_root().string(),
                                "create",
                                "--bundle",
                                b.dir().string(),
                                "--console-socket",
                                sock,
                                "closed-stdio"};
  Child create = Child::spawn(argv);
  UniqueFd conn = accept_within(listener.get(), milliseconds(20000));
  ASSERT_TRUE(conn) << "no connection on the console socket";
  process::ReceivedPty pty = process::receive_pty_master(conn.get());
  ProcResult c = create.finish();
  ASSERT_EQ(c.exit_code, 0) << c.err;
  start_container("closed-stdio");
  std::string out = read_until_hangup(pty.master.get());
  EXPECT_NE(out.find("all-three-are-the-terminal"), std::string::npos) << out;
}

// A relative --console-socket is the bundle's, as with runc (which has
// changed into the bundle when it connects), not the caller's cwd's.
TEST_F(HullTest, ARelativeConsoleSocketIsTheBundles) {
  Bundle& b = bundle();
  b.config["process"]["terminal"] = true;
  b.args({"true"});
  UniqueFd listener = listen_unix((b.dir() / "con.sock").string());
  Child create = hull_background({"create", "--bundle", b.dir().string(), "--console-socket", "con.sock", "relsock"});
  UniqueFd conn = accept_within(listener.get(), milliseconds(20000));
  ASSERT_TRUE(conn) << "no connection on the bundle's console socket";
  process::ReceivedPty pty = process::receive_pty_master(conn.get());
  ProcResult c = create.finish();
  EXPECT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(status("relsock"), "created");
}

}  // namespace
}  // namespace hull::itest
