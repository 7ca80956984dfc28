#include "process/terminal_proxy.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
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
#include "base/signal_mask.hpp"

namespace hull::process {
namespace {

// Job control, as the kernel gives it to any program: a background job's
// tcsetattr or read of its controlling terminal stops it (SIGTTOU, SIGTTIN)
// until `fg`. With every signal blocked for the forwarder, the kernel let a
// background `hull run &` put the foreground shell's terminal in raw mode
// and read end of input (EIO) for the container. Unblocked around those
// calls, the job stops there instead, and goes on once in the foreground.
class JobControlStops {
 public:
  JobControlStops() { change_signal_mask(SIG_UNBLOCK, signal_bit(SIGTTOU) | signal_bit(SIGTTIN), &saved_); }
  // Restored by the system call: glibc's would unblock signals 32 and 33.
  ~JobControlStops() { change_signal_mask(SIG_SETMASK, saved_, nullptr); }
  JobControlStops(const JobControlStops&) = delete;
  JobControlStops& operator=(const JobControlStops&) = delete;

 private:
  SignalMask saved_ = 0;
};

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
    JobControlStops stops;
    if (::tcsetattr(fd, TCSANOW, &raw) == 0) active_ = true;
  }
  ~RawMode() {
    if (!active_) return;
    JobControlStops stops;
    ::tcsetattr(fd_, TCSANOW, &saved_);
  }
  RawMode(const RawMode&) = delete;
  RawMode& operator=(const RawMode&) = delete;

 private:
  int fd_;
  struct termios saved_ = {};
  bool active_ = false;
};

void copy_window_size(int from, int to) {
  struct winsize ws;
  if (::ioctl(from, TIOCGWINSZ, &ws) == 0) ::ioctl(to, TIOCSWINSZ, &ws);
}

// Where the process's output goes: the caller's terminal, stdout or stderr.
// Once nobody reads it (a reader gone: EPIPE; the caller's terminal hung
// up: EIO), the process's own end is closed (by the caller, on false): its
// next write fails (EPIPE and SIGPIPE from a pipe; SIGHUP, then EIO, from a
// pty whose master is gone), as if it wrote to the caller's stdio itself;
// read and dropped instead, its output kept it running, at full speed, for
// nobody. Any other failure (a full disk) leaves the process as it would
// have left it, writing on: the rest of its output is read and dropped.
class OutputSink {
 public:
  OutputSink(int fd, const char* what) : fd_(fd), what_(what) {}
  // False once nobody reads the output.
  bool write(std::string_view data) {
    if (dropping_) return true;
    try {
      write_all(fd_, data, what_);
      return true;
    } catch (const Error& e) {
      // A reader gone is how a pipeline ends (`hull run ... | head`): told
      // with --debug only, as runc tells it not at all.
      if (e.code() == EPIPE || e.code() == EIO || e.code() == ECONNRESET) {
        log::debug(std::string(e.what()) + ": the process's output is closed");
        return false;
      }
      log::warn(std::string(e.what()) + ": the rest of the process's output is dropped");
      dropping_ = true;
      return true;
    }
  }

 private:
  int fd_;
  const char* what_;
  bool dropping_ = false;
};

// The caller's input on its way to the process, written without blocking:
// read from the caller only while nothing is pending, then written as the
// process's pty or pipe takes it (POLLOUT). A blocking write into a full pty
// or pipe stopped the whole loop, and with it the output, the signals and the
// exit (a pty's master waits for ever once the container closed its slave).
class InputCopy {
 public:
  // `to` is made non-blocking: the proxy's own end of a pipe, or the master.
  InputCopy(int from, int to, const char* what) : from_(from), to_(to), what_(what), terminal_(::isatty(from) == 1) {
    const int flags = ::fcntl(to, F_GETFL);
    if (flags < 0 || ::fcntl(to, F_SETFL, flags | O_NONBLOCK) < 0)
      throw_errno(std::string("make ") + what + " non-blocking");
  }
  // What to poll: the caller's input while there is room, `to` while
  // something waits for it.
  int source() const { return reading_ && pending_.empty() ? from_ : -1; }
  short to_events() const { return pending_.empty() ? 0 : POLLOUT; }
  // One read of the caller's input; false at its end (nothing more is read).
  bool read() {
    char buf[16384];
    std::optional<JobControlStops> stops;
    if (terminal_) stops.emplace();
    const ssize_t n = ::read(from_, buf, sizeof buf);
    stops.reset();
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
    if (n < 0 && errno != EIO) throw_errno(std::string("read ") + what_);
    if (n <= 0) {
      reading_ = false;
      return false;
    }
    pending_.append(buf, static_cast<size_t>(n));
    return true;
  }
  void append(std::string_view data) { pending_.append(data); }
  // Writes what `to` takes now. False once it takes nothing more (the
  // process closed its stdin, no slave is left): the rest is dropped and the
  // caller's input is no longer read.
  bool flush() {
    while (!pending_.empty()) {
      ssize_t n = ::write(to_, pending_.data(), pending_.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) return true;
      if (n < 0 && (errno == EPIPE || errno == EIO)) {
        pending_.clear();
        reading_ = false;
        return false;
      }
      if (n < 0) throw_errno(std::string("write ") + what_);
      pending_.erase(0, static_cast<size_t>(n));
    }
    return true;
  }
  bool done() const { return !reading_ && pending_.empty(); }

 private:
  int from_, to_;
  const char* what_;
  bool terminal_;  // the caller's terminal: a background job's read stops it
  std::string pending_;
  bool reading_ = true;
};

// One read, handed to `write`. Returns false at end of input or hangup, or
// when `write` takes no more.
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
  return write(std::string_view(buf, static_cast<size_t>(n)));
}

enum class Pumped { More, End, OutputLost };
Pumped pump(int from, OutputSink& to, const char* what) {
  bool lost = false;
  if (pump(from, what, [&](std::string_view data) { return !(lost = !to.write(data)); })) return Pumped::More;
  return lost ? Pumped::OutputLost : Pumped::End;
}

// What is left in the pty or pipe after the process side hung up or exited.
void drain(int from, OutputSink& out) {
  const int flags = ::fcntl(from, F_GETFL);
  if (flags < 0 || ::fcntl(from, F_SETFL, flags | O_NONBLOCK) < 0) return;  // a read would block: nothing drained
  try {
    while (pump(from, out, "the process's output") == Pumped::More) {
      struct pollfd p = {from, POLLIN, 0};
      if (::poll(&p, 1, 0) <= 0 || !(p.revents & POLLIN)) break;
    }
  } catch (const Error&) {}
  ::fcntl(from, F_SETFL, flags);
}

}  // namespace

ReceivedPty receive_pty_master(int socket) {
  ReceivedMessage m = receive_with_fd(socket, 4096, "the container's pty master");
  if (!m.fd && m.data.empty())
    throw Error(
        "the container process closed the console socket without sending its pty (it exited, or was killed, "
        "first)");
  if (!m.fd) throw Error("the console socket message carried no fd");
  return ReceivedPty{std::move(m.fd), std::move(m.data)};
}

int caller_terminal(int in, int out) {
  for (int fd : {2, out, in})
    if (::isatty(fd)) return fd;
  return -1;
}

void proxy_terminal(UniqueFd& master_fd, const ProxyOptions& opts) {
  // SIGWINCH through a signalfd while the proxy runs.
  SignalFdWhileBlocked winch(signal_bit(SIGWINCH), "SIGWINCH");
  const int master = master_fd.get();
  const int terminal = caller_terminal(opts.in, opts.out);
  RawMode raw(terminal);
  copy_window_size(terminal, master);

  OutputSink out(opts.out, "the container's terminal output");
  InputCopy input(opts.in, master, "input to the container's terminal");
  bool eof_sent = false;
  for (;;) {
    struct pollfd fds[5] = {{master, static_cast<short>(POLLIN | input.to_events()), 0},
                            {winch.get(), POLLIN, 0},
                            {opts.stop_fd, POLLIN, 0},
                            {input.source(), POLLIN, 0},
                            {opts.forward_signals ? opts.signal_fd : -1, POLLIN, 0}};
    int n = ::poll(fds, 5, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("poll the container's terminal");
    }
    bool window_changed = (fds[4].revents & POLLIN) && opts.forward_signals();
    if (fds[1].revents & POLLIN) {
      while (winch.take() != 0) {}
      window_changed = true;
    }
    if (window_changed) copy_window_size(terminal, master);
    if (fds[0].revents & POLLIN) {
      const Pumped p = pump(master, out, "the container's terminal");
      if (p == Pumped::OutputLost) {
        // Nobody reads the terminal any more: it hangs up for the container
        // (SIGHUP to its session, EIO for its writes), as a closed terminal
        // window does; forward_until_exit waits for the process.
        master_fd.reset();
        return;
      }
      if (p == Pumped::End) return;
    } else if (fds[0].revents & (POLLHUP | POLLERR)) {
      drain(master, out);
      return;
    }
    if ((fds[3].revents & (POLLIN | POLLHUP)) && !input.read() && !eof_sent) {
      // The pty's EOF character: the line discipline turns it into end of
      // file for the reader, as if typed.
      struct termios t;
      const char eof = ::tcgetattr(master, &t) == 0 ? static_cast<char>(t.c_cc[VEOF]) : '\x04';
      input.append(std::string_view(&eof, 1));
      eof_sent = true;
    }
    input.flush();
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

namespace {
constexpr const char* kOutputNames[3] = {"", "the process's standard output", "the process's standard error"};
}

void show_output_so_far(StdioPipes& pipes) {
  for (int i = 1; i <= 2; ++i) {
    OutputSink out{i, kOutputNames[i]};
    if (pipes.ours[i]) drain(pipes.ours[i].get(), out);
  }
}

void proxy_stdio(StdioPipes& pipes, const ProxyOptions& opts) {
  UniqueFd& in = pipes.ours[0];
  OutputSink outputs[3] = {{-1, kOutputNames[0]}, {1, kOutputNames[1]}, {2, kOutputNames[2]}};
  InputCopy input(0, in.get(), "input to the process");
  for (;;) {
    struct pollfd fds[6] = {{pipes.ours[1].get(), POLLIN, 0},
                            {pipes.ours[2].get(), POLLIN, 0},
                            {opts.stop_fd, POLLIN, 0},
                            {in ? input.source() : -1, POLLIN, 0},
                            {opts.forward_signals ? opts.signal_fd : -1, POLLIN, 0},
                            {in ? in.get() : -1, input.to_events(), 0}};
    if (::poll(fds, 6, -1) < 0) {
      if (errno == EINTR) continue;
      throw_errno("poll the process's stdio pipes");
    }
    if (fds[4].revents & POLLIN) opts.forward_signals();
    for (int i = 1; i <= 2; ++i)
      if ((fds[i - 1].revents & (POLLIN | POLLHUP | POLLERR)) &&
          pump(pipes.ours[i].get(), outputs[i], "the process's output") != Pumped::More)
        pipes.ours[i].reset();  // its end of output, or nobody to take it: its next write fails
    if (in) {
      if (fds[3].revents & (POLLIN | POLLHUP | POLLERR)) input.read();
      // The process closed its stdin (EPIPE): what is typed stays ours.
      if (!input.flush() || input.done()) in.reset();  // its end of input
    }
    if (fds[2].revents) {
      for (int i = 1; i <= 2; ++i)
        if (pipes.ours[i]) drain(pipes.ours[i].get(), outputs[i]);
      return;
    }
  }
}

}  // namespace hull::process
