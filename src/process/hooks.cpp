#include "process/hooks.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <optional>

#include "base/errno_text.hpp"
#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/signal_mask.hpp"
#include "base/unique_fd.hpp"
#include "base/warn.hpp"
#include "cgroups/pids_limit.hpp"
#include "process/exec.hpp"

namespace hull::process {
namespace {

// What a failed hook's message quotes of its output: the end, where a
// program says why it failed.
constexpr size_t kMaxOutput = 4096;

void keep_tail(std::string& output, const char* data, size_t n) {
  output.append(data, n);
  if (output.size() > 2 * kMaxOutput) output.erase(0, output.size() - kMaxOutput);
}

int64_t now_ms() {
  struct timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000 + ts.tv_nsec / 1000000;
}

// The hook's stdin holds the whole state before the hook starts: a pipe
// grown to fit (so the write never blocks and no SIGPIPE can come from a
// hook that does not read), or a memfd when the state is larger than a pipe
// may be.
UniqueFd stdin_with(const std::string& data) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) < 0) throw_errno("pipe for the hook's stdin");
  UniqueFd r(p[0]), w(p[1]);
  int cap = ::fcntl(w.get(), F_GETPIPE_SZ);
  if (cap >= 0 && data.size() > static_cast<size_t>(cap))
    cap = ::fcntl(w.get(), F_SETPIPE_SZ, static_cast<int>(data.size()));
  if (cap >= 0 && data.size() <= static_cast<size_t>(cap)) {
    write_all(w.get(), data, "the hook's stdin");
    return r;
  }
  int m = ::memfd_create("hull-hook-state", MFD_CLOEXEC);
  if (m < 0) throw_errno("memfd for the hook's stdin");
  UniqueFd mem(m);
  write_all(mem.get(), data, "the hook's stdin");
  if (::lseek(mem.get(), 0, SEEK_SET) < 0) throw_errno("rewind the hook's stdin");
  return mem;
}

// argv and envp built before fork: the child only makes syscalls.
struct HookArgv {
  std::vector<char*> argv, envp;
  HookArgv(const spec::Hook& hook, const std::vector<std::string>* default_env) {
    if (hook.args.empty()) argv.push_back(const_cast<char*>(hook.path.c_str()));
    for (const auto& a : hook.args) argv.push_back(const_cast<char*>(a.c_str()));
    // No env given on the host: the runtime's own, as runc's hooks get (Go's
    // exec.Cmd with a nil Env); hooks written for it find PATH.
    if (const std::vector<std::string>* env = hook.env ? &*hook.env : default_env) {
      for (const auto& e : *env) envp.push_back(const_cast<char*>(e.c_str()));
    } else {
      for (char** e = environ; e && *e; ++e) envp.push_back(*e);
    }
    argv.push_back(nullptr);
    envp.push_back(nullptr);
  }
};

// What the child reports on its error pipe when it cannot become the hook.
struct ChildFailure {
  enum Step : int { Stdio, Cwd, Exec } step;
  int err;
};

[[noreturn]] void fail_in_child(int errpipe, ChildFailure::Step step) {
  ChildFailure f{step, errno};
  [[maybe_unused]] auto n = ::write(errpipe, &f, sizeof f);
  ::_exit(127);
}

[[noreturn]] void exec_hook_child(const spec::Hook& hook, const HookArgv& args, const std::string& cwd, int in, int out,
                                  int errpipe, pid_t runtime) {
  // Only async-signal-safe calls from here: we may be a fork of a process
  // with other threads' locks held (the runtime has none, a library might).
  sigset_t all;
  sigemptyset(&all);
  ::sigprocmask(SIG_SETMASK, &all, nullptr);
  for (int sig = 1; sig < NSIG; ++sig) ::signal(sig, SIG_DFL);
  ::setpgid(0, 0);  // also done by the parent: whichever comes first
  // Its own group keeps a terminal's ^C to the runtime from it: it dies
  // with the runtime instead (killed, interrupted), rather than go on
  // setting up (a network, a mount) for a container no command finishes.
  // Kept across its execve.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  if (::getppid() != runtime) ::_exit(127);  // died before the prctl
  if (::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(out, 2) < 0) fail_in_child(errpipe, ChildFailure::Stdio);
  if (!cwd.empty() && ::chdir(cwd.c_str()) < 0) fail_in_child(errpipe, ChildFailure::Cwd);
  // Nothing of the runtime's but the error pipe (CLOEXEC) reaches the hook.
  if (errpipe != 3) {
    ::dup3(errpipe, 3, O_CLOEXEC);
    errpipe = 3;
  }
  ::syscall(SYS_close_range, 4, UINT_MAX, 0);
  ::execve(hook.path.c_str(), args.argv.data(), args.envp.data());
  fail_in_child(errpipe, ChildFailure::Exec);
}

std::string tail_of(const std::string& output) {
  std::string o = output.size() > kMaxOutput ? "..." + output.substr(output.size() - kMaxOutput) : output;
  while (!o.empty() && (o.back() == '\n' || o.back() == ' ')) o.pop_back();
  return o.empty() ? "" : ": " + o;
}

struct HookOutcome {
  std::string failure;     // empty: it succeeded
  int interrupted_by = 0;  // the ending signal that ended it
};

// Runs one hook. `ending` (or null): the ending signals, blocked and read
// here: one ends the hook's group, as a terminal's ^C ends runc's hooks
// (which share its group; a hook in its own group would go on setting up, a
// shell script's children would outlive the command, and hull run, which
// blocks them, could not be interrupted until the hook ended).
HookOutcome run_one(const spec::Hook& hook, const std::string& state_json, const std::string& cwd,
                    const std::vector<std::string>* default_env, const SignalFdWhileBlocked* ending) {
  UniqueFd in = stdin_with(state_json);
  int p[2];
  if (::pipe2(p, O_CLOEXEC) < 0) throw_errno("pipe for the hook's output");
  UniqueFd out_r(p[0]), out_w(p[1]);
  if (::pipe2(p, O_CLOEXEC) < 0) throw_errno("pipe for the hook's exec status");
  UniqueFd err_r(p[0]), err_w(p[1]);

  HookArgv args(hook, default_env);
  const pid_t runtime = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) cgroups::throw_process_errno("fork for the hook");
  if (pid == 0) exec_hook_child(hook, args, cwd, in.get(), out_w.get(), err_w.get(), runtime);
  ::setpgid(pid, pid);
  in.reset();
  out_w.reset();
  err_w.reset();

  int raw = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (raw < 0) {
    int e = errno;
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    throw_errno(e, "pidfd_open for the hook");
  }
  UniqueFd pidfd(raw);

  // Wait for exit, the timeout or output, whichever first. The output pipe
  // is drained as we go so a chatty hook cannot block on a full pipe.
  std::string output;
  int64_t deadline = hook.timeout ? now_ms() + int64_t{*hook.timeout} * 1000 : -1;
  bool timed_out = false;
  int interrupted_by = 0;
  for (;;) {
    // A closed output pipe's slot is -1: poll skips it.
    struct pollfd fds[3] = {
        {pidfd.get(), POLLIN, 0}, {ending ? ending->get() : -1, POLLIN, 0}, {out_r.get(), POLLIN, 0}};
    int wait = -1;
    // Clamped: a timeout of millions of seconds (valid in the spec) would
    // wrap to a short or a negative (endless) poll.
    if (deadline >= 0) wait = static_cast<int>(std::clamp<int64_t>(deadline - now_ms(), 0, INT_MAX));
    int n = ::poll(fds, 3, wait);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("poll on the hook");
    }
    if (fds[1].revents) interrupted_by = ending->take();
    if (n == 0 || interrupted_by) {
      // The group too: what the hook started (a sleep of a shell script)
      // would hold the runtime's pipes and outlive the command.
      timed_out = !interrupted_by;
      ::kill(-pid, SIGKILL);
      ::syscall(SYS_pidfd_send_signal, pidfd.get(), SIGKILL, nullptr, 0);
      break;
    }
    if (fds[2].revents) {
      char buf[1024];
      ssize_t got = ::read(out_r.get(), buf, sizeof buf);
      if (got > 0) {
        keep_tail(output, buf, static_cast<size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        out_r.reset();
      }
    }
    if (fds[0].revents) break;
  }
  siginfo_t info = {};
  while (::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(pidfd.get()), &info, WEXITED) < 0)
    if (errno != EINTR) throw_errno("wait for the hook");
  // Whatever the hook (or a child it left behind) still had to say: what
  // the pipe holds, and no more than that from a child still writing.
  if (out_r) {
    ::fcntl(out_r.get(), F_SETFL, O_NONBLOCK);
    char buf[1024];
    ssize_t got;
    for (size_t drained = 0; drained < (size_t{1} << 16) && (got = ::read(out_r.get(), buf, sizeof buf)) > 0;
         drained += static_cast<size_t>(got))
      keep_tail(output, buf, static_cast<size_t>(got));
  }

  ChildFailure f{};
  if (::read(err_r.get(), &f, sizeof f) == sizeof f) {
    switch (f.step) {
      case ChildFailure::Stdio: return {"give it its stdin and output: " + errno_text(f.err)};
      case ChildFailure::Cwd: return {"change into " + quote(cwd) + ": " + errno_text(f.err)};
      case ChildFailure::Exec: {
        // "no such file" says all that ENOENT's text would.
        std::string why = explain_exec_failure(hook.path, f.err, "");
        return {f.err == ENOENT ? why : why + ": " + errno_text(f.err)};
      }
    }
  }
  if (interrupted_by)
    return {
        "interrupted by " + signal_name(interrupted_by) + ": it was killed with its process group" + tail_of(output),
        interrupted_by};
  if (timed_out) return {"timed out after " + std::to_string(*hook.timeout) + "s and was killed" + tail_of(output)};
  if (info.si_code == CLD_EXITED && info.si_status == 0) return {};
  if (info.si_code == CLD_EXITED) return {"exited with status " + std::to_string(info.si_status) + tail_of(output)};
  return {"killed by " + signal_name(info.si_status) + tail_of(output)};
}

}  // namespace

void run_hooks(const std::vector<spec::Hook>& hooks, std::string_view kind, const std::string& state_json,
               HookFailure policy, const std::string& cwd, const std::vector<std::string>* default_env) {
  if (hooks.empty()) return;
  // Under the container's seccomp filter (startContainer hooks) a profile
  // may refuse signalfd4 or rt_sigprocmask: the hooks run unwatched then.
  std::optional<SignalFdWhileBlocked> ending;
  watch_ending_signals(ending, "the ending signals during the hooks");
  for (size_t i = 0; i < hooks.size(); ++i) {
    std::string name = "hook " + std::string(kind) + "[" + std::to_string(i) + "] " + quote(hooks[i].path);
    HookOutcome outcome;
    try {
      outcome = run_one(hooks[i], state_json, cwd, default_env, ending ? &*ending : nullptr);
    } catch (Error& e) {
      if (policy == HookFailure::Fail) {
        e.add_context(name);
        throw;
      }
      outcome.failure = e.what();
    }
    if (outcome.failure.empty()) continue;
    if (policy == HookFailure::Fail) throw Error(name + ": " + outcome.failure);
    warn(name + ": " + outcome.failure);
    if (outcome.interrupted_by) {
      if (i + 1 < hooks.size()) warn("the " + std::string(kind) + " hooks after it were not run: interrupted");
      return;
    }
  }
}

std::string state_seen_from_container(const std::string& state_json, const char* status) {
  nlohmann::json state;
  try {
    state = nlohmann::json::parse(state_json);
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("container state for the hooks is not JSON: ") + e.what());
  }
  state["pid"] = ::getpid();
  state["status"] = status;
  return state.dump();
}

}  // namespace hull::process
