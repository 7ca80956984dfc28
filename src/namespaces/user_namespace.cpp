#include "namespaces/user_namespace.hpp"

#include <fcntl.h>
#include <linux/sched.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <string>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/procfs.hpp"

namespace hull::ns {
namespace {

std::string map_text(const std::vector<spec::IDMapping>& mappings) {
  std::string text;
  for (const auto& m : mappings)
    text += std::to_string(m.containerID) + " " + std::to_string(m.hostID) + " " + std::to_string(m.size) + "\n";
  return text;
}

// The kernel takes a whole map in one write(2), which write_file does.
void write_map(pid_t pid, const char* file, const char* field, const std::vector<spec::IDMapping>& mappings) {
  std::string path = std::to_string(pid) + "/" + file;
  with_context(std::string("write linux.") + field, [&] { procfs::write(path, map_text(mappings)); });
}

}  // namespace

namespace {

// The one map an unprivileged process may write itself (user_namespaces(7)):
// a single id, its own.
bool is_self_map(const std::vector<spec::IDMapping>& mappings, unsigned own_id) {
  return mappings.size() == 1 && mappings[0].hostID == own_id && mappings[0].size == 1;
}

// newuidmap/newgidmap (setuid root, from the uidmap package) write maps the
// user's /etc/subuid and /etc/subgid ranges allow.
void run_map_helper(const char* helper, pid_t pid, const char* field, const std::vector<spec::IDMapping>& mappings) {
  std::vector<std::string> args{helper, std::to_string(pid)};
  for (const auto& m : mappings) {
    args.push_back(std::to_string(m.containerID));
    args.push_back(std::to_string(m.hostID));
    args.push_back(std::to_string(m.size));
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::string what = std::string("write linux.") + field + " with " + helper;
  pid_t child = 0;
  int err = ::posix_spawnp(&child, helper, nullptr, nullptr, argv.data(), environ);
  if (err != 0) throw_errno(err, what + " (rootless: install the uidmap package, or map only your own id)");
  int status = 0;
  while (::waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) throw_errno(what + ": waitpid");
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw Error(what + ": it failed (are the ids within your ranges in /etc/subuid and /etc/subgid?)");
}

}  // namespace

void write_id_maps(pid_t pid, const std::vector<spec::IDMapping>& uid_mappings,
                   const std::vector<spec::IDMapping>& gid_mappings) {
  if (::geteuid() == 0) {
    write_map(pid, "uid_map", "uidMappings", uid_mappings);
    write_map(pid, "gid_map", "gidMappings", gid_mappings);
    return;
  }
  // Rootless. A self-map needs no helper, a range its helper (so an error
  // names the map that needs one); a gid_map written by the user only once
  // setgroups is denied, or the container's root could drop the user's
  // groups and reach what they deny (CVE-2014-8989).
  if (is_self_map(uid_mappings, ::geteuid()))
    write_map(pid, "uid_map", "uidMappings", uid_mappings);
  else
    run_map_helper("newuidmap", pid, "uidMappings", uid_mappings);
  if (is_self_map(gid_mappings, ::getegid())) {
    with_context("deny setgroups in the container's user namespace",
                 [&] { procfs::write(std::to_string(pid) + "/setgroups", "deny"); });
    write_map(pid, "gid_map", "gidMappings", gid_mappings);
  } else {
    run_map_helper("newgidmap", pid, "gidMappings", gid_mappings);
  }
}

void become_namespace_root() {
  // EINVAL: id 0 has no mapping, so the maps are what to fix.
  auto unmapped = [](const char* maps) {
    return errno == EINVAL ? std::string(" (") + maps + " maps no container id 0)" : std::string();
  };
  if (::setresgid(0, 0, 0) < 0)
    throw_errno("become root of the user namespace: setresgid(0)" + unmapped(".linux.gidMappings"));
  if (::setresuid(0, 0, 0) < 0)
    throw_errno("become root of the user namespace: setresuid(0)" + unmapped(".linux.uidMappings"));
}

UniqueFd make_user_namespace(const std::vector<spec::IDMapping>& uid_mappings,
                             const std::vector<spec::IDMapping>& gid_mappings) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) < 0) throw_errno("make a user namespace for an id-mapped mount: pipe");
  UniqueFd hold(pipe_fds[0]);
  UniqueFd release(pipe_fds[1]);
  clone_args args{};
  args.flags = CLONE_NEWUSER;
  args.exit_signal = SIGCHLD;
  long pid = ::syscall(SYS_clone3, &args, sizeof args);
  if (pid < 0) throw_errno("make a user namespace for an id-mapped mount: clone3");
  if (pid == 0) {
    // Only async-signal-safe calls here: wait until the parent closes its end.
    ::close(pipe_fds[1]);
    char c;
    while (::read(pipe_fds[0], &c, 1) < 0 && errno == EINTR) {}
    ::_exit(0);
  }
  auto reap = [&] {
    release.reset();
    while (::waitpid(static_cast<pid_t>(pid), nullptr, 0) < 0 && errno == EINTR) {}
  };
  try {
    write_id_maps(static_cast<pid_t>(pid), uid_mappings, gid_mappings);
    UniqueFd ns = procfs::open_link_target(std::to_string(pid) + "/ns/user", O_RDONLY);
    reap();
    return ns;
  } catch (...) {
    reap();
    throw;
  }
}

}  // namespace hull::ns
