#pragma once
// CVE-2019-5736 and its family: a container process that gets hold of a host
// file through a magic link (/proc/<pid>/exe of a runtime process,
// /proc/<pid>/fd/N, an fd leaked in) and reopens it for writing. runc's answer
// was a memfd copy of itself, charged to the container's memory (runc issues
// 3973, 3986); hull's is a Landlock domain: every container process may open
// for writing or truncate only files beneath the container's root, plus the
// files behind its own stdio and preserved fds. Cost: four syscalls before
// execve, no memory, no re-exec.
//
// Landlock forbids mount operations inside the domain, so a container whose
// bounding set keeps CAP_SYS_ADMIN (which can escape in many other ways
// anyway) does not get the domain; neither does a kernel without Landlock.
// There the pre-exec check of process/exec.cpp (the binary is not our own
// inode) remains.
#include "spec/spec.hpp"

namespace hull::process {

enum class WriteGuard { Applied, NoLandlock, PrivilegedContainer };

// Call with the root already the container's, after every mount and every
// write outside the root (sysctls), before the uid change (restrict_self
// needs CAP_SYS_ADMIN or no_new_privs). exec_container_process does.
// keep_fds: fds 0..keep_fds-1 stay writable whatever file they are.
WriteGuard guard_host_files(const spec::Spec& spec, int keep_fds);

}  // namespace hull::process
