#include "runtime/container_init.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "base/error.hpp"
#include "base/fault.hpp"
#include "base/fd_limit.hpp"
#include "base/log.hpp"
#include "base/phase_trace.hpp"
#include "base/startup_environment.hpp"
#include "cgroups/self_placement.hpp"
#include "namespaces/loopback.hpp"
#include "namespaces/network_namespace_thread.hpp"
#include "namespaces/time_namespace.hpp"
#include "namespaces/user_namespace.hpp"
#include "process/exec_process.hpp"
#include "process/hooks.hpp"
#include "process/rlimits.hpp"
#include "process/scheduling.hpp"
#include "process/sealed_binary.hpp"
#include "process/session_keyring.hpp"
#include "rootfs/rootfs.hpp"
#include "runtime/signal_forwarder.hpp"
#include "runtime/start_barrier.hpp"
#include "seccomp/seccomp.hpp"
#include "spec/sysctl_namespace.hpp"

namespace hull {

namespace {

// An empty name is no name, as with runc: the uts namespace keeps the one
// it started with (validate.cpp asks no uts namespace for it either).
bool sets_name(const std::optional<std::string>& name) { return name && !name->empty(); }
bool sets_names(const spec::Spec& spec) { return sets_name(spec.hostname) || sets_name(spec.domainname); }

// Once in the container's root: stdio fds that are a /dev/null opened
// outside (a client's, e.g. conmon's stdin) become the container's own
// /dev/null, as runc's init reopens them. CRIU can only dump a file on a
// mount of the container's, so `checkpoint` would fail on the host's. Only
// a real null device (1:3, not a symlink) is taken; without one the fds
// stay as they are.
void reopen_dev_null_stdio() {
  UniqueFd null(::open("/dev/null", O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
  struct stat ns {};
  if (!null || ::fstat(null.get(), &ns) < 0 || !S_ISCHR(ns.st_mode) || ns.st_rdev != ::makedev(1, 3)) return;
  for (int fd = 0; fd <= 2; ++fd) {
    struct stat st {};
    if (::fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != ns.st_rdev) continue;
    if (st.st_dev == ns.st_dev && st.st_ino == ns.st_ino) continue;  // already the container's
    ::dup3(null.get(), fd, 0);
  }
}

// The namespace of type t the init is in, as the dev:ino of its nsfs file.
std::pair<dev_t, ino_t> namespace_of_self(spec::NamespaceType t) {
  const std::string path = std::string("/proc/self/ns/") + ns::proc_name(t);
  struct stat st {};
  if (::stat(path.c_str(), &st) < 0) throw_errno("stat " + path);
  return {st.st_dev, st.st_ino};
}

void set_names(const spec::Spec& spec) {
  if (sets_name(spec.hostname) && ::sethostname(spec.hostname->data(), spec.hostname->size()) < 0)
    throw_errno("set hostname " + quote(*spec.hostname));
  if (sets_name(spec.domainname) && ::setdomainname(spec.domainname->data(), spec.domainname->size()) < 0)
    throw_errno("set domainname " + quote(*spec.domainname));
}

// .linux.namespaces joined (namespaces/namespaces.hpp: runc's order). A
// namespace joined by path gets the settings that live in it (a uts one the
// names, a uts, ipc or network one its sysctls), as with runc, unless the
// path names the namespace hull runs in: they would change the caller's.
void join_namespaces(InitContext& ctx) {
  const spec::Spec& spec = *ctx.spec;
  struct Guard {
    spec::NamespaceType type;
    std::string setting;  // the first that lives in it
    std::pair<dev_t, ino_t> runtimes;
  };
  std::vector<Guard> guards;
  auto guard = [&](spec::NamespaceType t, std::string setting) {
    if (ns::is_private(spec.linux_->namespaces, t)) return;
    for (const Guard& g : guards)
      if (g.type == t) return;
    guards.push_back({t, std::move(setting), namespace_of_self(t)});
  };
  if (sets_names(spec)) guard(spec::NamespaceType::Uts, "");
  for (const auto& entry : spec.linux_->sysctl)
    if (std::optional<spec::NamespaceType> t = spec::sysctl_namespace(entry.first))
      guard(*t, "linux.sysctl " + quote(entry.first));
  // Still the host's root: set now what inside a user namespace needs the
  // host's capabilities (a user namespace cloned new gets it from the
  // runtime, create.cpp).
  if ((ctx.plan->join_in_init_flags & CLONE_NEWUSER) && spec.process)
    process::apply_from_outside_user_namespace(*spec.process, 0);
  ns::join_in_init(*ctx.namespaces);
  for (const Guard& g : guards) {
    if (namespace_of_self(g.type) != g.runtimes) continue;
    if (g.setting.empty())
      throw Error(
          "set hostname: the uts namespace .linux.namespaces joins is the one hull runs in; setting "
          ".hostname or .domainname there would rename the caller");
    throw Error(g.setting + ": the " + spec::sysctl_namespace_name(g.type) +
                    " namespace .linux.namespaces joins is the one hull runs in; setting it there would change "
                    "the host",
                EPERM);
  }
}

// Moves the init into `part` of its v1 hierarchies once the runtime has
// made them and sent their tasks files with `made` (CgroupsMade, which on
// v2 also says that the limits are written, or MemoryCgroupMade).
void join_made_cgroups(InitContext& ctx, SyncMsg made, cgroups::Manager::V1Part part) {
  std::vector<UniqueFd> tasks_files;
  ctx.sync->expect(made, nullptr, &tasks_files);
  // Off the runtime's CPU until the runtime's cgroup work is done; then
  // every CPU the container's cpuset allows, not the runtime's mask.
  if (made == SyncMsg::CgroupsMade) process::reset_cpu_affinity();
  cgroups::V1SelfPlacement placement = ctx.cgroup_after_clone->v1_self_placement(false, part);
  placement.adopt(std::move(tasks_files));
  with_context("join the container's cgroups", [&] { placement.move_self(); });
}

// The init's steps, in order. Returns only by throwing.
[[noreturn]] void init_steps(InitContext& ctx, int& start_conn) {
  const spec::Spec& spec = *ctx.spec;
  // A session of its own, as runc's init makes (nsexec stage 2): the
  // container's processes are not in the caller's session, and CRIU, which
  // refuses a session leader outside the container's pid namespace, can
  // checkpoint it. A terminal's setup finds it a leader already.
  if (::setsid() < 0) throw_errno("setsid: a session of the container init's own");
  if (ctx.placed_after_clone) {
    // Where the plan waits for placement anyway, that one Continue comes below.
    if (!ctx.plan->wait_for_placement) ctx.sync->expect(SyncMsg::Continue);
    if ((ctx.plan->clone_flags & CLONE_NEWCGROUP) && ::unshare(CLONE_NEWCGROUP) < 0)
      throw_errno("create the cgroup namespace");
  }
  for (int i = 0; i < 3; ++i)
    if (ctx.stdio[i] >= 0 && ::dup2(ctx.stdio[i], i) < 0) throw_errno("take the stdio pipes");
  // The network namespace on a thread, beside everything up to the first
  // mount that depends on it, sysfs in most configs
  // (namespaces/network_namespace_thread.hpp); ipc here. A CPU
  // for the thread: one besides the runtime's (kept to itself while it works
  // beside us) and ours. Decided from the mask we inherited, not from ours
  // now, which the runtime narrows at a moment of its own.
  ns::NetworkNamespaceThread netns;
  const bool makes_netns = ctx.plan->init_unshares_first & CLONE_NEWNET;
  const bool cpu_to_spare = ctx.other_cpu && ctx.other_cpu->cpu_count() >= 3;
  const bool netns_thread = makes_netns && cpu_to_spare && ctx.plan->netns_thread_allowed;
  // Started before the wait for the runtime's sealed view, held until the
  // seal has moved our writable segments (InitPlan::netns_thread_before_seal).
  const bool thread_before_seal = netns_thread && ctx.plan->netns_thread_before_seal;
  bool threaded = thread_before_seal && netns.start(true, /*held=*/true);
  if (ctx.plan->init_seals_binary && !ctx.plan->runtime_makes_sealed_view) {
    process::run_from_sealed_binary();
    phase_mark("init_sealed");
  } else if (ctx.plan->init_seals_binary) {
    std::string offer;
    std::vector<UniqueFd> view;
    ctx.sync->expect(SyncMsg::SealedView, &offer, &view);
    if (view.size() > 2) throw Error("sync protocol: sealed-view came with more than two fds");
    view.resize(2);  // the file, then the overlay's mount fd: each may be missing
    process::run_from_parents_sealed_view(offer, std::move(view[0]), std::move(view[1]));
    phase_mark("init_sealed");
  }
  netns.release();
  // Before anything the kernel charges to a memory cgroup, so that it is
  // charged to the container's (memory_cgroup_first).
  if (ctx.plan->memory_cgroup_first)
    join_made_cgroups(ctx, SyncMsg::MemoryCgroupMade, cgroups::Manager::V1Part::Memory);
  if (makes_netns && !thread_before_seal) threaded = netns.start(netns_thread);
  if (makes_netns) {
    log::debug([&] {
      return std::string("network namespace: ") +
             (threaded ? "made on a thread, entered before the first mount that depends on it"
                       : "made by the init itself (no CPU to spare, a join that needs the init alone, or no thread)");
    });
  }
  const int unshare_here = static_cast<int>(ctx.plan->init_unshares_first & ~static_cast<uint64_t>(CLONE_NEWNET));
  if (unshare_here && ::unshare(unshare_here) < 0) throw_errno("create the container's ipc namespace");
  bool cgroups_joined = ctx.cgroup_after_clone == nullptr;
  auto join_cgroups = [&] {
    if (cgroups_joined) return;
    cgroups_joined = true;
    fault_point("init-before-cgroups-made");
    join_made_cgroups(ctx, SyncMsg::CgroupsMade,
                      ctx.plan->memory_cgroup_first ? cgroups::Manager::V1Part::Rest : cgroups::Manager::V1Part::All);
  };
  if (!ctx.plan->cgroups_joined_after_rootfs) join_cgroups();
  if (ctx.v1_placement) ctx.v1_placement->move_self();
  if (ctx.plan->wait_for_placement) ctx.sync->expect(SyncMsg::Continue);
  // In its cgroups now, unless the runtime makes them while we go on (reset
  // on CgroupsMade, above).
  if (!ctx.cgroup_after_clone) process::reset_cpu_affinity();
  // While our /proc/self files are still ours (ns::open_timens_offsets).
  UniqueFd timens_offsets;
  if (ctx.time_offsets) timens_offsets = ns::open_timens_offsets();
  if (ctx.dumpable_until_mapped && ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) throw_errno("prctl(PR_SET_DUMPABLE, 0)");
  if (ctx.plan->unshare_cgroupns_when_placed && ::unshare(CLONE_NEWCGROUP) < 0)
    throw_errno("create the cgroup namespace");
  std::string state_json;
  if (ctx.plan->send_state) ctx.sync->expect(SyncMsg::State, &state_json);
  fault_point("init-before-namespaces");
  if (!ctx.joined_before_clone) join_namespaces(ctx);
  if (ctx.plan->unshare_after_join_flags && ::unshare(static_cast<int>(ctx.plan->unshare_after_join_flags)) < 0)
    throw_errno("create the container's namespaces in the joined user namespace");
  if (ctx.plan->become_userns_root) ns::become_namespace_root();
  if (ctx.plan->unshare_as_userns_root && ::unshare(static_cast<int>(ctx.plan->unshare_as_userns_root)) < 0)
    throw_errno("create the container's ipc namespace as root of its user namespace");
  // As root of the user namespace that owns it, where there is one.
  if (ns::is_private(spec.linux_->namespaces, spec::NamespaceType::Network) && !makes_netns) ns::bring_loopback_up();
  if (ctx.time_offsets) ns::enter_time_namespace_with_offsets(timens_offsets.get(), *ctx.time_offsets);
  if (ctx.new_keyring) process::join_new_session_keyring(spec);
  set_names(spec);
  phase_mark("namespaces");

  rootfs::SetupOptions ro;
  ro.bundle = ctx.bundle;
  ro.rootfs = ctx.rootfs;
  ro.no_pivot = ctx.no_pivot;
  ro.state_dir = ctx.state_dir;
  ro.overlay_rootfs = ctx.overlay_rootfs;
  ro.overlay_dir = ctx.overlay_dir;
  ro.overlay_dir_claimed = ctx.overlay_dir_claimed;
  ro.bind_trees = ctx.bind_trees;
  ro.config_mounts = ctx.config_mounts;
  ro.rootfs_tree = ctx.rootfs_tree;
  ro.runtime_mount_ns = ctx.runtime_mount_ns;
  // Only in a mount namespace of the init's own making: in a joined one, the
  // old root is others' too.
  if (ctx.own_mount_namespace && !(ctx.plan->join_in_init_flags & CLONE_NEWNS))
    ro.leaves_with_old_root = process::sealed_view_mount();
  ro.create_console = spec.process && spec.process->terminal;
  // The runtime's Continue to a question asked while mounting
  // (InitPlan::runtime_serves_mounts). A Start sent ahead (start_before_ready)
  // may come before it: read here, acted on where it is awaited (wait_for_start).
  bool start_read = false;
  auto expect_answer = [&ctx, &start_read](std::vector<UniqueFd>* fds) {
    SyncMsg got = ctx.sync->receive(nullptr, fds);
    if (got == SyncMsg::Start && ctx.plan->start_before_ready && !start_read) {
      start_read = true;
      got = ctx.sync->receive(nullptr, fds);
    }
    if (got != SyncMsg::Continue) throw Error(std::string("sync protocol: expected continue, got ") + to_string(got));
  };
  if (ctx.plan->runtime_serves_mounts) {
    ro.idmap_by_runtime = [&ctx, &expect_answer](size_t mount, int tree) {
      ctx.sync->send_to_waiting_peer(SyncMsg::IdmapTree, std::to_string(mount), std::span<const int>(&tree, 1));
      expect_answer(nullptr);
    };
    ro.source_from_runtime = [&ctx, &expect_answer](size_t mount, int rootfd) {
      ctx.sync->send_to_waiting_peer(SyncMsg::BindSource, std::to_string(mount),
                                     rootfd >= 0 ? std::span<const int>(&rootfd, 1) : std::span<const int>());
      std::vector<UniqueFd> source;
      expect_answer(&source);
      if (source.size() != 1) throw Error("sync protocol: the runtime's bind source came with no single fd");
      return std::move(source[0]);
    };
  }
  if (!cgroups_joined) ro.before_cgroup_mount = join_cgroups;
  if (makes_netns) ro.before_network_mount = [&] { netns.enter(); };
  // runtime.md: createRuntime hooks run in the runtime's namespaces, then
  // createContainer hooks in the container's, both after the mounts and
  // before pivot_root.
  if (ctx.plan->runtime_step || !spec.hooks.createContainer.empty()) {
    ro.before_pivot = [&] {
      netns.join();  // the hooks run, and netDevices move, in the container's namespaces
      if (ctx.plan->runtime_step) {
        ctx.sync->send(SyncMsg::RuntimeStep);
        ctx.sync->expect(SyncMsg::Continue);
      }
      if (spec.hooks.createContainer.empty()) return;
      static const std::vector<std::string> kNoEnv;
      process::run_hooks(spec.hooks.createContainer, "createContainer",
                         process::state_seen_from_container(state_json, "creating"), process::HookFailure::Fail, {},
                         spec.process ? &spec.process->env : &kNoEnv);
    };
  }
  rootfs::SetupResult rootfs =
      ctx.own_mount_namespace ? rootfs::setup_rootfs(spec, ro) : rootfs::enter_rootfs_without_mount_namespace(spec, ro);
  // The fds of the bind trees and read-only tmpfs are closed: the process
  // gets the limit hull started with (base/fd_limit.hpp).
  restore_fd_limit();
  // Single-threaded again from here: nothing after this acts on a thread
  // it does not know of (setxid, seccomp, execve).
  netns.join();
  join_cgroups();
  if (ctx.own_mount_namespace) reopen_dev_null_stdio();
  fault_point("init-before-rootfs");

  process::ExecOptions eo;
  eo.preserve_fds = ctx.preserve_fds;
  eo.stdio_to_user = ctx.plan->stdio.to_user;
  eo.oom_score_adj_applied = ctx.oom_score_adj_inherited;
  // By the runtime after the clone, or before joining (join_namespaces).
  eo.io_priority_applied = ctx.plan->become_userns_root;
  eo.pty_master = rootfs.pty_master.get();
  eo.pty_slave = rootfs.pty_slave.get();
  eo.console_socket_fd = ctx.console_socket_fd;
  eo.pty_output_as_written = ctx.plan->console == ConsoleWiring::Proxy;
  eo.seccomp_listener_fd = ctx.seccomp_listener_fd;
  eo.seccomp_program = ctx.seccomp_program;
  eo.last_cap = ctx.last_cap;
  if (ctx.seccomp_listener_fd >= 0) {
    // The agent's socket was connected by the runtime on the host side; one
    // state per connection, then shut down (config-linux.md, seccomp).
    eo.seccomp_listener = [&](int listener_fd, SendCall call) {
      seccomp::send_to_listener(ctx.seccomp_listener_fd, listener_fd,
                                seccomp::process_state_json(state_json, spec.linux_->seccomp->listenerMetadata), call);
      ::shutdown(ctx.seccomp_listener_fd, SHUT_RDWR);
    };
  }
  eo.container_state_json = [&] { return state_json; };
  eo.wait_for_start = [&] {
    // The terminal is set up (the slave is stdio, the master went to the
    // console socket): none of the three waits in the created init.
    rootfs.pty_master.reset();
    rootfs.pty_slave.reset();
    if (ctx.console_socket_fd >= 0) {
      ::close(ctx.console_socket_fd);
      ctx.console_socket_fd = -1;
    }
    fault_point("init-before-ready");
    if (ctx.listen_fd < 0) {
      // `run`: the runtime that made us releases us itself, and outlives us
      // until we exec or fail. Until Start we die with it: it has recorded
      // the container "running" only once it sends Start. Sent ahead
      // (start_before_ready), Start is read before Ready, so a runtime that
      // has our Ready has a container that runs whatever becomes of it.
      // A failure from here goes back over the same channel (start_conn
      // stays -1).
      if (!ctx.plan->start_before_ready) ctx.sync->send(SyncMsg::Ready);
      if (!start_read) ctx.sync->expect(SyncMsg::Start);
      keep_living_after_the_runtime(process::filter_loaded_before_start(*ctx.spec));
      if (ctx.plan->start_before_ready) ctx.sync->send(SyncMsg::Ready);
      fault_point("init-after-start");
      return ctx.sync->fd();
    }
    // Nor the --log file, a host file: a process of the container with
    // CAP_SYS_PTRACE could open it through /proc/1/fd while we wait, and
    // rewrite what the engine reads its errors from. `create` has our lines
    // by now (and gets any error below over the channel); a failure after
    // the start goes to `start`. One in the wait itself would go nowhere:
    // its fd is checked first, the log's slot free by then.
    log::close_file();
    if (ctx.spec->process) check_an_fd_is_left_for_start(ctx.listen_fd, ctx.spec->process->rlimits, ctx.preserve_fds);
    if (ctx.rehearse_start_wait) rehearse_start_wait(ctx.listen_fd);
    // From here the init must outlive `hull create`, which exits once it has
    // recorded the container: the parent-death signal would kill it then.
    keep_living_after_the_runtime(process::filter_loaded_before_start(*ctx.spec));
    ctx.sync->send(SyncMsg::Ready);
    // A create killed before its record leaves no trace of this init but
    // the init itself (no pid in the state, a state reported stopped, the
    // caller's stdio held): the channel's end without Recorded ends it.
    ctx.sync->expect(SyncMsg::Recorded);
    ctx.sync->close();
    UniqueFd conn = wait_for_start(ctx.listen_fd);
    start_conn = conn.release();  // CLOEXEC: closes itself at execve
    fault_point("init-after-start");
    return start_conn;
  };
  fault_point("init-after-rootfs");
  process::exec_container_process(spec, eo);
}

}  // namespace

void join_namespaces_before_clone(InitContext& ctx) {
  ns::join_for_children(*ctx.namespaces);
  join_namespaces(ctx);
}

void container_init_main(InitContext& ctx) noexcept {
  phase_mark("init_entry");
  for (int fd : ctx.close_at_entry)
    if (fd >= 0) ::close(fd);
  // Never in the runtime's memory (the init is cloned without CLONE_VM).
  wipe_startup_environment();
  // Non-dumpable until execve: no container process can ptrace the init or
  // open its /proc/<pid>/fd or exe (CVE-2016-9962).
  // (hull itself is never dumpable: main() sees to it, and the clone inherits that.)
  ::prctl(PR_SET_DUMPABLE, ctx.dumpable_until_mapped ? 1 : 0, 0, 0, 0);
  // If the runtime dies during set-up, die too rather than linger half-made.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  // The runtime may block signals (hull run forwards them through a
  // signalfd); the container must start with a clean mask and default
  // dispositions, since ignored signals survive execve.
  reset_signal_state();
  // A created init's, before Ready (`hull create` returns on it, and a
  // `kill` right after must find the handlers: without one, the first
  // process of a pid namespace is not sent the signal at all), and before
  // the container's filter, which may refuse rt_sigaction.
  if (ctx.listen_fd >= 0) end_on_stop_signals();

  int start_conn = -1;
  bool reported = true;
  try {
    init_steps(ctx, start_conn);
  } catch (const Error& e) {
    if (start_conn >= 0)
      report_start_error(start_conn, e.what(), dynamic_cast<const process::StartContainerHookFailed*>(&e) != nullptr);
    else
      reported = ctx.sync->send_error(e.code(), e.message());
  } catch (const std::exception& e) {
    std::string msg = std::string("container init: ") + e.what();
    if (start_conn >= 0)
      report_start_error(start_conn, msg);
    else
      reported = ctx.sync->send_error(0, msg);
  }
  ::_exit(reported ? 1 : kInitExitUnreportedError);
}

void container_init_entry(void* ctx) noexcept { container_init_main(*static_cast<InitContext*>(ctx)); }

}  // namespace hull
