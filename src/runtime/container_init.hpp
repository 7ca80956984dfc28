#pragma once
// The container init: the clone3 child of `hull create`. Its entry never
// returns into the parent's stack; it ends in execve or _exit.
#include <array>
#include <map>
#include <string>
#include <vector>

#include "base/shared_flag.hpp"
#include "cgroups/cgroup_manager.hpp"
#include "cgroups/self_placement.hpp"
#include "namespaces/namespaces.hpp"
#include "rootfs/rootfs.hpp"
#include "runtime/launch_plan.hpp"
#include "runtime/other_cpu.hpp"
#include "runtime/sync_channel.hpp"
#include "seccomp/seccomp.hpp"
#include "spec/spec.hpp"

namespace hull {

// What the init needs, and the only fds it keeps (besides stdio, preserved
// fds and the console socket). While it waits at the start barrier it holds
// stdio, the preserved fds, the barrier's listening socket and the
// seccomp agent's socket if any (both CLOEXEC, gone at execve).
struct InitContext {
  const spec::Spec* spec = nullptr;
  std::string bundle;     // absolute
  std::string rootfs;     // absolute
  std::string state_dir;  // absolute
  bool no_pivot = false;
  // .linux.namespaces lists "mount" (new or joined). Without it the container
  // shares the caller's mount namespace and the init only chroots.
  bool own_mount_namespace = true;
  rootfs::MountNamespaceId runtime_mount_ns;  // where hull runs: never mounted in
  bool overlay_rootfs = false;
  std::string overlay_dir;  // "" = under the state dir
  const SharedFlag* overlay_dir_claimed = nullptr;  // set by the init once it made a user-named overlay_dir
  bool new_keyring = true;  // join a fresh session keyring (unless --no-new-keyring)
  int preserve_fds = 0;
  // The decisions of the create plan: whether to wait for placement, the
  // cgroup and user namespace steps, the state and hooks exchanged.
  const InitPlan* plan = nullptr;
  // linux.timeOffsets of a new time namespace the init makes itself (see
  // namespaces/time_namespace.hpp); null when the clone made it or there is none.
  const std::map<std::string, spec::TimeOffset>* time_offsets = nullptr;
  int seccomp_listener_fd = -1;  // connected to linux.seccomp.listenerPath, or -1
  const seccomp::Program* seccomp_program = nullptr;  // linux.seccomp, compiled by the runtime
  int last_cap = -1;                                  // process::ExecOptions::last_cap
  // Rootless with a new user namespace: the runtime, an ordinary user,
  // writes /proc/<init>/setgroups and the id maps (or newuidmap does, which
  // checks the init's owner); /proc/<pid> of a non-dumpable process belongs
  // to root, so the init stays dumpable until its maps are written (runc
  // does the same). Its only possible tracer is that same user.
  bool dumpable_until_mapped = false;
  // process.oomScoreAdj is the runtime's own already, inherited at the clone
  // (a runtime that is not root, or a user namespace: process::LentOomScoreAdj).
  bool oom_score_adj_inherited = false;
  // The launch helper joined .linux.namespaces already (a new pid or time
  // namespace beside a joined user namespace, or a new user namespace beside
  // joined ones: join_namespaces_before_clone).
  bool joined_before_clone = false;
  // Set by the launcher when the kernel would not clone the init into its
  // v2 cgroup (LaunchRequest::child_waits_for_placement): the init waits to
  // be placed before anything else, and then makes the cgroup namespace the
  // clone was to make, so that it is rooted at the container's cgroup.
  bool placed_after_clone = false;
  // Bind sources the runtime opened (rootfs/bind_trees.hpp), by mount index.
  std::vector<int> bind_trees;
  size_t config_mounts = SIZE_MAX;  // rootfs::SetupOptions::config_mounts
  // The id-mapped rootfs the runtime detached (runtime/idmapped_mounts.hpp), or -1.
  int rootfs_tree = -1;
  ns::NamespacePlan* namespaces = nullptr;
  // The v1 hierarchies the init moves itself into first, or null.
  cgroups::V1SelfPlacement* v1_placement = nullptr;
  // InitPlan::cgroups_after_clone: the cgroup the runtime is making while
  // the init makes its namespaces; the init opens its v1 tasks files itself
  // once told the cgroup is made (its mount namespace is still a copy of
  // the runtime's then).
  const cgroups::Manager* cgroup_after_clone = nullptr;
  // ...and, started on another CPU than the runtime's, its mask to restore
  // then (runtime/other_cpu.hpp).
  const OtherCpu* other_cpu = nullptr;
  SyncChannel* sync = nullptr;  // the init's end
  int listen_fd = -1;           // start barrier; -1: `run`'s Start comes over sync
  bool rehearse_start_wait = false;  // a rehearsal connection is queued on listen_fd (start_barrier.hpp)
  int console_socket_fd = -1;
  // InitPlan::stdio.pipes: the pipes' ends that become fds 0-2 (CLOEXEC
  // themselves), or -1.
  int stdio[3] = {-1, -1, -1};
  // The runtime's fds the clone copied that the init must not hold: the
  // state-dir lock (or `hull start` would wait for it forever), the
  // runtime's end of the sync channel, the cgroup dir fd of CLONE_INTO_CGROUP
  // and a legacy host's first v1 leaf (both hold create's lock on the leaf,
  // cgroups::Manager::claim_leaf), the runtime's cwd (kept to return there after cloning in the bundle),
  // the runtime's /sys/fs/cgroup (cgroups/cgroupfs.hpp, at()), the runtime's
  // connection to systemd (--systemd-cgroup: the unit starts once the init
  // exists, and systemd queues every unit's signals on a connection nobody
  // reads), the --pidfd-socket connection (its peer waits for the pidfd and
  // then end of file), the runtime's own pid and time namespaces (kept while it
  // joins others for the clone). Closed at entry, so a created container holds only
  // what it needs.
  std::array<int, 10> close_at_entry{-1, -1, -1, -1, -1, -1, -1, -1, -1, -1};
};

// The init's exit status when set-up failed and its error could not cross
// the sync channel either (its seccomp filter refuses sendmsg, writev and
// write): create says so, where it would only know the init exited.
constexpr int kInitExitUnreportedError = 3;

// The init's entry point: never returns into the runtime's stack (execve or
// _exit), never throws (errors cross the sync channel).
[[noreturn]] void container_init_main(InitContext& ctx) noexcept;
// The same, in the launcher's shape (LaunchRequest::entry, arg an InitContext).
[[noreturn]] void container_init_entry(void* ctx) noexcept;

// The init's namespace joins (runc's order, the uts check), for the launch
// helper that makes a new pid namespace owned by a joined user namespace, or
// a new user namespace beside joined ones: it joins, then clones the init,
// which finds them joined. Throws.
void join_namespaces_before_clone(InitContext& ctx);

}  // namespace hull
