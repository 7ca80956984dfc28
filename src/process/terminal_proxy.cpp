#include "process/terminal_proxy.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "base/error.hpp"
#include "base/fd_passing.hpp"
#include "base/fs.hpp"
#include "base/log.hpp"

namespace hull::process {
namespace {

// Raw mode for the life of the object.
class RawMode {
 public:
  explicit RawMode(int fd) : fd_(fd) {
    if (::tcgetattr(fd, &saved_) < 0) return;  // not a terminal: nothing to do
    struct termios raw = saved_;
    ::cfmakeraw(&raw);
    // Output processing stays: the container's pty sends a bare "\n"
    // (setup_terminal clears its ONLCR), which this terminal shows as "\r\n".
    raw.c_oflag = saved_.c_oflag;
    if (::tcsetattr(fd, TCSANOW, &raw) == 0) active_ = true;
  }
  ~RawMode() {
    if (active_) ::tcsetattr(fd_, TCSANOW, &saved_);
  }
  RawMode(const RawMode&) = delete;
  RawMode& operator=(const RawMode&) = delete;

 private:
  int fd_;
  struct termios saved_ = {};
  bool active_ = false;
};

// SIGWINCH blocked and delivered through a signalfd for the life of the object.
class WinchFd {
 public:
  WinchFd() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGWINCH);
    if (::sigprocmask(SIG_BLOCK, &set, &old_) < 0) throw_errno("block SIGWINCH");
    int fd = ::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (fd < 0) {
      int e = errno;
      ::sigprocmask(SIG_SETMASK, &old_, nullptr);
      throw_errno(e, "signalfd for SIGWINCH");
    }
    fd_.reset(fd);
  }
  ~WinchFd() {
    fd_.reset();
    ::sigprocmask(SIG_SETMASK, &old_, nullptr);
  }
  WinchFd(const WinchFd&) = delete;
  WinchFd& operator=(const WinchFd&) = delete;
  int get() const { return fd_.get(); }
  void drain() {
    struct signalfd_siginfo si;
    while (::read(fd_.get(), &si, sizeof si) == sizeof si) {}
  }

 private:
  UniqueFd fd_;
  sigset_t old_;
};

void copy_window_size(int from, int to) {
  struct winsize ws;
  if (::ioctl(from, TIOCGWINSZ, &ws) == 0) ::ioctl(to, TIOCSWINSZ, &ws);
}

// Where the process's output goes: the caller's terminal, stdout or stderr.
// Once that takes no more (a terminal hung up, a full disk, a reader gone
// with SIGPIPE ignored), the output is read and dropped: the process must
// not block on a full pty or pipe, and the runtime goes on forwarding
// signals, returns the process's status and, for `run`, deletes the
// container, as runc does when its copy of the output fails.
class OutputSink {
 public:
  OutputSink(int fd, const char* what) : fd_(fd), what_(what) {}
  void write(std::string_view data) {
    if (lost_) return;
    try {
      write_all(fd_, data, what_);
    } catch (const Error& e) {
      lost_ = true;
      log::warn(std::string(e.what()) + ": the rest of the process's output is dropped");
    }
  }

 private:
  int fd_;
  const char* what_;
  bool lost_ = false;
};

// One read, handed to `write`. Returns false at end of input or hangup.
template <class Write>
bool pump(int from, const char* what, Write&& write) {
  char buf[16384];
  ssize_t n = ::read(from, buf, sizeof buf);
  if (n < 0) {
    if (errno == EINTR || errno == EAGAIN) return true;
    if (errno == EIO) return false;  // pty master: no slave left
    throw_errno(std::string("read ") + what);
  }
  if (n == 0) return false;
  write(std::string_view(buf, static_cast<size_t>(n)));
  return true;
}

bool pump(int from, OutputSink& to, const char* what) {
  return pump(from, what, [&to](std::string_view data) { to.write(data); });
}

bool pump(int from, int to, const char* what) {
  return pump(from, what, [to, what](std::string_view data) { write_all(to, data, what); });
}

// What is left in the pty after the container side hung up.
void drain(int master, OutputSink& out) {
  const int flags = ::fcntl(master, F_GETFL);
  if (flags < 0 || ::fcntl(master, F_SETFL, flags | O_NONBLOCK) < 0) return;  // a read would block: nothing drained
  try {
    while (pump(master, out, "the container's terminal")) {
      struct pollfd p = {master, POLLIN, 0};
      if (::poll(&p, 1, 0) <= 0 || !(p.revents & POLLIN)) break;
    }
  } catch (const Error&) {}
  ::fcntl(master, F_SETFL, flags);
}

}  // namespace

ReceivedPty receive_pty_master(int socket) {
  ReceivedMessage m = receive_with_fd(socket, 4096, "the container's pty master");
  if (!m.fd)
    throw Error(m.data.empty() ? "the container init closed the console socket without sending its pty"
                               : "the console socket message carried no fd");
  return ReceivedPty{std::move(m.fd), std::move(m.data)};
}

int caller_terminal(int in, int out) {
  for (int fd : {2, out, in})
    if (::isatty(fd)) return fd;
  return -1;
}

void proxy_terminal(int master, const ProxyOptions& opts) {
  WinchFd winch;
  const int terminal = caller_terminal(opts.in, opts.out);
  RawMode raw(terminal);
  copy_window_size(terminal, master);

  OutputSink out(opts.out, "the container's terminal output");
  bool input_open = true;
  for (;;) {
    struct pollfd fds[5] = {{master, POLLIN, 0},
                            {winch.get(), POLLIN, 0},
                            {opts.stop_fd, POLLIN, 0},
                            {input_open ? opts.in : -1, POLLIN, 0},
                            {opts.forward_signals ? opts.signal_fd : -1, POLLIN, 0}};
    int n = ::poll(fds, 5, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("poll the container's terminal");
    }
    bool window_changed = (fds[4].revents & POLLIN) && opts.forward_signals();
    if (fds[1].revents & POLLIN) {
      winch.drain();
      window_changed = true;
    }
    if (window_changed) copy_window_size(terminal, master);
    if (fds[0].revents & POLLIN) {
      if (!pump(master, out, "the container's terminal")) return;
    } else if (fds[0].revents & (POLLHUP | POLLERR)) {
      drain(master, out);
      return;
    }
    if (fds[3].revents & (POLLIN | POLLHUP)) {
      if (!pump(opts.in, master, "input to the container's terminal")) {
        input_open = false;
        // The pty's EOF character: the line discipline turns it into end of
        // file for the reader, as if typed.
        struct termios t;
        char eof = ::tcgetattr(master, &t) == 0 ? static_cast<char>(t.c_cc[VEOF]) : '\x04';
        write_all(master, std::string_view(&eof, 1), "EOF to the container's terminal");
      }
    }
    if (fds[2].revents) {
      drain(master, out);
      return;
    }
  }
}

bool a_terminal_among_stdio() { return ::isatty(0) || ::isatty(1) || ::isatty(2); }

StdioPipes make_stdio_pipes() {
  StdioPipes p;
  for (int i = 0; i < 3; ++i) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) < 0) throw_errno("make the process's stdio pipes");
    p.child[i].reset(i == 0 ? fds[0] : fds[1]);
    p.ours[i].reset(i == 0 ? fds[1] : fds[0]);
  }
  return p;
}

void proxy_stdio(StdioPipes& pipes, const ProxyOptions& opts) {
  UniqueFd& in = pipes.ours[0];
  OutputSink outputs[3] = {{-1, ""}, {1, "the process's standard output"}, {2, "the process's standard error"}};
  for (;;) {
    struct pollfd fds[5] = {{pipes.ours[1].get(), POLLIN, 0},
                            {pipes.ours[2].get(), POLLIN, 0},
                            {opts.stop_fd, POLLIN, 0},
                            {in ? 0 : -1, POLLIN, 0},
                            {opts.forward_signals ? opts.signal_fd : -1, POLLIN, 0}};
    if (::poll(fds, 5, -1) < 0) {
      if (errno == EINTR) continue;
      throw_errno("poll the process's stdio pipes");
    }
    if (fds[4].revents & POLLIN) opts.forward_signals();
    for (int i = 1; i <= 2; ++i)
      if ((fds[i - 1].revents & (POLLIN | POLLHUP | POLLERR)) &&
          !pump(pipes.ours[i].get(), outputs[i], "the process's output"))
        pipes.ours[i].reset();
    if (fds[3].revents & (POLLIN | POLLHUP | POLLERR)) {
      bool open = false;
      try {
        open = pump(0, in.get(), "input to the process");
      } catch (const Error&) {
        // The process closed its stdin (EPIPE): what is typed stays ours.
      }
      if (!open) in.reset();  // its end of input
    }
    if (fds[2].revents) {
      for (int i = 1; i <= 2; ++i)
        if (pipes.ours[i]) drain(pipes.ours[i].get(), outputs[i]);
      return;
    }
  }
}

}  // namespace hull::process
