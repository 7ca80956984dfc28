#pragma once
// The container's new network namespace, made on a thread of the init while
// the init goes on with its other namespaces and its first mounts.
//
// A network namespace is the largest single kernel cost of a container's
// start: about 0.6 ms on the development VM and on a 16-core host (every
// protocol's per-namespace state, the loopback device; the same for every
// runtime), and the init made it first, before anything else. Nothing the
// init does before its first sysfs mount needs it (a sysfs instance shows
// the devices of its mounter's network namespace; /proc/net follows its
// reader), so a thread makes it and brings "lo" up meanwhile, and the init
// enters it there, or once its mounts are done, with one setns. The thread
// is the init's, in the init's cgroups and user namespace: the namespace is
// charged and owned as if the init had made it itself.
//
// Only where a CPU is free for it (the caller says: for the init, three CPUs
// or more, as the runtime keeps one to itself while it works beside the
// init, runtime/other_cpu.hpp). On the 2-CPU development VM the thread could
// only take turns with the init or with the runtime: no gain (cgroup v2,
// emulated: +0.01 ms a run; hybrid v1: +0.12 ms). There the namespace is
// made at start(), as before.
//
// The init never forks or clones while the thread runs, and enter() comes
// before anything that acts on every thread of the process (setxid,
// seccomp, execve, hooks).
#include <pthread.h>

#include <exception>

#include "base/unique_fd.hpp"

namespace hull::ns {

class NetworkNamespaceThread {
 public:
  NetworkNamespaceThread() = default;
  // A thread still running is waited for; the namespace nobody entered goes.
  ~NetworkNamespaceThread();
  NetworkNamespaceThread(const NetworkNamespaceThread&) = delete;
  NetworkNamespaceThread& operator=(const NetworkNamespaceThread&) = delete;

  // Starts the thread where `cpu_to_spare` and a thread can be had;
  // otherwise makes the namespace here and enters it. True when a thread
  // makes it.
  bool start(bool cpu_to_spare);
  // Waits for the thread and moves the caller into the namespace it made,
  // with "lo" up. Only the first call after a threaded start() does anything.
  void enter();

 private:
  static void* thread_main(void* self);
  void make();  // on the thread: unshare, lo up, keep an fd of the namespace

  pthread_t thread_{};
  bool running_ = false;  // started and not yet joined
  UniqueFd netns_;
  std::exception_ptr error_;
};

}  // namespace hull::ns
