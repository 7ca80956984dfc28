#pragma once
// The kernel's signal mask, every bit of it, set through the system calls
// themselves: glibc's sigfillset leaves out its own two signals (32 and 33)
// and its sigprocmask drops them from every set it is given, so a mask
// saved and restored through glibc unblocks them where they were blocked.
// The attached runtime blocks them (runtime/signal_forwarder.hpp): unhandled,
// either ends it and leaves its container behind.
#include <signal.h>

#include <cstdint>
#include <optional>
#include <string>

#include "base/unique_fd.hpp"

namespace hull {

using SignalMask = uint64_t;
inline constexpr SignalMask kEverySignal = ~SignalMask{0};
constexpr SignalMask signal_bit(int sig) { return SignalMask{1} << (sig - 1); }
// What a terminal (^C, ^\, a hang-up) or a supervisor sends to end a command.
inline constexpr SignalMask kEndingSignals =
    signal_bit(SIGTERM) | signal_bit(SIGINT) | signal_bit(SIGHUP) | signal_bit(SIGQUIT);

// The ending signals but those the caller ignores (nohup's SIGHUP, a
// background job's SIGINT and SIGQUIT) or blocks: blocked here, they would
// wait pending and be read, ending what they never reached before.
SignalMask ending_signals_heeded();
// The mask hull was started with, noted by what blocks every signal for
// itself first (runtime/signal_forwarder.hpp): ending_signals_heeded() then
// leaves out what the caller blocked, not what hull did.
void note_callers_signal_mask(SignalMask mask) noexcept;
// "SIGTERM", or "signal 42".
std::string signal_name(int sig);

// rt_sigprocmask: 0, or -1 and errno.
int change_signal_mask(int how, SignalMask set, SignalMask* old) noexcept;
// signalfd4 of `set`: the fd, or -1 and errno.
int signalfd_of(SignalMask set, int flags) noexcept;

// `set` blocked, and read through a non-blocking signalfd, for the life of
// the object; the mask before it is restored after. Throws naming `what`
// (the signals, as the message should say them).
class SignalFdWhileBlocked {
 public:
  SignalFdWhileBlocked(SignalMask set, const std::string& what);
  ~SignalFdWhileBlocked();
  SignalFdWhileBlocked(const SignalFdWhileBlocked&) = delete;
  SignalFdWhileBlocked& operator=(const SignalFdWhileBlocked&) = delete;
  int get() const { return fd_.get(); }
  // The next pending signal of the set, taken; 0 when none is.
  int take() const;

 private:
  UniqueFd fd_;
  SignalMask old_ = 0;
};

// Into `watch`: ending_signals_heeded(), blocked and read through a
// signalfd; left empty where none is heeded or the kernel refuses (a
// seccomp profile refusing signalfd4): then they act as before.
void watch_ending_signals(std::optional<SignalFdWhileBlocked>& watch, const std::string& what);

// `set` blocked for the life of the object, the mask before restored after:
// a signal of the set that came meanwhile acts then, unless taken. Blocked,
// an ignored signal waits pending too; unblocked, it is dropped.
class SignalsHeldBack {
 public:
  explicit SignalsHeldBack(SignalMask set);
  ~SignalsHeldBack();
  SignalsHeldBack(const SignalsHeldBack&) = delete;
  SignalsHeldBack& operator=(const SignalsHeldBack&) = delete;
  // The pending signals of the set taken, without waiting, up to the first
  // one the process does not ignore: that one, or 0. Not those the mask
  // before blocked: they stay pending, as they were. 0 also where the
  // kernel refuses (a seccomp profile): those left act when released.
  int take_heeded() const;

 private:
  SignalMask set_ = 0;
  SignalMask old_ = 0;
  bool held_ = false;
};

}  // namespace hull
