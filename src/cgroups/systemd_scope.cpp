// Manager with --systemd-cgroup: the transient unit's start and stop. The
// rest (limits in files, freeze, kill, stats) is the cgroupfs code on the
// unit's cgroup directory.
#include <fcntl.h>

#include <set>
#include <string>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/log.hpp"
#include "cgroups/cgroup_manager.hpp"
#include "cgroups/cgroupfs.hpp"
#include "cgroups/routing.hpp"

namespace hull::cgroups {

namespace {

// A user's manager has only the controllers systemd delegated to it
// (Debian's default: cpu memory pids); nothing above its cgroup is the
// user's to enable. Said before the unit starts, naming the remedy.
void require_delegated(const std::string& manager_dir, const std::set<std::string>& needed) {
  const std::string offered = read_value(manager_dir, "cgroup.controllers");
  const std::set<std::string> have = split_words(offered);
  std::string missing;
  for (const std::string& c : needed)
    if (!have.count(c)) missing += (missing.empty() ? "" : " ") + c;
  if (!missing.empty())
    throw Error("the limits need the cgroup controllers \"" + missing + "\", which the user's systemd manager (" +
                manager_dir + ") was not delegated (it has: \"" + offered +
                "\"): give them with a drop-in for user@.service (Delegate=cpu cpuset io memory pids), or leave the "
                "limits out");
}

}  // namespace

void Manager::start_unit(pid_t pid) {
  with_context("create cgroup: systemd unit " + quote(unit_->name), [&] {
    if (!bus_) bus_.emplace(connect_to_manager());
    if (!unit_->bus.empty())
      require_delegated(paths_.v2.substr(0, paths_.v2.size() - unit_->cgroup.size() - 1),
                        Router(host(), paths_).v2_controllers(resources_));
    with_idle_weight_fallback(
        start_properties(*unit_, pid, id_, resources_, unit_annotations_),
        [&](const std::vector<dbus::Property>& props) { bus_->start_transient_unit(unit_->name, props); });
    bus_.reset();
    owned_ = true;  // from here a failed create stops the unit again
    // A slice takes no PIDs= property: the init joins its cgroup directly.
    if (unit_->is_slice()) write_value(paths_.v2, "cgroup.procs", std::to_string(pid));
    v2_fd_ = HeldDir(paths_.v2, open_fd(paths_.v2, O_DIRECTORY | O_RDONLY));
    // Delegate=yes gives the scope the controllers systemd manages (cpu,
    // cpuset, io, memory, pids); the others the limits need (hugetlb: kubelet
    // sends a limit for every page size with every container; rdma, misc)
    // are enabled in its slice, as runc does.
    enable_controllers_for(resources_);
    apply(resources_, false);
    for (const auto& w : warnings_) log::warn(w);
  });
}

SystemdBus Manager::connect_to_manager() const {
  return SystemdBus::connect(unit_ && !unit_->bus.empty() ? unit_->bus : kSystemManagerSocket);
}

}  // namespace hull::cgroups
