// Name tables and pure translations of the process stage.
#include <gtest/gtest.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/personality.h>
#include <sys/resource.h>

#include <fstream>

#include "base/cpu_list.hpp"
#include "base/error.hpp"
#include "base/warn.hpp"
#include "process/capabilities.hpp"
#include "process/rlimits.hpp"
#include "process/scheduling.hpp"
#include "process/sysctl.hpp"
#include "spec/sysctl_namespace.hpp"
#include "support/error_of.hpp"

using namespace hull;
using namespace hull::process;
using hull::test::error_of;

namespace {
struct CollectWarnings {
  std::vector<std::string> got;
  WarnSink old;
  CollectWarnings() {
    old = set_warn_sink([this](std::string_view m) { got.emplace_back(m); });
  }
  ~CollectWarnings() { set_warn_sink(old); }
};
}  // namespace

TEST(Capabilities, NamesMatchKernelNumbers) {
  EXPECT_EQ(capability_from_name("CAP_CHOWN"), CAP_CHOWN);
  EXPECT_EQ(capability_from_name("CAP_SYS_ADMIN"), CAP_SYS_ADMIN);
  EXPECT_EQ(capability_from_name("CAP_NET_BIND_SERVICE"), CAP_NET_BIND_SERVICE);
  EXPECT_EQ(capability_from_name("CAP_CHECKPOINT_RESTORE"), CAP_CHECKPOINT_RESTORE);
  EXPECT_EQ(capability_from_name("CAP_BPF"), CAP_BPF);
  EXPECT_EQ(capability_from_name("cap_chown"), std::nullopt);  // the spec's names are upper case
  EXPECT_EQ(capability_from_name("CAP_NOPE"), std::nullopt);
  auto names = known_capability_names();
  ASSERT_EQ(names.size(), static_cast<size_t>(CAP_LAST_CAP + 1));
  for (size_t i = 0; i < names.size(); ++i) EXPECT_EQ(capability_from_name(names[i]), static_cast<int>(i));
}

TEST(Capabilities, SetsFromConfigWarnOnUnknownAndKernelMissing) {
  CollectWarnings w;
  spec::Capabilities c;
  c.bounding = {"CAP_CHOWN", "CAP_KILL", "CAP_WHATEVER"};
  c.effective = {"CAP_CHOWN"};
  c.permitted = {"CAP_CHOWN", "CAP_CHECKPOINT_RESTORE"};
  c.ambient = {};
  auto s = capability_sets(c, /*last_cap=*/39);
  EXPECT_EQ(s.bounding, (1ull << CAP_CHOWN) | (1ull << CAP_KILL));
  EXPECT_EQ(s.effective, 1ull << CAP_CHOWN);
  EXPECT_EQ(s.permitted, 1ull << CAP_CHOWN);
  EXPECT_EQ(s.inheritable, 0u);  // absent means empty (CVE-2022-29162)
  ASSERT_EQ(w.got.size(), 2u);
  EXPECT_EQ(w.got[0], "process.capabilities.bounding: unknown capability \"CAP_WHATEVER\" ignored");
  EXPECT_EQ(w.got[1],
            "process.capabilities.permitted: CAP_CHECKPOINT_RESTORE is not supported by the running kernel; ignored");
  auto none = capability_sets(std::nullopt, 40);
  EXPECT_EQ(none.bounding | none.effective | none.permitted | none.inheritable | none.ambient, 0u);
}

// What the runtime itself does not hold is left out, with a warning per
// capability naming the sets that asked for it (the spec: warn, not fail).
TEST(Capabilities, WhatTheRuntimeDoesNotHoldIsLeftOutWithAWarning) {
  CollectWarnings w;
  CapabilitySets s;
  const uint64_t chown = 1ull << CAP_CHOWN, nice = 1ull << CAP_SYS_NICE, resource = 1ull << CAP_SYS_RESOURCE;
  s.bounding = chown | nice | resource;
  s.effective = s.permitted = chown | resource;
  s.ambient = nice;
  leave_out_ungrantable(s, ~(nice | resource));
  EXPECT_EQ(s.bounding, chown);
  EXPECT_EQ(s.effective, chown);
  EXPECT_EQ(s.permitted, chown);
  EXPECT_EQ(s.ambient, 0u);
  ASSERT_EQ(w.got.size(), 2u);
  EXPECT_EQ(w.got[0],
            "process.capabilities: CAP_SYS_NICE cannot be granted, the runtime does not hold it; left out of "
            "bounding, ambient");
  EXPECT_EQ(w.got[1],
            "process.capabilities: CAP_SYS_RESOURCE cannot be granted, the runtime does not hold it; left out of "
            "bounding, effective, permitted");
  w.got.clear();
  leave_out_ungrantable(s, chown);  // all held: nothing said
  EXPECT_TRUE(w.got.empty());
  // What this process holds, as /proc/self/status says.
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line) && !line.starts_with("CapPrm:")) {}
  EXPECT_EQ(held_capabilities().permitted, std::stoull(line.substr(7), nullptr, 16));
  while (std::getline(status, line) && !line.starts_with("CapEff:")) {}
  EXPECT_EQ(held_capabilities().effective, std::stoull(line.substr(7), nullptr, 16));
}

// The kernel's last capability, asked of the kernel (PR_CAPBSET_READ), is
// what it publishes in /proc/sys/kernel/cap_last_cap.
TEST(Capabilities, KernelLastCapIsTheOneProcPublishes) {
  std::ifstream f("/proc/sys/kernel/cap_last_cap");
  int published = -1;
  ASSERT_TRUE(f >> published);
  EXPECT_EQ(kernel_last_cap(), published);
}

TEST(Rlimits, NameTable) {
  EXPECT_EQ(rlimit_from_name("RLIMIT_NOFILE"), RLIMIT_NOFILE);
  EXPECT_EQ(rlimit_from_name("RLIMIT_CORE"), RLIMIT_CORE);
  EXPECT_EQ(rlimit_from_name("RLIMIT_RTTIME"), RLIMIT_RTTIME);
  EXPECT_EQ(rlimit_from_name("RLIMIT_MSGQUEUE"), RLIMIT_MSGQUEUE);
  EXPECT_EQ(rlimit_from_name("RLIMIT_NOPE"), std::nullopt);
  EXPECT_EQ(rlimit_from_name("NOFILE"), std::nullopt);
  auto names = known_rlimit_names();
  ASSERT_EQ(names.size(), static_cast<size_t>(RLIM_NLIMITS));
  for (size_t i = 0; i < names.size(); ++i) EXPECT_EQ(rlimit_from_name(names[i]), static_cast<int>(i));
}

TEST(Rlimits, UnknownNameAndSoftAboveHardFailBeforeAnyChange) {
  EXPECT_EQ(error_of([] {
              apply_rlimits({{"RLIMIT_CORE", 0, 0}, {"RLIMIT_BOGUS", 1, 1}});
            }),
            "process.rlimits[1]: unknown rlimit type \"RLIMIT_BOGUS\"");
  EXPECT_EQ(error_of([] {
              apply_rlimits({{"RLIMIT_NOFILE", 10, 5}});
            }),
            "process.rlimits[0]: RLIMIT_NOFILE soft limit 10 is above the hard limit 5");
}

TEST(Sysctl, Classification) {
  using NT = spec::NamespaceType;
  EXPECT_EQ(spec::sysctl_namespace("kernel.hostname"), NT::Uts);
  EXPECT_EQ(spec::sysctl_namespace("kernel.domainname"), NT::Uts);
  for (const char* k :
       {"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall", "kernel.shmmax",
        "kernel.shmmni", "kernel.shm_rmid_forced", "fs.mqueue.queues_max", "fs/mqueue/msg_max"})
    EXPECT_EQ(spec::sysctl_namespace(k), NT::Ipc) << k;
  EXPECT_EQ(spec::sysctl_namespace("net.ipv4.ip_forward"), NT::Network);
  EXPECT_EQ(spec::sysctl_namespace("net/ipv4/conf/eth0.100/forwarding"), NT::Network);
  EXPECT_EQ(spec::sysctl_namespace("user.max_user_namespaces"), NT::User);
  EXPECT_EQ(spec::sysctl_namespace("user/max_inotify_watches"), NT::User);
  for (const char* k : {"kernel.panic", "vm.swappiness", "kernel.shm_next_id", "fs.file-max", "net", "fs.mqueue.",
                        "kernel.hostnamex", "kernel.core_pattern", "user", "user.", "users.max"})
    EXPECT_EQ(spec::sysctl_namespace(k), std::nullopt) << k;
}

TEST(Sysctl, PathsAndTraversal) {
  EXPECT_EQ(sysctl_path("net.ipv4.ip_forward"), "/proc/sys/net/ipv4/ip_forward");
  EXPECT_EQ(sysctl_path("net/ipv4/conf/eth0.100/forwarding"), "/proc/sys/net/ipv4/conf/eth0.100/forwarding");
  EXPECT_EQ(sysctl_path("net.ipv4.conf.eth0/100.forwarding"), "/proc/sys/net/ipv4/conf/eth0.100/forwarding");
  EXPECT_EQ(error_of([] { sysctl_path("net/../../kernel/core_pattern"); }),
            "linux.sysctl: malformed key \"net/../../kernel/core_pattern\"");
  EXPECT_NE(error_of([] { sysctl_path("net..ipv4"); }), hull::test::kNoError);
}

// New or joined by path (a pod's, as runc): the init refuses a joined one
// that is hull's own (HullTest.ASysctlInTheNetworkNamespaceHullRunsInIsRefused).
TEST(Sysctl, NeedsANamespaceOfTheContainers) {
  spec::Spec s;
  s.linux_.emplace();
  s.linux_->sysctl = {{"net.core.somaxconn", "256"}};
  EXPECT_NE(error_of([&] { check_sysctls(s); }).find("needs a network namespace of the container's"),
            std::string::npos);
  s.linux_->namespaces = {{spec::NamespaceType::Network, "/var/run/netns/x"}};
  EXPECT_EQ(error_of([&] { check_sysctls(s); }), hull::test::kNoError);
  s.linux_->namespaces = {{spec::NamespaceType::Network, std::nullopt}};
  EXPECT_EQ(error_of([&] { check_sysctls(s); }), hull::test::kNoError);
  s.linux_->sysctl = {{"kernel.core_pattern", "|/evil"}};
  EXPECT_NE(error_of([&] { check_sysctls(s); }).find("\"kernel.core_pattern\" is not namespaced"), std::string::npos);
}

TEST(Scheduling, Tables) {
  EXPECT_EQ(ioprio_class_from_name("IOPRIO_CLASS_RT"), 1);
  EXPECT_EQ(ioprio_class_from_name("IOPRIO_CLASS_BE"), 2);
  EXPECT_EQ(ioprio_class_from_name("IOPRIO_CLASS_IDLE"), 3);
  EXPECT_EQ(ioprio_class_from_name("IOPRIO_CLASS_NONE"), std::nullopt);
  EXPECT_EQ(sched_policy_from_name("SCHED_OTHER"), SCHED_OTHER);
  EXPECT_EQ(sched_policy_from_name("SCHED_FIFO"), SCHED_FIFO);
  EXPECT_EQ(sched_policy_from_name("SCHED_RR"), SCHED_RR);
  EXPECT_EQ(sched_policy_from_name("SCHED_BATCH"), SCHED_BATCH);
  EXPECT_EQ(sched_policy_from_name("SCHED_IDLE"), SCHED_IDLE);
  EXPECT_EQ(sched_policy_from_name("SCHED_DEADLINE"), 6);
  EXPECT_EQ(sched_policy_from_name("SCHED_NOPE"), std::nullopt);
  EXPECT_EQ(sched_flag_from_name("SCHED_FLAG_RESET_ON_FORK"), 1u);
  EXPECT_EQ(sched_flag_from_name("SCHED_FLAG_UTIL_CLAMP_MAX"), 0x40u);
  EXPECT_EQ(personality_domain_from_name("LINUX"), PER_LINUX);
  EXPECT_EQ(personality_domain_from_name("LINUX32"), PER_LINUX32);
  EXPECT_EQ(personality_domain_from_name("SVR4"), std::nullopt);
  EXPECT_EQ(mempolicy_mode_from_name("MPOL_INTERLEAVE"), 3);
  EXPECT_EQ(mempolicy_mode_from_name("MPOL_WEIGHTED_INTERLEAVE"), 6);
  EXPECT_EQ(mempolicy_flag_from_name("MPOL_F_STATIC_NODES"), 1 << 15);
  EXPECT_EQ(mempolicy_flag_from_name("MPOL_F_NOPE"), std::nullopt);
}

TEST(Scheduling, CpuLists) {
  EXPECT_EQ(parse_cpu_list("0-3,7", "x"), (std::vector<unsigned>{0, 1, 2, 3, 7}));
  EXPECT_EQ(parse_cpu_list("5", "x"), (std::vector<unsigned>{5}));
  EXPECT_EQ(parse_cpu_list("", "x"), (std::vector<unsigned>{}));
  EXPECT_EQ(error_of([] { parse_cpu_list("3-1", "process.execCPUAffinity.final"); }),
            "process.execCPUAffinity.final: bad range \"3-1\" in \"3-1\"");
  EXPECT_NE(error_of([] { parse_cpu_list("a-b", "x"); }), hull::test::kNoError);
  EXPECT_NE(error_of([] { parse_cpu_list("1,,2", "x"); }), hull::test::kNoError);
}

TEST(Scheduling, InvalidValuesFailWithTheField) {
  EXPECT_EQ(error_of([] {
              apply_io_priority({"IOPRIO_CLASS_XX", 1});
            }),
            "process.ioPriority: unknown class \"IOPRIO_CLASS_XX\"");
  EXPECT_EQ(error_of([] {
              apply_io_priority({"IOPRIO_CLASS_BE", 9});
            }),
            "process.ioPriority: priority 9 is outside 0..7");
}
