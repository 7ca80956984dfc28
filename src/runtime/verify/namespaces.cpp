// Namespaces: each one the config creates differs from hull's own (the host
// reference), one given by path is that one, one the config leaves out is
// hull's own; and the init is pid 1 of its pid namespace.
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <cerrno>
#include <sstream>

#include "base/errno_text.hpp"
#include "base/unique_fd.hpp"
#include "namespaces/namespaces.hpp"
#include "runtime/verify/target.hpp"

namespace hull::verify {

namespace {

constexpr spec::NamespaceType kAll[] = {
    spec::NamespaceType::Mount, spec::NamespaceType::Pid,  spec::NamespaceType::Network, spec::NamespaceType::Uts,
    spec::NamespaceType::Ipc,   spec::NamespaceType::User, spec::NamespaceType::Cgroup,  spec::NamespaceType::Time,
};

// The last field of "NSpid:\t4242\t1": the pid in the innermost namespace.
std::string innermost_pid(const std::string& nspid) {
  std::istringstream in(nspid);
  std::string last;
  for (std::string f; in >> f;) last = f;
  return last;
}

}  // namespace

void check_namespaces(const Target& t, Report& r) {
  const auto& configured = t.linux_section().namespaces;
  for (spec::NamespaceType type : kAll) {
    std::string name = ns::proc_name(type);
    std::string property = std::string("namespace ") + spec::to_string(type);
    std::string mine = read_link("/proc/self/ns/" + name);
    std::string theirs = proc_link(t.pid, "ns/" + name);
    if (theirs.empty()) {
      // A kernel without this namespace type (time before 5.6) has no link.
      if (mine.empty()) continue;
      r.cannot_tell(property, "", "cannot read /proc/" + std::to_string(t.pid) + "/ns/" + name);
      continue;
    }
    const spec::Namespace* n = nullptr;
    for (const auto& c : configured)
      if (c.type == type) n = &c;
    if (n == nullptr) {
      r.check(theirs == mine, property, "host's " + mine, theirs, "the config shares the host's namespace");
    } else if (n->path) {
      // A /proc/PID/ns link or a pinned namespace file (a bind mount of one:
      // containerd's CNI netns, CRI-O's pinns), which readlink cannot read:
      // the same namespace is the same nsfs inode.
      struct stat wanted {
      }, have{};
      const std::string init_link = "/proc/" + std::to_string(t.pid) + "/ns/" + name;
      UniqueFd file(::open(n->path->c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
      if (!file || ::fstat(file.get(), &wanted) < 0)
        r.cannot_tell(property, "path " + *n->path, "cannot open " + *n->path + ": " + errno_text(errno));
      else if (::ioctl(file.get(), NS_GET_NSTYPE) < 0)
        r.cannot_tell(property, "path " + *n->path, *n->path + " is no longer a namespace file (unpinned?)");
      else if (::stat(init_link.c_str(), &have) < 0)
        r.cannot_tell(property, "path " + *n->path, "cannot stat " + init_link + ": " + errno_text(errno));
      else
        r.check(wanted.st_dev == have.st_dev && wanted.st_ino == have.st_ino, property,
                "path " + *n->path + " (" + name + ":[" + std::to_string(wanted.st_ino) + "])", theirs,
                "not the namespace the config names");
    } else {
      r.check(theirs != mine, property, "new", theirs, "it is the host's namespace");
    }
  }
  std::string nspid = innermost_pid(proc_status(t.pid)["NSpid"]);
  bool own_pidns = ns::is_private(configured, spec::NamespaceType::Pid);
  if (own_pidns) r.check(nspid == "1", "init is pid 1", "1", nspid, "the init is not pid 1 of its pid namespace");
}

}  // namespace hull::verify
