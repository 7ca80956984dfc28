#pragma once
// process.terminal inside the init: the pty slave becomes the controlling
// terminal and stdio; the master goes to whoever holds the console socket.
#include <optional>

#include "spec/spec.hpp"

namespace hull::process {

// setsid, TIOCSCTTY on the slave, consoleSize, slave onto fds 0-2, then the
// master over console_socket (runc's protocol, spoken by containerd and
// conmon: one sendmsg, payload the pty's name, the master in SCM_RIGHTS).
// Does not close master or slave: they are CLOEXEC and vanish at execve.
// `output_as_written`: the runtime copies the pty to the caller's terminal,
// which turns "\n" into "\r\n" itself, so the pty does not (-onlcr, as
// runc's attached runs have it): a caller's file or pipe then gets what the
// program wrote. Set here, before the program can write anything.
void setup_terminal(int pty_master, int pty_slave, int console_socket, const std::optional<spec::ConsoleSize>& size,
                    bool output_as_written = false);

// Sends one fd with `name` as payload over a connected unix socket.
void send_fd(int socket, int fd, const std::string& name);

}  // namespace hull::process
