#pragma once
// How `hull start` releases an init that `hull create` left waiting, with fds
// only (no polling): the init holds a listening unix socket bound in the
// container's state dir and blocks in accept(). `start` connects and reads:
//  - EOF: the accepted socket was CLOEXEC, so the init reached execve;
//  - bytes: the init failed after the barrier and sent the error text;
//  - ECONNREFUSED / ENOENT: no init is waiting (it died, or was started).
#include <string>

#include "base/unique_fd.hpp"

namespace hull {

inline constexpr const char* kStartSocketName = "start.sock";

// Binds and listens on <state_dir_fd>/start.sock (mode 0600). Runtime side,
// before the clone; the init inherits it.
UniqueFd listen_start_socket(int state_dir_fd);

// Init side: blocks until `start` connects; returns the accepted connection
// (CLOEXEC) on which a late error can be reported with report_start_error.
UniqueFd wait_for_start(int listen_fd);
void report_start_error(int conn_fd, const std::string& message);

// `hull start` side: releases the init and waits until it has exec'd (or
// failed, which throws with the init's message).
void release_init(int state_dir_fd);

}  // namespace hull
