#include "base/signal_mask.hpp"

#include <sys/syscall.h>
#include <unistd.h>

namespace hull {

int change_signal_mask(int how, SignalMask set, SignalMask* old) noexcept {
  return static_cast<int>(::syscall(SYS_rt_sigprocmask, how, &set, old, sizeof set));
}

int signalfd_of(SignalMask set, int flags) noexcept {
  return static_cast<int>(::syscall(SYS_signalfd4, -1, &set, sizeof set, flags));
}

}  // namespace hull
