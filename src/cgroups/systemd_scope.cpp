// Manager with --systemd-cgroup: the transient unit's start and stop. The
// rest (limits in files, freeze, kill, stats) is the cgroupfs code on the
// unit's cgroup directory.
#include <fcntl.h>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/log.hpp"
#include "cgroups/cgroup_manager.hpp"
#include "cgroups/cgroupfs.hpp"

namespace hull::cgroups {

void Manager::start_unit(pid_t pid) {
  with_context("create cgroup: systemd unit " + quote(unit_->name), [&] {
    if (!bus_) bus_.emplace(connect_to_manager());
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
