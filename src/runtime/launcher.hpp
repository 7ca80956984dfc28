#pragma once
// The one launcher of container processes, used by create, run and exec: it
// wires the console, clones the child (clone3 with CLONE_PIDFD, straight into
// the container's v2 cgroup when it can), places it in its cgroups, writes its
// id maps and releases it. What to do is decided beforehand by the plan
// (runtime/launch_plan.hpp); the child's own steps live in its entry point
// (runtime/container_init.cpp for the init, runtime/exec.cpp for exec).
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <utility>

#include "base/unique_fd.hpp"
#include "runtime/launch_plan.hpp"
#include "runtime/sync_channel.hpp"
#include "spec/spec.hpp"

namespace hull {

// The two ends of a process's terminal wiring (ConsoleWiring).
struct ConsoleEnds {
  UniqueFd child;     // where the child sends its pty master (-1: no terminal)
  UniqueFd receiver;  // Proxy: our end, the pty master arrives here
};
ConsoleEnds open_console(ConsoleWiring wiring, const std::string& console_socket);

// A cloned child of this process. Until release(), destroying it kills and
// reaps the child, so a failed set-up leaves no process behind.
class LaunchedChild {
 public:
  LaunchedChild(pid_t pid, UniqueFd pidfd, bool in_cgroup)
      : pid_(pid), pidfd_(std::move(pidfd)), in_cgroup_(in_cgroup) {}
  LaunchedChild(LaunchedChild&& o) noexcept
      : pid_(std::exchange(o.pid_, 0)), pidfd_(std::move(o.pidfd_)), in_cgroup_(o.in_cgroup_) {}
  LaunchedChild& operator=(LaunchedChild&&) = delete;
  ~LaunchedChild();

  pid_t pid() const { return pid_; }
  int pidfd() const { return pidfd_.get(); }
  // CLONE_INTO_CGROUP placed it in the v2 cgroup (the kernel may refuse that).
  bool in_cgroup() const { return in_cgroup_; }
  // The child is set up: it stays, and the caller gets its pidfd.
  UniqueFd release() {
    pid_ = 0;
    return std::move(pidfd_);
  }

 private:
  pid_t pid_;
  UniqueFd pidfd_;
  bool in_cgroup_;
};

struct LaunchRequest {
  const char* what = "";     // in errors: "the container init", "the exec process"
  uint64_t clone_flags = 0;  // CLONE_NEW* for the child
  int cgroup_fd = -1;        // v2 cgroup dir to clone into, or -1
  // The child's entry point: runs the child's steps and ends in execve or
  // _exit, never returning or throwing into the runtime's stack frames.
  void (*entry)(void* arg) noexcept = nullptr;
  void* arg = nullptr;
  SyncChannel* child_end = nullptr;  // closed in the runtime once cloned
  // After the clone: writes the child into its cgroups (in_cgroup: the clone
  // placed it in the v2 one already).
  std::function<void(pid_t pid, bool in_cgroup)> place;
  const spec::Linux* id_maps = nullptr;  // write these uid/gid maps (a new user namespace)
  // After the id maps are written, before Continue: what needs the child's
  // mapped user namespace (id-mapped mounts). May be empty.
  std::function<void(pid_t pid)> after_id_maps;
  bool release_after_placement = false;  // the child waits for Continue
  // For a child that otherwise needs nothing from the runtime before its
  // execve: where it is cloned outside its v2 cgroup after all (the kernel
  // refused CLONE_INTO_CGROUP), the launcher sets this flag of the child's
  // before that clone and sends Continue once `place` has run, so the child,
  // which reads the flag first, runs nothing (its execve least of all)
  // outside the container's cgroup, and makes the CLONE_NEWCGROUP namespace
  // of clone_flags itself once placed (the launcher drops the flag then).
  // Null: the child never waits for it; every request with `place` gives it.
  bool* child_waits_for_placement = nullptr;
  // Rootless: the child must be dumpable from its first instruction, so that
  // its /proc files are the user's when the maps are written right after the
  // clone (hull is never dumpable otherwise; the child inherits the flag).
  bool dumpable_child = false;
  // Set when the child's new pid (or time) namespace must belong to a user
  // namespace it joins by path, or its new user namespace sits beside
  // namespaces joined by path that it could not join from inside: a forked
  // helper runs this (the joins), then clones the child with CLONE_PARENT, so
  // the namespaces the clone makes are owned by the joined user namespace
  // (the clone's caller's) or the new one, and the child is still ours.
  // What it throws fails the launch. No CLONE_INTO_CGROUP then: the child is
  // placed after the clone.
  std::function<void()> join_in_helper;
  // The child runs in the runtime's memory, on the runtime's stack below
  // its frame, and the runtime waits in clone3 until the child's execve or
  // exit (CLONE_VM | CLONE_VFORK, as posix_spawn): no page table is copied
  // at the clone nor torn down at the child's execve, and neither side
  // takes copy-on-write faults. Only for a child that needs nothing from
  // the runtime before its execve (no `place` after the clone, no id maps,
  // no Continue, no message it waits for) and whose steps change none of
  // the runtime's state but what the kernel keeps per task (its entry
  // point says so: runtime/exec.cpp, whose child, a helper, exits instead
  // of its execve). Where the clone cannot put the child
  // straight into its v2 cgroup, or this build cannot (launches_sharing_memory()),
  // the child is cloned with a copy of the memory as always.
  bool share_memory_until_exec = false;
};

// Whether this build can launch a child in the runtime's memory
// (LaunchRequest::share_memory_until_exec): x86_64 (a few instructions of
// assembly start the child), not under AddressSanitizer (the child's
// frames, left below the runtime's stack pointer at its execve, would leave
// their poisoned shadow behind). Elsewhere the child gets a copy.
bool launches_sharing_memory();

// clone3 the child, then place it, write its id maps and send it Continue on
// `runtime_end` as the request says. If the kernel refuses to clone into the
// cgroup (e.g. a domain-invalid one), the child is cloned without it and
// placed by `place` afterwards.
LaunchedChild launch(const LaunchRequest& r, const SyncChannel& runtime_end);

}  // namespace hull
