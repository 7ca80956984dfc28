// cgroup.subtree_control: the controllers the limits need (an error when
// they cannot be had) and, on pure v2, every other one (best effort).
#include "cgroups/subtree_control.hpp"

#include <cerrno>
#include <cstring>

#include "base/error.hpp"
#include "base/log.hpp"
#include "cgroups/cgroupfs.hpp"

namespace hull::cgroups {

namespace {

std::string parent_of(const std::string& dir) { return dir.substr(0, dir.rfind('/')); }

constexpr const char* kNoInternalProcesses =
    "a cgroup other than the root that holds processes cannot have children with controllers (the kernel's "
    "no-internal-process rule), and hull never moves processes it did not start; give a cgroupsPath whose parent "
    "holds no processes (an absolute one, or run hull from a cgroup whose parent is empty, as a systemd scope's is)";

// Why `dir` must not get controllers enabled, or Fit. Enabling a domain
// controller in a cgroup that holds processes fails (EBUSY) only after
// threaded ones (pids, cpuset, perf_event) were accepted, which made it a
// thread root whose domain children refuse processes. The hierarchy's real
// root has no cgroup.type file and is exempt from both rules. The type is
// read first: a threaded cgroup's cgroup.procs cannot be read (EOPNOTSUPP).
enum class Fitness { Fit, HoldsProcesses, NotDomain };
Fitness fitness(const std::string& dir, std::string* type) {
  if (!has_file(dir, "cgroup.type")) return Fitness::Fit;
  *type = read_value(dir, "cgroup.type");
  if (*type != "domain") return Fitness::NotDomain;
  return read_value(dir, "cgroup.procs").empty() ? Fitness::Fit : Fitness::HoldsProcesses;
}

// The mount's root with a cgroup.type is not the hierarchy's root but a
// cgroup namespace's, or a sub-cgroup bound at /sys/fs/cgroup (hull run in a
// container): no cgroupsPath leads above it, so the remedy is another.
constexpr const char* kNoInternalProcessesAtMountRoot =
    "it is the root of this cgroup namespace (or of a /sys/fs/cgroup bound from a sub-cgroup), which the kernel's "
    "no-internal-process rule holds like any cgroup but the hierarchy's own root, and no cgroupsPath leads above "
    "it; move its processes into a child cgroup first (as a docker-in-docker entrypoint moves them to /init): hull "
    "never moves processes it did not start";

// Refuses to change a cgroup that holds processes or is not a plain domain:
// the caller's own cgroup above all.
void check_may_enable(const std::string& dir, const std::string& mount, const std::string& line) {
  std::string type;
  switch (fitness(dir, &type)) {
    case Fitness::Fit: return;
    case Fitness::HoldsProcesses:
      throw Error("enable " + line + " in " + dir + "/cgroup.subtree_control: the cgroup holds processes: " +
                      (dir.size() > mount.size() ? kNoInternalProcesses : kNoInternalProcessesAtMountRoot),
                  EBUSY);
    case Fitness::NotDomain:
      throw Error("enable " + line + " in " + dir + "/cgroup.subtree_control: the cgroup is of type " + quote(type) +
                      ", but a container needs a domain cgroup below a domain parent; give a cgroupsPath outside "
                      "threaded subtrees",
                  EOPNOTSUPP);
  }
}

std::string enable_line(const std::set<std::string>& controllers) {
  std::string line;
  for (const auto& c : controllers) line += (line.empty() ? "+" : " +") + c;
  return line;
}

}  // namespace

void enable_controllers(const std::string& dir, const std::string& mount, const std::set<std::string>& controllers,
                        const Host& host) {
  if (controllers.empty()) return;
  std::set<std::string> enabled = split_words(read_value(dir, "cgroup.subtree_control"));
  std::set<std::string> missing_here;
  for (const auto& c : controllers)
    if (!enabled.count(c)) missing_here.insert(c);
  if (missing_here.empty()) return;
  const std::string line = enable_line(missing_here);
  if (dir.size() > mount.size()) {
    std::set<std::string> offered = split_words(read_value(dir, "cgroup.controllers"));
    std::set<std::string> from_parent;
    for (const auto& c : missing_here)
      if (!offered.count(c)) from_parent.insert(c);
    if (!from_parent.empty()) enable_controllers(parent_of(dir), mount, from_parent, host);
  } else {
    for (const auto& c : missing_here)
      if (!host.v2_available(c))
        throw Error("cgroup v2 controller " + quote(c) + " is not available: " + host.describe());
  }
  check_may_enable(dir, mount, line);
  int err = try_write_value(dir, "cgroup.subtree_control", line);
  if (err == EBUSY)
    throw_errno(err, "write " + line + " to " + dir + "/cgroup.subtree_control: " + kNoInternalProcesses);
  if (err == EPERM || err == EACCES)
    throw_errno(err, "write " + line + " to " + dir +
                         "/cgroup.subtree_control: the cgroup is outside what was delegated to the caller "
                         "(file ownership, or the root of another cgroup namespace under nsdelegate); use a "
                         "cgroupsPath inside the caller's delegated subtree");
  if (err != 0) throw_errno(err, "write " + line + " to " + dir + "/cgroup.subtree_control");
}

std::set<std::string> enable_available_controllers(const std::string& dir, const std::string& mount,
                                                   const std::set<std::string>& wanted) {
  std::set<std::string> enabled = split_words(read_value(dir, "cgroup.subtree_control"));
  std::set<std::string> have, missing;
  for (const auto& c : wanted) (enabled.count(c) ? have : missing).insert(c);
  if (missing.empty()) return have;
  // Before the ancestors: they are changed only for a cgroup that can use it.
  std::string type;
  if (fitness(dir, &type) != Fitness::Fit) {
    log::debug([&] {
      return "cgroup " + dir + " holds processes or is not a domain: " + enable_line(missing) + " not enabled in it";
    });
    return have;
  }
  // What dir is offered: its cgroup.controllers, plus what the parent enables
  // now. The root is offered everything the hierarchy has, which `wanted` is.
  std::set<std::string> offered = missing;
  if (dir.size() > mount.size()) {
    offered = split_words(read_value(dir, "cgroup.controllers"));
    std::set<std::string> from_parent;
    for (const auto& c : missing)
      if (!offered.count(c)) from_parent.insert(c);
    if (!from_parent.empty()) offered.merge(enable_available_controllers(parent_of(dir), mount, from_parent));
  }
  std::set<std::string> to_enable;
  for (const auto& c : missing)
    if (offered.count(c)) to_enable.insert(c);
  if (to_enable.empty()) return have;
  if (try_write_value(dir, "cgroup.subtree_control", enable_line(to_enable)) == 0) {
    have.merge(to_enable);
    return have;
  }
  for (const auto& c : to_enable) {
    if (int err = try_write_value(dir, "cgroup.subtree_control", "+" + c); err == 0)
      have.insert(c);
    else
      log::debug([&] { return "enable +" + c + " in " + dir + "/cgroup.subtree_control: " + std::strerror(err); });
  }
  return have;
}

}  // namespace hull::cgroups
