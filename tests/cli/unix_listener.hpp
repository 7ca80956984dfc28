#pragma once
// The test's side of the AF_UNIX sockets a runtime connects to: the console
// socket (runc's protocol: one message carrying the pty master by
// SCM_RIGHTS) and a seccomp agent's listenerPath.
#include <filesystem>
#include <string>

#include "base/unique_fd.hpp"
#include "process.hpp"

namespace hull::itest {

// A listening AF_UNIX stream socket bound at path; throws when it cannot be.
UniqueFd listen_unix(const std::filesystem::path& path);

// One connection accepted within timeout; an empty fd when none came.
UniqueFd accept_within(int listener, milliseconds timeout);

// Everything read from fd (a pty master, a pipe) until it hangs up, reports
// EOF, or stays silent for idle_timeout.
std::string read_until_hangup(int fd, milliseconds idle_timeout = milliseconds(10000));

}  // namespace hull::itest
