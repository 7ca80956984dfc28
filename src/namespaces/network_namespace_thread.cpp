#include "namespaces/network_namespace_thread.hpp"

#include <linux/sockios.h>
#include <sched.h>
#include <sys/ioctl.h>

#include <utility>

#include "base/error.hpp"
#include "namespaces/loopback.hpp"

namespace hull::ns {

namespace {
// Unshared by the calling thread, lo up; with `handed_over`, an fd of the
// namespace for another thread to enter (close-on-exec; no procfs lookup).
UniqueFd make_network_namespace(bool handed_over) {
  if (::unshare(CLONE_NEWNET) < 0) throw_errno("create the container's network namespace");
  UniqueFd sock = bring_loopback_up();
  if (!handed_over) return {};
  UniqueFd netns(::ioctl(sock.get(), SIOCGSKNS));
  if (!netns) throw_errno("open the container's new network namespace (SIOCGSKNS)");
  return netns;
}
}  // namespace

NetworkNamespaceThread::~NetworkNamespaceThread() {
  if (running_) ::pthread_join(thread_, nullptr);
}

void* NetworkNamespaceThread::thread_main(void* arg) {
  auto* self = static_cast<NetworkNamespaceThread*>(arg);
  try {
    self->netns_ = make_network_namespace(true);
  } catch (...) {
    self->error_ = std::current_exception();
  }
  return nullptr;
}

bool NetworkNamespaceThread::start(bool on_a_thread) {
  // No thread to be had (a pids limit, memory): made here.
  running_ = on_a_thread && ::pthread_create(&thread_, nullptr, thread_main, this) == 0;
  if (!running_) make_network_namespace(false);
  return running_;
}

void NetworkNamespaceThread::enter() {
  if (!running_) return;
  ::pthread_join(thread_, nullptr);
  running_ = false;
  if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
  if (::setns(netns_.get(), CLONE_NEWNET) < 0) throw_errno("enter the container's network namespace");
  netns_.reset();
}

}  // namespace hull::ns
