// hull run: create + start in one process. Attached, the runtime stays the
// init's parent: it forwards the signals it receives and exits with the
// container's status.
#include <sys/wait.h>

#include <csignal>

#include "base/error.hpp"
#include "base/fault.hpp"
#include "base/phase_trace.hpp"
#include "process/sealed_binary.hpp"
#include "process/terminal_proxy.hpp"
#include "runtime/container_setup.hpp"
#include "runtime/init_pidfd.hpp"
#include "runtime/operations.hpp"
#include "runtime/signal_forwarder.hpp"

namespace hull {

namespace {
// A run that failed once the init was made: the init is our child. A
// poststart hook may have paused it before failing, and on cgroup v1 a
// frozen process acts on no signal: the wait would never end unthawed.
void stop_own_container(CreatedContainer& c) {
  ContainerCgroup cgroup(c.dir, c.state);
  cgroups::Manager* frozen = cgroup_to_thaw_after_kill(cgroup, Status::Running, SIGKILL);
  ::kill(c.state.pid, SIGKILL);
  if (frozen) frozen->thaw_v1_freezer();
  ::waitpid(c.state.pid, nullptr, 0);
  destroy_container(c.dir, c.state, c.spec.hooks, cgroup);
}
}  // namespace

int run_container(const GlobalOptions& g, const RunOptions& o) {
  const std::string& id = o.create.id;
  return with_context("run container " + quote(id), [&]() -> int {
    std::optional<SignalForwarder> forwarder;
    if (!o.detach) forwarder.emplace();
    const bool subreaper = !o.detach && !o.no_subreaper;
    if (subreaper) become_child_subreaper();
    CreatedContainer c = create_to_start_barrier(g, o.create, !o.detach, StartFollows::Now);
    if (subreaper) forwarder->reap_orphans_but(c.state.pid);
    std::optional<process::ReceivedPty> pty;
    try {
      // The init sent its pty master during create, before the barrier.
      if (c.console_receiver) pty = process::receive_pty_master(c.console_receiver.get());
      if (forwarder) c.init_channel.end_wait_on_termination(c.state.pid);
      if (c.init_released)
        c.init_channel.expect_eof();  // the init's execve, or its late error, as start_locked waits for
      else
        start_locked(c.dir, c.state, c.state.status, &c.init_channel);
      phase_mark("started");
      // The init has exec'd (InitPlan::init_unsealed_until_exec). What it
      // exec'd is what its check of the binary saw, unless the rootfs changed
      // in between (the path, or a script's interpreter, swapped for a link
      // to /proc/self/exe by a writer sharing the rootfs or a volume):
      // then the container's process would be the runtime's own writable
      // binary (CVE-2019-5736). Asked before the record goes, so `hull exec`
      // refuses to join it until then. Written while the container runs.
      if (auto unsealed = c.state.extra.find(kUnsealedInitKey); unsealed != c.state.extra.end()) {
        if (process::runs_binary(c.state.pid, unsealed->second))
          throw Error(
              "the container's process is the hull runtime binary itself (its path was changed after it was "
              "checked); refusing to run it inside the container (CVE-2019-5736)",
              EPERM);
        c.state.extra.erase(unsealed);
        c.dir.write_state(c.state);
      }
      // The container's process runs now: the RCU wait of dropping the
      // detached mounts (process/sealed_binary.hpp) overlaps with it. After
      // the check above, which reads procfs through the root this closes.
      process::release_detached_mounts();
    } catch (...) {
      stop_own_container(c);
      throw;
    }
    run_poststart_hooks(c.dir, c.state, c.spec.hooks, StartContext::WithinRun, [&] { stop_own_container(c); });
    if (o.detach) return 0;
    // Unlock while the container runs, so other commands can act on it.
    { ContainerDir unlock = std::move(c.dir); }
    // Signals sent to us are forwarded meanwhile; ^C and friends reach the
    // container as bytes through the raw terminal.
    const process::ProxyOptions proxy{0, 1, c.pidfd.get(), forwarder->fd(), [&] {
                                        return forwarder->forward_pending(c.pidfd.get(), "container " + quote(id));
                                      }};
    if (pty) process::proxy_terminal(pty->master, proxy);
    if (c.stdio_pipes) process::proxy_stdio(*c.stdio_pipes, proxy);
    int code = forwarder->forward_until_exit(c.pidfd.get(), "container " + quote(id));
    phase_mark("exited");
    fault_point("run-after-exit");
    if (!o.keep) delete_own_container(g, c.state, &c.spec.hooks);
    phase_mark("deleted");
    return code;
  });
}

}  // namespace hull
