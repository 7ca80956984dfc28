#include "namespaces/network_namespace_thread.hpp"

#include <linux/futex.h>
#include <linux/sockios.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

#include "base/error.hpp"
#include "namespaces/loopback.hpp"

namespace hull::ns {

NetworkNamespaceThread::~NetworkNamespaceThread() {
  if (running_) wait_for_exit();
}

namespace {
void futex_wait_while_zero(int& word) {
  while (std::atomic_ref<int>(word).load(std::memory_order_acquire) == 0)
    ::syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, nullptr, nullptr, 0);
}

void futex_set_and_wake(int& word) {
  if (std::atomic_ref<int>(word).exchange(1, std::memory_order_release) == 0)
    ::syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
}
}  // namespace

// Unshared by the thread and an fd of the namespace for the caller to enter
// (close-on-exec; no procfs lookup), published; then lo up. System calls
// alone (see the header): a failure is kept as its step and errno.
void* NetworkNamespaceThread::thread_main(void* arg) {
  auto* self = static_cast<NetworkNamespaceThread*>(arg);
  auto fail = [self](Step step) {
    self->failed_ = step;
    self->failed_errno_ = errno;
  };
  UniqueFd sock;
  if (::unshare(CLONE_NEWNET) < 0) {
    fail(Step::Unshare);
  } else if (sock.reset(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)); !sock) {
    fail(Step::Socket);
  } else if (self->netns_.reset(::ioctl(sock.get(), SIOCGSKNS)); !self->netns_) {
    fail(Step::NamespaceFd);
  }
  // The caller may enter it now: "lo" comes up while it goes on.
  futex_set_and_wake(self->made_);
  if (sock && !set_loopback_up_raw(sock.get(), &self->up_failed_)) self->up_errno_ = errno;
  futex_wait_while_zero(self->released_);
  return nullptr;
}

bool NetworkNamespaceThread::start(bool on_a_thread, bool held) {
  released_ = held ? 0 : 1;
  made_ = 0;
  // No thread to be had (a pids limit, memory): made here.
  running_ = on_a_thread && ::pthread_create(&thread_, nullptr, thread_main, this) == 0;
  if (running_) return true;
  released_ = 1;
  if (::unshare(CLONE_NEWNET) < 0) {
    failed_ = Step::Unshare;
    failed_errno_ = errno;
    throw_failure();
  }
  bring_loopback_up();
  return false;
}

void NetworkNamespaceThread::throw_failure() const {
  switch (failed_) {
    case Step::Socket: throw_loopback_failure(LoopbackStep::Socket, failed_errno_);
    case Step::NamespaceFd: throw Error("open the container's new network namespace (SIOCGSKNS)", failed_errno_);
    case Step::None:
    case Step::Unshare: break;
  }
  throw Error("create the container's network namespace", failed_errno_);
}

void NetworkNamespaceThread::release() noexcept { futex_set_and_wake(released_); }

void NetworkNamespaceThread::wait_for_exit() noexcept {
  release();
  ::pthread_join(thread_, nullptr);
  running_ = false;
}

void NetworkNamespaceThread::enter() {
  if (!running_ || entered_) return;
  futex_wait_while_zero(made_);
  entered_ = true;
  if (failed_ != Step::None) {
    wait_for_exit();
    throw_failure();
  }
  if (::setns(netns_.get(), CLONE_NEWNET) < 0) throw_errno("enter the container's network namespace");
  netns_.reset();
}

void NetworkNamespaceThread::join() {
  if (!running_) return;
  enter();
  wait_for_exit();
  if (up_errno_ != 0) throw_loopback_failure(up_failed_, up_errno_);
}

}  // namespace hull::ns
