#pragma once
// cgroup v2 controller enabling (cgroup.subtree_control) from the hierarchy's
// root down to a container's parent, under one rule: never in a cgroup that
// holds processes or is not a plain domain (the hierarchy's real root, which
// has no cgroup.type, excepted). docs/cgroups.md explains why.
#include <set>
#include <string>

#include "cgroups/host.hpp"

namespace hull::cgroups {

// Makes `controllers` (those the limits need) available to the children of
// `dir`, enabling them in the ancestors first, up to `mount`, where `dir` is
// not offered them. Throws an error naming the cgroup and the remedy when a
// cgroup on the way holds processes, is not a domain, is outside what was
// delegated, or the host lacks a controller. Usually one read: they are
// already enabled.
void enable_controllers(const std::string& dir, const std::string& mount, const std::set<std::string>& controllers,
                        const Host& host);

// runc's rule on pure v2 (fs2 CreateCgroupPath): every controller the
// hierarchy has is enabled on the way down to the container's parent, so a
// container is accounted for memory, io and the rest whatever its limits say,
// and can delegate them further. Best effort within the rule above: a cgroup
// that holds processes or is not a domain is skipped, a write the kernel
// refuses is retried one controller at a time (one refusal, e.g. cpu with
// realtime tasks, keeps no other out), and nothing here is an error. Returns
// those of `wanted` that `dir` enables for its children afterwards.
std::set<std::string> enable_available_controllers(const std::string& dir, const std::string& mount,
                                                   const std::set<std::string>& wanted);

}  // namespace hull::cgroups
