#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <optional>
#include <span>

#include "base/clock.hpp"
#include "base/error.hpp"
#include "base/fault.hpp"
#include "base/fs.hpp"
#include "base/json_flat.hpp"
#include "base/leak_check.hpp"
#include "base/log.hpp"
#include "base/phase_trace.hpp"
#include "base/procfs.hpp"
#include "base/shared_flag.hpp"
#include "cgroups/cgroup_manager.hpp"
#include "cgroups/cgroupfs.hpp"
#include "cgroups/ownership.hpp"
#include "cgroups/resctrl.hpp"
#include "namespaces/namespaces.hpp"
#include "namespaces/net_devices.hpp"
#include "process/capabilities.hpp"
#include "process/exec_process.hpp"
#include "process/hooks.hpp"
#include "process/rlimits.hpp"
#include "process/sealed_binary.hpp"
#include "process/terminal_proxy.hpp"
#include "rootfs/bind_trees.hpp"
#include "rootfs/overlay.hpp"
#include "runtime/container_id.hpp"
#include "runtime/container_init.hpp"
#include "runtime/container_setup.hpp"
#include "runtime/create_inputs.hpp"
#include "runtime/idmapped_mounts.hpp"
#include "runtime/launch_plan.hpp"
#include "runtime/launcher.hpp"
#include "runtime/other_cpu.hpp"
#include "runtime/owned_cgroup.hpp"
#include "runtime/pid_file.hpp"
#include "runtime/start_barrier.hpp"
#include "runtime/state_store.hpp"
#include "runtime/sync_channel.hpp"
#include "runtime/unix_socket.hpp"
#include "seccomp/program_cache.hpp"

namespace hull {

namespace {

// An attached run whose container never started still shows what its init
// wrote before the error (a warning that explains it), as it would had it
// written to the caller's stdio itself.
class ShowOutputOnFailure {
 public:
  explicit ShowOutputOnFailure(std::optional<process::StdioPipes>& pipes)
      : pipes_(pipes), exceptions_(std::uncaught_exceptions()) {}
  ShowOutputOnFailure(const ShowOutputOnFailure&) = delete;
  ShowOutputOnFailure& operator=(const ShowOutputOnFailure&) = delete;
  ~ShowOutputOnFailure() {
    if (pipes_ && std::uncaught_exceptions() > exceptions_) process::show_output_so_far(*pipes_);
  }

 private:
  std::optional<process::StdioPipes>& pipes_;
  int exceptions_;
};

// Rethrows the launch's error; the kernel's bare ENOMEM for a clone into a
// joined pid namespace whose init is gone gets a word on it.
[[noreturn]] void rethrow_launch_error(const ns::NamespacePlan& namespaces) {
  try {
    throw;
  } catch (const Error& e) {
    const ns::JoinTarget* pid = ns::joined(namespaces, spec::NamespaceType::Pid);
    if (pid && e.code() == ENOMEM)
      throw Error(e.message() + " (has the pid namespace " + quote(pid->path) + " (" + pid->field + ") no init left?)",
                  ENOMEM);
    throw;
  }
}

std::string hook_state(ContainerState st, Status status) {
  st.status = status;
  return to_hook_state_json(st);
}

// Undoes a half-made container's state dir (the init, if any, is killed and
// reaped by its LaunchedChild first), and runs its poststop hooks:
// runtime.md has a failed create go on to the container's destruction, and
// runc runs them there too (what a prestart hook set up, a poststop one
// takes down). Their failures are warnings.
class StateDirGuard {
 public:
  StateDirGuard(ContainerDir& dir, const spec::Hooks& hooks, const ContainerState& state)
      : dir_(dir), hooks_(hooks), state_(state) {}
  ~StateDirGuard() {
    if (committed_) return;
    try {
      // By name: the scan for anything else needs statx, which a filter hull
      // runs under may refuse, and a file left then was left unsaid.
      dir_.remove({kSavedConfigName, kStartSocketName});
    } catch (const Error& e) {
      log::warn("create container " + quote(state_.id) + ": remove its state directory: " + e.what() +
                ": remove it by hand");
    } catch (...) {}
    if (overlay_claimed_ && overlay_claimed_->is_set()) {
      try {
        remove_directory_tree(overlay_dir_);
      } catch (const Error& e) {
        log::warn("create container " + quote(state_.id) + ": remove the overlay directory " + overlay_dir_ + ": " +
                  e.what() + ": remove it by hand");
      }
    }
    try {
      run_poststop_hooks(hooks_.poststop, state_);
    } catch (...) {}
  }
  void commit() { committed_ = true; }
  // <overlay dir>/<id>: removed with the state dir once `claimed` says
  // this create's init made it (another container of the id may have).
  void own_overlay_dir(std::string dir, const SharedFlag& claimed) {
    overlay_dir_ = std::move(dir);
    overlay_claimed_ = &claimed;
  }

 private:
  ContainerDir& dir_;
  const spec::Hooks& hooks_;
  const ContainerState& state_;
  std::string overlay_dir_;
  const SharedFlag* overlay_claimed_ = nullptr;
  bool committed_ = false;
};

// A user-named overlay dir's <dir>/<id>, which the init makes (as the
// container's root: in a user namespace the host's root would own it, out
// of the container's reach), is not there before the state names it: one
// there already is another container's of this id (under another --root)
// or a failed create's left by an older hull, whose writes this container
// would start with. Refused here before anything is made; the init's
// exclusive mkdir decides a race with another create.
void refuse_an_existing_overlay_dir(const std::string& dir) {
  struct stat st {};
  if (::lstat(dir.c_str(), &st) == 0) throw rootfs::overlay_dir_exists(dir);
  if (errno != ENOENT) throw_errno("overlay rootfs: " + dir);
}

// A manager of no directories: nothing to place, freeze or mark.
constexpr const char* kNoCgroupState = R"({"mode": "unified", "v2": "", "v1": {}})";

// Rootless: a cgroup the user may not make is no error (runc skips it too):
// the container runs without one, its limits not applied, with a warning.
// Returns false then, `cgroup` managing no directory; the state records no
// cgroupPath, which every later command reads as "no cgroup".
bool create_cgroup(const GlobalOptions& g, cgroups::Manager& cgroup) {
  const auto without_cgroup = [&](const std::string& why, const std::string& remedy) {
    log::warn("rootless: the container gets no cgroup (" + why + "); its resource limits are not applied." +
              (remedy.empty() ? "" : " " + remedy));
    cgroup = cgroups::Manager::load(kNoCgroupState);
    return false;
  };
  // A container made without one would be recorded with a cgroup that holds
  // nothing, and no kill or delete could vouch for its init (runc refuses
  // too: "no cgroup mount found in mountinfo").
  if (!cgroups::Host::current().mounted()) {
    const auto none = Error(
        "no cgroup file system is mounted at /sys/fs/cgroup: mount cgroup2 there (inside a container: give it a "
        "/sys/fs/cgroup mount)");
    if (g.rootless) return without_cgroup(none.message(), "");
    throw none;
  }
  try {
    cgroup.create();
    return true;
  } catch (const Error& e) {
    // The user's systemd manager: not running (no socket, or none listening).
    const bool no_user_manager = cgroup.systemd() && (e.code() == ENOENT || e.code() == ECONNREFUSED);
    if (!g.rootless || (e.code() != EACCES && e.code() != EPERM && e.code() != EROFS && !no_user_manager)) throw;
    // The errno by name: podman (without runtime_supports_json) reads any
    // "permission denied" in the runtime's output as the reason its create
    // failed, whatever failed it.
    const std::string why = e.message() + " (" + strerrorname_np(e.code()) + ")";
    // A manager that refused (another user's socket, authentication, a
    // controller not delegated) is named in `why`, with what to change.
    return without_cgroup(
        why, no_user_manager    ? "Start the user's systemd manager (loginctl enable-linger, or a login "
                                  "session) to have them, or run without --systemd-cgroup from a cgroup v2 subtree "
                                  "delegated to the user."
             : cgroup.systemd() ? ""
                                : "Delegate a cgroup v2 subtree to the user (systemd: Delegate=yes) to have them.");
  }
}

// The init's start time: what tells it from a later process with its pid.
void record_init_start_time(ContainerState& st, pid_t pid) {
  auto stat = read_proc_stat(pid);
  if (!stat) throw Error("the container init exited before it was recorded");
  st.initStartTime = stat->start_time;
}

// The init closed the sync channel without a word: it was killed, or its
// filter refused its report (kInitExitUnreportedError). Killed
// by the OOM killer of its own memory cgroup, the limit is too low for it
// to set up (runc: "container init was OOM-killed (memory limit too
// low?)"); else the error stands. Called while PeerExitedError is handled. The
// channel closes as the init exits, a moment before the kernel records how:
// waited for on the pidfd, bounded.
[[noreturn]] void explain_init_exit(const LaunchedChild& init, const cgroups::Manager& cgroup) {
  struct pollfd exited = {init.pidfd(), POLLIN, 0};
  siginfo_t how{};
  const bool known = ::poll(&exited, 1, 1000) == 1 &&
                     ::waitid(P_PIDFD, static_cast<id_t>(init.pidfd()), &how, WEXITED | WNOHANG | WNOWAIT) == 0;
  // The seccomp filter's kill (SECCOMP_RET_KILL_*): loaded before the wait
  // for start without noNewPrivileges, it meets the init's own calls.
  if (known && (how.si_code == CLD_KILLED || how.si_code == CLD_DUMPED) && how.si_status == SIGSYS)
    throw Error(
        "the container init was killed by SIGSYS during set-up: linux.seccomp kills a system call it makes under "
        "the filter (without process.noNewPrivileges the filter is loaded before the wait for start, as runc loads "
        "it); allow the call, or set process.noNewPrivileges to true");
  if (known && how.si_code == CLD_EXITED && how.si_status == kInitExitUnreportedError)
    throw Error(
        "the container init failed during set-up, after it loaded linux.seccomp, and could not report why: the "
        "profile refuses sendmsg, writev and write, the calls it reports with; allow one of them, or set "
        "process.noNewPrivileges to true (the filter is then loaded last)");
  if (known && how.si_code == CLD_KILLED && how.si_status == SIGKILL) {
    uint64_t kills = 0;
    try {
      kills = cgroup.oom_kills();
    } catch (const Error&) {}
    if (kills > 0) {
      bool own_limit = true;
      try {
        own_limit = cgroup.memory_limit_reached();
      } catch (const Error&) {}
      if (own_limit)
        throw Error("the container init was OOM-killed during set-up: linux.resources.memory.limit is too low for it",
                    ENOMEM);
      throw Error(
          "the container init was OOM-killed during set-up by a memory limit above the container's cgroup (that of "
          "the cgroup hull runs in or of a parent: a service's MemoryMax, a pod's limit), not by "
          "linux.resources.memory.limit",
          ENOMEM);
    }
  }
  throw;
}

// The record of a container being made, as its first state.json has it.
ContainerState creating_state(const CreateOptions& o, const std::string& bundle, const std::string& rootfs,
                              const spec::Spec& spec, const OverlayChoice& overlay) {
  ContainerState st = new_container_state(o.id, bundle, rootfs, spec);
  if (!overlay.dir.empty()) st.extra[kOverlayDirKey] = overlay.dir + "/" + o.id;
  if (o.listen_fds + o.preserve_fds > 0) st.extra[kPreserveFdsKey] = std::to_string(o.listen_fds + o.preserve_fds);
  if (!spec::has_hooks(spec.hooks)) st.extra[kHooksKey] = "none";
  if (o.no_new_keyring) st.extra[kNoNewKeyringKey] = "true";
  return st;
}

// The runtime's part of the create, while the init waits with its mounts made
// and before pivot_root (InitPlan::runtime_step): netDevices moved first, so
// the hooks find the devices where the container will, then the prestart
// and createRuntime hooks in the runtime's namespaces.
void run_runtime_step(const spec::Spec& spec, const ContainerState& st, pid_t init) {
  if (!spec.linux_->netDevices.empty()) {
    UniqueFd netns = procfs::open_link_target(std::to_string(init) + "/ns/net", O_RDONLY);
    ns::move_net_devices(spec.linux_->netDevices, netns.get());
  }
  std::string state = hook_state(st, Status::Creating);
  process::run_hooks(spec.hooks.prestart, "prestart", state, process::HookFailure::Fail, st.bundle);
  process::run_hooks(spec.hooks.createRuntime, "createRuntime", state, process::HookFailure::Fail, st.bundle);
}

// SyncMsg::BindSource: the source of mounts[`index`], out of the init's
// reach, opened in its mount namespace with our credentials
// (rootfs/bind_trees.hpp); `fds`: the init's rootfs mount, for a source below it.
void send_bind_source(const SyncChannel& runtime_end, const spec::Spec& spec, size_t config_mounts,
                      const ContainerState& st, pid_t init, const std::string& index,
                      const std::vector<UniqueFd>& fds) {
  if (fds.size() > 1) throw Error("sync protocol: bind-source came with more than one fd");
  UniqueFd source = rootfs::open_source_for_init(
      {index, fds.empty() ? -1 : fds[0].get()},
      [init] { return procfs::open_link_target(std::to_string(init) + "/root", O_PATH | O_DIRECTORY); }, spec,
      st.bundle, st.rootfs, config_mounts);
  const int fd = source.get();
  runtime_end.send_to_waiting_peer(SyncMsg::Continue, {}, std::span<const int>(&fd, 1));
}

// What the init asks of the runtime while it sets up, answered until it is Ready.
void serve_init_until_ready(SyncChannel& runtime_end, const spec::Spec& spec, size_t config_mounts,
                            const ContainerState& st, pid_t init, const InitPlan& plan) {
  for (;;) {
    std::string payload;
    std::vector<UniqueFd> fds;
    SyncMsg m = runtime_end.receive(&payload, &fds);
    if (m == SyncMsg::Ready) return;
    if (m == SyncMsg::BindSource && plan.runtime_serves_mounts) {
      send_bind_source(runtime_end, spec, config_mounts, st, init, payload, fds);
      continue;
    }
    if (m == SyncMsg::IdmapTree && plan.runtime_serves_mounts) {
      idmap_tree_for_init(init, spec, plan.write_id_maps, payload, fds);
    } else if (m == SyncMsg::RuntimeStep) {
      run_runtime_step(spec, st, init);
    } else {
      throw Error(std::string("sync protocol: unexpected ") + to_string(m));
    }
    runtime_end.send(SyncMsg::Continue);
  }
}

// The cgroups made, before or after the clone: a frozen one (cgroupsPath or
// a parent frozen) would freeze the init and hang create, and the client
// with it: fail as runc does. A systemd scope is made, and marked, when the
// init is placed.
void finish_cgroup(const cgroups::Manager& cgroup, const InitPlan& plan, const std::string& owner) {
  if (!cgroup.systemd()) {
    if (cgroup.frozen_when_made()) throw Error("container's cgroup unexpectedly frozen");
    cgroups::Paths unmarked = cgroup.paths();
    if (plan.cgroups_after_clone) unmarked.v2.clear();                          // marked before the clone
    if (plan.memory_cgroup_first) unmarked.v1.erase(cgroup.v1_memory_first());  // marked first
    cgroups::mark_owner(unmarked, owner);
  }
  fault_point("create-after-cgroup");
  phase_mark("cgroup");
}

// The init was cloned into its v2 cgroup (or none): its v1 ones are made
// while it starts, each marked before it enters them, and sent to it as
// opened tasks files, which it only writes.
void make_cgroups_after_clone(cgroups::Manager& cgroup, const InitPlan& plan, const std::string& owner,
                              SyncChannel& runtime_end, ContainerState& st) {
  if (plan.memory_cgroup_first) {
    // The init waits for this one before it makes anything: first, alone.
    cgroup.create_v1_memory_first();
    const std::string memory = cgroup.v1_memory_first();
    cgroups::mark_owner(cgroups::Paths{cgroup.paths().mode, "", {{memory, cgroup.paths().v1.at(memory)}}}, owner);
    const cgroups::V1SelfPlacement tasks = cgroup.v1_self_placement(true, cgroups::Manager::V1Part::Memory);
    runtime_end.send_to_waiting_peer(SyncMsg::MemoryCgroupMade, {}, tasks.fds());
  }
  cgroup.create_after_clone();
  // With the v1 parents it made just now: the next state.json carries them,
  // for delete to remove.
  st.cgroupPath = cgroup.to_state();
  finish_cgroup(cgroup, plan, owner);
  const cgroups::V1SelfPlacement tasks = cgroup.v1_self_placement(
      true, plan.memory_cgroup_first ? cgroups::Manager::V1Part::Rest : cgroups::Manager::V1Part::All);
  runtime_end.send_to_waiting_peer(SyncMsg::CgroupsMade, {}, tasks.fds());
}

// The init starts with the bundle as its cwd, as runc's does: relative mount
// sources (overlay lowerdir=...) resolve there. It inherits the cwd at the
// clone, so an init in a user namespace whose root may not search the
// bundle's path (dockerd --userns-remap: a 0700 root-owned exec root) never
// has to reach it. The runtime's own cwd comes back right after the clone,
// or as a failed create unwinds (the init closes that fd at entry).
class CwdForClone {
 public:
  explicit CwdForClone(const std::string& bundle) : runtime_cwd_(::open(".", O_PATH | O_DIRECTORY | O_CLOEXEC)) {
    if (!runtime_cwd_) {
      const int err = errno;
      // getcwd needs no fd: it names the directory even when fds ran out.
      std::array<char, PATH_MAX> cwd{};
      throw_errno(err, "open the directory hull was started in, " +
                           quote(::getcwd(cwd.data(), cwd.size()) ? cwd.data() : "(unknown)") +
                           ", to come back to it after the clone");
    }
    if (::chdir(bundle.c_str()) < 0) throw_errno("chdir to the bundle " + quote(bundle));
  }
  CwdForClone(const CwdForClone&) = delete;
  CwdForClone& operator=(const CwdForClone&) = delete;
  ~CwdForClone() {
    if (runtime_cwd_) (void)!::fchdir(runtime_cwd_.get());
  }
  int runtime_cwd() const { return runtime_cwd_.get(); }
  void restore() {
    if (::fchdir(runtime_cwd_.get()) < 0) throw_errno("chdir back from the bundle");
    runtime_cwd_.reset();
  }

 private:
  UniqueFd runtime_cwd_;
};

}  // namespace

CreatedContainer create_to_start_barrier(const GlobalOptions& g, const CreateOptions& o, bool attached,
                                         StartFollows start) {
  validate_new_container_id(o.id);

  // 1. Read and validate: a bad bundle or config never leaves anything behind.
  BundleConfig config = read_bundle_config(g, o);
  const std::string& bundle = config.bundle;
  const std::string& rootfs = config.rootfs;
  const OverlayChoice& overlay = config.overlay;
  spec::Spec& spec = config.spec;
  // Without the resctrl file system the config cannot be met: refused here,
  // before anything is made.
  std::optional<resctrl::Groups> rdt;
  if (spec.linux_->intelRdt) rdt = resctrl::plan_new_container(*spec.linux_->intelRdt, o.id);
  StateStore store(g.root);
  // Compiled, or read from the programs earlier creates compiled, before
  // anything is made; the init (a copy of us) loads it.
  std::optional<seccomp::CachedProgram> filter;
  if (spec.linux_->seccomp) filter = seccomp::compile_cached(*spec.linux_->seccomp, store.seccomp_cache());
  phase_mark("parsed");

  // 2. Plan: namespaces, cgroups and the init's steps.
  cgroups::Manager cgroup =
      cgroups::Manager::plan(&*spec.linux_, o.id, g.systemd_cgroup, cgroups::Host::current(), g.rootless);
  cgroup.set_unit_annotations(spec.annotations);
  cgroup.keep_device_filters_in(store.device_filter_cache());
  // A systemd scope takes the init after the clone (it waits for that); v1
  // hierarchies it enters itself (cgroups/self_placement.hpp), its v2 cgroup
  // with the clone: then the limits can wait until after the clone.
  const rootfs::BindTreeRules bind_rules{.user_namespace = spec::lists_namespace(spec, spec::NamespaceType::User),
                                         .unprivileged = g.unprivileged,
                                         .rootfs_idmapped = asks_for_idmapped_rootfs(spec)};
  const InitPlan plan =
      plan_init(spec, {.runtime_places = cgroup.systemd(),
                       .init_moves_into_v1 = cgroup.moves_itself_into_v1(),
                       .v1_memory_first = !cgroup.v1_memory_first().empty(),
                       .clones_into_v2 = !cgroup.systemd() && !cgroup.paths().v2.empty(),
                       .has_console_socket = !o.console_socket.empty(),
                       .attached = attached,
                       .caller_terminal = attached && process::a_terminal_among_stdio(),
                       .rootless = g.rootless,
                       .unprivileged = g.unprivileged,
                       .start_follows = start == StartFollows::Now,
                       .idmapped_source_in_rootfs = rootfs::init_sends_trees_to_idmap(spec, bundle, rootfs, bind_rules),
                       .init_may_ask_for_sources = rootfs::init_may_ask_for_sources(spec, bundle, bind_rules)});
  // Before any namespace is joined and any process cloned: the init (and we,
  // for a container in our pid namespace) never run from the writable binary
  // where a container process could see us. Where the init seals itself, we
  // make the view after the clone and it switches to it while we make its
  // cgroups; where none can see it before its execve, nobody switches.
  if (!plan.init_seals_binary && !plan.init_unsealed_until_exec) {
    process::run_from_sealed_binary();
    phase_mark("sealed");
  }

  // 3. Open what the caller is handed, then what the init is: a console
  // socket or seccomp agent is connected only once the pid file's directory
  // and the pidfd socket are there (a failed create leaves them no empty
  // connection).
  std::optional<PidFile> pid_file;
  if (!o.pid_file.empty()) pid_file.emplace(o.pid_file);
  UniqueFd pidfd_socket;
  if (!o.pidfd_socket.empty()) pidfd_socket = connect_unix(path_in_bundle(o.pidfd_socket, bundle), "pidfd socket");
  InitInputs inputs = open_init_inputs(config, o, g.unprivileged, plan.console, bind_rules);
  ns::NamespacePlan& namespaces = inputs.namespaces;

  // 4. The state dir, the saved config and the cgroups.
  CreatedContainer c{store.create(o.id), {}, std::move(spec), {}, std::move(inputs.console.receiver), {}, false, {}};
  std::optional<SharedFlag> overlay_claimed;  // read by the guard: made before it
  if (!overlay.dir.empty()) overlay_claimed.emplace();
  StateDirGuard guard(c.dir, c.spec.hooks, c.state);
  fault_point("create-after-state-dir");

  ContainerState& st = c.state;
  st = creating_state(o, bundle, rootfs, c.spec, overlay);
  const std::string owner = cgroup_owner_tag(c.dir);
  st.extra[kCgroupOwnerKey] = owner;
  // Recorded before it is made: a create killed from here on leaves a state
  // that `delete --force` uses to remove the cgroup.
  st.cgroupPath = cgroup.to_state();
  if (rdt) rdt->record(st.extra);
  if (!overlay.dir.empty()) {
    refuse_an_existing_overlay_dir(overlay.dir + "/" + o.id);
    guard.own_overlay_dir(overlay.dir + "/" + o.id, *overlay_claimed);
  }
  c.dir.write_state(st);
  record_cgroup_parents_before_making(cgroup, st, c.dir);
  std::optional<resctrl::Undo> rdt_made;
  if (rdt) make_resctrl_groups(*rdt, *c.spec.linux_->intelRdt, rdt_made);
  // exec, update and delete (poststop hooks) use the config the container
  // was created with, even if the bundle changes or goes away. Nothing reads
  // it before Created; where the init starts while we make its cgroups, it
  // is written once they are made and sent.
  auto save_config = [&] {
    write_file_atomic(c.dir.fd(), kSavedConfigName, config.config_text);
    fault_point("create-after-saved-config");
  };
  if (!plan.cgroups_after_clone) save_config();
  phase_mark("state_dir");

  if (plan.cgroups_after_clone) {
    cgroup.create_for_clone();
    // The clone puts the init into the v2 cgroup: marked now, so that a
    // create killed from the clone on leaves no process in a cgroup that
    // delete --force would refuse as unmarked. The v1 ones, made after the
    // clone, are marked before the init enters them; state.json's cgroupPath
    // is recomputed once they (and their parents) are made.
    if (!cgroup.paths().v2.empty())
      cgroups::mark_owner(cgroups::Paths{cgroup.paths().mode, cgroup.paths().v2, {}}, owner);
  } else {
    const bool has_cgroup = create_cgroup(g, cgroup);
    finish_cgroup(cgroup, plan, owner);
    // Now with the parent directories create() made (removed on delete); the
    // state.json written at Created carries them.
    st.cgroupPath = has_cgroup ? cgroup.to_state() : "";
  }
  UniqueFd listen = start == StartFollows::Later ? listen_start_socket(c.dir.fd()) : UniqueFd();
  auto [runtime_end, init_end] = SyncChannel::make_pair();
  if (plan.join_before_clone_flags && !plan.join_before_clone_in_helper) {
    leak_check_before_joining_namespaces();
    ns::join_before_clone(namespaces);
  }

  // 5. Launch the init: clone3, placement, id maps, Continue.
  InitContext ctx;
  ctx.spec = &c.spec;
  ctx.bundle = bundle;
  ctx.rootfs = rootfs;
  ctx.state_dir = c.dir.path();
  ctx.no_pivot = o.no_pivot;
  ctx.own_mount_namespace = spec::lists_namespace(c.spec, spec::NamespaceType::Mount);
  ctx.runtime_mount_ns = rootfs::mount_namespace_of_self();
  ctx.overlay_rootfs = overlay.enabled;
  if (!overlay.dir.empty()) {
    ctx.overlay_dir = overlay.dir + "/" + o.id;
    ctx.overlay_dir_claimed = &*overlay_claimed;
  }
  ctx.new_keyring = !o.no_new_keyring;
  ctx.preserve_fds = o.listen_fds + o.preserve_fds;
  ctx.plan = &plan;
  if (plan.init_makes_time_ns) ctx.time_offsets = &c.spec.linux_->timeOffsets;
  ctx.namespaces = &namespaces;
  cgroups::V1SelfPlacement v1_placement;
  std::optional<OtherCpu> other_cpu;
  if (plan.cgroups_after_clone) {
    ctx.cgroup_after_clone = &cgroup;
    if (other_cpu.emplace(); other_cpu->active()) ctx.other_cpu = &*other_cpu;
  } else {
    v1_placement = cgroup.v1_self_placement();
  }
  if (!v1_placement.empty()) ctx.v1_placement = &v1_placement;
  ctx.sync = &init_end;
  ctx.listen_fd = listen.get();
  // The init waits for start under the filter (exec_process.cpp): it
  // rehearses that wait before Ready.
  if (listen && filter && c.spec.process && !c.spec.process->noNewPrivileges) {
    queue_start_wait_rehearsal(c.dir.fd());
    ctx.rehearse_start_wait = true;
  }
  ctx.console_socket_fd = inputs.console.child.get();
  ShowOutputOnFailure show_output(c.stdio_pipes);
  if (plan.stdio.pipes) {
    c.stdio_pipes.emplace(process::make_stdio_pipes());
    for (int i = 0; i < 3; ++i) ctx.stdio[i] = c.stdio_pipes->child[i].get();
  }
  ctx.seccomp_listener_fd = inputs.seccomp_agent.get();
  if (filter) ctx.seccomp_program = &filter->program;
  ctx.last_cap = process::kernel_last_cap();
  ctx.bind_trees = inputs.bind_trees.fds();
  ctx.config_mounts = config.config_mounts;
  ctx.rootfs_tree = inputs.rootfs_tree.tree.get();
  ctx.dumpable_until_mapped = g.unprivileged && plan.write_id_maps;
  // The value is ours for the clone, and inherited, where the init could
  // not write it: a rootless runtime (not root, or root of a user namespace
  // of its own) may find the init's /proc/self files root's once the init
  // is not dumpable; and in a user namespace, made or joined, a value below
  // the caller's floor (oom_score_adj_min: containerd raises its shims to 1,
  // dockerd --userns-remap asks for 0) needs CAP_SYS_RESOURCE in the host's
  // user namespace, which the init has left (found by review: every Docker
  // container with --userns-remap failed). runc writes it before its init
  // enters any namespace.
  std::optional<process::LentOomScoreAdj> oom_lent;
  if ((g.unprivileged || plan.become_userns_root) && c.spec.process && c.spec.process->oomScoreAdj) {
    oom_lent.emplace(*c.spec.process->oomScoreAdj);
    ctx.oom_score_adj_inherited = true;
  }
  ctx.close_at_entry = {c.dir.fd(),
                        runtime_end.fd(),
                        cgroup.clone_into_fd(),
                        -1,
                        cgroups::root_fd_held(),
                        cgroup.systemd_bus_fd(),
                        pidfd_socket.get(),
                        cgroup.v1_claim_fd(),
                        namespaces.own_time_ns.get(),
                        namespaces.own_pid_ns.get()};

  LaunchRequest req;
  req.what = "the container init";
  req.clone_flags = plan.clone_flags;
  req.cgroup_fd = cgroup.clone_into_fd();
  req.entry = container_init_entry;
  req.arg = &ctx;
  req.child_end = &init_end;
  req.place = [&cgroup, &owner](pid_t pid, bool in_cgroup) {
    cgroup.add_process(pid, in_cgroup, cgroup.moves_itself_into_v1());
    if (cgroup.systemd()) cgroups::mark_owner(cgroup.paths(), owner);
  };
  if (plan.write_id_maps) {
    req.id_maps = &*c.spec.linux_;
    req.after_id_maps = [&](pid_t pid) {
      // Before the init goes on: in its user namespace from birth, it holds
      // none of the host's capabilities that raised limits and the I/O
      // priority need (runc sets the limits from outside alike).
      if (c.spec.process) process::apply_from_outside_user_namespace(*c.spec.process, pid);
      if (!inputs.idmap_after_maps.empty())
        idmap_with_container_userns(pid, c.spec, inputs.idmap_after_maps, inputs.bind_trees);
      if (inputs.rootfs_tree.after_maps) idmap_rootfs_with_container_userns(pid, inputs.rootfs_tree.tree.get());
    };
  }
  req.release_after_placement = plan.wait_for_placement;
  req.child_waits_for_placement = &ctx.placed_after_clone;
  req.dumpable_child = ctx.dumpable_until_mapped;
  if (plan.join_before_clone_in_helper) {
    ctx.joined_before_clone = true;
    req.join_in_helper = [&ctx] { join_namespaces_before_clone(ctx); };
  }
  // The init reads procfs from its first steps, and so do we after the
  // clone: one instance for both, inherited.
  procfs::open_shared_root();
  CwdForClone cwd(bundle);
  ctx.close_at_entry[3] = cwd.runtime_cwd();
  // The init's first phase counts from here: the clone alone, not the steps above.
  phase_mark("clone_call");
  std::optional<LaunchedChild> launched;
  try {
    launched.emplace(launch(req, runtime_end));
  } catch (...) {
    // Our caller (a library user too) keeps its own namespaces (and, by
    // CwdForClone, its cwd) when the launch fails; the launch's error is the
    // one to report.
    try {
      ns::return_to_own_namespaces(namespaces);
    } catch (const Error&) {}
    rethrow_launch_error(namespaces);
  }
  LaunchedChild& init = *launched;
  ns::return_to_own_namespaces(namespaces);
  oom_lent.reset();
  phase_mark("cloned");
  try {
    // Before anything lets the init go on to its execve.
    if (rdt) with_context("linux.intelRdt", [&] { resctrl::add(*rdt, init.pid()); });
    if (ctx.other_cpu) ctx.other_cpu->push_off_our_cpu(init.pid());
    cwd.restore();
    if (plan.runtime_makes_sealed_view) {
      // Made while the init starts, which then only switches to it.
      process::SealedViewForChild view = process::sealed_view_for_child();
      const int fds[] = {view.file.get(), view.mount};
      const size_t nfds = !view.file ? 0 : view.mount < 0 ? 1 : 2;
      runtime_end.send_to_waiting_peer(SyncMsg::SealedView, view.offer, std::span<const int>(fds, nfds));
      process::release_view_sent_to_child();
    }
    if (plan.cgroups_after_clone) {
      make_cgroups_after_clone(cgroup, plan, owner, runtime_end, st);
      // After the send: an init already waiting for CgroupsMade (its rootfs
      // set up) never waits for the config too.
      save_config();
    }
    fault_point("create-after-placement");
    listen.reset();
    inputs.close_handed_to_init();
    if (c.stdio_pipes)
      for (UniqueFd& end : c.stdio_pipes->child) end.reset();
    v1_placement = {};

    // 6. The handshake: state for the init's hooks, the runtime's hooks, Ready.
    st.pid = init.pid();
    if (plan.send_state) runtime_end.send_to_waiting_peer(SyncMsg::State, hook_state(st, Status::Creating));
    // `run` with no runtime step (InitPlan::runtime_step): recorded running and released now, while
    // the init still sets up, so it finds Start queued when it is ready rather
    // than waiting for us to wake on its Ready, record and answer
    // (InitPlan::start_before_ready). A run killed before this send leaves a
    // container that is stopped (its init dies with us), one killed after it
    // a running one; never a program running under a "creating" record.
    if (plan.start_before_ready) {
      record_init_start_time(st, init.pid());
      if (plan.init_unsealed_until_exec) st.extra[kUnsealedInitKey] = process::own_binary_identity();
      st.status = Status::Running;
      c.dir.write_state(st);
      fault_point("run-after-running-state");
      runtime_end.send_to_waiting_peer(SyncMsg::Start);
      c.init_released = true;
    }
    serve_init_until_ready(runtime_end, c.spec, config.config_mounts, st, init.pid(), plan);
  } catch (const PeerExitedError&) {
    explain_init_exit(init, cgroup);
  }
  phase_mark("init_ready");

  // 7. Record it as created; from here the init and the cgroups outlive this process.
  fault_point("create-after-ready");
  if (!c.init_released) {
    record_init_start_time(st, init.pid());
    st.status = Status::Created;
  }
  // Before the pid file: a send that fails leaves no pid file naming the
  // init it kills.
  if (pidfd_socket) send_pidfd(pidfd_socket.get(), init.pidfd(), "standard", o.pidfd_socket);
  if (pid_file) pid_file->write(init.pid());
  if (start == StartFollows::Later) {
    c.dir.write_state(st);
    // Only now may the init outlive us (SyncMsg::Recorded). An init that
    // died meanwhile has closed its end: the record finds it stopped.
    try {
      runtime_end.send(SyncMsg::Recorded);
    } catch (const Error& e) {
      if (e.code() != EPIPE && e.code() != ECONNRESET) throw;
    }
  }
  c.pidfd = init.release();
  if (start == StartFollows::Now) c.init_channel = std::move(runtime_end);
  fault_point("create-after-created-state");
  phase_mark("created");
  guard.commit();
  cgroup.disown();
  if (rdt_made) rdt_made->keep();
  return c;
}

ContainerState new_container_state(const std::string& id, const std::string& bundle, const std::string& rootfs,
                                   const spec::Spec& spec) {
  ContainerState st;
  st.id = id;
  st.status = Status::Creating;
  st.bundle = bundle;
  st.rootfs = rootfs;
  st.annotations = spec.annotations;
  st.created = rfc3339_now_nanos();
  st.owner = ::getuid();
  return st;
}

void make_resctrl_groups(const resctrl::Groups& groups, const spec::IntelRdt& rdt, std::optional<resctrl::Undo>& undo) {
  const bool made = with_context("linux.intelRdt", [&] { return resctrl::make(groups, rdt); });
  undo.emplace(groups, made);
}

void record_cgroup_parents_before_making(cgroups::Manager& cgroup, ContainerState& st, const ContainerDir& dir) {
  cgroup.record_parents_with([&st, &dir](const std::string& cgroup_state) {
    st.cgroupPath = cgroup_state;
    with_context("record the parents it is about to make in state.json", [&] { dir.write_state(st); });
  });
}

spec::Spec load_saved_config(const ContainerDir& dir) {
  std::string path = dir.path() + "/" + kSavedConfigName;
  return spec::parse_config(read_regular_file_at(dir.fd(), kSavedConfigName, kMaxStateFileReadSize, path), path);
}

void check_saved_config_fits(const std::string& text, const std::string& path) {
  check_fits_state_file_size("the rewritten " + path, text.size());
}

bool recorded_without_hooks(const ContainerState& state) {
  auto it = state.extra.find(kHooksKey);
  return it != state.extra.end() && it->second == "none";
}

spec::Hooks load_saved_hooks(const ContainerDir& dir, const ContainerState& state) {
  // Read and checked by the flat reader, the 2.2 KB config still cost start
  // and delete four syscalls and 25 us (issue #16).
  if (recorded_without_hooks(state)) return {};
  std::string path = dir.path() + "/" + kSavedConfigName;
  std::string text = read_regular_file_at(dir.fd(), kSavedConfigName, kMaxStateFileReadSize, path);
  // Most configs have no hooks, and a full parse into a spec::Spec costs
  // start and delete 37 us even warm (the benchmark's 2.2 KB config; the
  // flat reader: 2 us). The flat reader validates the JSON and lists its
  // top-level members without building the rest; a config with hooks, or
  // one it refuses, goes through the full parser, whose errors name the
  // JSON path.
  json_flat::Members top;
  if (json_flat::parse_object(text, top) == json_flat::Result::Ok && !json_flat::find(top, "hooks")) return {};
  return spec::parse_config(text, path).hooks;
}

void create_container(const GlobalOptions& g, const CreateOptions& o) {
  with_context("create container " + quote(o.id), [&] { create_to_start_barrier(g, o, false); });
}

}  // namespace hull
