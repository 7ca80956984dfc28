#pragma once
// Runs a function in a forked child and reports how it ended: its exit
// status, the text of an exception it threw and (run_forked_output) the text
// it returned, both sent back over pipes, so a test asserts on what the child
// saw rather than trusting that it ran. Every tier's fork-and-report runner
// is built on this one.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <exception>
#include <functional>
#include <string>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/unique_fd.hpp"

namespace hull::test {

struct ForkedResult {
  int status = 0;      // waitpid status
  std::string error;   // what the function threw, "" if it returned
  std::string output;  // what it returned (run_forked_output), "" otherwise
  bool exited_ok() const { return WIFEXITED(status) && WEXITSTATUS(status) == 0 && error.empty(); }
};

// The child runs `body` and exits 0 if it returns (having sent back what it
// returned), 1 if it throws (having sent back the exception's text). The
// parent runs `parent` (with the child's pid) while the child lives, then
// reaps it.
inline ForkedResult run_forked_output(const std::function<std::string()>& body,
                                      const std::function<void(pid_t)>& parent = {}) {
  int err[2], out[2];
  if (::pipe2(err, O_CLOEXEC) < 0) throw_errno("pipe");
  UniqueFd err_r(err[0]), err_w(err[1]);
  if (::pipe2(out, O_CLOEXEC) < 0) throw_errno("pipe");
  UniqueFd out_r(out[0]), out_w(out[1]);
  pid_t pid = ::fork();
  if (pid < 0) throw_errno("fork");
  if (pid == 0) {
    err_r.reset();
    out_r.reset();
    int code = 0;
    try {
      std::string result = body();
      [[maybe_unused]] auto n = ::write(out_w.get(), result.data(), result.size());
    } catch (const std::exception& e) {
      std::string m = e.what();
      [[maybe_unused]] auto n = ::write(err_w.get(), m.data(), m.size());
      code = 1;
    }
    ::_exit(code);
  }
  err_w.reset();
  out_w.reset();
  ForkedResult r;
  std::exception_ptr parent_failed;
  try {
    if (parent) parent(pid);
  } catch (...) {
    parent_failed = std::current_exception();
    ::kill(pid, SIGKILL);
  }
  r.output = read_fd(out_r.get(), "child output pipe");
  r.error = read_fd(err_r.get(), "child error pipe");
  while (::waitpid(pid, &r.status, 0) < 0 && errno == EINTR) {}
  if (parent_failed) std::rethrow_exception(parent_failed);
  return r;
}

// The same for a body that returns nothing.
inline ForkedResult run_forked(const std::function<void()>& body, const std::function<void(pid_t)>& parent = {}) {
  return run_forked_output(
      [&body] {
        body();
        return std::string();
      },
      parent);
}

}  // namespace hull::test
