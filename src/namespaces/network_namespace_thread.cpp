#include "namespaces/network_namespace_thread.hpp"

#include <linux/futex.h>
#include <linux/sockios.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

#include "base/error.hpp"
#include "namespaces/loopback.hpp"

namespace hull::ns {

NetworkNamespaceThread::~NetworkNamespaceThread() {
  if (!running_) return;
  release();
  ::pthread_join(thread_, nullptr);
}

// Unshared by the thread, lo up, and an fd of the namespace for the caller
// to enter (close-on-exec; no procfs lookup). System calls alone (see the
// header): a failure is kept as its step and errno.
void* NetworkNamespaceThread::thread_main(void* arg) {
  auto* self = static_cast<NetworkNamespaceThread*>(arg);
  auto fail = [self](Step step) {
    self->failed_ = step;
    self->failed_errno_ = errno;
  };
  if (::unshare(CLONE_NEWNET) < 0) {
    fail(Step::Unshare);
  } else if (UniqueFd sock(bring_loopback_up_raw(&self->loopback_failed_)); !sock) {
    fail(Step::Loopback);
  } else if (self->netns_.reset(::ioctl(sock.get(), SIOCGSKNS)); !self->netns_) {
    fail(Step::NamespaceFd);
  }
  while (std::atomic_ref<int>(self->released_).load(std::memory_order_acquire) == 0)
    ::syscall(SYS_futex, &self->released_, FUTEX_WAIT_PRIVATE, 0, nullptr, nullptr, 0);
  return nullptr;
}

bool NetworkNamespaceThread::start(bool on_a_thread, bool held) {
  released_ = held ? 0 : 1;
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
    case Step::Loopback: throw_loopback_failure(loopback_failed_, failed_errno_);
    case Step::NamespaceFd: throw Error("open the container's new network namespace (SIOCGSKNS)", failed_errno_);
    case Step::None:
    case Step::Unshare: break;
  }
  throw Error("create the container's network namespace", failed_errno_);
}

void NetworkNamespaceThread::release() noexcept {
  if (std::atomic_ref<int>(released_).exchange(1, std::memory_order_release) == 0)
    ::syscall(SYS_futex, &released_, FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
}

void NetworkNamespaceThread::enter() {
  if (!running_) return;
  release();
  ::pthread_join(thread_, nullptr);
  running_ = false;
  if (failed_ != Step::None) throw_failure();
  if (::setns(netns_.get(), CLONE_NEWNET) < 0) throw_errno("enter the container's network namespace");
  netns_.reset();
}

}  // namespace hull::ns
