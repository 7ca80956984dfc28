#pragma once
// Every runtime access to procfs goes through here (CVE-2025-52881 class).
// By the time the init writes /proc/self/oom_score_adj, /proc/self/attr/*,
// timens_offsets or a sysctl, "/proc" is whatever the bundle made it: a
// directory of the image holding symlinks (self/oom_score_adj ->
// /proc2/sys/kernel/domainname), a mount over a procfs file, or no procfs at
// all. So paths are resolved in the /proc the runtime sees, opened before
// the clone and checked to be the root of a procfs mount, or in a procfs
// instance of our own (fsopen + fsmount, attached nowhere, in our pid
// namespace) where that /proc is not one, has a mount in the way or hides
// the file (subset=pid); either way with openat2 RESOLVE_BENEATH |
// RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV, so no symlink and no mount is
// followed, and the opened file is checked to be on procfs. "self" is
// resolved by reading the link in that instance.
#include <string>
#include <string_view>

#include "base/unique_fd.hpp"

namespace hull::procfs {

// Opens the root the calls below share, unless it is open: a process about
// to clone a child that reads procfs opens it once for both.
void open_shared_root();

// The root the calls below share, as recorded (fd -1: none), and that
// record put back. For a process that lends its memory to a child
// until the child's execve (runtime/launcher.hpp): a child that opened,
// replaced or closed a root of its own left a number that means nothing,
// or another file, in the lender's fd table.
struct SharedRootRecord {
  int fd = -1;
  bool private_instance = false;
};
SharedRootRecord shared_root_record();
void restore_shared_root_record(SharedRootRecord record);

// Closes the root the calls below share, so a process that waits (the
// created init at the start barrier) holds nothing it does not need; the
// next call opens a new one.
void close_shared_root();

// Opens <proc>/<path> with flags (O_CLOEXEC added). path is relative to the
// procfs root ("self/oom_score_adj", "sys/kernel/cap_last_cap"); a leading
// "self" or "thread-self" is resolved in the same instance. Throws
// hull::Error naming "/proc/<path>" (errno kept, ENOENT when missing,
// EXDEV or ELOOP for a mount or symlink in the way; the calls in the
// shared root retry those, and ENOENT outside a process's directory, in a
// private instance first).
UniqueFd open(std::string_view path, int flags);
UniqueFd open_at(int root, std::string_view path, int flags);

// What a magic link such as "self/exe" or "self/fd/3" points to, opened
// with flags. The link itself is checked like open()'s paths (no symlink or
// mount on the way to it), then followed: the one thing procfs links are for.
UniqueFd open_link_target(std::string_view path, int flags);
// The same for the link `name` in `dir`, a directory open() returned
// ("self"): one resolution of "self" for several of its files.
UniqueFd open_link_target_at(int dir, std::string_view name, int flags);

// The text of a magic link such as "self/fd/3" (the path of what it
// points to, as readlink(2) shows it), the link checked like
// open_link_target's.
std::string read_link(std::string_view path);

// Whole contents / a write of data, through open().
std::string read(std::string_view path);
void write(std::string_view path, std::string_view data);
void write_at(int root, std::string_view path, std::string_view data);

}  // namespace hull::procfs
