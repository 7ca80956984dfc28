#include "process/sysctl.hpp"

#include <fcntl.h>
#include <linux/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string_view>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/procfs.hpp"
#include "spec/sysctl_namespace.hpp"

namespace hull::process {

std::string sysctl_path(const std::string& key) {
  std::string path = key;
  // sysctl.d's rule (systemd's sysctl_normalize): a key whose first
  // separator is a dot has its dots and slashes swapped, so a dotted key
  // can name a VLAN interface ("net.ipv4.conf.eth0/100.forwarding" is
  // net/ipv4/conf/eth0.100/forwarding, the form kubelet writes); one whose
  // first separator is a slash is a path already.
  if (size_t first = path.find_first_of("./"); first != std::string::npos && path[first] == '.')
    for (char& c : path) c = c == '.' ? '/' : c == '/' ? '.' : c;
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
                  "the IPC keys kernel.msg*/sem/shm*, fs.mqueue.*, net.* and user.* are allowed)");
    // A joined one is the container's too (the init refuses the one hull
    // runs in), as runc sets a pod's sysctls in the network namespace that
    // containerd made for it.
    bool listed = false;
    for (const auto& n : spec.linux_->namespaces)
      if (n.type == *ns) listed = true;
    if (!listed)
      throw Error("linux.sysctl: " + quote(key) + " needs " + (*ns == spec::NamespaceType::Ipc ? "an " : "a ") +
                  spec::sysctl_namespace_name(*ns) +
                  " namespace of the container's (linux.namespaces has none: it would change the host)");
  }
}

void apply_sysctls(const std::map<std::string, std::string>& sysctl) {
  if (sysctl.empty()) return;
  // Not a structured binding: clang (the fuzz build) cannot capture one in a lambda before C++20's P1091.
  for (const auto& entry : sysctl) {
    const std::string& key = entry.first;
    const std::string& value = entry.second;
    std::string path = sysctl_path(key);
    with_context("linux.sysctl " + quote(key), [&] { procfs::write(path.substr(6), value); });
  }
}

}  // namespace hull::process
