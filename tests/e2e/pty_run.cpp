// Runs a command on a terminal of its own, as a user at a terminal would:
// the command's stdin, stdout and stderr are a fresh pty's slave, and all
// that it writes there is copied to our stdout. Exits with the command's exit
// code (128 + the signal when a signal ended it).
//   pty_run [--enter-after TEXT] COMMAND [ARGS...]
// --enter-after presses Enter once TEXT has shown on the terminal (or after
// 30 s without it): the command can wait for that before it exits.
//
// The e2e scenarios run their clients' -t and -it through it (lib.sh,
// with_tty), in place of script(1), which writes an EOF character into the
// pty when its own stdin is at EOF (ctest gives every test /dev/null) and
// leaves 10 ms after its child exits, whatever the pty still holds. Here
// nothing is written to the command's input but the Enter asked for, and the
// copy ends only when the last holder of the slave has closed it: then the
// master's read answers EIO, after the kernel has handed over everything
// written before.
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "base/fs.hpp"
#include "base/unique_fd.hpp"

namespace {

int fail(const char* what) {
  std::fprintf(stderr, "pty_run: %s: %s\n", what, std::strerror(errno));
  return 125;
}

// In the child: a session of its own with the slave as its controlling
// terminal and as fds 0-2, then the command.
[[noreturn]] void exec_on_terminal(int slave, char** argv) {
  if (::setsid() < 0 || ::ioctl(slave, TIOCSCTTY, 0) < 0 || ::dup2(slave, 0) < 0 || ::dup2(slave, 1) < 0 ||
      ::dup2(slave, 2) < 0) {
    std::fprintf(stderr, "pty_run: make the pty the terminal of %s: %s\n", argv[0], std::strerror(errno));
    ::_exit(125);
  }
  ::execvp(argv[0], argv);
  std::fprintf(stderr, "pty_run: exec %s: %s\n", argv[0], std::strerror(errno));
  ::_exit(127);
}

// Presses Enter once the output shows the awaited text (never, without a
// text). The text may come split over reads: the tail kept is as long as it.
class EnterAfter {
 public:
  explicit EnterAfter(std::string text)
      : text_(std::move(text)),
        deadline_(std::chrono::steady_clock::now() + std::chrono::seconds(30)),
        pressed_(text_.empty()) {}

  bool pressed() const { return pressed_; }

  // How long to wait for output before pressing Enter anyway (poll's ms).
  int wait_ms() const {
    if (pressed_) return -1;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - std::chrono::steady_clock::now());
    return left.count() > 0 ? static_cast<int>(left.count()) : 0;
  }

  void saw(const char* p, size_t n, int master) {
    if (pressed_) return;
    tail_.append(p, n);
    if (tail_.find(text_) != std::string::npos) return press(master);
    if (tail_.size() > text_.size()) tail_.erase(0, tail_.size() - text_.size());
  }

  // A terminal's Enter key sends CR; the line discipline makes it a newline.
  void press(int master) {
    pressed_ = true;
    (void)!::write(master, "\r", 1);
  }

 private:
  std::string text_;
  std::string tail_;
  std::chrono::steady_clock::time_point deadline_;
  bool pressed_;
};

}  // namespace

int main(int argc, char** argv) {
  int first = 1;
  std::string enter_after;
  if (argc > 1 && std::strcmp(argv[1], "--enter-after") == 0) {
    enter_after = argc > 2 ? argv[2] : "";
    first = 3;
  }
  if (first >= argc || (first == 3 && enter_after.empty())) {
    std::fprintf(stderr, "usage: pty_run [--enter-after TEXT] COMMAND [ARGS...]\n");
    return 2;
  }
  hull::UniqueFd master(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!master) return fail("open /dev/ptmx");
  char name[64];
  if (::grantpt(master.get()) < 0 || ::unlockpt(master.get()) < 0 || ::ptsname_r(master.get(), name, sizeof name) != 0)
    return fail("unlock the pty");
  hull::UniqueFd slave(::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!slave) return fail(name);

  std::fflush(stdout);
  pid_t child = ::fork();
  if (child < 0) return fail("fork");
  if (child == 0) exec_on_terminal(slave.get(), argv + first);
  // The child holds the slave now: ours would keep the master from ever
  // reading EIO.
  slave.reset();

  EnterAfter enter(enter_after);
  char buf[8192];
  for (;;) {
    if (!enter.pressed()) {
      pollfd p{master.get(), POLLIN, 0};
      int ready = ::poll(&p, 1, enter.wait_ms());
      if (ready < 0 && errno != EINTR) return fail("poll the pty");
      // The text never came: Enter lets the command end, and the scenario
      // fails on what it printed.
      if (ready == 0) enter.press(master.get());
      if (ready <= 0) continue;
    }
    ssize_t n = ::read(master.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EIO) return fail("read the pty");
    if (n <= 0) break;
    try {
      hull::write_all(STDOUT_FILENO, std::string_view(buf, static_cast<size_t>(n)), "stdout");
    } catch (const std::exception& e) {
      std::fprintf(stderr, "pty_run: %s\n", e.what());
      return 125;
    }
    enter.saw(buf, static_cast<size_t>(n), master.get());
  }

  int status = 0;
  while (::waitpid(child, &status, 0) < 0)
    if (errno != EINTR) return fail("wait for the command");
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
