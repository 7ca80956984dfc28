#pragma once
// Sending an fd over a unix socket (SCM_RIGHTS), as the console-socket and
// seccomp-agent protocols both do: the fd rides with the first bytes.
#include <sys/types.h>

#include <string>
#include <string_view>

namespace hull {

// Sends `data` with `fd` attached; returns how many bytes of data went (the
// caller writes the rest with write_all). `what` names the fd in errors.
size_t send_with_fd(int socket, int fd, std::string_view data, const std::string& what);

}  // namespace hull
