#pragma once
// Running programs from integration tests: fork + execve (no shell), stdout and
// stderr captured through pipes, waits bounded by pidfd + poll instead of sleeps.
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/unique_fd.hpp"

namespace hull::itest {

using std::chrono::milliseconds;

struct ProcResult {
  int exit_code = -1;      // exit status, or 128+signal when killed; -1 on timeout
  int signal = 0;          // the signal that killed it, 0 if it exited
  bool timed_out = false;  // we killed it because it outlived the timeout
  std::string out, err;
};

struct SpawnOptions {
  std::optional<std::string> stdin_data;  // nullopt: stdin is /dev/null
  milliseconds timeout{30000};
  std::string cwd;  // empty: the test's own
  std::vector<std::string> extra_env;  // NAME=value, beside PATH
};

// A started child with its output pipes. Not finished when destroyed: it is
// killed and reaped, so a failing test never leaks it.
class Child {
 public:
  static Child spawn(const std::vector<std::string>& argv, const SpawnOptions& opts = {});
  Child(Child&&) noexcept;
  Child& operator=(Child&&) = delete;
  Child(const Child&) = delete;
  ~Child();

  pid_t pid() const { return pid_; }
  // Reads stdout until it contains needle (true) or the child exits or the
  // timeout passes (false). What was read is kept for finish().
  bool wait_for_output(std::string_view needle, milliseconds timeout);
  // Waits for exit (bounded by the spawn timeout, then SIGKILL), collects output.
  ProcResult finish();

 private:
  Child() = default;
  // One poll round over the pipes and the pidfd; false once the deadline passed.
  bool pump(std::chrono::steady_clock::time_point deadline);
  void drain();
  void reap(bool killed_for_timeout);

  pid_t pid_ = -1;
  UniqueFd pidfd_, out_, err_;
  milliseconds timeout_{0};
  bool exited_ = false;
  ProcResult result_;
};

inline ProcResult run_process(const std::vector<std::string>& argv, const SpawnOptions& opts = {}) {
  return Child::spawn(argv, opts).finish();
}

// True once pid has exited (zombie or gone), false if still running at the
// timeout. Uses pidfd_open + poll, so it works for any process, child or not.
bool wait_pid_exit(pid_t pid, milliseconds timeout);

// Field 22 of /proc/<pid>/stat (start time in clock ticks) and the state
// letter; nullopt when the process does not exist.
struct PidStat {
  unsigned long long start_time = 0;
  char state = '?';
  pid_t ppid = 0;
  unsigned long flags = 0;  // PF_*: 0x4 is PF_EXITING, a process in exit
};
std::optional<PidStat> read_pid_stat(pid_t pid);

// Alive means it exists and is not a zombie.
bool pid_alive(pid_t pid);
// Alive, and no SIGKILL waits for it: kill(2) returns before its target has
// acted on the signal, so a command that wrongly killed a process may have
// exited while it still runs. For asserting that a command left it alone.
bool alive_and_not_being_killed(pid_t pid);
// The children of pid's main thread (/proc/<pid>/task/<pid>/children);
// none where it is gone.
std::vector<pid_t> children_of(pid_t pid);

}  // namespace hull::itest
