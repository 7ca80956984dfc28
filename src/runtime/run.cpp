// hull run: create + start in one process. Attached, the runtime stays the
// init's parent: it forwards the signals it receives and exits with the
// container's status.
#include <poll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>

#include <csignal>

#include "base/error.hpp"
#include "runtime/container_setup.hpp"
#include "runtime/init_pidfd.hpp"
#include "runtime/operations.hpp"

namespace hull {

namespace {

// Blocks every signal for the lifetime of the object and reads them from a
// signalfd instead, so none is lost between clone and wait and none kills
// the runtime before it could forward it. Restored on destruction.
class SignalForwarder {
 public:
  SignalForwarder() {
    sigset_t all;
    sigfillset(&all);
    ::sigprocmask(SIG_BLOCK, &all, &old_);
    fd_.reset(::signalfd(-1, &all, SFD_CLOEXEC | SFD_NONBLOCK));
    if (!fd_) throw_errno("signalfd");
  }
  ~SignalForwarder() { ::sigprocmask(SIG_SETMASK, &old_, nullptr); }
  int fd() const { return fd_.get(); }

 private:
  sigset_t old_;
  UniqueFd fd_;
};

// Forwards signals until the init exits; returns its wait status as an exit code.
int forward_until_exit(const SignalForwarder& sig, int pidfd, const std::string& id) {
  pollfd fds[2] = {{pidfd, POLLIN, 0}, {sig.fd(), POLLIN, 0}};
  for (;;) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      throw_errno("wait for container " + quote(id));
    }
    if (fds[1].revents & POLLIN) {
      signalfd_siginfo si;
      while (::read(sig.fd(), &si, sizeof si) == static_cast<ssize_t>(sizeof si)) {
        if (si.ssi_signo == SIGCHLD) continue;
        send_signal(pidfd, static_cast<int>(si.ssi_signo), id);
      }
    }
    if (fds[0].revents & POLLIN) {
      siginfo_t info{};
      if (::waitid(P_PIDFD, static_cast<id_t>(pidfd), &info, WEXITED) < 0) throw_errno("wait for container " + quote(id));
      if (info.si_code == CLD_EXITED) return info.si_status;
      return 128 + info.si_status;
    }
  }
}

}  // namespace

int run_container(const GlobalOptions& g, const RunOptions& o) {
  const std::string& id = o.create.id;
  return with_context("run container " + quote(id), [&]() -> int {
    std::optional<SignalForwarder> forwarder;
    if (!o.detach) forwarder.emplace();
    CreatedContainer c = setup_container(g, o.create, !o.detach);
    try {
      start_locked(c.dir, c.state);
    } catch (...) {
      ::kill(c.state.pid, SIGKILL);
      ::waitpid(c.state.pid, nullptr, 0);
      destroy_container(c.dir, c.state);
      throw;
    }
    if (o.detach) return 0;
    // Unlock while the container runs, so other commands can act on it.
    ContainerDir released = std::move(c.dir);
    released = ContainerDir();
    int code = forward_until_exit(*forwarder, c.pidfd.get(), id);
    if (!o.keep) delete_container(g, id, true);
    return code;
  });
}

}  // namespace hull
