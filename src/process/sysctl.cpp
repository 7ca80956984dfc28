#include "process/sysctl.hpp"

#include <fcntl.h>
#include <linux/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string_view>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "spec/sysctl_namespace.hpp"

namespace hull::process {
namespace {

// A procfs instance of our own, attached nowhere (fsopen/fsmount). The
// container's /proc/sys is typically read-only by now (readonlyPaths, as
// Docker's default config has it; runc writes sysctls before applying them,
// our rootfs stage applies them before we run), and /proc may not be mounted
// at all. The values land in the same namespaces: sysctl files act on the
// namespaces of the task writing them. Fails (invalid fd) where the kernel
// refuses a new proc mount, e.g. in a user namespace with a partly masked
// /proc; then the container's /proc/sys is used.
UniqueFd private_procfs() {
  int fs = static_cast<int>(::syscall(SYS_fsopen, "proc", FSOPEN_CLOEXEC));
  if (fs < 0) return {};
  UniqueFd fsfd(fs);
  if (::syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) < 0) return {};
  int mnt = static_cast<int>(::syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV));
  return UniqueFd(mnt);
}

}  // namespace

std::string sysctl_path(const std::string& key) {
  std::string path = key;
  if (path.find('/') == std::string::npos)
    for (char& c : path)
      if (c == '.') c = '/';
  for (size_t pos = 0;;) {
    size_t end = path.find('/', pos);
    std::string_view part(path.data() + pos, (end == std::string::npos ? path.size() : end) - pos);
    if (part.empty() || part == "." || part == "..") throw Error("linux.sysctl: malformed key " + quote(key));
    if (end == std::string::npos) break;
    pos = end + 1;
  }
  return "/proc/sys/" + path;
}

void check_sysctls(const spec::Spec& spec) {
  if (!spec.linux_) return;
  for (const auto& [key, value] : spec.linux_->sysctl) {
    sysctl_path(key);
    auto ns = spec::sysctl_namespace(key);
    if (!ns)
      throw Error("linux.sysctl: " + quote(key) +
                  " is not namespaced: setting it would change the host (only kernel.hostname/domainname, "
                  "the IPC keys kernel.msg*/sem/shm*, fs.mqueue.* and net.* are allowed)");
    bool own = false;
    for (const auto& n : spec.linux_->namespaces)
      if (n.type == *ns && !n.path) own = true;
    if (!own)
      throw Error("linux.sysctl: " + quote(key) + " needs a new " + spec::sysctl_namespace_name(*ns) +
                  " namespace (linux.namespaces has none, or joins an existing one by path, whose owner it would change)");
  }
}

void apply_sysctls(const std::map<std::string, std::string>& sysctl) {
  if (sysctl.empty()) return;
  UniqueFd proc = private_procfs();
  // Not a structured binding: clang (the fuzz build) cannot capture one in a lambda before C++20's P1091.
  for (const auto& entry : sysctl) {
    const std::string& key = entry.first;
    const std::string& value = entry.second;
    std::string path = sysctl_path(key);
    with_context("linux.sysctl " + quote(key), [&] {
      UniqueFd fd = proc ? open_at(proc.get(), path.substr(6), O_WRONLY | O_NOFOLLOW) : open_fd(path, O_WRONLY | O_NOFOLLOW);
      write_all(fd.get(), value, path);
    });
  }
}

}  // namespace hull::process
