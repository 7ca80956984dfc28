#include "process/terminal.hpp"

#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "base/error.hpp"
#include "base/fd_passing.hpp"

namespace hull::process {

void send_fd(int socket, int fd, const std::string& name) {
  // The payload (the pty name) is short: one sendmsg carries it all.
  send_with_fd(socket, fd, name, name);
}

void setup_terminal(int pty_master, int pty_slave, int console_socket, const std::optional<spec::ConsoleSize>& size,
                    bool output_as_written) {
  if (pty_master < 0 || pty_slave < 0) throw Error("process.terminal is true but the init got no pty");
  if (console_socket < 0)
    throw Error("process.terminal is true but there is no console socket to send the pty master to (--console-socket)");

  // A new session with no controlling terminal, so TIOCSCTTY can give it the
  // container's pty: the process must not keep the caller's terminal, whose
  // TIOCSTI would let it type commands into the host shell (CVE-2016-9016
  // class; TIOCSTI is also why the slave must be the container's own).
  if (::setsid() < 0 && !(errno == EPERM && ::getsid(0) == ::getpid()))
    throw_errno("setsid before taking the pty as controlling terminal");
  if (::ioctl(pty_slave, TIOCSCTTY, 0) < 0) throw_errno("make the pty the controlling terminal (TIOCSCTTY)");

  // Both sides or none, as runc sizes it: a side of 0 would give a terminal
  // 0 columns wide, where programs then guess.
  if (size && size->height != 0 && size->width != 0) {
    struct winsize ws = {};
    ws.ws_row = static_cast<unsigned short>(size->height);
    ws.ws_col = static_cast<unsigned short>(size->width);
    if (::ioctl(pty_slave, TIOCSWINSZ, &ws) < 0) throw_errno("set the console size (TIOCSWINSZ)");
  }
  if (output_as_written) {
    struct termios t;
    if (::tcgetattr(pty_slave, &t) < 0) throw_errno("read the pty's settings (tcgetattr)");
    t.c_oflag &= ~static_cast<tcflag_t>(ONLCR);
    if (::tcsetattr(pty_slave, TCSANOW, &t) < 0) throw_errno("turn off the pty's ONLCR (tcsetattr)");
  }
  for (int fd = 0; fd <= 2; ++fd)
    if (::dup2(pty_slave, fd) < 0) throw_errno("dup the pty onto fd " + std::to_string(fd));

  unsigned int n = 0;
  std::string name = ::ioctl(pty_master, TIOCGPTN, &n) == 0 ? "/dev/pts/" + std::to_string(n) : "/dev/ptmx";
  with_context("send the pty master to the console socket", [&] { send_fd(console_socket, pty_master, name); });
}

}  // namespace hull::process
