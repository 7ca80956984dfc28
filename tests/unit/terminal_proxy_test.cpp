#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/unique_fd.hpp"
#include "process/terminal.hpp"
#include "process/terminal_proxy.hpp"

using namespace hull;

namespace {
// A pty pair, as setup_rootfs gives the init.
void open_pty(UniqueFd& master, UniqueFd& slave) {
  master.reset(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
  ASSERT_TRUE(master) << "posix_openpt";
  ASSERT_EQ(::grantpt(master.get()), 0);
  ASSERT_EQ(::unlockpt(master.get()), 0);
  slave.reset(::open(::ptsname(master.get()), O_RDWR | O_NOCTTY | O_CLOEXEC));
  ASSERT_TRUE(slave);
}
}  // namespace

TEST(TerminalProxy, MasterTravelsOverTheConsoleSocket) {
  UniqueFd master, slave;
  open_pty(master, slave);
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
  UniqueFd a(sv[0]), b(sv[1]);
  process::send_fd(a.get(), master.get(), "/dev/pts/7");
  auto got = process::receive_pty_master(b.get());
  EXPECT_EQ(got.name, "/dev/pts/7");
  ASSERT_TRUE(got.master);
  // The received fd is the same pty: what the slave writes shows on it.
  write_all(slave.get(), "ping", "slave");
  char buf[8] = {};
  EXPECT_EQ(::read(got.master.get(), buf, sizeof buf), 4);
  EXPECT_STREQ(buf, "ping");
  EXPECT_TRUE(::fcntl(got.master.get(), F_GETFD) & FD_CLOEXEC);
}

TEST(TerminalProxy, ClosedSocketIsAnError) {
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
  ::close(sv[0]);
  UniqueFd b(sv[1]);
  EXPECT_THROW(process::receive_pty_master(b.get()), Error);
}

TEST(TerminalProxy, CopiesBothWaysUntilTheContainerSideCloses) {
  UniqueFd master, slave;
  open_pty(master, slave);
  int in[2], out[2];
  ASSERT_EQ(::pipe2(in, O_CLOEXEC), 0);
  ASSERT_EQ(::pipe2(out, O_CLOEXEC), 0);
  // The "container": reads a line from the pty, answers, exits.
  pid_t pid = ::fork();
  if (pid == 0) {
    struct termios t;
    ::tcgetattr(slave.get(), &t);
    t.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(slave.get(), TCSANOW, &t);
    char buf[64];
    ssize_t n = ::read(slave.get(), buf, sizeof buf);
    std::string reply = "got:" + std::string(buf, n > 0 ? static_cast<size_t>(n) : 0);
    [[maybe_unused]] auto w = ::write(slave.get(), reply.data(), reply.size());
    ::_exit(0);
  }
  slave.reset();
  write_all(in[1], "hello\n", "input");
  ::close(in[1]);
  process::ProxyOptions opts;
  opts.in = in[0];
  opts.out = out[1];
  process::proxy_terminal(master, opts);
  ::close(out[1]);
  ::close(in[0]);
  int status;
  ::waitpid(pid, &status, 0);
  std::string got = read_fd(out[0], "output");
  ::close(out[0]);
  EXPECT_NE(got.find("got:hello"), std::string::npos) << got;
}

namespace {

struct ProxyPipe {
  UniqueFd read, write;
  ProxyPipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) == 0) {
      read.reset(fds[0]);
      write.reset(fds[1]);
    }
  }
};

int pidfd_of(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

// Runs body in a child process (its status the exit code body returns) and
// waits up to `seconds` for it: the exit status, or -1 when it was still
// running (then killed), so that a proxy that hangs fails the test instead.
template <class Body>
int exit_code_within(int seconds, Body&& body) {
  pid_t pid = ::fork();
  if (pid == 0) {
    int code = 99;
    try {
      code = body();
    } catch (...) {}
    ::_exit(code);
  }
  UniqueFd pidfd(pidfd_of(pid));
  struct pollfd p = {pidfd.get(), POLLIN, 0};
  const bool ended = ::poll(&p, 1, seconds * 1000) == 1;
  if (!ended) ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return ended && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// A child that runs body and exits with what it returns.
template <class Body>
pid_t start_child(Body&& body) {
  pid_t pid = ::fork();
  if (pid == 0) ::_exit(body());
  return pid;
}

int wait_exit_code(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Our child pid's exit code once it exits within `seconds`, else -1 (it is
// killed then).
int awaited_exit_code(pid_t pid, int seconds) {
  UniqueFd pidfd(pidfd_of(pid));
  struct pollfd p = {pidfd.get(), POLLIN, 0};
  if (::poll(&p, 1, seconds * 1000) != 1) ::kill(pid, SIGKILL);
  return wait_exit_code(pid);
}

}  // namespace

// 60 KB typed into a container that reads none of it: the pty takes about 4
// KiB. The rest waits, and the proxy still returns when the container exits
// (a blocking write on the master waited for ever once the slave was closed).
TEST(TerminalProxy, InputThePtyCannotTakeDoesNotHoldUpTheContainersExit) {
  UniqueFd master, slave;
  open_pty(master, slave);
  // Raw, as a full-screen program leaves it: the line discipline takes at
  // most its 4 KiB buffer and keeps nothing beyond (canonical mode discards it).
  struct termios t;
  ASSERT_EQ(::tcgetattr(slave.get(), &t), 0);
  ::cfmakeraw(&t);
  ASSERT_EQ(::tcsetattr(slave.get(), TCSANOW, &t), 0);
  ProxyPipe in;
  pid_t container = start_child([&] {
    master.reset();
    ::usleep(200 * 1000);
    return 0;
  });
  slave.reset();
  const std::string typed(60000, 'a');
  write_all(in.write.get(), typed, "typed input");
  in.write.reset();
  UniqueFd pidfd(pidfd_of(container));
  // The pty echoes what it is given; nobody reads it here.
  UniqueFd devnull(::open("/dev/null", O_WRONLY | O_CLOEXEC));
  const int code = exit_code_within(5, [&] {
    process::ProxyOptions opts;
    opts.in = in.read.get();
    opts.out = devnull.get();
    opts.stop_fd = pidfd.get();
    process::proxy_terminal(master, opts);
    return 0;
  });
  EXPECT_EQ(code, 0) << "the proxy did not return after the container exited";
  EXPECT_EQ(awaited_exit_code(container, 5), 0);
}

// The caller's input fills the process's stdin pipe, which the process does
// not read: what the process writes still reaches the caller at once, and the
// proxy returns when it exits (a blocking write into the full pipe held both
// until the process exited).
TEST(TerminalProxy, StdinThatThePipeCannotTakeDoesNotHoldUpTheOutput) {
  process::StdioPipes pipes = process::make_stdio_pipes();
  ProxyPipe caller_in, caller_out, release;
  pid_t container = start_child([&] {
    for (UniqueFd& end : pipes.ours) end.reset();
    release.write.reset();
    ::usleep(300 * 1000);  // the stdin pipe is full by then
    write_all(pipes.child[1].get(), "tick\n", "tick");
    char c;
    return ::read(release.read.get(), &c, 1) == 0 ? 0 : 1;
  });
  for (UniqueFd& end : pipes.child) end.reset();
  release.read.reset();
  // The caller types without end: more than both pipes and the proxy hold.
  pid_t typist = start_child([&] {
    release.write.reset();
    const std::string chunk(65536, 'a');
    for (;;)
      if (::write(caller_in.write.get(), chunk.data(), chunk.size()) < 0) return 0;
  });
  caller_in.write.reset();
  UniqueFd pidfd(pidfd_of(container));
  pid_t proxy = start_child([&] {
    release.write.reset();
    ::signal(SIGPIPE, SIG_IGN);  // as under hull's blocked signals
    ::dup2(caller_in.read.get(), 0);
    ::dup2(caller_out.write.get(), 1);
    process::ProxyOptions opts;
    opts.stop_fd = pidfd.get();
    process::proxy_stdio(pipes, opts);
    return 0;
  });
  caller_in.read.reset();
  caller_out.write.reset();
  for (UniqueFd& end : pipes.ours) end.reset();

  struct pollfd p = {caller_out.read.get(), POLLIN, 0};
  std::string got;
  if (::poll(&p, 1, 3000) == 1) {
    char buf[64];
    ssize_t n = ::read(caller_out.read.get(), buf, sizeof buf);
    if (n > 0) got.assign(buf, static_cast<size_t>(n));
  }
  EXPECT_EQ(got, "tick\n") << "the process's output waited for its stdin";
  release.write.reset();  // the process exits
  EXPECT_EQ(awaited_exit_code(container, 5), 0);
  EXPECT_EQ(awaited_exit_code(proxy, 5), 0) << "the proxy did not return after the process exited";
  ::kill(typist, SIGKILL);
  ::waitpid(typist, nullptr, 0);
}

// Nobody reads the caller's stdout any more: the process's own stdout pipe
// is closed, so its next write fails as it would on the caller's pipe, and
// it ends (read and dropped, its output kept it running for ever).
TEST(TerminalProxy, AnOutputNobodyReadsIsClosedForTheProcess) {
  process::StdioPipes pipes = process::make_stdio_pipes();
  ProxyPipe caller_out;
  caller_out.read.reset();  // the reader has gone
  pid_t container = start_child([&] {
    for (UniqueFd& end : pipes.ours) end.reset();
    ::signal(SIGPIPE, SIG_IGN);
    for (;;)
      if (::write(pipes.child[1].get(), "y\n", 2) < 0) return errno == EPIPE ? 3 : 4;
  });
  for (UniqueFd& end : pipes.child) end.reset();
  UniqueFd pidfd(pidfd_of(container));
  pid_t proxy = start_child([&] {
    ::signal(SIGPIPE, SIG_IGN);  // as under hull's blocked signals
    ::dup2(caller_out.write.get(), 1);
    process::ProxyOptions opts;
    opts.stop_fd = pidfd.get();
    process::proxy_stdio(pipes, opts);
    return 0;
  });
  for (UniqueFd& end : pipes.ours) end.reset();
  EXPECT_EQ(awaited_exit_code(container, 5), 3) << "the process's write did not fail with EPIPE";
  EXPECT_EQ(awaited_exit_code(proxy, 5), 0) << "the proxy did not return";
}

// The same under process.terminal: the master is closed, so the container's
// terminal hangs up (its writes fail with EIO), and the proxy returns.
TEST(TerminalProxy, ATerminalOutputNobodyReadsHangsTheContainersTerminalUp) {
  UniqueFd master, slave;
  open_pty(master, slave);
  ProxyPipe in, out;
  out.read.reset();  // the reader has gone
  pid_t container = start_child([&] {
    master.reset();
    for (;;)
      if (::write(slave.get(), "y\n", 2) < 0) return errno == EIO ? 3 : 4;
  });
  slave.reset();
  UniqueFd pidfd(pidfd_of(container));
  pid_t proxy = start_child([&] {
    ::signal(SIGPIPE, SIG_IGN);
    process::ProxyOptions opts;
    opts.in = in.read.get();
    opts.out = out.write.get();
    opts.stop_fd = pidfd.get();
    process::proxy_terminal(master, opts);
    return master ? 1 : 0;
  });
  master.reset();
  EXPECT_EQ(awaited_exit_code(container, 5), 3) << "the container's write did not fail with EIO";
  EXPECT_EQ(awaited_exit_code(proxy, 5), 0) << "the proxy did not return, or kept the master";
}
