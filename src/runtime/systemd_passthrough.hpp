#pragma once
// The two systemd protocols a runtime carries into the container when a unit
// (or podman --sdnotify=container) starts it, as runc and crun do:
//  - NOTIFY_SOCKET: sd_notify(3) in the container must reach the host's
//    datagram socket;
//  - LISTEN_FDS / LISTEN_PID: socket activation, the listening fds 3.. that
//    systemd passed to the runtime go on to the container process.
//
// NOTIFY_SOCKET without a relay: runc and crun bind their own socket into the
// container and have `start` wait for READY=1 and forward it (with MAINPID).
// hull bind-mounts the host's socket itself (read-only, nosuid, nodev,
// noexec) at kContainerNotifySocket: no process, no thread, no wait in
// `start`. Messages reach the host straight from the container's process;
// the kernel translates the sender's pid in SCM_CREDENTIALS to the
// receiver's pid namespace, so systemd sees the container's host pid, which
// is not the unit's main pid: units need NotifyAccess=all (what podman's
// generated units use), and `hull start` returns when the process execs, not
// at READY=1 (systemd itself waits for READY=1 with Type=notify). The
// trade-off: the container can send any message (STATUS=, WATCHDOG=1,
// STOPPING=1, ...) for as long as it runs, not only its first READY=1,
// subject to the unit's NotifyAccess=.
#include <sys/stat.h>
#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "spec/spec.hpp"

namespace hull {

// Where the container finds the host's socket; its NOTIFY_SOCKET (runc's path).
inline constexpr const char* kContainerNotifySocket = "/run/notify/notify.sock";

// NOTIFY_SOCKET=host_socket was in the runtime's environment. A path must be
// an absolute path to a socket: it is bind-mounted at kContainerNotifySocket
// (the target created inside the rootfs like any mount's, so a read-only
// root works) and process.env gets NOTIFY_SOCKET=kContainerNotifySocket. An
// abstract address ("@name") belongs to a network namespace and cannot be
// mounted: it is passed on unchanged (it works when the container shares the
// host's network namespace). Throws hull::Error for anything else.
// Warns (log::warn) where notify_socket_unwritable() says the container
// cannot send to it.
void pass_notify_socket(spec::Spec& spec, const std::string& host_socket);

// Why the container's process (process.user, through the user namespace's
// mappings) surely cannot send to the host socket `socket` (its stat):
// nothing where it can or may (root or an ambient CAP_DAC_OVERRIDE, a
// group-writable socket, a user namespace joined by path).
std::optional<std::string> notify_socket_unwritable(const spec::Spec& spec, const struct stat& socket);

// systemd's rule (sd_listen_fds(3)): LISTEN_FDS counts fds from 3 on, and
// applies only when LISTEN_PID is this process. 0 when unset, meant for
// another process, or not a positive number.
int inherited_listen_fds(const char* listen_fds, const char* listen_pid, pid_t self);

// process.env gets LISTEN_FDS=n and LISTEN_PID=1 (the container process is
// pid 1 in its namespace, as runc sets it), and LISTEN_FDNAMES when given.
// The caller passes fds 3..3+n-1 on (before any --preserve-fds ones).
void pass_listen_fds(spec::Spec& spec, int n, const std::string& fd_names);

// Sets KEY=value in env, replacing an earlier KEY= entry.
void set_env(std::vector<std::string>& env, std::string_view key, const std::string& value);

}  // namespace hull
