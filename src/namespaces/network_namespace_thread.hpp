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
// reader), nor before a network filesystem's mount, which reaches the
// network from its mounter's (rootfs::mount_takes_network_namespace), so a
// thread makes it meanwhile, and the init enters it there, or
// once its mounts are done, with one setns. "lo" comes up on the thread
// after that, beside the init's next mounts (the rtnl lock it takes is the
// one 16 containers starting at once queue for): the init waits for it
// with join(), before it runs anything of the container's. The thread
// is the init's, started once the init is in its memory cgroup (on cgroup
// v1 after joining that one: until it exits, the thread stays in the
// caller's other v1 hierarchies, pids included; on v2 the clone put the
// init in its cgroup), so the namespace is charged as if the init had made
// it itself.
//
// Only where the caller says so: where a CPU is free for the thread (for
// the init, three CPUs or more, as the runtime keeps one to itself while it
// works beside the init, runtime/other_cpu.hpp), and where nothing before
// enter() needs the caller alone. On the 2-CPU development VM the thread
// could only take turns with the init or with the runtime: no gain (cgroup
// v2, emulated: +0.01 ms a run; hybrid v1: +0.12 ms). Otherwise the
// namespace is made at start(), as before.
//
// While the thread runs, the caller must not do what the kernel refuses to
// a task with another thread: setns into a mount namespace (the thread
// shares its fs_struct: EINVAL, even just after a join, until the thread's
// exit has let go of it), into a time namespace (EUSERS) or into a user
// namespace; nor act on every thread (setxid, seccomp, execve, hooks)
// before join().
//
// The thread makes the namespace with system calls alone (no allocation, no
// exception: a failure is kept as the step and its errno and thrown from
// enter(), or from join() for "lo"), and a thread started `held` then
// waits, without exiting, until
// release(): only its exit writes glibc's globals. So the caller may move its
// own writable segments while a held thread works (the seal of the runtime
// binary copies them and moves the copy into place,
// process/sealed_binary.hpp: a write between the copy and the move would be
// lost).
#include <pthread.h>

#include "base/unique_fd.hpp"
#include "namespaces/loopback.hpp"

namespace hull::ns {

class NetworkNamespaceThread {
 public:
  NetworkNamespaceThread() = default;
  // A thread still running is released and waited for; the namespace nobody
  // entered goes.
  ~NetworkNamespaceThread();
  NetworkNamespaceThread(const NetworkNamespaceThread&) = delete;
  NetworkNamespaceThread& operator=(const NetworkNamespaceThread&) = delete;

  // Starts the thread where `on_a_thread` and a thread can be had; otherwise
  // makes the namespace here and enters it. True when a thread makes it.
  // `held`: the thread waits for release() (or join()) before it exits.
  bool start(bool on_a_thread, bool held = false);
  // Lets a held thread exit once its namespace is made and "lo" is up.
  void release() noexcept;
  // Moves the caller into the namespace once the thread has made it; the
  // thread may still be bringing "lo" up. Only the first call after a
  // threaded start() does anything.
  void enter();
  // Waits for the thread to end (releasing a held one): the caller runs
  // alone again, in the namespace (entered here if it was not), "lo" up.
  void join();

 private:
  static void* thread_main(void* self);
  // The error of the failed step, made or kept, with its errno.
  [[noreturn]] void throw_failure() const;
  void wait_for_exit() noexcept;

  pthread_t thread_{};
  bool running_ = false;  // started and not yet joined
  bool entered_ = false;
  int released_ = 1;      // a futex word: 0 while the thread is held
  int made_ = 0;          // a futex word: 1 once the namespace is made, or its making failed
  UniqueFd netns_;
  // The thread's failed step up to made_ (thrown from enter()), with its errno.
  enum class Step { None, Unshare, Socket, NamespaceFd };
  Step failed_ = Step::None;
  int failed_errno_ = 0;
  // "lo" brought up after made_ (thrown from join()): its step and errno, 0 if up.
  LoopbackStep up_failed_{};
  int up_errno_ = 0;
};

}  // namespace hull::ns
