#pragma once
// The attached runtime (hull run, hull exec) stays the parent of the process
// it started: it forwards the signals it receives and exits with the
// process's status.
#include <sys/types.h>

#include <csignal>
#include <string>

#include "base/signal_mask.hpp"
#include "base/unique_fd.hpp"

namespace hull {

// Blocks every signal for its lifetime and reads them from a signalfd, so
// none is lost between clone and wait and none kills the runtime before it
// could forward it. Create it before cloning; the child must reset its mask.
class SignalForwarder {
 public:
  SignalForwarder();
  ~SignalForwarder();
  SignalForwarder(const SignalForwarder&) = delete;
  SignalForwarder& operator=(const SignalForwarder&) = delete;

  // Forwards signals to the process behind pidfd (our child) until it exits;
  // returns its exit code, 128+signal when a signal killed it.
  int forward_until_exit(int pidfd, const std::string& what) const;

  // Readable while signals are pending (for a caller that polls other fds
  // too: the terminal proxy).
  int fd() const { return fd_.get(); }
  // Forwards the signals pending now to the process behind pidfd. SIGWINCH
  // is not forwarded (as runc): a window change reaches a container's
  // terminal as the pty's resize; returns whether one came.
  bool forward_pending(int pidfd, const std::string& what) const;

  // For a child subreaper (become_child_subreaper): on SIGCHLD every child
  // but `waited` (the process forward_until_exit waits for) is reaped.
  void reap_orphans_but(pid_t waited) { waited_ = waited; }

 private:
  void reap_orphans() const;

  SignalMask old_ = 0;
  UniqueFd fd_;
  pid_t waited_ = 0;  // 0: reap nothing
};

// Makes the caller the child subreaper of what its children leave behind
// (runc run's and restore's rule, unless --no-subreaper): the orphans of a
// container without a pid namespace of its own come here, to be reaped
// (SignalForwarder::reap_orphans_but) rather than left to the host's.
void become_child_subreaper();

// The child's side: an empty signal mask and default dispositions, since the
// forwarder's blocked mask is inherited and ignored signals survive execve.
void reset_signal_state();

}  // namespace hull
