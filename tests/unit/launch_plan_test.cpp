// The create and exec plans (runtime/launch_plan.hpp): which namespaces the
// clone makes, which are joined and when, whether the init waits for its
// placement, what it is sent, and where its terminal goes. Pure: no root.
#include <gtest/gtest.h>
#include <sched.h>

#include <string>

#include "base/error.hpp"
#include "runtime/launch_plan.hpp"
#include "spec/spec.hpp"

namespace {

using hull::ConsoleWiring;
using hull::ExecPlan;
using hull::InitPlan;
using hull::InitPlanInputs;

// A runnable config: `namespaces` is linux.namespaces, `linux_extra` more
// members of linux, `extra` more top-level members, `terminal` process.terminal.
hull::spec::Spec config(const std::string& namespaces, const std::string& linux_extra = "",
                        const std::string& extra = "", bool terminal = false) {
  return hull::spec::parse_config(R"({"ociVersion": "1.2.0", "root": {"path": "rootfs"},
    "process": {"cwd": "/", "args": ["/bin/sh"], "terminal": )" +
                                  std::string(terminal ? "true" : "false") + "}, " + extra +
                                  R"("linux": {"namespaces": )" + namespaces + linux_extra + "}}");
}

constexpr const char* kUsual =
    R"([{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}, {"type": "cgroup"}])";
constexpr uint64_t kUsualFlags =
    CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNS | CLONE_NEWCGROUP;
constexpr const char* kIdMaps =
    R"(, "uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
       "gidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}])";

TEST(InitPlan, PureV2HostClonesEveryNamespaceAndDoesNotWait) {
  InitPlan p = hull::plan_init(config(kUsual), {});
  EXPECT_EQ(p.clone_flags, kUsualFlags);
  EXPECT_EQ(p.join_before_clone_flags, 0u);
  EXPECT_EQ(p.join_in_init_flags, 0u);
  EXPECT_FALSE(p.wait_for_placement);
  EXPECT_FALSE(p.write_id_maps);
  EXPECT_FALSE(p.become_userns_root);
  EXPECT_FALSE(p.unshare_cgroupns_when_placed);
  EXPECT_FALSE(p.init_makes_time_ns);
  EXPECT_FALSE(p.send_state);
  EXPECT_FALSE(p.runtime_step);
  EXPECT_EQ(p.console, ConsoleWiring::None);
}

// The init moves itself into v1 hierarchies: no placement to wait for, but
// the cgroup namespace must be made after the move. The runtime makes the v1
// cgroups after the clone while the init makes its network and ipc
// namespaces.
TEST(InitPlan, V1CgroupsMakeTheInitUnshareItsCgroupNamespaceOnceItMovedWithoutWaiting) {
  InitPlan p = hull::plan_init(config(kUsual), {.init_moves_into_v1 = true});
  EXPECT_FALSE(p.wait_for_placement);
  EXPECT_TRUE(p.cgroups_after_clone);
  EXPECT_EQ(p.init_unshares_first, static_cast<uint64_t>(CLONE_NEWNET | CLONE_NEWIPC));
  // Cloned with CLONE_NEWCGROUP it would be rooted at hull's cgroup, not the container's.
  EXPECT_EQ(p.clone_flags, kUsualFlags & ~static_cast<uint64_t>(CLONE_NEWCGROUP | CLONE_NEWNET | CLONE_NEWIPC));
  EXPECT_TRUE(p.unshare_cgroupns_when_placed);
  // ...the network one on a thread of its own where a CPU is free for it.
  EXPECT_TRUE(p.netns_thread_allowed);
  // A new pid namespace: no container process can see the runtime, so the
  // init seals itself meanwhile, to a view the runtime makes while the init
  // starts: its network namespace makes its branch the longer one.
  EXPECT_TRUE(p.init_seals_binary);
  EXPECT_TRUE(p.runtime_makes_sealed_view);
  // Its thread starts before the wait for the view, but for the v1 memory
  // directory first: the namespace is charged to the cgroup the init is in.
  EXPECT_TRUE(p.netns_thread_before_seal);
  EXPECT_FALSE(
      hull::plan_init(config(kUsual), {.init_moves_into_v1 = true, .v1_memory_first = true}).netns_thread_before_seal);
  // Without one, the init would only wait for the view: it makes it itself.
  InitPlan no_net =
      hull::plan_init(config(R"([{"type": "pid"}, {"type": "mount"}, {"type": "ipc"}])"), {.init_moves_into_v1 = true});
  EXPECT_TRUE(no_net.init_seals_binary);
  EXPECT_FALSE(no_net.runtime_makes_sealed_view);
  EXPECT_FALSE(no_net.netns_thread_before_seal);
  InitPlan shared_pid =
      hull::plan_init(config(R"([{"type": "network"}, {"type": "mount"}])"), {.init_moves_into_v1 = true});
  EXPECT_TRUE(shared_pid.cgroups_after_clone);
  EXPECT_FALSE(shared_pid.init_seals_binary);  // the runtime seals itself, for both
  EXPECT_FALSE(shared_pid.runtime_makes_sealed_view);
  EXPECT_FALSE(hull::plan_init(config(kUsual), {}).init_seals_binary);
}

TEST(InitPlan, V1CgroupsWithoutCgroupNamespaceUnshareNothingButWhatTheConfigMakes) {
  InitPlan p = hull::plan_init(config(R"([{"type": "pid"}, {"type": "mount"}])"), {.init_moves_into_v1 = true});
  EXPECT_FALSE(p.wait_for_placement);
  EXPECT_TRUE(p.cgroups_after_clone);
  EXPECT_EQ(p.init_unshares_first, 0u);
  EXPECT_EQ(p.clone_flags, static_cast<uint64_t>(CLONE_NEWPID | CLONE_NEWNS));
  EXPECT_FALSE(p.unshare_cgroupns_when_placed);
}

// On a pure v2 host the clone puts the init into its cgroup: the limits (the
// device filter's BPF program among them) are written after the clone too,
// while the init makes its network namespace. Placed at the clone, the init
// gets its cgroup namespace from the clone, rooted at the container's cgroup.
TEST(InitPlan, V2CgroupsGetTheirLimitsAfterTheCloneThatEnteredThem) {
  InitPlan p = hull::plan_init(config(kUsual), {.clones_into_v2 = true});
  EXPECT_TRUE(p.cgroups_after_clone);
  EXPECT_FALSE(p.wait_for_placement);
  EXPECT_EQ(p.init_unshares_first, static_cast<uint64_t>(CLONE_NEWNET | CLONE_NEWIPC));
  EXPECT_EQ(p.clone_flags, kUsualFlags & ~static_cast<uint64_t>(CLONE_NEWNET | CLONE_NEWIPC));
  EXPECT_FALSE(p.unshare_cgroupns_when_placed);
  EXPECT_TRUE(p.runtime_makes_sealed_view);
  EXPECT_TRUE(p.netns_thread_before_seal);
  // systemd starts a scope with the init in it: only after the clone.
  EXPECT_FALSE(hull::plan_init(config(kUsual), {.runtime_places = true, .clones_into_v2 = true}).cgroups_after_clone);
  EXPECT_FALSE(hull::plan_init(config(kUsual), {.clones_into_v2 = true, .rootless = true}).cgroups_after_clone);
}

// Only an init that waits for nothing else has its v1 cgroups made after the
// clone; a rootless one may get no cgroup at all (create falls back), and one
// with a user namespace keeps the clone making every namespace it owns.
TEST(InitPlan, CgroupsAfterTheCloneOnlyForAnInitThatWaitsForNothingElse) {
  EXPECT_FALSE(hull::plan_init(config(kUsual), {}).cgroups_after_clone);  // no cgroup the init enters by itself
  EXPECT_EQ(hull::plan_init(config(kUsual), {}).init_unshares_first, 0u);
  EXPECT_FALSE(hull::plan_init(config(kUsual), {.init_moves_into_v1 = true, .rootless = true}).cgroups_after_clone);
  InitPlan userns = hull::plan_init(config(R"([{"type": "user"}, {"type": "network"}, {"type": "mount"}])", kIdMaps),
                                    {.init_moves_into_v1 = true});
  EXPECT_FALSE(userns.cgroups_after_clone);
  EXPECT_EQ(userns.init_unshares_first, 0u);
  EXPECT_TRUE(userns.clone_flags & CLONE_NEWNET);
  InitPlan joined = hull::plan_init(config(R"([{"type": "user", "path": "/proc/1/ns/user"}, {"type": "network"}])"),
                                    {.init_moves_into_v1 = true});
  EXPECT_FALSE(joined.cgroups_after_clone);
  EXPECT_EQ(joined.init_unshares_first, 0u);
}

// systemd starts the scope with the init's pid: only after the clone.
TEST(InitPlan, ARuntimePlacementMakesTheInitWait) {
  InitPlan p = hull::plan_init(config(kUsual), {.runtime_places = true});
  EXPECT_TRUE(p.wait_for_placement);
  EXPECT_FALSE(p.cgroups_after_clone);
  EXPECT_EQ(p.clone_flags, kUsualFlags & ~static_cast<uint64_t>(CLONE_NEWCGROUP));
  EXPECT_TRUE(p.unshare_cgroupns_when_placed);
}

TEST(InitPlan, NewUserNamespaceWaitsForItsIdMaps) {
  InitPlan p = hull::plan_init(config(R"([{"type": "user"}, {"type": "mount"}, {"type": "cgroup"}])", kIdMaps), {});
  EXPECT_TRUE(p.clone_flags & CLONE_NEWUSER);
  EXPECT_TRUE(p.write_id_maps);
  EXPECT_TRUE(p.wait_for_placement);
  EXPECT_TRUE(p.become_userns_root);
  // Waiting anyway: the cgroup namespace is made after the wait too.
  EXPECT_FALSE(p.clone_flags & CLONE_NEWCGROUP);
  EXPECT_TRUE(p.unshare_cgroupns_when_placed);
}

// The ipc namespace is made by the init as root of the user namespace, so
// that its mqueue instance is that root's; the others by the clone.
TEST(InitPlan, InAUserNamespaceTheInitMakesTheIpcNamespaceAsItsRoot) {
  InitPlan p = hull::plan_init(config(R"([{"type": "user"}, {"type": "ipc"}, {"type": "network"}])", kIdMaps), {});
  EXPECT_EQ(p.unshare_as_userns_root, static_cast<uint64_t>(CLONE_NEWIPC));
  EXPECT_EQ(p.clone_flags, static_cast<uint64_t>(CLONE_NEWUSER | CLONE_NEWNET));
  InitPlan joined = hull::plan_init(config(R"([{"type": "user", "path": "/proc/1/ns/user"}, {"type": "ipc"},
      {"type": "mount"}])"),
                                    {});
  EXPECT_EQ(joined.unshare_as_userns_root, static_cast<uint64_t>(CLONE_NEWIPC));
  EXPECT_EQ(joined.unshare_after_join_flags, static_cast<uint64_t>(CLONE_NEWNS));
  // Without a user namespace, or with the ipc namespace joined, nothing moves.
  EXPECT_EQ(hull::plan_init(config(R"([{"type": "ipc"}])"), {}).unshare_as_userns_root, 0u);
  EXPECT_EQ(hull::plan_init(config(R"([{"type": "user"}, {"type": "ipc", "path": "/proc/1/ns/ipc"}])", kIdMaps), {})
                .unshare_as_userns_root,
            0u);
}

TEST(InitPlan, JoinedNamespacesSplitIntoBeforeTheCloneAndInTheInit) {
  InitPlan p = hull::plan_init(config(R"([{"type": "pid", "path": "/proc/1/ns/pid"},
      {"type": "time", "path": "/proc/1/ns/time"}, {"type": "network", "path": "/run/netns/a"},
      {"type": "user", "path": "/proc/1/ns/user"}, {"type": "mount"}])"),
                               {});
  // pid and time namespaces apply to children only: the runtime joins them.
  EXPECT_EQ(p.join_before_clone_flags, static_cast<uint64_t>(CLONE_NEWPID | CLONE_NEWTIME));
  EXPECT_EQ(p.join_in_init_flags, static_cast<uint64_t>(CLONE_NEWNET | CLONE_NEWUSER));
  // The new mount namespace must belong to the joined user namespace: the
  // init makes it once it has joined.
  EXPECT_EQ(p.clone_flags, 0u);
  EXPECT_EQ(p.unshare_after_join_flags, static_cast<uint64_t>(CLONE_NEWNS));
  // A joined user namespace has its maps already; the init still becomes its root.
  EXPECT_FALSE(p.write_id_maps);
  EXPECT_FALSE(p.wait_for_placement);
  EXPECT_TRUE(p.become_userns_root);
  EXPECT_FALSE(p.join_before_clone_in_helper);  // nothing for the clone to make
}

// A new pid namespace beside a joined user namespace must be the joined
// namespace's: a helper joins, then clones; the init waits to be placed.
TEST(InitPlan, NewPidNamespaceBesideAJoinedUserNamespaceIsClonedByAHelperThatJoined) {
  InitPlan p = hull::plan_init(
      config(R"([{"type": "pid"}, {"type": "user", "path": "/proc/1/ns/user"}, {"type": "mount"}])"), {});
  EXPECT_EQ(p.clone_flags, static_cast<uint64_t>(CLONE_NEWPID));
  EXPECT_EQ(p.unshare_after_join_flags, static_cast<uint64_t>(CLONE_NEWNS));
  EXPECT_TRUE(p.join_before_clone_in_helper);
  EXPECT_TRUE(p.wait_for_placement);
  // Without a joined user namespace the clone makes every namespace itself.
  InitPlan q = hull::plan_init(config(R"([{"type": "pid"}, {"type": "user"}, {"type": "mount"}])", kIdMaps), {});
  EXPECT_FALSE(q.join_before_clone_in_helper);
}

// A new user namespace beside namespaces joined by path (owned by the
// host's user namespace): a helper joins them before its clone makes the
// user namespace, which the init could not have done from inside it.
TEST(InitPlan, NewUserNamespaceBesideJoinedOnesIsClonedByAHelperThatJoined) {
  InitPlan p = hull::plan_init(config(R"([{"type": "pid"}, {"type": "user"}, {"type": "mount"},
      {"type": "network", "path": "/run/netns/cni-1"}])",
                                      kIdMaps),
                               {});
  EXPECT_EQ(p.clone_flags, static_cast<uint64_t>(CLONE_NEWPID | CLONE_NEWUSER | CLONE_NEWNS));
  EXPECT_EQ(p.join_in_init_flags, static_cast<uint64_t>(CLONE_NEWNET));
  EXPECT_TRUE(p.join_before_clone_in_helper);
  EXPECT_TRUE(p.write_id_maps);
  EXPECT_TRUE(p.wait_for_placement);
  // A joined pid namespace is the runtime's to join, before any clone: no helper.
  InitPlan q = hull::plan_init(
      config(R"([{"type": "pid", "path": "/proc/1/ns/pid"}, {"type": "user"}, {"type": "mount"}])", kIdMaps), {});
  EXPECT_FALSE(q.join_before_clone_in_helper);
}

// Root of a user namespace (rootless podman's runtime) may join a pid or
// time namespace but never set its own back (CAP_SYS_ADMIN over the host's
// user namespace): a helper joins them and clones; the root of the host
// joins itself, without a fork.
TEST(InitPlan, AnUnprivilegedRuntimeLeavesJoiningAPidOrTimeNamespaceToAHelper) {
  for (const char* joined : {R"([{"type": "pid", "path": "/proc/1/ns/pid"}, {"type": "mount"}])",
                             R"([{"type": "pid"}, {"type": "time", "path": "/proc/1/ns/time"}, {"type": "mount"}])"}) {
    SCOPED_TRACE(joined);
    InitPlan p = hull::plan_init(config(joined), {.unprivileged = true});
    EXPECT_TRUE(p.join_before_clone_in_helper);
    EXPECT_TRUE(p.wait_for_placement);
    EXPECT_FALSE(hull::plan_init(config(joined), {}).join_before_clone_in_helper);
  }
  EXPECT_FALSE(hull::plan_init(config(kUsual), {.unprivileged = true}).join_before_clone_in_helper);
}

// setns into a mount, user or time namespace is refused to a task with
// another thread: where the init joins one, it makes its network namespace
// itself. Without one to make, there is no thread either.
TEST(InitPlan, NoNetworkNamespaceThreadWhereTheInitMustJoinAlone) {
  const InitPlanInputs v1{.init_moves_into_v1 = true};
  EXPECT_TRUE(hull::plan_init(config(kUsual), v1).netns_thread_allowed);
  EXPECT_TRUE(hull::plan_init(config(kUsual), {.clones_into_v2 = true}).netns_thread_allowed);
  EXPECT_FALSE(hull::plan_init(config(R"([{"type": "pid"}, {"type": "mount", "path": "/proc/1/ns/mnt"},
                                          {"type": "network"}])"),
                               v1)
                   .netns_thread_allowed);
  EXPECT_FALSE(hull::plan_init(config(R"([{"type": "pid"}, {"type": "mount"}, {"type": "network"}, {"type": "time"}])",
                                      R"(, "timeOffsets": {"monotonic": {"secs": 1, "nanosecs": 0}})"),
                               v1)
                   .netns_thread_allowed);
  EXPECT_FALSE(hull::plan_init(config(R"([{"type": "pid"}, {"type": "mount"}])"), v1).netns_thread_allowed);
  EXPECT_FALSE(hull::plan_init(config(kUsual), {}).netns_thread_allowed);  // the clone makes it
}

TEST(InitPlan, TimeOffsetsMakeTheInitCreateTheTimeNamespace) {
  auto spec = config(R"([{"type": "time"}, {"type": "mount"}])",
                     R"(, "timeOffsets": {"monotonic": {"secs": 86400, "nanosecs": 0}})");
  InitPlan p = hull::plan_init(spec, {});
  EXPECT_FALSE(p.clone_flags & CLONE_NEWTIME);
  EXPECT_TRUE(p.init_makes_time_ns);

  InitPlan plain = hull::plan_init(config(R"([{"type": "time"}, {"type": "mount"}])"), {});
  EXPECT_TRUE(plain.clone_flags & CLONE_NEWTIME);
  EXPECT_FALSE(plain.init_makes_time_ns);
}

// A config's "hooks" member with one hook of `kind`.
std::string hook(const char* kind) { return std::string(R"("hooks": {")") + kind + R"(": [{"path": "/bin/true"}]}, )"; }

TEST(InitPlan, HooksDecideWhatCrossesTheSyncChannel) {
  EXPECT_TRUE(hull::plan_init(config(kUsual, "", hook("prestart")), {}).runtime_step);
  EXPECT_TRUE(hull::plan_init(config(kUsual, "", hook("createRuntime")), {}).runtime_step);
  EXPECT_FALSE(hull::plan_init(config(kUsual, "", hook("createRuntime")), {}).send_state);
  EXPECT_TRUE(hull::plan_init(config(kUsual, "", hook("createContainer")), {}).send_state);
  EXPECT_TRUE(hull::plan_init(config(kUsual, "", hook("startContainer")), {}).send_state);
  EXPECT_FALSE(hull::plan_init(config(kUsual, "", hook("startContainer")), {}).runtime_step);
  EXPECT_FALSE(hull::plan_init(config(kUsual, "", hook("poststart")), {}).send_state);
  // A seccomp agent gets the state with the notify fd.
  auto agent = config(kUsual, R"(, "seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/run/agent.sock",
      "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}]})");
  EXPECT_TRUE(hull::plan_init(agent, {}).send_state);
}

// Network devices are moved by the runtime while the init waits before
// pivot_root, at the same step as the runtime's hooks.
TEST(InitPlan, NetDevicesStopTheInitForTheRuntimeStep) {
  auto spec = config(kUsual, R"(, "netDevices": {"eth1": {"name": "net1"}})");
  InitPlan p = hull::plan_init(spec, {.start_follows = true});
  EXPECT_TRUE(p.runtime_step);
  EXPECT_FALSE(p.start_before_ready);
  EXPECT_FALSE(p.send_state);
  EXPECT_FALSE(hull::plan_init(config(kUsual), {}).runtime_step);
}

// run sends Start ahead only when no runtime step (hooks, netDevices) holds
// the init before its Ready; create never does.
TEST(InitPlan, RunWithoutRuntimeHooksStartsBeforeReady) {
  EXPECT_TRUE(hull::plan_init(config(kUsual), {.start_follows = true}).start_before_ready);
  EXPECT_TRUE(hull::plan_init(config(kUsual, "", hook("startContainer")), {.start_follows = true}).start_before_ready);
  EXPECT_FALSE(hull::plan_init(config(kUsual, "", hook("prestart")), {.start_follows = true}).start_before_ready);
  EXPECT_FALSE(hull::plan_init(config(kUsual, "", hook("createRuntime")), {.start_follows = true}).start_before_ready);
  EXPECT_FALSE(hull::plan_init(config(kUsual), {}).start_before_ready);
}

// A question the init asks mid-mounts (an id-mapped bind's source below the
// rootfs, a bind source it cannot reach) waits for the runtime's Continue,
// so nothing else of the runtime's may be queued for it then but a Start
// sent ahead of Ready, which the init reads on the way: no CgroupsMade
// after the rootfs.
TEST(InitPlan, AQuestionMidMountsLeavesTheChannelToItsAnswer) {
  constexpr const char* kNoCgroupns = R"([{"type": "pid"}, {"type": "network"}, {"type": "mount"}])";
  const InitPlanInputs run_v1{.init_moves_into_v1 = true, .start_follows = true};
  InitPlan plain = hull::plan_init(config(kNoCgroupns), run_v1);
  EXPECT_FALSE(plain.runtime_serves_mounts);
  EXPECT_TRUE(plain.start_before_ready);
  EXPECT_TRUE(plain.cgroups_joined_after_rootfs);
  InitPlanInputs mapped = run_v1;
  mapped.idmapped_source_in_rootfs = true;
  InitPlanInputs asking = run_v1;
  asking.init_may_ask_for_sources = true;
  for (const InitPlanInputs& in : {mapped, asking}) {
    InitPlan p = hull::plan_init(config(kNoCgroupns), in);
    EXPECT_TRUE(p.runtime_serves_mounts);
    EXPECT_TRUE(p.start_before_ready);
    EXPECT_TRUE(p.init_unsealed_until_exec);
    EXPECT_TRUE(p.cgroups_after_clone);
    EXPECT_FALSE(p.cgroups_joined_after_rootfs);
  }
}

// No process of the container can see an init that `run` makes in a new pid
// namespace before its execve (exec waits for run's lock; no hook of the
// image runs beside it): nobody switches to the sealed view. create's init
// waits where `hull exec` can join, and hooks in the container run the
// image's binaries beside it: sealed, by itself or by the runtime.
TEST(InitPlan, RunsInitUnsealedOnlyWhereNoContainerProcessCanSeeItBeforeItsExec) {
  const InitPlanInputs v1_run{.init_moves_into_v1 = true, .start_follows = true};
  InitPlan run = hull::plan_init(config(kUsual), v1_run);
  EXPECT_TRUE(run.init_unsealed_until_exec);
  EXPECT_FALSE(run.init_seals_binary);
  EXPECT_FALSE(run.runtime_makes_sealed_view);
  EXPECT_TRUE(
      hull::plan_init(config(kUsual), {.clones_into_v2 = true, .start_follows = true}).init_unsealed_until_exec);
  EXPECT_TRUE(hull::plan_init(config(kUsual), {.start_follows = true}).init_unsealed_until_exec);

  InitPlan create = hull::plan_init(config(kUsual), {.init_moves_into_v1 = true});
  EXPECT_FALSE(create.init_unsealed_until_exec);
  EXPECT_TRUE(create.init_seals_binary);
  for (const char* h : {"startContainer", "createContainer", "prestart", "createRuntime"}) {
    InitPlan hooked = hull::plan_init(config(kUsual, "", hook(h)), v1_run);
    EXPECT_FALSE(hooked.init_unsealed_until_exec) << h;
    EXPECT_TRUE(hooked.init_seals_binary) << h;
  }
  // A pid namespace of the caller's or joined by path: processes already in
  // it see the init.
  EXPECT_FALSE(hull::plan_init(config(R"([{"type": "network"}, {"type": "mount"}])"), v1_run).init_unsealed_until_exec);
  EXPECT_FALSE(hull::plan_init(config(R"([{"type": "pid", "path": "/proc/1/ns/pid"}, {"type": "mount"}])"), v1_run)
                   .init_unsealed_until_exec);
}

// The v1 memory hierarchy comes first where the host has one the init can
// join alone: its network namespace and mounts are then charged to the
// container, not to the caller.
TEST(InitPlan, TheInitJoinsItsV1MemoryCgroupBeforeItMakesAnything) {
  constexpr const char* kNoCgroupns = R"([{"type": "pid"}, {"type": "network"}, {"type": "mount"}])";
  InitPlan p = hull::plan_init(config(kNoCgroupns), {.init_moves_into_v1 = true, .v1_memory_first = true});
  EXPECT_TRUE(p.memory_cgroup_first);
  EXPECT_EQ(p.init_unshares_first, static_cast<uint64_t>(CLONE_NEWNET));
  EXPECT_FALSE(hull::plan_init(config(kNoCgroupns), {.init_moves_into_v1 = true}).memory_cgroup_first);
  // Cloned into its v2 cgroup, it is charged there from the start.
  EXPECT_FALSE(
      hull::plan_init(config(kNoCgroupns), {.v1_memory_first = true, .clones_into_v2 = true}).memory_cgroup_first);
  // Not after the clone at all: it joins every hierarchy first thing anyway.
  EXPECT_FALSE(
      hull::plan_init(config(kNoCgroupns), {.init_moves_into_v1 = true, .v1_memory_first = true, .rootless = true})
          .memory_cgroup_first);
}

// The init makes its mounts and device nodes while the runtime makes its
// cgroups and writes the limits, and joins them after, unless something
// could look at its cgroups before then: hooks and a seccomp agent, its
// cgroup namespace (made once placed, or joined by path).
TEST(InitPlan, TheInitJoinsItsCgroupsAfterItsRootfsUnlessSomethingLooksBefore) {
  constexpr const char* kNoCgroupns = R"([{"type": "pid"}, {"type": "network"}, {"type": "mount"}])";
  const InitPlanInputs v1{.init_moves_into_v1 = true, .v1_memory_first = true};
  EXPECT_TRUE(hull::plan_init(config(kNoCgroupns), v1).cgroups_joined_after_rootfs);
  EXPECT_TRUE(hull::plan_init(config(kNoCgroupns), {.init_moves_into_v1 = true, .start_follows = true})
                  .cgroups_joined_after_rootfs);
  // On v2 the clone made the cgroup namespace, rooted where the clone put it.
  EXPECT_TRUE(hull::plan_init(config(kUsual), {.clones_into_v2 = true}).cgroups_joined_after_rootfs);
  EXPECT_FALSE(hull::plan_init(config(kUsual), v1).cgroups_joined_after_rootfs);
  EXPECT_FALSE(
      hull::plan_init(
          config(R"([{"type": "pid"}, {"type": "mount"}, {"type": "cgroup", "path": "/proc/1/ns/cgroup"}])"), v1)
          .cgroups_joined_after_rootfs);
  for (const char* h : {"prestart", "createRuntime", "createContainer", "startContainer"})
    EXPECT_FALSE(hull::plan_init(config(kNoCgroupns, "", hook(h)), v1).cgroups_joined_after_rootfs) << h;
  auto agent =
      config(kNoCgroupns, R"(, "seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/run/agent.sock",
      "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}]})");
  EXPECT_FALSE(hull::plan_init(agent, v1).cgroups_joined_after_rootfs);
  // Placed by systemd, rootless or in a user namespace: placed before anything, as always.
  EXPECT_FALSE(hull::plan_init(config(kNoCgroupns), {.runtime_places = true, .clones_into_v2 = true})
                   .cgroups_joined_after_rootfs);
  EXPECT_FALSE(
      hull::plan_init(config(kNoCgroupns), {.init_moves_into_v1 = true, .rootless = true}).cgroups_joined_after_rootfs);
}

TEST(InitPlan, TerminalGoesToTheConsoleSocketOrTheProxyOrIsRefusedDetached) {
  auto tty = config(kUsual, "", "", true);
  EXPECT_EQ(hull::plan_init(tty, {.has_console_socket = true}).console, ConsoleWiring::Socket);
  EXPECT_EQ(hull::plan_init(tty, {.has_console_socket = true, .attached = true}).console, ConsoleWiring::Socket);
  EXPECT_EQ(hull::plan_init(tty, {.attached = true}).console, ConsoleWiring::Proxy);
  try {
    hull::plan_init(tty, {});
    FAIL() << "a detached terminal without console socket was planned";
  } catch (const hull::Error& e) {
    EXPECT_NE(std::string(e.what()).find("--console-socket"), std::string::npos) << e.what();
  }
  // No terminal: a console socket given is not used.
  EXPECT_EQ(hull::plan_init(config(kUsual), {.has_console_socket = true}).console, ConsoleWiring::None);
}

// Attached from a terminal without process.terminal: pipes the runtime
// copies, the user's to reopen; the caller's own stdio otherwise, and an
// engine's (detached) made the user's.
TEST(InitPlan, StdioPipesOnlyForAnAttachedRunFromATerminalWithoutOne) {
  const InitPlan piped = hull::plan_init(config(kUsual), {.attached = true, .caller_terminal = true});
  EXPECT_TRUE(piped.stdio.pipes);
  EXPECT_TRUE(piped.stdio.to_user);
  const InitPlan passed = hull::plan_init(config(kUsual), {.attached = true});
  EXPECT_FALSE(passed.stdio.pipes);
  EXPECT_FALSE(passed.stdio.to_user);
  const InitPlan detached = hull::plan_init(config(kUsual), {.caller_terminal = true});
  EXPECT_FALSE(detached.stdio.pipes);
  EXPECT_TRUE(detached.stdio.to_user);
  // Attached as another user: the caller's pipes and files are not that
  // user's to reopen by path (/dev/stdout), runc's copies are.
  auto user = config(kUsual);
  user.process->user.uid = 1000;
  EXPECT_TRUE(hull::plan_init(user, {.attached = true}).stdio.pipes);
  EXPECT_TRUE(hull::plan_exec(user, false, false, false).stdio.pipes);
  EXPECT_FALSE(hull::plan_init(user, {}).stdio.pipes);
  auto userns = config(R"([{"type": "user"}, {"type": "mount"}])", kIdMaps);
  EXPECT_TRUE(hull::plan_init(userns, {.attached = true}).stdio.pipes);
  EXPECT_FALSE(hull::plan_exec(config(kUsual), false, false, false).stdio.pipes);
  auto tty = config(kUsual, "", "", true);
  EXPECT_FALSE(hull::plan_init(tty, {.attached = true, .caller_terminal = true}).stdio.pipes);
  EXPECT_FALSE(
      hull::plan_init(tty, {.has_console_socket = true, .attached = true, .caller_terminal = true}).stdio.pipes);
}

TEST(ExecPlan, JoinsEveryNamespaceWithOneSetns) {
  auto p = hull::plan_exec(config(kUsual), false, true, false);
  EXPECT_EQ(static_cast<uint64_t>(p.setns_flags), kUsualFlags);
  EXPECT_TRUE(p.setns_flags & CLONE_NEWCGROUP);
  EXPECT_EQ(p.console, ConsoleWiring::None);
}

TEST(ExecPlan, JoinedNamespacesAreJoinedLikeCreatedOnes) {
  auto p = hull::plan_exec(config(R"([{"type": "network", "path": "/run/netns/a"}, {"type": "mount"}])"), false, true,
                           false);
  EXPECT_EQ(p.setns_flags, CLONE_NEWNET | CLONE_NEWNS);
}

TEST(ExecPlan, TerminalWiring) {
  auto tty = config(kUsual, "", "", true);
  EXPECT_EQ(hull::plan_exec(tty, true, true, false).console, ConsoleWiring::Socket);
  EXPECT_EQ(hull::plan_exec(tty, false, false, false).console, ConsoleWiring::Proxy);
  EXPECT_THROW(hull::plan_exec(tty, false, true, false), hull::Error);
}

// As for the init: an attached exec from a terminal without -t gets pipes,
// a detached one gives the engine's stdio to the user, an attached one from
// files or pipes passes them as they are.
TEST(ExecPlan, StdioPipesOnlyForAnAttachedExecFromATerminalWithoutOne) {
  const ExecPlan piped = hull::plan_exec(config(kUsual), false, false, true);
  EXPECT_TRUE(piped.stdio.pipes);
  EXPECT_TRUE(piped.stdio.to_user);
  const ExecPlan passed = hull::plan_exec(config(kUsual), false, false, false);
  EXPECT_FALSE(passed.stdio.pipes);
  EXPECT_FALSE(passed.stdio.to_user);
  const ExecPlan detached = hull::plan_exec(config(kUsual), false, true, true);
  EXPECT_FALSE(detached.stdio.pipes);
  EXPECT_TRUE(detached.stdio.to_user);
  EXPECT_FALSE(hull::plan_exec(config(kUsual, "", "", true), false, false, true).stdio.pipes);
}

}  // namespace
