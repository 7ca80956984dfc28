#pragma once
// process.user: supplementary groups, gid, uid, umask.
#include "spec/spec.hpp"

namespace hull::process {

// setgroups(additionalGids), setresgid(gid), setresuid(uid), in that order:
// once the uid is not 0 the groups can no longer be changed.
void set_identity(const spec::User& user);

// umask from the config, 0022 when absent (what runc and crun use).
void set_umask(const spec::User& user);

}  // namespace hull::process
