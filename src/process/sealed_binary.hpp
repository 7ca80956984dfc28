#pragma once
// CVE-2019-5736 whatever the container may do: every hull process a container
// can reach (the init and exec processes between clone and execve, and
// `hull create/run/exec` themselves when the container shares the host's pid
// namespace) runs from a sealed view of the runtime binary, never from the
// writable host file. A container process that holds CAP_SYS_PTRACE (or shares
// the host's pid namespace with enough capabilities) can open
// /proc/<pid>/exe of such a process despite non-dumpable, keep an O_PATH fd
// and reopen it for writing once no hull process runs; with the sealed view
// that reopen fails (EROFS, or EPERM on a sealed memfd).
//
// runc (>= 1.2) re-executes itself from the sealed view; hull must not
// re-exec on the create/exec path, so the process switches in place: every
// read-only mapping of its binary is replaced by the same bytes mapped from
// the sealed file, the writable segment by anonymous memory holding its
// current bytes, then the kernel's exe link
// is pointed at the sealed file (PR_SET_MM_MAP with exe_fd; the kernel allows
// that only once no mapping of the old file is left). Children cloned after
// that inherit the sealed image.
//
// The sealed view is, in order of preference:
//  - an overlayfs mounted nowhere (fsopen), read-only, whose lower layers are
//    the binary's directory and an unrelated one (/sys/fs: overlayfs needs two
//    lower layers without an upper one): no copy, the text pages are the host
//    file's page cache, nothing is charged to any container;
//  - a sealed memfd copy (F_SEAL_WRITE|SHRINK|GROW|SEAL), where the kernel
//    has no overlayfs: the size of the binary, charged to the cgroup of the
//    hull command (the command makes it, never the init), never to the
//    container.
#include <sys/types.h>

#include <string>
#include <string_view>

#include "base/unique_fd.hpp"
#include "rootfs/pivot.hpp"

namespace hull::process {

enum class SealedView { Overlay, Memfd, ReadOnlyMount, Unprivileged };

// Switches this process to the sealed view, once per process (later calls
// return what the first did). Call while single-threaded and before joining
// any namespace of a container (the binary's directory is looked up by path in
// our mount namespace). Returns how the binary is protected:
// ReadOnlyMount when it is already on a read-only mount (nothing to do), and
// Unprivileged when the caller lacks CAP_SYS_ADMIN (rootless: the container's
// root is the caller, who could write the binary anyway). Throws hull::Error
// ("seal the runtime binary: ...") when no view could be made: hull then
// refuses to start a container process rather than run one from the
// writable file.
SealedView run_from_sealed_binary();

// The same switch split between a parent and a child it has just cloned
// (the init of a container in a new pid namespace on a v1 host,
// runtime/launch_plan.hpp): the parent makes the view while the child
// starts, and the child only switches, on the critical path of the
// container's start. The parent keeps the overlay's mount fd (see
// release_detached_mounts), so the child never waits for its dissolution.
// `offer` is for the child alone (the same binary): how the binary is
// protected and the memory layout the clone shares with the parent, which
// PR_SET_MM_MAP takes; `file` (empty when no switch is needed: ReadOnlyMount,
// Unprivileged) rides along as SCM_RIGHTS.
// `mount` (borrowed, -1 for none) is the overlay's mount fd, sent along so
// that the child can attach it beneath the old root it detaches
// (sealed_view_mount).
struct SealedViewForChild {
  std::string offer;
  UniqueFd file;
  int mount = -1;
};
SealedViewForChild sealed_view_for_child();
// In the child, single-threaded: switches to the parent's view; `mount`
// (empty if none came) is kept as this process's own view's.
void run_from_parents_sealed_view(std::string_view offer, UniqueFd file, UniqueFd mount);

// The overlay of this process's sealed view as the old root's passenger: its
// mount fd (borrowed; -1: none) and where in the host's tree it may be
// attached, one of its own lower layers, there wherever the overlay could
// be made. The init drops it with the old root it detaches: the last close
// of a mount fd still detached costs an RCU grace period of its own, an IPI
// to every CPU that 16 parallel `create`s queue on (6-9 % of their time on
// the 16-core host).
rootfs::PassengerMount sealed_view_mount();

// The overlay of the sealed view is a detached mount, and so is procfs's
// shared root where it is a private instance (base/procfs.hpp). Dropping
// the last reference to such a mount fd dissolves it, and the kernel then
// waits for an RCU grace period (15-80 us on the development VM): closed at
// once, that wait delayed the seal. So both fds stay open until this call. A child closes
// its copies before it waits for anything (the init before its Ready); the
// command itself once the container's process has reached execve, so that
// the wait overlaps with the process running instead of delaying its start
// or our exit. Harmless when there is no such mount; the mapped binary
// stays valid.
void release_detached_mounts();
// The overlay's mount fd of a view made for a child (sealed_view_for_child),
// dropped once the view is sent: the child holds the other copy, which it
// attaches beneath its old root, so neither close dissolves the mount
// (where the child fails first, its copy's close does, and this one waits
// for nothing).
void release_view_sent_to_child();

// The sealed view's mount fd as recorded (-1: none), and that record put
// back without closing anything: see procfs::shared_root_record.
int detached_mount_record();
void restore_detached_mount_record(int fd);

std::string to_string(SealedView v);

// For an init that runs the runtime's binary unsealed until its execve
// (runtime/launch_plan.hpp, InitPlan::init_unsealed_until_exec): the file
// this process runs, as "<st_dev>:<st_ino>", and whether process `pid` runs
// that file now (false once it has exec'd another, or is gone).
std::string own_binary_identity();
bool runs_binary(pid_t pid, std::string_view identity);

}  // namespace hull::process
