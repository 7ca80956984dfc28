#include "runtime/container_init.hpp"

#include <sys/prctl.h>
#include <unistd.h>

#include <csignal>
#include <cstring>

#include "base/error.hpp"
#include "process/exec_process.hpp"
#include "rootfs/rootfs.hpp"
#include "runtime/signal_forwarder.hpp"
#include "runtime/start_barrier.hpp"

namespace hull {

namespace {

void set_names(const spec::Spec& spec) {
  if (spec.hostname && ::sethostname(spec.hostname->data(), spec.hostname->size()) < 0)
    throw_errno("set hostname " + quote(*spec.hostname));
  if (spec.domainname && ::setdomainname(spec.domainname->data(), spec.domainname->size()) < 0)
    throw_errno("set domainname " + quote(*spec.domainname));
}

// The init's steps, in order. Returns only by throwing.
[[noreturn]] void init_steps(InitContext& ctx, int& start_conn) {
  const spec::Spec& spec = *ctx.spec;
  ns::join_in_init(*ctx.namespaces);
  set_names(spec);

  rootfs::SetupOptions ro;
  ro.bundle = ctx.bundle;
  ro.rootfs = ctx.rootfs;
  ro.no_pivot = ctx.no_pivot;
  ro.state_dir = ctx.state_dir;
  ro.create_console = spec.process && spec.process->terminal;
  if (ctx.has_runtime_hooks) {
    ro.before_pivot = [&] {
      ctx.sync->send(SyncMsg::RuntimeHooks);
      ctx.sync->expect(SyncMsg::Continue);
    };
  }
  rootfs::SetupResult rootfs = rootfs::setup_rootfs(spec, ro);

  process::ExecOptions eo;
  eo.preserve_fds = ctx.preserve_fds;
  eo.pty_master = rootfs.pty_master.get();
  eo.pty_slave = rootfs.pty_slave.get();
  eo.console_socket_fd = ctx.console_socket_fd;
  eo.wait_for_start = [&] {
    // From here the init must outlive `hull create`, which exits after Ready.
    ::prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
    ctx.sync->send(SyncMsg::Ready);
    ctx.sync->close();
    UniqueFd conn = wait_for_start(ctx.listen_fd);
    start_conn = conn.release();  // CLOEXEC: closes itself at execve
  };
  process::exec_container_process(spec, eo);
}

}  // namespace

void container_init_main(InitContext& ctx) {
  // The runtime's lock on the state dir must not live on in the init, or
  // `hull start` would wait for it forever.
  if (ctx.close_at_entry >= 0) ::close(ctx.close_at_entry);
  // Non-dumpable until execve: no container process can ptrace the init or
  // open its /proc/<pid>/fd or exe (CVE-2016-9962).
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  // If the runtime dies during set-up, die too rather than linger half-made.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  // The runtime may block signals (hull run forwards them through a
  // signalfd); the container must start with a clean mask and default
  // dispositions, since ignored signals survive execve.
  reset_signal_state();

  int start_conn = -1;
  try {
    init_steps(ctx, start_conn);
  } catch (const Error& e) {
    if (start_conn >= 0)
      report_start_error(start_conn, e.what());
    else
      ctx.sync->send_error(e.code(), e.message());
  } catch (const std::exception& e) {
    std::string msg = std::string("container init: ") + e.what();
    if (start_conn >= 0)
      report_start_error(start_conn, msg);
    else
      ctx.sync->send_error(0, msg);
  }
  ::_exit(1);
}

}  // namespace hull
