#include "namespaces/network_namespace_thread.hpp"

#include <linux/sockios.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <utility>

#include "base/error.hpp"
#include "namespaces/loopback.hpp"

namespace hull::ns {

namespace {
void unshare_network_namespace() {
  if (::unshare(CLONE_NEWNET) < 0) throw_errno("create the container's network namespace");
}

void make_here() {
  unshare_network_namespace();
  bring_loopback_up();
}
}  // namespace

NetworkNamespaceThread::~NetworkNamespaceThread() {
  if (running_) ::pthread_join(thread_, nullptr);
}

void NetworkNamespaceThread::make() {
  try {
    unshare_network_namespace();
    UniqueFd sock(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!sock) throw_errno("bring the loopback interface up: socket(AF_INET)");
    bring_loopback_up(sock.get());
    // The namespace of that socket, close-on-exec: no procfs lookup.
    netns_.reset(::ioctl(sock.get(), SIOCGSKNS));
    if (!netns_) throw_errno("open the container's new network namespace (SIOCGSKNS)");
  } catch (...) {
    error_ = std::current_exception();
  }
}

void* NetworkNamespaceThread::thread_main(void* self) {
  static_cast<NetworkNamespaceThread*>(self)->make();
  return nullptr;
}

bool NetworkNamespaceThread::start(bool cpu_to_spare) {
  // No thread to be had (a pids limit, memory): made here, as without a CPU to spare.
  running_ = cpu_to_spare && ::pthread_create(&thread_, nullptr, thread_main, this) == 0;
  if (!running_) make_here();
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
