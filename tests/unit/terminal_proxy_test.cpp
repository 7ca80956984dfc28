#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/socket.h>
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
  process::proxy_terminal(master.get(), opts);
  ::close(out[1]);
  ::close(in[0]);
  int status;
  ::waitpid(pid, &status, 0);
  std::string got = read_fd(out[0], "output");
  ::close(out[0]);
  EXPECT_NE(got.find("got:hello"), std::string::npos) << got;
}
