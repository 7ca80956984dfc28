#pragma once
// Runs a function in a forked child and reports how it ended: its exit
// status, and the text of an exception it threw (sent back over a pipe), so a
// test asserts on what the child saw rather than trusting that it ran.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <exception>
#include <functional>
#include <string>

#include "base/error.hpp"
#include "base/fs.hpp"

namespace hull::test {

struct ForkedResult {
  int status = 0;     // waitpid status
  std::string error;  // what the function threw, "" if it returned
  bool exited_ok() const { return WIFEXITED(status) && WEXITSTATUS(status) == 0 && error.empty(); }
};

// The child runs `body` and exits 0 if it returns, 1 if it throws. The
// parent runs `parent` (with the child's pid) while the child lives, then
// reaps it.
inline ForkedResult run_forked(const std::function<void()>& body, const std::function<void(pid_t)>& parent = {}) {
  int err[2];
  if (::pipe2(err, O_CLOEXEC) < 0) throw_errno("pipe");
  pid_t pid = ::fork();
  if (pid < 0) throw_errno("fork");
  if (pid == 0) {
    ::close(err[0]);
    int code = 0;
    try {
      body();
    } catch (const std::exception& e) {
      std::string m = e.what();
      [[maybe_unused]] auto n = ::write(err[1], m.data(), m.size());
      code = 1;
    }
    ::_exit(code);
  }
  ::close(err[1]);
  UniqueFd err_r(err[0]);
  ForkedResult r;
  std::exception_ptr parent_failed;
  try {
    if (parent) parent(pid);
  } catch (...) {
    parent_failed = std::current_exception();
    ::kill(pid, SIGKILL);
  }
  r.error = read_fd(err_r.get(), "child error pipe");
  ::waitpid(pid, &r.status, 0);
  if (parent_failed) std::rethrow_exception(parent_failed);
  return r;
}

}  // namespace hull::test
