#include "base/flock_wait.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <sstream>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/log.hpp"
#include "base/unique_fd.hpp"

namespace hull {
namespace {

constexpr size_t kMaxShownCommand = 200;

// "pid 1234 (hull --root /run/hull create web)", or "pid 1234" when its
// command line cannot be read (gone since, or another pid namespace's).
std::string describe_process(pid_t pid) {
  std::string out = "pid " + std::to_string(pid);
  // Its start only: a whole command line longer than a page (a long
  // argument list, a script given inline) is no more use, and one read of
  // the start needs no cap on the rest. Two bytes past what it shows: a
  // 200-character line's own NUL, and one that tells of more wherever the
  // cut falls (on the NUL between two arguments too).
  UniqueFd fd(::open(("/proc/" + std::to_string(pid) + "/cmdline").c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return out;
  char start[kMaxShownCommand + 2];
  const ssize_t n = ::read(fd.get(), start, sizeof start);
  if (n <= 0) return out;
  size_t size = static_cast<size_t>(n);
  if (size < sizeof start)
    while (size > 0 && start[size - 1] == '\0') --size;
  std::string cmdline(start, std::min(size, kMaxShownCommand));
  std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
  if (size > kMaxShownCommand) cmdline += "...";
  return cmdline.empty() ? out : out + " (" + cmdline + ")";
}

// Set by SIGALRM while a QuietTimer is armed.
volatile sig_atomic_t quiet_time_over = 0;
void note_quiet_time_over(int) { quiet_time_over = 1; }

// A one-shot SIGALRM after `quiet`, whose handler only notes it: a blocking
// flock returns EINTR then (no SA_RESTART). A signal rather than a thread:
// linking std::thread cost every create 108 KiB of peak RSS (bench/rounds.md,
// "Ninetieth round"). Not armed where SIGALRM is blocked (hull run's
// signalfd forwards it) or a timer already runs; the caller's handler is
// put back, after the timer is stopped, so no alarm of ours reaches it.
class QuietTimer {
 public:
  explicit QuietTimer(std::chrono::milliseconds quiet) {
    sigset_t mask;
    if (::sigprocmask(SIG_BLOCK, nullptr, &mask) < 0 || sigismember(&mask, SIGALRM)) return;
    itimerval running{};
    if (::getitimer(ITIMER_REAL, &running) < 0 || running.it_value.tv_sec != 0 || running.it_value.tv_usec != 0) return;
    struct sigaction note {};
    note.sa_handler = note_quiet_time_over;
    sigemptyset(&note.sa_mask);
    if (::sigaction(SIGALRM, &note, &caller_) < 0) return;
    quiet_time_over = 0;
    itimerval once{};
    once.it_value.tv_sec = quiet.count() / 1000;
    once.it_value.tv_usec = (quiet.count() % 1000) * 1000;
    if (::setitimer(ITIMER_REAL, &once, nullptr) < 0) {
      ::sigaction(SIGALRM, &caller_, nullptr);
      return;
    }
    armed_ = true;
  }
  QuietTimer(const QuietTimer&) = delete;
  QuietTimer& operator=(const QuietTimer&) = delete;
  ~QuietTimer() {
    if (!armed_) return;
    itimerval off{};
    ::setitimer(ITIMER_REAL, &off, nullptr);
    ::sigaction(SIGALRM, &caller_, nullptr);
  }

 private:
  struct sigaction caller_ {};
  bool armed_ = false;
};

}  // namespace

pid_t flock_holder(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) < 0) return 0;
  char id[64];
  std::snprintf(id, sizeof id, "%02x:%02x:%lu", major(st.st_dev), minor(st.st_dev),
                static_cast<unsigned long>(st.st_ino));
  std::string text;
  try {
    text = read_file("/proc/locks", size_t{1} << 20);
  } catch (const Error&) {
    return 0;
  }
  // "1: FLOCK  ADVISORY  WRITE 1234 00:1f:5678 0 EOF"; a waiter's line
  // reads "1: -> FLOCK ...".
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    std::string number, type, advisory, mode, pid, file;
    if (!(fields >> number >> type >> advisory >> mode >> pid >> file) || type != "FLOCK") continue;
    if (file == id) return static_cast<pid_t>(std::strtol(pid.c_str(), nullptr, 10));
  }
  return 0;
}

namespace {

// The wait behind another holder: out of the hot text (create, start and
// delete take a free lock), where its bulk would spread the code they run.
[[gnu::cold, gnu::noinline]] void wait_for_held_lock(int fd, const std::string& what, std::chrono::milliseconds quiet) {
  QuietTimer timer(quiet);
  bool said = false;
  while (::flock(fd, LOCK_EX) < 0) {
    if (errno != EINTR) throw_errno("lock " + what);
    if (said || !quiet_time_over) continue;
    said = true;
    const pid_t holder = flock_holder(fd);
    log::warn("waiting for the lock on " + what + ": " +
              (holder > 0 ? describe_process(holder) : std::string("another process")) + " has held it for over " +
              std::to_string(quiet.count()) + " ms; this command goes on once that one lets it go");
  }
}

}  // namespace

void lock_exclusive_naming_holder(int fd, const std::string& what, std::chrono::milliseconds quiet) {
  if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return;
  if (errno != EWOULDBLOCK && errno != EINTR) throw_errno("lock " + what);
  wait_for_held_lock(fd, what, quiet);
}

}  // namespace hull
