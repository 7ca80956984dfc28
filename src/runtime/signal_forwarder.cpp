#include "runtime/signal_forwarder.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <string>

#include "base/error.hpp"
#include "base/signal_mask.hpp"
#include "runtime/init_pidfd.hpp"

namespace hull {
namespace {

// glibc's own two signals (thread cancellation and set*id across threads),
// blocked with every other (base/signal_mask.hpp): `kill -33` ended `hull
// run` and left its container behind.
constexpr int kLibcCancelSignal = 32, kLibcSetxidSignal = 33;

bool is_libc_signal(int sig) { return sig == kLibcCancelSignal || sig == kLibcSetxidSignal; }

}  // namespace

SignalForwarder::SignalForwarder() {
  if (change_signal_mask(SIG_BLOCK, kEverySignal, &old_) < 0)
    throw_errno("block signals to forward them to the container");
  note_callers_signal_mask(old_);
  fd_.reset(signalfd_of(kEverySignal, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!fd_) throw_errno("signalfd to forward signals to the container");
}

void reset_signal_state() {
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  // Each disposition is asked of the kernel and reset only where it is not
  // the default. In a process just cloned, 62 queries take half the time of
  // opening and reading /proc/self/status for its SigIgn and SigCgt (8
  // against 16 us on the development VM), and need no procfs. glibc refuses
  // its own two signals (EINVAL): they are never ours to reset.
  for (int sig = 1; sig < NSIG && sig <= 64; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    struct sigaction old {};
    if (::sigaction(sig, nullptr, &old) == 0 && old.sa_handler != SIG_DFL) ::signal(sig, SIG_DFL);
  }
}

SignalForwarder::~SignalForwarder() {
  // A signal that came after the process exited is still pending: consume it,
  // or restoring the mask would deliver it to us and kill the runtime before
  // it reports the container's exit code.
  signalfd_siginfo si;
  while (::read(fd_.get(), &si, sizeof si) == static_cast<ssize_t>(sizeof si)) {}
  change_signal_mask(SIG_SETMASK, old_, nullptr);
}

bool SignalForwarder::forward_pending(int pidfd, const std::string& what) const {
  bool window_changed = false;
  signalfd_siginfo si;
  while (::read(fd_.get(), &si, sizeof si) == static_cast<ssize_t>(sizeof si)) {
    // SIGCHLD is ours (the child exiting shows on the pidfd); a SIGPIPE the
    // kernel raised for us (its sender is ourselves) only says our own
    // stdout went away. One another process sent is forwarded, as runc does.
    if (si.ssi_signo == SIGCHLD) {
      if (waited_ > 0) reap_orphans();
      continue;
    }
    if (si.ssi_signo == SIGPIPE && si.ssi_pid == static_cast<uint32_t>(::getpid())) continue;
    // Not the container's either: its libc's own (runc drops 33 too).
    if (is_libc_signal(static_cast<int>(si.ssi_signo))) continue;
    if (si.ssi_signo == SIGWINCH) {
      window_changed = true;
      continue;
    }
    send_signal(pidfd, static_cast<int>(si.ssi_signo), what);
  }
  return window_changed;
}

void become_child_subreaper() {
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) throw_errno("become a child subreaper");
}

void SignalForwarder::reap_orphans() const {
  for (;;) {
    siginfo_t info{};
    // Looked at first (WNOWAIT): the waited process's status is
    // forward_until_exit's to collect.
    if (::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) < 0 || info.si_pid == 0 || info.si_pid == waited_)
      return;
    ::waitpid(info.si_pid, nullptr, WNOHANG);
  }
}

int SignalForwarder::forward_until_exit(int pidfd, const std::string& what) const {
  pollfd fds[2] = {{pidfd, POLLIN, 0}, {fd_.get(), POLLIN, 0}};
  for (;;) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      throw_errno("wait for " + what);
    }
    if (fds[1].revents & POLLIN) forward_pending(pidfd, what);
    if (fds[0].revents & POLLIN) {
      siginfo_t info{};
      if (::waitid(P_PIDFD, static_cast<id_t>(pidfd), &info, WEXITED) < 0) throw_errno("wait for " + what);
      if (info.si_code == CLD_EXITED) return info.si_status;
      return 128 + info.si_status;
    }
  }
}

}  // namespace hull
