#include "runtime/launch_plan.hpp"

#include <sched.h>

#include "base/error.hpp"
#include "namespaces/namespaces.hpp"
#include "seccomp/seccomp.hpp"

namespace hull {

namespace {
bool applies_to_children(spec::NamespaceType t) {
  return t == spec::NamespaceType::Pid || t == spec::NamespaceType::Time;
}
}  // namespace

ConsoleWiring plan_console(bool terminal, bool has_console_socket, bool attached, const char* detached_error) {
  if (!terminal) return ConsoleWiring::None;
  if (has_console_socket) return ConsoleWiring::Socket;
  if (attached) return ConsoleWiring::Proxy;
  throw Error(detached_error);
}

StdioWiring plan_stdio(ConsoleWiring console, bool attached, bool caller_terminal, bool another_user) {
  StdioWiring w;
  w.pipes = attached && console == ConsoleWiring::None && (caller_terminal || another_user);
  w.to_user = !attached || w.pipes;
  return w;
}

bool runs_as_another_user(const spec::Spec& spec) {
  if (spec.process && spec.process->user.uid != 0) return true;
  if (spec.linux_)
    for (const auto& n : spec.linux_->namespaces)
      if (n.type == spec::NamespaceType::User) return true;
  return false;
}

InitPlan plan_init(const spec::Spec& spec, const InitPlanInputs& in) {
  InitPlan p;
  for (const auto& n : spec.linux_->namespaces) {
    uint64_t flag = ns::clone_flag(n.type);
    if (!n.path)
      p.clone_flags |= flag;
    else if (applies_to_children(n.type))
      p.join_before_clone_flags |= flag;
    else
      p.join_in_init_flags |= flag;
  }
  p.write_id_maps = p.clone_flags & CLONE_NEWUSER;
  p.wait_for_placement = in.runtime_places || p.write_id_maps;
  p.become_userns_root = p.write_id_maps || (p.join_in_init_flags & CLONE_NEWUSER);
  if (p.join_in_init_flags & CLONE_NEWUSER) {
    constexpr uint64_t kChildrenOnly = CLONE_NEWPID | CLONE_NEWTIME;
    p.unshare_after_join_flags = p.clone_flags & ~kChildrenOnly;
    p.clone_flags &= kChildrenOnly;
    p.join_before_clone_in_helper = p.clone_flags != 0;
  }
  if ((p.clone_flags & CLONE_NEWUSER) && p.join_in_init_flags) {
    // A new user namespace beside namespaces joined by path: those belong to
    // another user namespace (the host's: a CNI network namespace, another
    // container's ipc), which the init, root only of its new one, may no
    // longer join. A helper joins them first and makes the clone, as runc's
    // nsexec joins before it unshares its user namespace.
    p.join_before_clone_in_helper = true;
  }
  if (p.join_before_clone_flags && in.unprivileged) {
    // The runtime may join a pid or time namespace for the clone but not go
    // back to its own: that setns needs CAP_SYS_ADMIN in the user namespace
    // owning it (the host's), which root of a user namespace (rootless
    // podman's runtime) lacks. The helper joins instead, and exits.
    p.join_before_clone_in_helper = true;
  }
  if (p.join_before_clone_in_helper) p.wait_for_placement = true;
  if (p.become_userns_root) {
    p.unshare_as_userns_root = (p.clone_flags | p.unshare_after_join_flags) & CLONE_NEWIPC;
    p.clone_flags &= ~p.unshare_as_userns_root;
    p.unshare_after_join_flags &= ~p.unshare_as_userns_root;
  }
  if ((p.clone_flags & CLONE_NEWCGROUP) && (p.wait_for_placement || in.init_moves_into_v1)) {
    p.clone_flags &= ~static_cast<uint64_t>(CLONE_NEWCGROUP);
    p.unshare_cgroupns_when_placed = true;
  }
  if ((p.clone_flags & CLONE_NEWTIME) && !spec.linux_->timeOffsets.empty()) {
    p.clone_flags &= ~static_cast<uint64_t>(CLONE_NEWTIME);
    p.init_makes_time_ns = true;
  }
  bool seccomp_agent =
      spec.linux_->seccomp && spec.linux_->seccomp->listenerPath && seccomp::uses_notify(*spec.linux_->seccomp);
  p.send_state = seccomp_agent || !spec.hooks.createContainer.empty() || !spec.hooks.startContainer.empty();
  p.runtime_step =
      !spec.hooks.prestart.empty() || !spec.hooks.createRuntime.empty() || !spec.linux_->netDevices.empty();
  p.runtime_serves_mounts = in.idmapped_source_in_rootfs || in.init_may_ask_for_sources;
  p.start_before_ready = in.start_follows && !p.runtime_step;
  p.init_unsealed_until_exec = p.start_before_ready && !p.send_state && (p.clone_flags & CLONE_NEWPID);
  p.cgroups_after_clone =
      (in.init_moves_into_v1 || in.clones_into_v2) && !in.rootless && !p.wait_for_placement && !p.become_userns_root;
  if (p.cgroups_after_clone) {
    p.init_unshares_first = p.clone_flags & (CLONE_NEWNET | CLONE_NEWIPC);
    p.memory_cgroup_first = in.init_moves_into_v1 && in.v1_memory_first;
    p.cgroups_joined_after_rootfs = !p.send_state && !p.runtime_step && !p.runtime_serves_mounts &&
                                    !p.unshare_cgroupns_when_placed && !(p.join_in_init_flags & CLONE_NEWCGROUP);
    p.clone_flags &= ~p.init_unshares_first;
    p.netns_thread_allowed = (p.init_unshares_first & CLONE_NEWNET) && !p.init_makes_time_ns &&
                             !(p.join_in_init_flags & (CLONE_NEWNS | CLONE_NEWUSER));
    p.init_seals_binary = (p.clone_flags & CLONE_NEWPID) && !p.init_unsealed_until_exec;
    p.runtime_makes_sealed_view = p.init_seals_binary && (p.init_unshares_first & CLONE_NEWNET);
    p.netns_thread_before_seal = p.netns_thread_allowed && p.runtime_makes_sealed_view && !p.memory_cgroup_first;
  }
  p.console = plan_console(spec.process->terminal, in.has_console_socket, in.attached,
                           "process.terminal is set but no --console-socket was given: a detached container's "
                           "terminal needs a console socket to hand the pty to");
  p.stdio = plan_stdio(p.console, in.attached, in.caller_terminal, runs_as_another_user(spec));
  return p;
}

ExecPlan plan_exec(const spec::Spec& spec, bool has_console_socket, bool detach, bool caller_terminal) {
  ExecPlan p;
  uint64_t flags = 0;
  if (spec.linux_)
    for (const auto& n : spec.linux_->namespaces) flags |= ns::clone_flag(n.type);
  p.setns_flags = static_cast<int>(flags);
  p.console = plan_console(spec.process->terminal, has_console_socket, !detach,
                           "a terminal (--tty, or \"terminal\": true in the --process file) with --detach needs "
                           "--console-socket to hand the pty to");
  p.stdio = plan_stdio(p.console, !detach, caller_terminal, runs_as_another_user(spec));
  return p;
}

}  // namespace hull
