// hull under a seccomp filter of its caller's (tests/compat/refusing_syscalls.cpp):
// an engine hull runs nested under (kind, Docker-in-Docker, a CI runner in
// a container), whose profile answers newer calls EPERM or ENOSYS. Where
// runc runs the container, hull runs it; where a call hull needs is
// refused, the error names that call, not the config, and nothing is left.
#include <cerrno>
#include <fstream>

#include "cgroups/host.hpp"

#include "harness.hpp"
#include "proc_files.hpp"

namespace hull::itest {
namespace {

class CallersFilter : public HullTest {
 protected:
  // `hull --root <ours> args...` under a filter answering `refuse`
  // (HULL_REFUSE's form: "faccessat2:1,prctl@1:1").
  ProcResult hull_refusing(const std::string& refuse, const std::vector<std::string>& args) {
    std::vector<std::string> argv{HULL_REFUSING_SYSCALLS, "--root", state_root().string()};
    argv.insert(argv.end(), args.begin(), args.end());
    SpawnOptions opts;
    opts.extra_env = {"HULL_REFUSE=" + refuse};
    return run_process(argv, opts);
  }
  ProcResult run_refusing(const std::string& refuse, Bundle& b, const std::string& script, const std::string& id) {
    b.args({"sh", "-c", script});
    return hull_refusing(refuse, {"run", "--bundle", b.dir().string(), id});
  }
  // A bundle joining the user namespace of a container "owner" made for it
  // (create's launch helper joins it, then clones the init); nullptr where
  // the owner could not be made.
  Bundle* joining_an_owners_user_namespace() {
    const pid_t owner_pid = create_user_namespace_owner("owner");
    if (owner_pid <= 0) return nullptr;
    Bundle& b = bundle();
    b.config["linux"]["namespaces"].push_back(
        {{"type", "user"}, {"path", "/proc/" + std::to_string(owner_pid) + "/ns/user"}});
    return &b;
  }
};

// (review "rules", 109th round) create's launch helper (a user namespace joined by path
// beside new pid and time namespaces) under a filter refusing clone3: the
// clone(2) fallback cannot express CLONE_NEWTIME (it lies in the CSIGNAL
// byte), and the init must not land in the host's time namespace.
TEST_F(CallersFilter, Clone3RefusedNeverDropsANewTimeNamespace) {
  Bundle* joining = joining_an_owners_user_namespace();
  ASSERT_NE(joining, nullptr);
  Bundle& b = *joining;
  b.config["linux"]["namespaces"].push_back({{"type", "time"}});
  for (int err : {ENOSYS, EPERM}) {
    SCOPED_TRACE(err);
    ProcResult r = run_refusing("clone3:" + std::to_string(err), b, "readlink /proc/self/ns/time", "callers-timens");
    if (r.exit_code == 0)
      EXPECT_NE(r.out, host_ns("time") + "\n") << "the init is in the host's time namespace";
    else
      EXPECT_TRUE(failed_with(r, {"clone3", "a new time namespace, which only clone3 can ask for"})) << r.err;
    (void)hull({"delete", "--force", "callers-timens"});
  }
  EXPECT_EQ(hull({"delete", "--force", "owner"}).exit_code, 0);
}

// The same helper killed by the caller's filter (SIGSYS at clone3): the
// caller's filter is named, not linux.seccomp, which create's helper never
// loads (review "rules", 109th round).
TEST_F(CallersFilter, ALaunchHelperKilledByTheCallersFilterNamesThatFilter) {
  Bundle* b = joining_an_owners_user_namespace();
  ASSERT_NE(b, nullptr);
  ProcResult r = run_refusing("clone3:kill", *b, "true", "callers-kill-clone3");
  EXPECT_TRUE(failed_with(r, {"launch helper: killed by SIGSYS: the seccomp filter hull runs under"})) << r.err;
  EXPECT_EQ(r.err.find("linux.seccomp"), std::string::npos) << r.err;
  (void)hull({"delete", "--force", "callers-kill-clone3"});
  EXPECT_EQ(hull({"delete", "--force", "owner"}).exit_code, 0);
}

// Docker 20.10.0-20.10.5's profile answers faccessat2 EPERM. The check that
// a program found in $PATH may be executed read that as "the container user
// may not execute it"; execve decides now, as under runc.
TEST_F(CallersFilter, FaccessatRefusedWithEpermLeavesTheAnswerToExecve) {
  Bundle& b = bundle();
  ProcResult r = run_refusing("faccessat2:" + std::to_string(EPERM), b, "echo ran", "callers-faccessat2");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "ran\n");
  expect_nothing_left("callers-faccessat2");
}

// statx answered ENOSYS is emulated by glibc without a mount id: every
// mount read as mount 0, and a tmpfs on an existing directory was refused
// as "the destination changed while mounting". fdinfo's mnt_id is read then.
TEST_F(CallersFilter, StatxWithoutAMountIdStillMountsOnAnExistingDirectory) {
  Bundle& b = bundle();
  std::filesystem::create_directories(b.rootfs() / "mnt");
  b.config["mounts"].push_back(
      {{"destination", "/mnt"}, {"type", "tmpfs"}, {"source", "tmpfs"}, {"options", {"ro", "rprivate", "nosuid"}}});
  ProcResult r = run_refusing("statx:" + std::to_string(ENOSYS), b, "grep -c ' /mnt .* tmpfs ' /proc/self/mountinfo",
                              "callers-statx");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "1\n");
  expect_nothing_left("callers-statx");
}

// Emulated without a mount id, statx left the state walk only the device
// number: a bind of a directory of the same file system inside a state
// directory read as no mount point, and delete emptied the bound source.
TEST_F(CallersFilter, StatxWithoutAMountIdStillStopsDeleteAtAMountPoint) {
  const std::filesystem::path precious = state_root() / "precious", mnt = state_dir("callers-held") / "mnt";
  std::filesystem::create_directories(precious);
  std::filesystem::create_directories(mnt);
  std::ofstream(precious / "file") << "keep";
  SpawnOptions opts;
  opts.extra_env = {"HULL_REFUSE=statx:" + std::to_string(ENOSYS)};
  ProcResult held = run_process({"/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/sh", "-c",
                                 "mount --bind \"$1\" \"$2\" && exec \"$3\" --root \"$4\" delete --force callers-held",
                                 "sh", precious.string(), mnt.string(), HULL_REFUSING_SYSCALLS, state_root().string()},
                                opts);
  EXPECT_NE(held.err.find("refusing to remove " + mnt.string() + ": it is a mount point"), std::string::npos)
      << held.err;
  EXPECT_TRUE(std::filesystem::exists(precious / "file")) << "delete emptied the bound directory";
  std::filesystem::remove_all(state_dir("callers-held"));
  std::filesystem::remove_all(precious);
}

// Refused outright, statx is not needed to mount a read-only tmpfs: made
// detached and attached, the mount is held by its fd (it named the call
// and failed while the mount was looked up again to be checked).
TEST_F(CallersFilter, StatxRefusedStillMountsAReadOnlyTmpfs) {
  Bundle& b = bundle();
  std::filesystem::create_directories(b.rootfs() / "mnt");
  b.config["mounts"].push_back(
      {{"destination", "/mnt"}, {"type", "tmpfs"}, {"source", "tmpfs"}, {"options", {"ro", "rprivate", "nosuid"}}});
  ProcResult r = run_refusing("statx:" + std::to_string(EPERM), b,
                              "grep -c ' /mnt ro,nosuid.* tmpfs ' /proc/self/mountinfo", "callers-nostatx");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "1\n");
  expect_nothing_left("callers-nostatx");
}

// The same filter, a create that fails later (its createRuntime hook) and
// the delete of a created container: the start socket was left for the scan,
// which needs statx, and the id stayed taken, create and delete -f failing.
TEST_F(CallersFilter, StatxRefusedStillLetsFailedCreatesAndDeletesRemoveTheStateDirectory) {
  Bundle& b = bundle();
  b.args({"sleep", "1000"});
  b.config["hooks"]["createRuntime"] = {{{"path", "/bin/false"}}};
  b.write();
  const std::string refuse = "statx:" + std::to_string(EPERM);
  ProcResult r = hull_refusing(refuse, {"create", "--bundle", b.dir().string(), "callers-hookfail"});
  EXPECT_TRUE(failed_with(r, {"createRuntime"}));
  EXPECT_FALSE(std::filesystem::exists(state_dir("callers-hookfail")));
  expect_nothing_left("callers-hookfail");

  b.config["hooks"].erase("createRuntime");
  b.write();
  r = hull_refusing(refuse, {"create", "--bundle", b.dir().string(), "callers-nostatx-delete"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = hull_refusing(refuse, {"delete", "--force", "callers-nostatx-delete"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(std::filesystem::exists(state_dir("callers-nostatx-delete")));
  expect_nothing_left("callers-nostatx-delete");
}

// statx refused outright (a profile older than the call answers EPERM),
// with /sys/fs/cgroup covered by a tmpfs holding three hierarchies again:
// the covered ones counted as seen, and the container's cgroup mount bound
// each of them, failing with ENOENT where the tmpfs has none.
TEST_F(CallersFilter, StatxRefusedStillSkipsCoveredCgroupHierarchies) {
  if (cgroups::Host::current().mode == cgroups::Mode::Unified)
    GTEST_SKIP() << "one cgroup2 hierarchy (pure cgroup v2): nothing to cover in part";
  Bundle& b = bundle();
  // Without a cgroup namespace each hierarchy is bound from the host's.
  auto& namespaces = b.config["linux"]["namespaces"];
  for (size_t i = namespaces.size(); i-- > 0;)
    if (namespaces[i]["type"] == "cgroup") namespaces.erase(i);
  b.config["mounts"].push_back({{"destination", "/sys/fs/cgroup"},
                                {"type", "cgroup"},
                                {"source", "cgroup"},
                                {"options", {"nosuid", "noexec", "nodev", "ro"}}});
  b.args({"sh", "-c", "ls /sys/fs/cgroup"});
  const std::string prepare =
      "mount -t tmpfs tmpfs /sys/fs/cgroup && for c in memory devices pids; do mkdir /sys/fs/cgroup/$c && "
      "mount -t cgroup -o $c cgroup /sys/fs/cgroup/$c || exit; done";
  SpawnOptions opts;
  opts.extra_env = {"HULL_REFUSE=statx:" + std::to_string(EPERM)};
  ProcResult r = run_process({"/usr/bin/unshare", "-m", "--propagation", "private", "sh", "-c",
                              prepare + " && exec \"$0\" \"$@\"", HULL_REFUSING_SYSCALLS, "--root",
                              state_root().string(), "run", "--bundle", b.dir().string(), "callers-covered-cgroups"},
                             opts);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // The three, and the empty "unified" a read-only mount keeps for a
  // container's own cgroup2.
  EXPECT_EQ(r.out, "devices\nmemory\npids\nunified\n") << r.err;
  expect_nothing_left("callers-covered-cgroups");
}

// Without CAP_SYS_ADMIN, Docker's default profile answers clone3 ENOSYS:
// the message blamed the kernel's version.
TEST_F(CallersFilter, Clone3RefusedWithEnosysForWantOfCapSysAdminSaysWhy) {
  Bundle& b = bundle();
  b.args({"true"});
  SpawnOptions opts;
  opts.extra_env = {"HULL_REFUSE=clone3:" + std::to_string(ENOSYS)};
  ProcResult r = run_process(
      {"/usr/bin/setpriv", "--no-new-privs", "--inh-caps=-sys_admin", "--bounding-set=-sys_admin",
       HULL_REFUSING_SYSCALLS, "--root", state_root().string(), "run", "--bundle", b.dir().string(), "callers-clone3"},
      opts);
  EXPECT_TRUE(failed_with(
      r, {"clone3 the container init", "lacks CAP_SYS_ADMIN", "Docker's default profile", "function not implemented"}));
  expect_nothing_left("callers-clone3");
}

// Clearing the parent-death signal refused by the caller's filter, with no
// profile in the config: the error said "linux.seccomp: the profile
// refuses" and told the user to set process.noNewPrivileges, already true.
TEST_F(CallersFilter, APdeathsigRefusedByTheCallersFilterIsNotBlamedOnTheConfig) {
  Bundle& b = bundle();
  b.config["linux"].erase("seccomp");
  ProcResult r = run_refusing("prctl@1:" + std::to_string(EPERM), b, "true", "callers-pdeathsig");
  EXPECT_TRUE(failed_with(r, {"clear the parent-death signal (prctl(PR_SET_PDEATHSIG))", "not permitted"}));
  EXPECT_EQ(r.err.find("linux.seccomp"), std::string::npos) << r.err;
  expect_nothing_left("callers-pdeathsig");
}

// PR_CAPBSET_DROP answered EINVAL for a capability the kernel has: the drop
// was skipped and the container ran with the full bounding set (runc 1.1
// does the same). It fails, naming the capability.
TEST_F(CallersFilter, ABoundingSetDropRefusedWithEinvalFailsClosed) {
  Bundle& b = bundle();
  ProcResult r = run_refusing("prctl@24:" + std::to_string(EINVAL), b, "grep CapBnd /proc/self/status",
                              "callers-capbset");
  EXPECT_TRUE(failed_with(r, {"from the bounding set", "invalid argument"}));
  EXPECT_EQ(r.out, "");
  expect_nothing_left("callers-capbset");
}

// PR_CAPBSET_READ refused (a filter allowing prctl by option): the search
// for the kernel's last capability read every number as present, and the
// drop of the first past it failed every container with "invalid
// argument". The sysctl answers then, and the bounding set is the config's.
TEST_F(CallersFilter, ABoundingSetReadRefusedStillDropsTheRest) {
  Bundle& b = bundle();
  b.config["process"]["capabilities"]["bounding"] = {"CAP_KILL", "CAP_CHOWN"};
  // EINVAL too, which the search took for "past the last capability": it
  // found 0 and left the container every capability but CAP_CHOWN.
  for (int err : {EPERM, EINVAL}) {
    SCOPED_TRACE("errno " + std::to_string(err));
    ProcResult r =
        run_refusing("prctl@23:" + std::to_string(err), b, "grep CapBnd /proc/self/status", "callers-capbset-read");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "CapBnd:\t0000000000000021\n");
    expect_nothing_left("callers-capbset-read");
  }
}

// The sysctl that answers then is read by the runtime, before the clone: a
// container without /proc (and an exec into it) got "learn the kernel's
// last capability: ... /proc/sys/kernel/cap_last_cap: no such file".
TEST_F(CallersFilter, ABoundingSetReadRefusedStillRunsAContainerWithoutProc) {
  Bundle& b = bundle();
  b.config["process"]["capabilities"]["bounding"] = {"CAP_KILL", "CAP_CHOWN"};
  auto& mounts = b.config["mounts"];
  for (size_t i = mounts.size(); i-- > 0;)
    if (mounts[i]["destination"] == "/proc") mounts.erase(i);
  b.config["linux"].erase("maskedPaths");
  b.config["linux"].erase("readonlyPaths");
  b.args({"sleep", "1000"});
  const std::string refuse = "prctl@23:" + std::to_string(EPERM);
  ProcResult r = hull_refusing(refuse, {"create", "--bundle", b.dir().string(), "callers-noproc"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const int pid = state("callers-noproc").value("pid", 0);
  EXPECT_EQ(status_field(read_text_file("/proc/" + std::to_string(pid) + "/status"), "CapBnd"), "0000000000000021");
  r = hull_refusing(refuse, {"exec", "callers-noproc", "true"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(hull({"delete", "--force", "callers-noproc"}).exit_code, 0);
  expect_nothing_left("callers-noproc");
}

// A call hull cannot do without, refused: the message names it, beside
// the kernel-version hint ENOSYS gets.
TEST_F(CallersFilter, ARefusedCallHullNeedsIsNamed) {
  Bundle& b = bundle();
  ProcResult r = run_refusing("openat2:" + std::to_string(ENOSYS), b, "true", "callers-openat2");
  EXPECT_TRUE(failed_with(r, {"(openat2)", "function not implemented"}));
  expect_nothing_left("callers-openat2");

  ASSERT_GT(create_container("callers-signal"), 0);
  r = hull_refusing("pidfd_send_signal:" + std::to_string(EPERM), {"kill", "callers-signal", "TERM"});
  EXPECT_TRUE(failed_with(r, {"(pidfd_send_signal)", "not permitted"}));
  EXPECT_EQ(hull({"delete", "--force", "callers-signal"}).exit_code, 0);
}

}  // namespace
}  // namespace hull::itest
