#pragma once
// A user namespace the container creates: the runtime writes its uid and gid
// maps once the init exists (only a process outside the namespace holding
// CAP_SETUID/CAP_SETGID in the parent namespace may write arbitrary ranges),
// then the init becomes the namespace's root.
#include <sys/types.h>

#include <vector>

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

}  // namespace hull::ns
