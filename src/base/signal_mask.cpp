#include "base/signal_mask.hpp"

#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <csignal>
#include <cstring>

#include "base/error.hpp"

namespace hull {
namespace {

bool ignored(int sig) {
  struct sigaction action {};
  return ::sigaction(sig, nullptr, &action) == 0 && action.sa_handler == SIG_IGN;
}

std::optional<SignalMask> callers_mask;

}  // namespace

void note_callers_signal_mask(SignalMask mask) noexcept { callers_mask = mask; }

SignalMask ending_signals_heeded() {
  // One the caller blocked would not act either: it stays pending.
  SignalMask blocked = 0;
  if (callers_mask)
    blocked = *callers_mask;
  else if (change_signal_mask(SIG_BLOCK, 0, &blocked) < 0)
    blocked = 0;
  SignalMask heeded = 0;
  for (int sig = 1; sig <= 64; ++sig)
    if ((kEndingSignals & ~blocked & signal_bit(sig)) && !ignored(sig)) heeded |= signal_bit(sig);
  return heeded;
}

std::string signal_name(int sig) {
  const char* abbrev = ::sigabbrev_np(sig);
  return abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
}

int change_signal_mask(int how, SignalMask set, SignalMask* old) noexcept {
  return static_cast<int>(::syscall(SYS_rt_sigprocmask, how, &set, old, sizeof set));
}

int signalfd_of(SignalMask set, int flags) noexcept {
  return static_cast<int>(::syscall(SYS_signalfd4, -1, &set, sizeof set, flags));
}

SignalFdWhileBlocked::SignalFdWhileBlocked(SignalMask set, const std::string& what) {
  if (change_signal_mask(SIG_BLOCK, set, &old_) < 0) throw_errno("block " + what);
  fd_.reset(signalfd_of(set, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!fd_) {
    const int e = errno;
    change_signal_mask(SIG_SETMASK, old_, nullptr);
    throw_errno(e, "signalfd for " + what);
  }
}

SignalFdWhileBlocked::~SignalFdWhileBlocked() {
  fd_.reset();
  change_signal_mask(SIG_SETMASK, old_, nullptr);
}

void watch_ending_signals(std::optional<SignalFdWhileBlocked>& watch, const std::string& what) {
  const SignalMask heeded = ending_signals_heeded();
  if (!heeded) return;
  try {
    watch.emplace(heeded, what);
  } catch (const Error&) {
    // Refused: they end the command as they did before it watched them.
  }
}

// An empty set (kill --all of a container it cannot freeze) costs no call.
SignalsHeldBack::SignalsHeldBack(SignalMask set)
    : set_(set), held_(set != 0 && change_signal_mask(SIG_BLOCK, set, &old_) == 0) {}

int SignalsHeldBack::take_heeded() const {
  // One the caller blocked would not have acted either: it stays pending.
  const SignalMask ours = set_ & ~old_;
  if (!held_ || !ours) return 0;
  const timespec now{};
  for (;;) {
    siginfo_t info;
    const int sig = static_cast<int>(::syscall(SYS_rt_sigtimedwait, &ours, &info, &now, sizeof ours));
    if (sig <= 0) return 0;
    if (!ignored(sig)) return sig;
  }
}

SignalsHeldBack::~SignalsHeldBack() {
  if (held_) change_signal_mask(SIG_SETMASK, old_, nullptr);
}

int SignalFdWhileBlocked::take() const {
  signalfd_siginfo info{};
  if (::read(fd_.get(), &info, sizeof info) != static_cast<ssize_t>(sizeof info)) return 0;
  return static_cast<int>(info.ssi_signo);
}

}  // namespace hull
