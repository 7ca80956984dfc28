#include <fcntl.h>
#include <linux/sched.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <cstring>

#include "base/clock.hpp"
#include "base/error.hpp"
#include "base/fault.hpp"
#include "base/fs.hpp"
#include "cgroups/cgroup_manager.hpp"
#include "namespaces/namespaces.hpp"
#include "namespaces/user_namespace.hpp"
#include "process/hooks.hpp"
#include "runtime/container_init.hpp"
#include "runtime/pid_file.hpp"
#include "runtime/container_setup.hpp"
#include "spec/validate.hpp"
#include "runtime/start_barrier.hpp"
#include "runtime/sync_channel.hpp"
#include "runtime/systemd_passthrough.hpp"
#include "runtime/unix_socket.hpp"

namespace hull {

namespace {

std::string absolute_dir(const std::string& path, const std::string& what) {
  char buf[PATH_MAX];
  if (!::realpath(path.c_str(), buf)) throw_errno(what + " " + path);
  return buf;
}

std::string resolve_rootfs(const spec::Spec& spec, const std::string& bundle) {
  const std::string& p = spec.root->path;
  return absolute_dir(p.starts_with('/') ? p : bundle + "/" + p, "rootfs");
}

constexpr const char* kOverlayAnnotation = "org.hull.overlay-rootfs";

struct OverlayChoice {
  bool enabled = false;
  std::string dir;  // "" = the state dir
};

// The flag wins over the annotation; clients that cannot add flags (CRI)
// pass the annotation.
OverlayChoice overlay_choice(const CreateOptions& o, const spec::Spec& spec) {
  OverlayChoice c{o.overlay_rootfs, o.overlay_dir};
  if (!o.overlay_dir.empty()) c.enabled = true;
  auto a = spec.annotations.find(kOverlayAnnotation);
  if (!c.enabled && a != spec.annotations.end()) {
    if (a->second == "true") {
      c.enabled = true;
    } else if (a->second.starts_with('/')) {
      c.enabled = true;
      c.dir = a->second;
    } else if (a->second != "false") {
      throw Error(std::string("annotation ") + kOverlayAnnotation + ": expected \"true\", \"false\" or an absolute directory, got " + quote(a->second));
    }
  }
  if (!c.dir.empty() && !c.dir.starts_with('/')) c.dir = absolute_dir(c.dir, "--overlay-dir");
  return c;
}

struct Cloned {
  pid_t pid;
  bool in_cgroup;  // CLONE_INTO_CGROUP placed it in the v2 cgroup
};

// clone3 into the new namespaces (and straight into the container's v2
// cgroup, so not a single page is charged elsewhere); the child runs the init
// and never returns.
Cloned clone_init(uint64_t ns_flags, int cgroup_fd, int& pidfd_out, InitContext& ctx) {
  clone_args args{};
  int pidfd = -1;
  args.flags = CLONE_PIDFD | ns_flags;
  args.pidfd = reinterpret_cast<uint64_t>(&pidfd);
  args.exit_signal = SIGCHLD;
  if (cgroup_fd >= 0) {
    args.flags |= CLONE_INTO_CGROUP;
    args.cgroup = static_cast<uint64_t>(cgroup_fd);
  }
  long pid = ::syscall(SYS_clone3, &args, sizeof args);
  if (pid < 0 && cgroup_fd >= 0 && (errno == EBUSY || errno == EOPNOTSUPP || errno == E2BIG || errno == EINVAL)) {
    // A cgroup the kernel will not clone into (e.g. domain-invalid): place it after.
    args.flags &= ~static_cast<uint64_t>(CLONE_INTO_CGROUP);
    args.cgroup = 0;
    pid = ::syscall(SYS_clone3, &args, sizeof args);
    cgroup_fd = -1;
  }
  if (pid < 0) throw_errno("clone3 the container init");
  if (pid == 0) container_init_main(ctx);
  pidfd_out = pidfd;
  return {static_cast<pid_t>(pid), cgroup_fd >= 0};
}

std::string hook_state(ContainerState st, Status status) {
  st.status = status;
  return to_spec_state_json(st);
}

// Undoes a half-made container: the init (our child) killed and reaped, the
// state dir removed.
class SetupGuard {
 public:
  explicit SetupGuard(ContainerDir& dir) : dir_(dir) {}
  ~SetupGuard() {
    if (committed_) return;
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    try {
      dir_.remove();
    } catch (...) {
    }
  }
  void set_pid(pid_t pid) { pid_ = pid; }
  void commit() { committed_ = true; }

 private:
  ContainerDir& dir_;
  pid_t pid_ = 0;
  bool committed_ = false;
};

}  // namespace

CreatedContainer setup_container(const GlobalOptions& g, const CreateOptions& o, bool attached) {
  validate_container_id(o.id);

  // Validate first: a bad bundle or config never leaves anything behind.
  std::string bundle = absolute_dir(o.bundle, "bundle");
  std::string config_path = bundle + "/config.json";
  std::string config_text = read_file(config_path);
  spec::Spec spec = spec::parse_config(config_text, config_path);
  // Before validation: the mount and env they add are checked like the config's.
  if (!o.notify_socket.empty()) pass_notify_socket(spec, o.notify_socket);
  pass_listen_fds(spec, o.listen_fds, o.listen_fdnames);
  spec::validate_for_create(spec, config_path);
  std::string rootfs = resolve_rootfs(spec, bundle);
  ns::NamespacePlan namespaces = ns::plan_namespaces(spec.linux_->namespaces);
  cgroups::Manager cgroup = cgroups::Manager::plan(&*spec.linux_, o.id, g.systemd_cgroup);

  std::optional<PidFile> pid_file;
  if (!o.pid_file.empty()) pid_file.emplace(o.pid_file);
  OverlayChoice overlay = overlay_choice(o, spec);

  UniqueFd console, console_receiver;
  if (spec.process->terminal) {
    if (!o.console_socket.empty()) {
      console = connect_unix(o.console_socket, "console socket");
    } else if (attached) {
      int sv[2];
      if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) throw_errno("create the console socketpair");
      console_receiver.reset(sv[0]);
      console.reset(sv[1]);
    } else
      throw Error("process.terminal is set but no --console-socket was given: a detached container's terminal needs a console socket to hand the pty to");
  }
  UniqueFd seccomp_agent;
  if (spec.linux_->seccomp && spec.linux_->seccomp->listenerPath)
    seccomp_agent = connect_unix(*spec.linux_->seccomp->listenerPath, "linux.seccomp.listenerPath");

  StateStore store(g.root);
  CreatedContainer c{store.create(o.id), {}, std::move(spec), {}, std::move(console_receiver)};
  SetupGuard guard(c.dir);
  fault_point("create-after-state-dir");

  ContainerState& st = c.state;
  st.id = o.id;
  st.status = Status::Creating;
  st.bundle = bundle;
  st.rootfs = rootfs;
  st.annotations = c.spec.annotations;
  st.created = rfc3339_now_nanos();
  st.owner = ::getuid();
  if (!overlay.dir.empty()) st.extra[kOverlayDirKey] = overlay.dir + "/" + o.id;
  c.dir.write_state(st);
  // exec, update and delete (poststop hooks) use the config the container
  // was created with, even if the bundle changes or goes away.
  write_file_atomic(c.dir.fd(), kSavedConfigName, config_text);
  fault_point("create-after-saved-config");

  cgroup.create();
  fault_point("create-after-cgroup");
  UniqueFd listen = listen_start_socket(c.dir.fd());
  auto [runtime_end, init_end] = SyncChannel::make_pair();
  ns::join_before_clone(namespaces);

  InitContext ctx;
  ctx.spec = &c.spec;
  ctx.bundle = bundle;
  ctx.rootfs = rootfs;
  ctx.state_dir = c.dir.path();
  ctx.id = o.id;
  ctx.no_pivot = o.no_pivot;
  ctx.overlay_rootfs = overlay.enabled;
  if (!overlay.dir.empty()) ctx.overlay_dir = overlay.dir + "/" + o.id;
  ctx.new_keyring = !o.no_new_keyring;
  ctx.preserve_fds = o.listen_fds + o.preserve_fds;
  ctx.has_runtime_hooks = !c.spec.hooks.prestart.empty() || !c.spec.hooks.createRuntime.empty();
  ctx.namespaces = &namespaces;
  ctx.sync = &init_end;
  ctx.listen_fd = listen.get();
  ctx.console_socket_fd = console.get();
  ctx.seccomp_listener_fd = seccomp_agent.get();
  ctx.close_at_entry = {c.dir.fd(), runtime_end.fd(), cgroup.clone_into_fd()};

  uint64_t clone_flags = namespaces.clone_flags;
  // The init waits for its v1 cgroup placement and for its user namespace's id maps.
  const bool new_userns = clone_flags & CLONE_NEWUSER;
  ctx.wait_for_placement = !cgroup.paths().v1.empty() || new_userns;
  ctx.become_userns_root = new_userns || joins_user_namespace(namespaces);
  if ((clone_flags & CLONE_NEWCGROUP) && ctx.wait_for_placement) {
    clone_flags &= ~static_cast<uint64_t>(CLONE_NEWCGROUP);
    ctx.unshare_cgroupns_when_placed = true;
  }
  if ((clone_flags & CLONE_NEWTIME) && !c.spec.linux_->timeOffsets.empty()) {
    clone_flags &= ~static_cast<uint64_t>(CLONE_NEWTIME);
    ctx.time_offsets = &c.spec.linux_->timeOffsets;
  }
  int pidfd = -1;
  Cloned init = clone_init(clone_flags, cgroup.clone_into_fd(), pidfd, ctx);
  pid_t pid = init.pid;
  c.pidfd.reset(pidfd);
  guard.set_pid(pid);
  fault_point("create-after-clone");
  init_end.close();
  listen.reset();
  console.reset();
  seccomp_agent.reset();
  cgroup.add_process(pid, init.in_cgroup);
  if (new_userns) ns::write_id_maps(pid, c.spec.linux_->uidMappings, c.spec.linux_->gidMappings);
  if (ctx.wait_for_placement) runtime_end.send(SyncMsg::Continue);
  fault_point("create-after-placement");
  st.pid = pid;
  st.cgroupPath = cgroup.to_state();
  if (init_needs_state(c.spec)) runtime_end.send(SyncMsg::State, hook_state(st, Status::Creating));

  for (;;) {
    SyncMsg m = runtime_end.receive();
    if (m == SyncMsg::Ready) break;
    if (m != SyncMsg::RuntimeHooks) throw Error(std::string("sync protocol: unexpected ") + to_string(m));
    std::string state = hook_state(st, Status::Creating);
    process::run_hooks(c.spec.hooks.prestart, "prestart", state, process::HookFailure::Fail);
    process::run_hooks(c.spec.hooks.createRuntime, "createRuntime", state, process::HookFailure::Fail);
    runtime_end.send(SyncMsg::Continue);
  }

  fault_point("create-after-ready");
  auto stat = read_proc_stat(pid);
  if (!stat) throw Error("the container init exited right after set-up");
  st.initStartTime = stat->start_time;
  st.status = Status::Created;
  if (pid_file) pid_file->write(pid);
  c.dir.write_state(st);
  fault_point("create-after-created-state");
  guard.commit();
  cgroup.disown();
  return c;
}

spec::Spec load_saved_config(const ContainerDir& dir) {
  std::string path = dir.path() + "/" + kSavedConfigName;
  return spec::parse_config(read_file(path), path);
}

void create_container(const GlobalOptions& g, const CreateOptions& o) {
  with_context("create container " + quote(o.id), [&] { setup_container(g, o, false); });
}

}  // namespace hull
