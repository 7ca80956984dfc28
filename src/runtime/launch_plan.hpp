#pragma once
// What create, run and exec will do, decided from the config and the options
// alone: no fd is opened, no file read, nothing changed. The launcher
// (runtime/launcher.hpp) carries a plan out; the unit tests check the
// decisions without root (tests/unit/launch_plan_test.cpp).
#include <cstdint>
#include <string>

#include "spec/spec.hpp"

namespace hull {

// Where the container process's terminal goes (process.terminal).
enum class ConsoleWiring {
  None,    // no terminal: the process keeps the runtime's stdio
  Socket,  // the pty master is sent to --console-socket
  Proxy,   // attached, no --console-socket: the pty master comes back over our
           // own socketpair and the runtime proxies it to its stdio
};

// process.terminal with neither a console socket nor an attached runtime has
// nowhere to send the pty: `detached_error` is thrown then.
ConsoleWiring plan_console(bool terminal, bool has_console_socket, bool attached, const char* detached_error);

// What a process without a console of its own gets as fds 0-2, for the init
// (create, run) and an exec alike.
struct StdioWiring {
  // Attached from a terminal: pipes the runtime copies (process::proxy_stdio),
  // so that a process left in the background cannot keep the caller's
  // terminal; they are ours to give, so the user's too. Attached as another
  // user (process.user not root, or a user namespace) too: the caller's
  // pipes and files are not the user's to reopen (/dev/stdout, as nginx's
  // images log), and runc's copies are.
  bool pipes = false;
  // Detached: fds 0-2 are what the engine passed (containerd's fifos,
  // conmon's pipes) and become the container user's, as runc makes them
  // (process::give_stdio_to). Attached otherwise, they are the caller's own
  // (its files, its pipes), which runc never hands over either.
  bool to_user = false;
};
StdioWiring plan_stdio(ConsoleWiring console, bool attached, bool caller_terminal, bool another_user);
// process.user is not root, or the process is in a user namespace: its
// host uid is not the caller's.
bool runs_as_another_user(const spec::Spec& spec);

// The facts about the host a create plan depends on, found by the caller.
struct InitPlanInputs {
  bool runtime_places = false;      // the runtime places the init after the clone (systemd starts its scope)
  bool init_moves_into_v1 = false;  // the init moves itself into v1 hierarchies (cgroups/self_placement.hpp)
  bool v1_memory_first = false;     // ...and can join the memory one ahead of the rest (Manager::v1_memory_first)
  bool clones_into_v2 = false;      // the clone puts the init into its v2 cgroup (CLONE_INTO_CGROUP), no systemd
  bool has_console_socket = false;  // --console-socket was given
  bool attached = false;            // hull run without --detach
  bool caller_terminal = false;     // ...whose fds 0-2 include a terminal (process::a_terminal_among_stdio)
  bool rootless = false;            // --rootless: a cgroup may be refused, and the container runs without
  bool unprivileged = false;        // the runtime is not the host's root (an ordinary user, root of a user namespace)
  bool start_follows = false;       // hull run: the runtime starts the container itself, under its lock
  // An id-mapped bind's source is below the rootfs, left to the init (rootfs::init_sends_trees_to_idmap).
  bool idmapped_source_in_rootfs = false;
  // A user-namespaced init may ask for a bind source it cannot reach (rootfs::init_may_ask_for_sources).
  bool init_may_ask_for_sources = false;
};

// How the container init is made (hull create, hull run).
struct InitPlan {
  uint64_t clone_flags = 0;  // CLONE_NEW* given to clone3
  // Namespaces given by path (CLONE_NEW* bits): pid and time ones apply to
  // children only, so the runtime joins them before the clone (its launch
  // helper, where the runtime could not return: unprivileged); the init
  // joins the others right after it.
  uint64_t join_before_clone_flags = 0;
  uint64_t join_in_init_flags = 0;
  // The init waits for Continue until the runtime has placed it in its
  // cgroups (systemd) and written its id maps.
  bool wait_for_placement = false;
  bool write_id_maps = false;       // a new user namespace: the runtime writes uid/gid_map
  bool become_userns_root = false;  // the init runs in a user namespace, created or joined
  // A user namespace joined by path: the namespaces the container creates
  // must belong to it (a mount namespace owned by the host's user namespace
  // cannot be mounted in by the container's root), so the init unshares
  // them once it has joined, as runc does, instead of the clone making them.
  // Pid and time namespaces stay with the clone: unshare makes those for
  // children only.
  uint64_t unshare_after_join_flags = 0;
  // In a user namespace (made or joined) the init makes its ipc namespace
  // once it is that namespace's root, as runc's nsexec does: the ipc
  // namespace's mqueue instance (/dev/mqueue) takes the owner of its maker,
  // which in the clone, or right after a join, is the host's root, unmapped
  // (nobody) inside.
  uint64_t unshare_as_userns_root = 0;
  // ...and for those to belong to the joined user namespace too (a new pid
  // namespace owned by the host's user namespace would refuse the container
  // a /proc mount), a launch helper joins first and makes the clone
  // (LaunchRequest::join_in_helper); the init finds the joins made. The init
  // is placed in its cgroups after the clone: it waits for that. The same
  // helper joins, before the clone makes a new user namespace, the
  // namespaces given by path beside it; and the pid and time ones of an
  // unprivileged runtime, which could join them but not return.
  bool join_before_clone_in_helper = false;
  // A cgroup namespace is rooted where its creator is: when the init is placed
  // after the clone (by the runtime or by itself), it unshares the namespace
  // itself once placed.
  bool unshare_cgroupns_when_placed = false;
  // linux.timeOffsets are written before the first process enters a time
  // namespace: the init makes it itself (namespaces/time_namespace.hpp).
  bool init_makes_time_ns = false;
  // The init is placed without the runtime (it moves itself into v1
  // hierarchies, the clone puts it into its v2 cgroup) and waits for nothing
  // else (no systemd, no id maps, no user namespace, not rootless): the
  // runtime makes the v1 cgroups and writes every limit after the clone
  // (cgroups::Manager::create_after_clone: about 0.5 ms for 10 v1
  // hierarchies; on v2 the device filter's BPF program alone is 0.16 ms to
  // load) and then sends CgroupsMade, which the init waits for before it
  // moves (see cgroups_joined_after_rootfs for when) and before its Ready.
  // runc writes the limits once its init has made the container's mounts
  // and device nodes.
  bool cgroups_after_clone = false;
  // ...meanwhile the init makes its network and ipc namespaces, as its first
  // step (a network namespace: about 0.6 ms; on a thread of its own, beside
  // its next steps, where it may run on a second CPU:
  // ns::NetworkNamespaceThread), instead of the clone making them before
  // either process could go on. No user namespace is involved, so they
  // belong to the same one as if the clone had made them.
  uint64_t init_unshares_first = 0;
  // ...and it may make the network one on a thread of its own
  // (ns::NetworkNamespaceThread), where a CPU is free for it: not where it
  // joins a mount, user or time namespace alone (the kernel refuses those
  // setns calls to a task with another thread).
  bool netns_thread_allowed = false;
  // ...but the runtime makes the v1 memory directory first, right after the
  // clone, and sends its tasks file (SyncMsg::MemoryCgroupMade), which the
  // init writes before anything else: the kernel memory of the init's
  // network and ipc namespaces and of its mounts is charged to the
  // container, as where the clone puts the init into its cgroup (v2), not
  // to the caller's memory cgroup.
  bool memory_cgroup_first = false;
  // ...and the init waits for CgroupsMade (joins the rest of its v1
  // hierarchies; on v2, where the clone placed it, waits for its limits)
  // only once its rootfs is set up, or at its first cgroup mount, which
  // binds the cgroups it is in: its mounts and device nodes overlap with
  // the runtime's cgroup work instead of following it (0.2-0.45 ms of
  // `run` on 10 v1 hierarchies). Not where something runs beside the init
  // before then (prestart, createRuntime and createContainer hooks, which
  // may look up the init's cgroups; a seccomp agent: send_state), nor where
  // the init makes or joins a cgroup namespace once placed. The limits are
  // all written before the init says Ready, so before the container's
  // process exists; the init itself never forks.
  bool cgroups_joined_after_rootfs = false;
  // ...and before that the init switches to the sealed view of the runtime
  // binary itself (CVE-2019-5736, process/sealed_binary.hpp), where the
  // runtime would have switched itself before the clone: the clone makes a
  // new pid namespace, so no container process can ever see the runtime,
  // and none sees the init before it is sealed.
  bool init_seals_binary = false;
  // The view is made by the runtime right after the clone and sent
  // (SyncMsg::SealedView) where the init has a network namespace to make:
  // the init's branch is then the longer one by far. Without one the
  // runtime's branch (view, then cgroups) would be, and the init makes the
  // view itself while the runtime makes the cgroups.
  bool runtime_makes_sealed_view = false;
  // ...and the init, whose first step is then to wait for that view, starts
  // the network namespace's thread before the wait (held until the seal has
  // moved its writable segments, ns::NetworkNamespaceThread), so that the
  // namespace is made while the runtime makes the view. Not on v1 with the
  // memory directory first: the namespace is charged to the cgroup the init
  // is in, and the init joins that one after the view.
  bool netns_thread_before_seal = false;
  // Neither the runtime nor the init switches to the sealed view where no
  // container process can see the init before its execve: `run` (start
  // follows, no hooks talk to the init) into a pid namespace the clone
  // makes. Only its ancestors' processes see the init, as they see the
  // runtime; processes the init starts are its hooks (startContainer runs
  // the image's binaries: excluded with send_state); and `hull exec`, the
  // one way in, takes the container's lock, which `run` holds until the
  // init's execve. A `run` killed after it released the init lets go of the
  // lock early: the state then names the binary the init runs
  // (kUnsealedInitKey) until `run` saw the execve, and exec refuses to join
  // an init that still runs it. Saves the init's switch (0.1-0.15 ms of
  // `run`) and the view's overlay mount.
  bool init_unsealed_until_exec = false;
  bool send_state = false;  // the init needs the state JSON (hooks, seccomp agent)
  // The init stops before pivot_root (SyncMsg::RuntimeStep) for what the
  // runtime does in its own namespaces with the init's in place: move the
  // linux.netDevices in, run the prestart and createRuntime hooks.
  bool runtime_step = false;
  // The init may ask the runtime, privileged over the host's files as the
  // init in its user namespace is not, for help with a bind while it mounts:
  // - an id-mapped bind whose source is below the rootfs: the source exists
  //   only once the mounts before it are made (runc's "mount order"), in the
  //   init's mount namespace, so the init clones it there and sends the
  //   detached tree (SyncMsg::IdmapTree), which the runtime id-maps and
  //   answers Continue;
  // - a bind source outside the rootfs the init cannot reach: the runtime
  //   opens it in the init's mount namespace (SyncMsg::BindSource) and
  //   answers Continue with the fd (rootfs/bind_trees.hpp).
  // The runtime then reads the channel from the init's first mount on:
  // nothing else of its may be queued for the init by then but a Start sent
  // ahead (start_before_ready: the init reads it while it waits for the
  // answer, and acts on it where it would have), no CgroupsMade after the
  // rootfs.
  bool runtime_serves_mounts = false;
  // `run` without a runtime step (hooks, netDevices: the init waits for it): the
  // runtime records "running" and sends Start while the init still sets up,
  // and the init reads it (and drops its parent-death signal) before it
  // says Ready. So once the runtime has Ready, the init goes on without it;
  // before the init has Start, it dies with the runtime.
  bool start_before_ready = false;
  ConsoleWiring console = ConsoleWiring::None;
  StdioWiring stdio;
};

// `spec` must have passed spec::validate_for_create (linux and process set).
InitPlan plan_init(const spec::Spec& spec, const InitPlanInputs& in);

// How hull exec puts another process into a running container.
struct ExecPlan {
  // Joined by exec's helper with one setns on the init's pidfd: every
  // namespace the container has, created or joined. The cgroup namespace
  // too: the helper joins once it is in the container's cgroups, as the
  // runtime, in ours, clones it there (with cgroup2's nsdelegate the kernel
  // refuses CLONE_INTO_CGROUP to a cgroup outside the caller's cgroup
  // namespace).
  int setns_flags = 0;
  ConsoleWiring console = ConsoleWiring::None;
  StdioWiring stdio;
};

// `caller_terminal`: hull exec's fds 0-2 include a terminal
// (process::a_terminal_among_stdio).
ExecPlan plan_exec(const spec::Spec& spec, bool has_console_socket, bool detach, bool caller_terminal);

}  // namespace hull
