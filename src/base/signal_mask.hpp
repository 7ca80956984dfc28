#pragma once
// The kernel's signal mask, every bit of it, set through the system calls
// themselves: glibc's sigfillset leaves out its own two signals (32 and 33)
// and its sigprocmask drops them from every set it is given, so a mask
// saved and restored through glibc unblocks them where they were blocked.
// The attached runtime blocks them (runtime/signal_forwarder.hpp): unhandled,
// either ends it and leaves its container behind.
#include <signal.h>

#include <cstdint>

namespace hull {

using SignalMask = uint64_t;
inline constexpr SignalMask kEverySignal = ~SignalMask{0};
constexpr SignalMask signal_bit(int sig) { return SignalMask{1} << (sig - 1); }

// rt_sigprocmask: 0, or -1 and errno.
int change_signal_mask(int how, SignalMask set, SignalMask* old) noexcept;
// signalfd4 of `set`: the fd, or -1 and errno.
int signalfd_of(SignalMask set, int flags) noexcept;

}  // namespace hull
