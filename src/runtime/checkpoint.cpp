// hull checkpoint: dumps a running (or paused) container with CRIU into an
// image directory, then removes the container as runc does, unless it is to
// keep running (--leave-running, --pre-dump).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <optional>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "rootfs/safe_path.hpp"
#include "runtime/container_setup.hpp"
#include "runtime/criu.hpp"
#include "runtime/criu_args.hpp"
#include "runtime/criu_images.hpp"
#include "runtime/init_pidfd.hpp"
#include "runtime/operations.hpp"

namespace hull {

namespace {

std::string proc_path(pid_t pid, const std::string& rest) { return "/proc/" + std::to_string(pid) + "/" + rest; }

// The masked paths that are files in the container (a directory is masked
// by a tmpfs, which CRIU dumps itself): each is /dev/null bind-mounted, an
// external mount CRIU must be told about. Resolved inside the container's
// root, so a symlink there cannot point the check at the host.
std::vector<std::string> masked_files(const spec::Spec& spec, pid_t pid) {
  std::vector<std::string> out;
  if (!spec.linux_ || spec.linux_->maskedPaths.empty()) return out;
  UniqueFd root = open_fd(proc_path(pid, "root"), O_PATH | O_DIRECTORY);
  for (const std::string& path : spec.linux_->maskedPaths) {
    UniqueFd fd = rootfs::open_in_root(root.get(), path);
    struct stat st {};
    if (!fd || ::fstat(fd.get(), &st) < 0 || S_ISDIR(st.st_mode)) continue;
    out.push_back(path);
  }
  return out;
}

// What fds 0-2 of the init are, for restore to hand the same pipes back.
std::vector<std::string> init_stdio(pid_t pid) {
  std::vector<std::string> fds;
  for (int fd = 0; fd < 3; ++fd) {
    char target[PATH_MAX];
    ssize_t n = ::readlink(proc_path(pid, "fd/" + std::to_string(fd)).c_str(), target, sizeof target - 1);
    fds.emplace_back(n < 0 ? "" : std::string(target, static_cast<size_t>(n)));
  }
  return fds;
}

// The network and pid namespaces the config joins by path, by the inode the
// init is in (the path may name another by now): outside what CRIU saves.
std::vector<std::string> external_namespaces(const spec::Spec& spec, pid_t pid) {
  std::vector<std::string> out;
  if (!spec.linux_) return out;
  for (const spec::Namespace& ns : spec.linux_->namespaces) {
    if (!ns.path || criu_namespace_key(ns.type).empty()) continue;
    std::string path = proc_path(pid, ns.type == spec::NamespaceType::Network ? "ns/net" : "ns/pid");
    struct stat st {};
    if (::stat(path.c_str(), &st) < 0) throw_errno("the container's init is gone: " + path);
    out.push_back(criu_external_namespace(ns.type, st.st_ino));
  }
  return out;
}

// --parent-path names the previous images relative to the image path, as
// runc takes it: refused absolute or missing before CRIU runs.
void check_parent_path(const CheckpointOptions& o) {
  if (o.parent_path.empty()) return;
  if (o.parent_path.starts_with('/'))
    throw Error("invalid --parent-path " + quote(o.parent_path) + ": must be relative to the image path");
  std::string parent = o.criu.image_path + "/" + o.parent_path;
  struct stat st {};
  if (::stat(parent.c_str(), &st) < 0) throw_errno("invalid --parent-path: " + parent);
  if (!S_ISDIR(st.st_mode)) throw_errno(ENOTDIR, "invalid --parent-path: " + parent);
}

}  // namespace

void checkpoint_container(const GlobalOptions& g, const CheckpointOptions& opts) {
  OpenedContainer c = open_container(g, opts.id);
  bool stays = opts.leave_running || opts.pre_dump;
  require_transition(opts.id, c.status, stays ? Operation::CheckpointLeaveRunning : Operation::Checkpoint);
  with_context("checkpoint container " + quote(opts.id), [&] {
    CheckpointOptions o = opts;
    // A bad flag is refused before the image directory is made.
    criu_cgroups_mode(o.criu.manage_cgroups_mode);
    for (const std::string& ns : o.criu.empty_ns) criu_empty_ns(ns);
    if (!o.page_server.empty()) page_server_address(o.page_server);
    // CRIU inherits the fd and writes \0 to it (runc checks it the same way).
    if (o.status_fd >= 0) {
      int flags = ::fcntl(o.status_fd, F_GETFL);
      if (flags < 0) throw_errno("invalid --status-fd " + std::to_string(o.status_fd));
      if ((flags & O_ACCMODE) == O_RDONLY)
        throw Error("invalid --status-fd " + std::to_string(o.status_fd) + ": not open for writing");
    }
    resolve_criu_dirs(o.criu, true);
    check_parent_path(o);
    spec::Spec spec = load_saved_config(c.dir);
    // A terminal container's pty master is outside (with the console
    // socket's receiver): CRIU takes its slave as a shell job's terminal.
    if (criu_terminal(spec)) o.criu.shell_job = true;
    // Held until CRIU is done: the pid cannot be reused under it meanwhile.
    UniqueFd pidfd = open_init_pidfd(c.state);
    if (!pidfd) throw Error("the container's init is gone");

    DumpTarget t;
    t.pid = c.state.pid;
    t.rootfs = c.state.rootfs;
    std::optional<cgroups::Paths> cgroups;
    if (!c.state.cgroupPath.empty()) cgroups = cgroups::Manager::load(c.state.cgroupPath).paths();
    if (cgroups) t.freeze_cgroup = freezer_cgroup(*cgroups);
    if (!o.pre_dump) {
      t.mounts = dump_external_mounts(spec, masked_files(spec, t.pid));
      if (cgroups) {
        std::vector<ExternalMount> binds = cgroup_external_mounts(spec, *cgroups, false);
        t.mounts.insert(t.mounts.end(), binds.begin(), binds.end());
      }
    }
    t.external_namespaces = external_namespaces(spec, t.pid);
    t.config = criu_config_file(spec);
    // Built (and so checked) before anything is written.
    std::vector<std::string> args = criu_dump_args(o, t);
    if (!o.pre_dump) {
      UniqueFd images = open_fd(o.criu.image_path, O_PATH | O_DIRECTORY);
      write_file_atomic(images.get(), kDescriptorsFile, descriptors_json(init_stdio(t.pid)));
    }
    try {
      run_criu(g.criu, args, criu_log_path(o.criu, kDumpLog, t.config.log_file, t.config.work_dir), nullptr, -1,
               nullptr, {}, o.status_fd);
    } catch (const Error&) {
      // A failing CRIU thaws the cgroup it froze (--freeze-cgroup); a killed
      // one (interrupted, or by the OOM killer) cannot: a running container
      // is left running.
      if (cgroups && c.status != Status::Paused) {
        try {
          cgroups::Manager::load(c.state.cgroupPath).thaw();
        } catch (const Error&) {
          // Still frozen: exec and the state say so, and `resume` thaws it.
        }
      }
      throw;
    }
    if (stays) return;
    // CRIU killed the container's processes once they were dumped: what is
    // left is its cgroup and state, removed as delete does.
    destroy_container(c.dir, c.state, spec.hooks);
  });
}

}  // namespace hull
