// Capabilities, rlimits, oom, scheduling, personality, sysctl, LSM applied by
// exec_container_process in a forked child, checked from busybox.
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include "arch.hpp"
#include "base/warn.hpp"
#include "proc_files.hpp"
#include "process/lsm.hpp"
#include "process_child.hpp"

using namespace hull;
using hull::itest::status_field;
using hull::test::busybox_spec;
using hull::test::run_process_child;

TEST(ProcessAttributesChild, CapabilitySetsAcrossUidChange) {
  HULL_REQUIRE_ROOT();
  auto s = busybox_spec({"cat", "/proc/self/status"});
  s.process->user.uid = 1000;
  s.process->user.gid = 1000;
  spec::Capabilities c;
  c.bounding = {"CAP_CHOWN", "CAP_NET_BIND_SERVICE", "CAP_KILL"};
  c.effective = {"CAP_CHOWN", "CAP_NET_BIND_SERVICE"};
  c.permitted = {"CAP_CHOWN", "CAP_NET_BIND_SERVICE"};
  c.inheritable = {"CAP_NET_BIND_SERVICE"};
  c.ambient = {"CAP_NET_BIND_SERVICE"};
  s.process->capabilities = c;
  s.process->noNewPrivileges = true;
  auto r = run_process_child(s);
  ASSERT_EQ(r.error, "");
  // After execve as non-root only the ambient capability survives.
  EXPECT_EQ(status_field(r.out, "CapBnd"), "0000000000000421");
  EXPECT_EQ(status_field(r.out, "CapInh"), "0000000000000400");
  EXPECT_EQ(status_field(r.out, "CapAmb"), "0000000000000400");
  EXPECT_EQ(status_field(r.out, "CapPrm"), "0000000000000400");
  EXPECT_EQ(status_field(r.out, "CapEff"), "0000000000000400");
  EXPECT_EQ(status_field(r.out, "NoNewPrivs"), "1");
  EXPECT_EQ(status_field(r.out, "Uid"), "1000\t1000\t1000\t1000");
}

TEST(ProcessAttributesChild, RootKeepsBoundingNoInheritableAndUnknownNamesWarn) {
  HULL_REQUIRE_ROOT();
  auto s = busybox_spec({"cat", "/proc/self/status"});
  spec::Capabilities c;
  c.bounding = {"CAP_CHOWN", "CAP_SYS_ADMIN", "CAP_NOT_A_CAP"};
  c.effective = c.permitted = std::vector<std::string>{"CAP_CHOWN", "CAP_SYS_ADMIN"};
  s.process->capabilities = c;
  auto r = run_process_child(s);
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(status_field(r.out, "CapBnd"), "0000000000200001");
  EXPECT_EQ(status_field(r.out, "CapEff"), "0000000000200001");
  EXPECT_EQ(status_field(r.out, "CapInh"), "0000000000000000");
  EXPECT_EQ(status_field(r.out, "NoNewPrivs"), "0");
}

TEST(ProcessAttributesChild, RlimitsOomSchedulerPersonality) {
  HULL_REQUIRE_ROOT();
  auto s = busybox_spec({"sh", "-c",
                         "ulimit -n; ulimit -Hn; ulimit -c; cat /proc/self/oom_score_adj; "
                         "grep -E '^(policy|prio)' /proc/self/sched; uname -m; "
                         "grep Cpus_allowed_list /proc/self/status; cat /proc/self/stat | cut -d' ' -f19"});
  s.process->rlimits = {{"RLIMIT_NOFILE", 1024, 2048}, {"RLIMIT_CORE", 0, 0}};
  s.process->oomScoreAdj = 500;
  s.process->scheduler = spec::Scheduler{"SCHED_BATCH", 5, 0, {}, {}, {}, {}};
  s.linux_->personality = spec::Personality{"LINUX32", {}};
  auto r = run_process_child(s);
  ASSERT_EQ(r.error, "");
  EXPECT_NE(r.out.find("1024\n2048\n0\n500\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("policy                                       :                    3"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(kLinux32Machine), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\n5\n"), std::string::npos) << r.out;  // nice
}

TEST(ProcessAttributesChild, UnknownRlimitFails) {
  HULL_REQUIRE_ROOT();
  auto s = busybox_spec({"true"});
  s.process->rlimits = {{"RLIMIT_BOGUS", 1, 1}};
  auto r = run_process_child(s);
  EXPECT_EQ(r.error, "process.rlimits[0]: unknown rlimit type \"RLIMIT_BOGUS\"");
}

TEST(ProcessAttributesChild, RaisingHardLimitPastHostNamesCapability) {
  HULL_REQUIRE_ROOT();
  struct rlimit cur;
  ::getrlimit(RLIMIT_NOFILE, &cur);
  if (cur.rlim_max == RLIM_INFINITY || cur.rlim_max > 1u << 30) GTEST_SKIP() << "no finite host limit";
  auto s = busybox_spec({"true"});
  s.process->rlimits = {{"RLIMIT_NOFILE", 1024, cur.rlim_max + 1}};
  auto r = run_process_child(s);
  // With CAP_SYS_RESOURCE the raise succeeds; without it the error says why.
  if (!r.error.empty()) {
    EXPECT_NE(r.error.find("CAP_SYS_RESOURCE"), std::string::npos) << r.error;
  }
}

TEST(ProcessAttributesChild, SysctlInTheContainersNamespacesAndRefusedOtherwise) {
  HULL_REQUIRE_ROOT();
  auto s = busybox_spec(
      {"sh", "-c", "cat /proc/sys/kernel/shmmni /proc/sys/kernel/domainname /proc/sys/net/ipv4/ip_forward"});
  s.linux_->namespaces = {
      {spec::NamespaceType::Ipc, {}}, {spec::NamespaceType::Uts, {}}, {spec::NamespaceType::Network, {}}};
  s.linux_->sysctl = {{"kernel.shmmni", "1234"}, {"kernel.domainname", "hull.test"}, {"net/ipv4/ip_forward", "1"}};
  auto r = run_process_child(s, {}, [] {
    if (::unshare(CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET | CLONE_NEWNS) < 0) throw Error("unshare", errno);
    ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr);
    // /proc/sys/net shows the namespace of whoever mounted proc.
    if (::mount("proc", "/proc", "proc", 0, nullptr) < 0) throw Error("mount proc", errno);
  });
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.out, "1234\nhull.test\n1\n");

  auto host = busybox_spec({"true"});
  host.linux_->sysctl = {{"kernel.shmmni", "1"}};
  r = run_process_child(host);
  EXPECT_NE(r.error.find("needs an ipc namespace of the container's"), std::string::npos) << r.error;
  // One joined by path is the container's too (the init, which joins it,
  // refuses the one hull runs in). The child here stands in for the init
  // that has joined it: a namespace of its own, never the test's.
  auto joined = busybox_spec({"cat", "/proc/sys/kernel/shmmni"});
  joined.linux_->namespaces = {{spec::NamespaceType::Ipc, "/proc/42/ns/ipc"}};
  joined.linux_->sysctl = {{"kernel.shmmni", "2345"}};
  r = run_process_child(joined, {}, [] {
    if (::unshare(CLONE_NEWIPC) < 0) throw Error("unshare", errno);
  });
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.out, "2345\n");
  host.linux_->sysctl = {{"vm.swappiness", "1"}};
  r = run_process_child(host);
  EXPECT_NE(r.error.find("\"vm.swappiness\" is not namespaced"), std::string::npos) << r.error;
}

TEST(ProcessAttributesChild, LsmLabelWithoutLsmIsAnError) {
  HULL_REQUIRE_ROOT();
  auto s = busybox_spec({"true"});
  s.process->apparmorProfile = "hull-test";
  auto r = run_process_child(s);
  if (process::apparmor_enabled()) GTEST_SKIP() << "AppArmor is enabled here";
  EXPECT_EQ(r.error,
            "process.apparmorProfile \"hull-test\": AppArmor is not enabled on this host; refusing to run the "
            "container unconfined");
  // "unconfined" is what the process has without AppArmor: it runs.
  s.process->apparmorProfile = "unconfined";
  r = run_process_child(s);
  EXPECT_EQ(r.error, "");
  s.process->apparmorProfile.reset();
  s.process->selinuxLabel = "system_u:system_r:container_t:s0";
  r = run_process_child(s);
  EXPECT_NE(r.error.find("SELinux is not enabled"), std::string::npos) << r.error;
}

TEST(ProcessAttributesChild, MemoryPolicyAndExecCpuAffinity) {
  HULL_REQUIRE_ROOT();
  auto s =
      busybox_spec({"sh", "-c", "grep -m1 -o 'bind:0' /proc/self/numa_maps; grep Cpus_allowed_list /proc/self/status"});
  s.linux_->memoryPolicy = spec::MemoryPolicy{"MPOL_BIND", "0", {}};
  s.process->execCPUAffinity = spec::ExecCPUAffinity{"0", "0"};
  // For the init the spec says execCPUAffinity does not apply.
  auto r = run_process_child(s);
  ASSERT_EQ(r.error, "");
  EXPECT_NE(r.out.find("bind:0\n"), std::string::npos) << r.out;
  if (::sysconf(_SC_NPROCESSORS_ONLN) > 1) {
    EXPECT_EQ(r.out.find("Cpus_allowed_list:\t0\n"), std::string::npos) << r.out;
  }
  // For hull exec, final applies.
  process::ExecOptions opts;
  opts.is_exec = true;
  r = run_process_child(s, opts);
  ASSERT_EQ(r.error, "");
  EXPECT_NE(r.out.find("Cpus_allowed_list:\t0\n"), std::string::npos) << r.out;
}
