#pragma once
// A user namespace the container creates: the runtime writes its uid and gid
// maps once the init exists (only a process outside the namespace holding
// CAP_SETUID/CAP_SETGID in the parent namespace may write arbitrary ranges),
// then the init becomes the namespace's root.
#include <sys/types.h>

#include <vector>

#include "base/unique_fd.hpp"
#include "spec/spec.hpp"

namespace hull::ns {

// Writes /proc/<pid>/uid_map and gid_map from linux.uidMappings/gidMappings.
void write_id_maps(pid_t pid, const std::vector<spec::IDMapping>& uid_mappings,
                   const std::vector<spec::IDMapping>& gid_mappings);

// In the init, after the maps are written (or after joining an existing user
// namespace): setresgid/setresuid to the namespace's 0. Until then the init
// keeps the host's uid 0, which is unmapped inside, so anything it creates
// would fail with EOVERFLOW.
void become_namespace_root();

// An fd of a new user namespace with these maps and no process in it, for an
// id-mapped mount whose mappings are not the container's (MOUNT_ATTR_IDMAP
// takes a user namespace fd). The kernel gives a user namespace maps only
// through a process in it, so a child is cloned into one, blocked on a pipe
// until its maps are written and the namespace opened, then reaped.
UniqueFd make_user_namespace(const std::vector<spec::IDMapping>& uid_mappings,
                             const std::vector<spec::IDMapping>& gid_mappings);

}  // namespace hull::ns
