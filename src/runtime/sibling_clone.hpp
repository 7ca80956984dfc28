#pragma once
// A process cloned by a helper of ours, yet our child (CLONE_PARENT): the
// helper first makes itself what the process must be born as (joins
// namespaces, closes the fds the process must not hold), clones it and
// reports its pid over a pipe. The process is unreaped until we wait for
// it, so its pid is safe to open a pidfd on.
//
// For create's init, whose new pid namespace must belong to a user
// namespace joined by path (LaunchRequest::join_in_helper), and for exec's
// process, which must be born holding nothing that reaches the host
// (runtime/exec.cpp).
#include <sys/types.h>
#include <unistd.h>

#include <cstdint>
#include <exception>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "base/unique_fd.hpp"
#include "runtime/launcher.hpp"

namespace hull {

class SiblingReport {
 public:
  SiblingReport();  // the pipe
  SiblingReport(const SiblingReport&) = delete;
  SiblingReport& operator=(const SiblingReport&) = delete;

  // The pipe's write end, for a helper that closes every fd but those it keeps.
  int write_fd() const noexcept { return write_end_.get(); }

  // In the helper: clone3 with CLONE_PARENT | flags (clone where a filter
  // answers clone3 with ENOSYS or EPERM and clone can carry the flags). The
  // helper gets the pid (-1 and errno on failure; `call` says which call
  // failed, for clone_error); the clone gets 0, its copy of the write end
  // closed (the helper's death alone must end our read). The helper must
  // not change this object: it may run in our memory.
  enum class Call { Clone3, Clone };
  long clone_sibling(uint64_t flags, Call& call) const noexcept;
  // "clone3 <what>", or, where clone_sibling fell back to it, "clone <what>"
  // and why: for the error of a failed clone_sibling.
  static std::string clone_error(Call call, const std::string& what);
  // In the helper: runs its steps, which end in clone_sibling and return
  // its pid (the clone never returns from them), then reports the pid, or
  // the Error (errno, text) that kept the steps from it, and exits.
  template <class Steps>
  [[noreturn]] void run_helper(Steps&& steps) const noexcept {
    long pid = -1;
    int err = 0;
    std::string error;
    try {
      pid = steps();
    } catch (const Error& e) {
      err = e.code();
      error = e.message();
    } catch (const std::exception& e) {
      error = e.what();
    }
    send(pid, err, error);
    ::_exit(0);
  }

  // Ours, once the helper is cloned: reaps it and returns the process it
  // reported, which must be a child of ours. Throws its error; where it
  // died without a report, or reported a pid that is not our child, kills
  // and reaps every child of ours (the process, if it was cloned: the
  // caller has no other child then) and throws an Error with EPIPE.
  // helper_may_load_filter: the helper may load the container's filter
  // (exec's), which names it where a SIGSYS killed the helper.
  LaunchedChild receive(pid_t helper, const char* what, bool helper_may_load_filter);

 private:
  void send(long pid, int err, std::string_view error) const noexcept;
  UniqueFd read_end_, write_end_;
};

}  // namespace hull
