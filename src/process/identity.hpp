#pragma once
// process.user: supplementary groups, gid, uid, umask.
#include <sys/types.h>

#include "spec/spec.hpp"

namespace hull::process {

// setgroups(additionalGids), setresgid(gid), setresuid(uid), in that order:
// once the uid is not 0 the groups can no longer be changed.
// `effective_only`: the effective uid alone, the real and saved ones kept
// (exec's helper: no process of that uid may signal or trace it, and the
// process it clones ends the change without a capability: complete_uid).
void set_identity(const spec::User& user, bool effective_only = false);
// setresuid(uid) of a process whose effective uid is uid already.
void complete_uid(const spec::User& user);
// Whether the real, effective and saved uids are user.uid.
bool uid_complete(const spec::User& user);

// runc's fixStdioPermissions: fds 0-2 (an engine's pipes, fifos or files,
// made by root) become this uid's, so a container user can reopen them
// through /dev/stdout or /proc/self/fd/N (nginx and others log there). The
// group stays; streams the uid owns and character devices (/dev/null, a
// terminal) are left alone; EINVAL (owner not mapped in the user
// namespace), EPERM and EROFS are ignored, as in runc.
void give_stdio_to(uid_t uid);

// umask from the config, 0022 when absent (what runc and crun use).
void set_umask(const spec::User& user);

}  // namespace hull::process
