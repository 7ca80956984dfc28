// hull restore: a new container from CRIU's images. Set up like create (the
// state dir, the saved config, the cgroups with their limits), then CRIU
// restores the process tree into that cgroup and the restored init is
// recorded as the container's, running.
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdlib>
#include <functional>
#include <optional>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/procfs.hpp"
#include "cgroups/cgroup_manager.hpp"
#include "cgroups/ownership.hpp"
#include "cgroups/resctrl.hpp"
#include "process/hooks.hpp"
#include "process/terminal.hpp"
#include "process/terminal_proxy.hpp"
#include "rootfs/bind_trees.hpp"
#include "rootfs/mount_options.hpp"
#include "rootfs/safe_path.hpp"
#include "runtime/container_setup.hpp"
#include "runtime/create_inputs.hpp"
#include "runtime/criu.hpp"
#include "runtime/criu_args.hpp"
#include "runtime/criu_images.hpp"
#include "runtime/launcher.hpp"
#include "runtime/operations.hpp"
#include "runtime/owned_cgroup.hpp"
#include "runtime/paths_below_the_rootfs.hpp"
#include "runtime/pid_file.hpp"
#include "runtime/signal_forwarder.hpp"
#include "runtime/unix_socket.hpp"
#include "spec/validate.hpp"

namespace hull {

namespace {

constexpr const char* kCriuPidFile = "criu-restore.pid";

// CRIU wants its --root to be a mount point whose parent is not overmounted:
// the rootfs bind-mounted on a directory in the state dir (runc does the
// same), unmounted and removed once CRIU is done.
class CriuRoot {
 public:
  CriuRoot(const std::string& state_dir, const std::string& rootfs) : path_(state_dir + "/" + kCriuRootName) {
    if (::mkdir(path_.c_str(), 0700) < 0) throw_errno("create the CRIU root directory " + path_);
    if (::mount(rootfs.c_str(), path_.c_str(), nullptr, MS_BIND | MS_REC, nullptr) < 0) {
      int e = errno;
      ::rmdir(path_.c_str());
      errno = e;
      throw_errno("bind-mount the rootfs " + rootfs + " on " + path_ + " for CRIU");
    }
  }
  CriuRoot(const CriuRoot&) = delete;
  CriuRoot& operator=(const CriuRoot&) = delete;
  ~CriuRoot() {
    ::umount2(path_.c_str(), MNT_DETACH);
    ::rmdir(path_.c_str());
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The restored init's pid, from the file CRIU wrote.
pid_t restored_pid(const std::string& path) {
  std::string text = read_file(path);
  char* end = nullptr;
  long pid = std::strtol(text.c_str(), &end, 10);
  if (pid <= 0 || pid > INT_MAX || (end && *end != '\0' && *end != '\n'))
    throw Error("criu restore wrote no pid to " + path + ": " + quote(text));
  return static_cast<pid_t>(pid);
}

// The terminal of a restored process.terminal container. CRIU's command line
// has no --orphan-pts-master (the RPC's way to make a new pty for it and pass
// the master back, as runc asks), so hull restores with --shell-job, where
// CRIU gives the restored process the terminal on CRIU's own stdin, and
// mounts that terminal's slave on /dev/console (an external mount):
//  - with --console-socket, a new pty from the host's /dev/ptmx: its slave is
//    CRIU's stdin, its master goes over the socket once CRIU is done (runc
//    sends the new master over the console socket too);
//  - else with --shell-job, hull's own stdin, which must be a terminal (the
//    caller's, as `runc restore --shell-job` hands it on);
//  - else attached, a new pty as with --console-socket, whose master hull
//    keeps and relays to its own stdio until the container exits (runc
//    relays the pty CRIU makes the same way), as `hull run` does.
struct RestoredConsole {
  UniqueFd socket;       // the connected --console-socket
  bool relayed = false;  // attached without either: hull relays the master
  UniqueFd master;
  UniqueFd slave;    // CRIU's stdin; empty: hull's own stdin
  std::string path;  // the slave as hull (and CRIU) can open it
};

std::string fd_path(int fd) {
  char target[PATH_MAX];
  std::string link = "/proc/self/fd/" + std::to_string(fd);
  ssize_t n = ::readlink(link.c_str(), target, sizeof target - 1);
  if (n < 0) throw_errno("readlink " + link);
  return std::string(target, static_cast<size_t>(n));
}

RestoredConsole restored_console(const RestoreOptions& o, const spec::Spec& spec, const std::string& bundle) {
  RestoredConsole c;
  c.relayed = o.console_socket.empty() && !o.criu.shell_job && !o.detach;
  if (!o.console_socket.empty() || c.relayed) {
    // Connected first: a wrong socket fails the restore before CRIU runs.
    if (!c.relayed) c.socket = connect_unix(path_in_bundle(o.console_socket, bundle), "console socket");
    int master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0) throw_errno("open a pty for the restored console: /dev/ptmx");
    c.master.reset(master);
    if (::unlockpt(master) < 0) throw_errno("open a pty for the restored console: unlock it");
    int slave = ::ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave < 0) throw_errno("open a pty for the restored console: its slave");
    c.slave.reset(slave);
    // As create gives the container's console to its user.
    uid_t owner = spec.process->user.uid;
    if (owner != 0 && ::fchown(slave, owner, static_cast<gid_t>(-1)) < 0)
      throw_errno("open a pty for the restored console: give it to uid " + std::to_string(owner));
    c.path = fd_path(slave);
    return c;
  }
  if (!o.criu.shell_job)
    throw Error(
        "restore a terminal container: give --console-socket to receive its new pty master, or --shell-job to hand "
        "it this terminal, or restore it attached (without --detach) for hull to relay its terminal");
  // All of the job's stdio becomes this fd: a read-only one (`< /dev/pts/N`)
  // would leave it unable to write.
  int mode = ::fcntl(STDIN_FILENO, F_GETFL);
  if (!::isatty(STDIN_FILENO) || mode < 0 || (mode & O_ACCMODE) != O_RDWR)
    throw Error(
        "restore a terminal container: --shell-job hands on stdin, which is not a terminal open for reading and "
        "writing");
  c.path = fd_path(STDIN_FILENO);
  return c;
}

// CRIU mounts the config's mounts back on their mount points but makes
// none: in a fresh rootfs (a new container's snapshot, as containerd
// restores into) one may be missing, e.g. /etc/hosts or /run. Made inside
// the root as create makes them: a bind mount's as a file or a directory as
// its source is, any other's as a directory; none below another config
// mount that is not a bind (a tmpfs, proc, ...: that file system, restored
// first, holds its own), as runc prepares them before its restore.
void make_mount_points(const spec::Spec& spec, const std::string& bundle, const std::string& rootfs) {
  auto is_bind = [](const spec::Mount& m) {
    return m.type.value_or("") == "bind" || rootfs::parse_mount_options(m.options).bind();
  };
  auto below_a_file_system = [&](const std::string& dest) {
    for (const spec::Mount& other : spec.mounts) {
      std::string parent = rootfs::clean_path("/" + other.destination);
      if (is_bind(other) || parent == dest) continue;
      if (parent == "/" || dest.starts_with(parent + "/")) return true;
    }
    return false;
  };
  UniqueFd root = open_fd(rootfs, O_PATH | O_DIRECTORY);
  for (const spec::Mount& m : spec.mounts) {
    std::string dest = rootfs::clean_path("/" + m.destination);
    if (dest == "/" || below_a_file_system(dest)) continue;
    rootfs::NodeKind kind = rootfs::NodeKind::Directory;
    if (is_bind(m)) {
      struct stat st {};
      const std::string source = path_in_bundle(m.source.value_or(""), bundle);
      if (source.empty() || ::stat(source.c_str(), &st) < 0) continue;  // CRIU says what is missing
      if (!S_ISDIR(st.st_mode)) kind = rootfs::NodeKind::File;
    }
    with_context("create the mount point " + dest + " in " + rootfs,
                 [&] { rootfs::create_in_root(root.get(), dest, kind); });
  }
}

// The namespaces the config joins by path, for CRIU (criu_args.hpp):
// network and pid open here, handed to CRIU under their keys; the others
// joined by path. Checked before anything is made.
struct JoinedNamespaces {
  std::vector<UniqueFd> open;
  std::vector<std::pair<int, std::string>> inherit_fds;
  std::vector<std::pair<std::string, std::string>> join;
  std::vector<int> fds() const {
    std::vector<int> out;
    for (const UniqueFd& fd : open) out.push_back(fd.get());
    return out;
  }
};

JoinedNamespaces joined_namespaces(const spec::Spec& spec, const std::string& config_path) {
  JoinedNamespaces out;
  if (!spec.linux_) return out;
  const std::vector<spec::Namespace>& all = spec.linux_->namespaces;
  for (size_t i = 0; i < all.size(); ++i) {
    if (!all[i].path) continue;
    const std::string& path = *all[i].path;
    std::string where = config_path + ": .linux.namespaces[" + std::to_string(i) + "].path " + quote(path);
    if (std::string key = criu_namespace_key(all[i].type); !key.empty()) {
      UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
      if (!fd) throw_errno(where + ": open the namespace to restore into");
      out.inherit_fds.emplace_back(fd.get(), key);
      out.open.push_back(std::move(fd));
      continue;
    }
    out.join.emplace_back(criu_join_namespace(all[i].type, where), path);
  }
  return out;
}

// Undoes a half-restored container: its processes (CRIU may have left the
// tree when it failed late), the cgroups and the state dir.
class RestoreGuard {
 public:
  explicit RestoreGuard(ContainerDir& dir) : dir_(dir) {}
  ~RestoreGuard() {
    if (committed_) return;
    try {
      if (cgroup_) cgroup_->kill_all(SIGKILL);
    } catch (...) {}
    try {
      if (cgroup_) cgroup_->destroy();
    } catch (...) {}
    try {
      dir_.remove();
    } catch (...) {}
  }
  void watch(cgroups::Manager* cgroup) { cgroup_ = cgroup; }
  void commit() { committed_ = true; }

 private:
  ContainerDir& dir_;
  cgroups::Manager* cgroup_ = nullptr;
  bool committed_ = false;
};

struct Restored {
  std::optional<ContainerDir> dir;
  ContainerState state;
  UniqueFd relayed_master;  // RestoredConsole::relayed: the new pty's master
};

// The time namespace of a /proc entry ("self", a pid) as its link reads
// ("time:[4026531834]"); "" on a kernel without time namespaces.
std::string time_namespace_of(const std::string& process) {
  try {
    return procfs::read_link(process + "/ns/time");
  } catch (const Error& e) {
    if (e.code() == ENOENT) return "";
    throw;
  }
}

// CRIU (3.14 and later) restores the tree into a time namespace of its own,
// so that its monotonic and boot-time clocks go on from the dump's. Where
// the config has none, the saved config gets one, as runc records it: an
// exec then joins it with the container's other namespaces.
void record_criu_time_namespace(const ContainerDir& dir, const std::string& config_text, pid_t init) {
  const std::string ours = time_namespace_of("self");
  if (ours.empty() || time_namespace_of(std::to_string(init)) == ours) return;
  // nlohmann::json, as update rewrites the saved config (keys sorted): an
  // ordered_json parser would be one more of the library's parsers in the
  // binary, tens of KiB.
  nlohmann::json config = nlohmann::json::parse(config_text);
  config["linux"]["namespaces"].push_back({{"type", "time"}});
  const std::string text = config.dump();
  check_saved_config_fits(text, dir.path() + "/" + kSavedConfigName);
  write_file_atomic(dir.fd(), kSavedConfigName, text);
}

Restored restore_locked(const GlobalOptions& g, const RestoreOptions& opts) {
  RestoreOptions o = opts;
  criu_cgroups_mode(o.criu.manage_cgroups_mode);  // a bad flag is refused before anything is made
  for (const std::string& ns : o.criu.empty_ns) criu_empty_ns(ns);
  resolve_criu_dirs(o.criu, false);
  // A file there is "not a directory", not access's "permission denied".
  struct stat image_dir {};
  if (::stat(o.criu.image_path.c_str(), &image_dir) == 0 && !S_ISDIR(image_dir.st_mode))
    throw_errno(ENOTDIR, "the image path " + o.criu.image_path);
  if (::access(o.criu.image_path.c_str(), R_OK | X_OK) < 0) throw_errno("the image path " + o.criu.image_path);
  if (!o.criu.work_path.empty()) resolve_criu_dirs(o.criu, true);
  std::vector<std::pair<int, std::string>> pipes;
  std::string descriptors = o.criu.image_path + "/" + kDescriptorsFile;
  if (::access(descriptors.c_str(), F_OK) == 0) pipes = inherited_pipes(read_file(descriptors), descriptors);

  std::string bundle = resolve_bundle(o.bundle);
  std::string config_path = bundle + "/config.json";
  std::string config_text = read_file(config_path, spec::kMaxConfigSize);
  spec::Spec spec = spec::parse_config(config_text, config_path);
  read_destinations_below_the_rootfs(spec, config_text, bundle);
  spec::validate_for_create(spec, config_path);
  JoinedNamespaces namespaces = joined_namespaces(spec, config_path);
  std::string rootfs = resolve_rootfs(spec, bundle);
  read_sources_below_the_rootfs(spec, bundle, rootfs);
  cgroups::Manager cgroup = cgroups::Manager::plan(&*spec.linux_, o.id, g.systemd_cgroup);
  cgroup.set_unit_annotations(spec.annotations);
  cgroup.keep_device_filters_in(StateStore(g.root).device_filter_cache());
  std::optional<resctrl::Groups> rdt;
  if (spec.linux_->intelRdt) rdt = resctrl::plan_new_container(*spec.linux_->intelRdt, o.id);
  std::optional<PidFile> pid_file;
  if (!o.pid_file.empty()) pid_file.emplace(o.pid_file);
  std::optional<RestoredConsole> console;
  if (criu_terminal(spec)) {
    console.emplace(restored_console(o, spec, bundle));
    o.criu.shell_job = true;  // the pty's master is outside the images
  }

  Restored r;
  r.dir.emplace(StateStore(g.root).create(o.id));
  ContainerDir& dir = *r.dir;
  RestoreGuard guard(dir);
  ContainerState& st = r.state;
  st = new_container_state(o.id, bundle, rootfs, spec);
  st.cgroupPath = cgroup.to_state();
  if (rdt) rdt->record(st.extra);
  dir.write_state(st);
  record_cgroup_parents_before_making(cgroup, st, dir);
  write_file_atomic(dir.fd(), kSavedConfigName, config_text);
  std::optional<resctrl::Undo> rdt_made;
  if (rdt) make_resctrl_groups(*rdt, *spec.linux_->intelRdt, rdt_made);

  // The cgroups with the config's limits, CRIU inside them: what it
  // restores starts there, under the container's limits (as runc does).
  // Strict: CRIU makes the container's cgroups itself (it aborts on one
  // that exists) and runs outside them; hull makes only their parents now,
  // and when CRIU has moved the restored tree in, before it resumes
  // ("post-restore", whose failure aborts the restore), marks them the
  // container's and writes the config's limits and device rules.
  const bool strict = criu_cgroups_mode(o.criu.manage_cgroups_mode) == "strict";
  if (strict) {
    cgroup.create_parents();
  } else {
    cgroup.create();
  }
  guard.watch(&cgroup);
  // A systemd scope, and so its cgroup, appears only when CRIU is put in it:
  // marked by CRIU's process once in it (below), as create marks it once the
  // init is in it, so a restore killed meanwhile leaves it to delete --force.
  const std::string owner = cgroup_owner_tag(dir);
  if (!strict && !cgroup.systemd()) cgroups::mark_owner(cgroup.paths(), owner);
  st.cgroupPath = cgroup.to_state();

  make_mount_points(spec, bundle, rootfs);
  RestoreTarget t;
  std::optional<CriuRoot> root;
  root.emplace(dir.path(), rootfs);
  t.root = root->path();
  t.pid_file = dir.path() + "/" + kCriuPidFile;
  t.config = criu_config_file(spec);
  t.cgroup_roots = criu_cgroup_roots(cgroup.paths(), cgroups::Host::current());
  t.mounts = restore_external_mounts(spec, bundle, console ? console->path : "");
  std::vector<ExternalMount> cgroup_binds = cgroup_external_mounts(spec, cgroup.paths(), true);
  t.mounts.insert(t.mounts.end(), cgroup_binds.begin(), cgroup_binds.end());
  t.inherit_fds = pipes;
  t.inherit_fds.insert(t.inherit_fds.end(), namespaces.inherit_fds.begin(), namespaces.inherit_fds.end());
  t.join_namespaces = namespaces.join;
  // runc's hooks of a restore: prestart and createRuntime when CRIU has made
  // the namespaces ("setup-namespaces", before the restored tree runs), with
  // the restored init's pid in the state; poststop later, on delete, from
  // the saved config. No createContainer, startContainer or poststart (runc
  // 1.1 runs none on restore).
  std::optional<CriuActions> actions;
  const spec::Hooks& hooks = spec.hooks;
  std::vector<std::string> wanted;
  bool adopted = false;
  if (!hooks.prestart.empty() || !hooks.createRuntime.empty()) wanted.emplace_back("setup-namespaces");
  if (strict) wanted.emplace_back("post-restore");
  if (!wanted.empty()) {
    actions.emplace(dir.path(), wanted, [&](const std::string& action, pid_t init) {
      if (action == "post-restore") {
        cgroup.adopt_created();
        cgroups::mark_owner(cgroup.paths(), owner);
        st.cgroupPath = cgroup.to_state();
        adopted = true;
        return;
      }
      std::string state = to_restore_hook_state_json(st, init);
      process::run_hooks(hooks.prestart, "prestart", state, process::HookFailure::Fail, st.bundle);
      process::run_hooks(hooks.createRuntime, "createRuntime", state, process::HookFailure::Fail, st.bundle);
    });
    t.action_script = actions->script();
  }
  std::function<void()> enter_cgroups;
  if (!strict)
    enter_cgroups = [&] {
      cgroup.add_process(::getpid());
      if (cgroup.systemd()) cgroups::mark_owner(cgroup.paths(), owner);
    };
  const std::string criu_log = criu_log_path(o.criu, kRestoreLog, t.config.log_file, t.config.work_dir);
  try {
    run_criu(g.criu, criu_restore_args(o, t), criu_log, enter_cgroups,
             console && console->slave ? console->slave.get() : -1, actions ? &*actions : nullptr, namespaces.fds());
  } catch (...) {
    remove_criu_cgroup_yard(criu_work_dir(o.criu, t.config.work_dir), criu_log);
    throw;
  }
  actions.reset();
  root.reset();
  // Never a restored container without its limits and device rules.
  if (strict && !adopted)
    throw Error("CRIU's strict restore made no cgroup that hull could take: its post-restore action never ran");

  st.pid = restored_pid(t.pid_file);
  ::unlink(t.pid_file.c_str());
  auto stat = read_proc_stat(st.pid);
  if (!stat) throw Error("the restored init exited right after the restore");
  st.initStartTime = stat->start_time;
  st.status = Status::Running;
  if (!spec::lists_namespace(spec, spec::NamespaceType::Time)) record_criu_time_namespace(dir, config_text, st.pid);
  // As runc: the restored processes join the resctrl groups once CRIU has
  // made them (it knows nothing of resctrl), every thread of every process
  // the cgroup holds.
  if (rdt)
    with_context("linux.intelRdt", [&] {
      std::vector<pid_t> pids = cgroup.pids();
      if (pids.empty()) pids.push_back(st.pid);
      resctrl::add_threads(*rdt, pids);
    });
  if (console && console->socket) {
    with_context("send the pty master to the console socket",
                 [&] { process::send_fd(console->socket.get(), console->master.get(), console->path); });
  }
  if (console && console->relayed) r.relayed_master = std::move(console->master);
  // State first, then the pid file, as runc: whoever sees the pid file
  // (an attached restore's caller has nothing else to wait on) finds the
  // container running.
  dir.write_state(st);
  if (pid_file) pid_file->write(st.pid);
  guard.commit();
  cgroup.disown();
  if (rdt_made) rdt_made->keep();
  return r;
}

}  // namespace

int restore_container(const GlobalOptions& g, const RestoreOptions& o) {
  return with_context("restore container " + quote(o.id), [&]() -> int {
    validate_new_container_id(o.id);
    // Attached, hull waits for the restored init like `run` does; orphans of
    // the container come to hull too, unless --no-subreaper (runc's rule).
    const bool subreaper = !o.detach && !o.no_subreaper;
    if (subreaper) become_child_subreaper();
    Restored r = restore_locked(g, o);
    if (o.detach) return 0;
    // CRIU restored the init as its sibling: a child of hull, waited on here.
    int raw = static_cast<int>(::syscall(SYS_pidfd_open, r.state.pid, 0));
    if (raw < 0) throw_errno("pidfd_open " + std::to_string(r.state.pid));
    UniqueFd pidfd(raw);
    SignalForwarder forwarder;
    if (subreaper) forwarder.reap_orphans_but(r.state.pid);
    r.dir.reset();  // unlocked while it runs, so other commands can act on it
    const std::string what = "container " + quote(o.id);
    if (r.relayed_master)
      process::proxy_terminal(r.relayed_master, {0, 1, pidfd.get(), forwarder.fd(),
                                                 [&] { return forwarder.forward_pending(pidfd.get(), what); }});
    int code = forwarder.forward_until_exit(pidfd.get(), what);
    delete_own_container(g, r.state, nullptr);
    return code;
  });
}

}  // namespace hull
