#include "base/flock_wait.hpp"

#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <sstream>
#include <system_error>
#include <thread>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/log.hpp"

namespace hull {
namespace {

constexpr size_t kMaxShownCommand = 200;

// "pid 1234 (hull --root /run/hull create web)", or "pid 1234" when its
// command line cannot be read (gone since, or another pid namespace's).
std::string describe_process(pid_t pid) {
  std::string out = "pid " + std::to_string(pid);
  std::string cmdline;
  try {
    cmdline = read_file("/proc/" + std::to_string(pid) + "/cmdline", 4096);
  } catch (const Error&) {
    return out;
  }
  while (!cmdline.empty() && cmdline.back() == '\0') cmdline.pop_back();
  std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
  if (cmdline.size() > kMaxShownCommand) cmdline = cmdline.substr(0, kMaxShownCommand) + "...";
  return cmdline.empty() ? out : out + " (" + cmdline + ")";
}

// Warns once the wait it spans has lasted `quiet`, from a thread of its own
// while this one blocks in flock.
class WaitNotice {
 public:
  WaitNotice(int fd, const std::string& what, std::chrono::milliseconds quiet) {
    try {
      thread_ = std::thread([this, fd, what, quiet] {
        std::unique_lock lock(mutex_);
        if (done_cv_.wait_for(lock, quiet, [this] { return done_; })) return;
        const pid_t holder = flock_holder(fd);
        log::warn("waiting for the lock on " + what + ": " +
                  (holder > 0 ? describe_process(holder) : std::string("another process")) + " has held it for over " +
                  std::to_string(quiet.count()) + " ms; this command goes on once that one lets it go");
      });
    } catch (const std::system_error&) {
      // No thread (a caller's filter refusing clone, a thread limit): the
      // wait is as silent as runc's.
    }
  }
  WaitNotice(const WaitNotice&) = delete;
  WaitNotice& operator=(const WaitNotice&) = delete;
  ~WaitNotice() {
    if (!thread_.joinable()) return;
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    done_cv_.notify_one();
    thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable done_cv_;
  bool done_ = false;
  std::thread thread_;
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

void lock_exclusive_naming_holder(int fd, const std::string& what, std::chrono::milliseconds quiet) {
  if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return;
  if (errno != EWOULDBLOCK && errno != EINTR) throw_errno("lock " + what);
  WaitNotice notice(fd, what, quiet);
  while (::flock(fd, LOCK_EX) < 0) {
    if (errno != EINTR) throw_errno("lock " + what);
  }
}

}  // namespace hull
