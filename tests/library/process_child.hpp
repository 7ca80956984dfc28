#pragma once
// Runs exec_container_process in a forked child (no container around it) and
// collects what the exec'd program printed, or the error it threw. For the
// process stage's own tests, before and besides the full `hull run` path.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <string>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/procfs.hpp"
#include "process/exec_process.hpp"
#include "spec/spec.hpp"
#include "support/require_root.hpp"
#include "support/spec_builder.hpp"

namespace hull::test {

struct ChildResult {
  int status = 0;     // waitpid status
  std::string out;    // the program's stdout
  std::string error;  // what exec_container_process threw, if it did
  bool exited_ok() const { return WIFEXITED(status) && WEXITSTATUS(status) == 0; }
};

// `before` runs in the child first (e.g. to open stray fds); `parent` runs in
// the parent once the child is forked (e.g. a seccomp agent).
inline ChildResult run_process_child(const spec::Spec& spec, const process::ExecOptions& opts = {},
                                     const std::function<void()>& before = {},
                                     const std::function<void()>& parent = {}) {
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) < 0 || ::pipe2(err, O_CLOEXEC) < 0) throw_errno("pipe");
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out[1], 1);
    ::close(out[0]);
    ::close(err[0]);
    // The error pipe goes high, out of the way of fds the tests place.
    ::dup3(err[1], 100, O_CLOEXEC);
    err[1] = 100;
    try {
      // As in a fresh runtime process: no procfs root cached by an earlier
      // test of this process occupies an fd number the test places.
      procfs::close_shared_root();
      if (before) before();
      // The error pipe is the fd the runtime keeps until execve (every
      // other fd is closed after the barrier).
      process::ExecOptions child_opts = opts;
      child_opts.wait_for_start = [wait = opts.wait_for_start] {
        if (wait) wait();
        return 100;
      };
      process::exec_container_process(spec, child_opts);
    } catch (const std::exception& e) {
      std::string m = e.what();
      [[maybe_unused]] auto n = ::write(err[1], m.data(), m.size());
    }
    ::_exit(127);
  }
  ::close(out[1]);
  ::close(err[1]);
  if (parent) parent();
  ChildResult r;
  r.out = read_fd(out[0], "child stdout");
  r.error = read_fd(err[0], "child error");
  ::close(out[0]);
  ::close(err[0]);
  ::waitpid(pid, &r.status, 0);
  return r;
}

}  // namespace hull::test
