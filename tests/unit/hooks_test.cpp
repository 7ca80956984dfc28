#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/unique_fd.hpp"
#include "base/warn.hpp"
#include "process/hooks.hpp"
#include "support/temp_dir.hpp"

using namespace hull;
using process::HookFailure;
using process::run_hooks;

namespace {
class Hooks : public ::testing::Test {
 protected:
  std::string script(const std::string& name, const std::string& body) {
    std::string p = dir_ + "/" + name;
    std::ofstream(p) << "#!/bin/sh\n" << body;
    ::chmod(p.c_str(), 0755);
    return p;
  }
  hull::test::TempDir tmp_{"hooks"};
  std::string dir_ = tmp_.path();
};

std::string hook_error(const std::vector<spec::Hook>& hooks, const char* kind = "createRuntime",
                       const std::string& cwd = {}) {
  try {
    run_hooks(hooks, kind, "{}", HookFailure::Fail, cwd);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// What a poststop list (HookFailure::Warn) warns.
std::vector<std::string> poststop_warnings(const std::vector<spec::Hook>& hooks) {
  std::vector<std::string> warnings;
  auto old = hull::set_warn_sink([&](std::string_view m) { warnings.emplace_back(m); });
  run_hooks(hooks, "poststop", "{}", HookFailure::Warn);
  hull::set_warn_sink(old);
  return warnings;
}

// A process that is not our child (a hook's) ended within 5 s: a pidfd of it
// still says so.
void expect_ended(pid_t pid, const std::string& what) {
  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (!pidfd) {
    EXPECT_EQ(errno, ESRCH);  // gone and reaped already
    return;
  }
  pollfd ended{pidfd.get(), POLLIN, 0};
  EXPECT_EQ(::poll(&ended, 1, 5000), 1) << what << " " << pid << " outlived it";
}

// The ending signals at their default action for the object's life,
// whatever this process was started with: a script's background job
// ignores SIGINT and SIGQUIT (CI's sanitizer lane runs us so), and
// run_hooks leaves a signal its caller ignores alone.
constexpr int kEndingSignalNumbers[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
struct DefaultEndingDispositions {
  struct sigaction saved[4] = {};
  DefaultEndingDispositions() {
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (size_t i = 0; i < 4; ++i) ::sigaction(kEndingSignalNumbers[i], &dfl, &saved[i]);
  }
  ~DefaultEndingDispositions() {
    for (size_t i = 0; i < 4; ++i) ::sigaction(kEndingSignalNumbers[i], &saved[i], nullptr);
  }
  DefaultEndingDispositions(const DefaultEndingDispositions&) = delete;
  DefaultEndingDispositions& operator=(const DefaultEndingDispositions&) = delete;
};
}  // namespace

TEST_F(Hooks, RunInOrderWithStateOnStdinArgsAndEnv) {
  std::string log = dir_ + "/log";
  auto a = script("a", "cat >> " + log + "; echo \" a:$0:$1:$FOO\" >> " + log + "\n");
  auto b = script("b", "echo \"b:$#:$FOO\" >> " + log + "\n");
  std::vector<spec::Hook> hooks = {{a, {"first", "x"}, std::vector<std::string>{"FOO=bar"}, {}}, {b, {}, {}, {}}};
  run_hooks(hooks, "createRuntime", R"({"id":"c1","status":"creating"})", HookFailure::Fail);
  // args[0] is argv[0]; for a script the kernel shows the script's path as $0.
  EXPECT_EQ(read_file(log), "{\"id\":\"c1\",\"status\":\"creating\"} a:" + a + ":x:bar\nb:0:\n");
}

// A hook without env gets the runtime's own environment, as runc's do (a
// hook written for runc finds PATH), or the default given (the container
// process's, for hooks run in the container); one with env gets exactly
// that, and `"env": []` none at all.
TEST_F(Hooks, WithoutEnvAHookGetsTheRuntimesEnvironmentOrTheDefaultGiven) {
  std::string log = dir_ + "/log";
  ::setenv("HULL_HOOK_TEST_INHERITED", "yes", 1);
  auto a = script("a", "echo \"${HULL_HOOK_TEST_INHERITED:-unset} ${OTHER:-none}\" >> " + log + "\n");
  const spec::Hook inherits{a, {}, {}, {}};
  const spec::Hook given{a, {}, std::vector<std::string>{"OTHER=1"}, {}};
  const spec::Hook none{a, {}, std::vector<std::string>{}, {}};
  run_hooks({inherits, given, none}, "prestart", "{}", HookFailure::Fail);
  const std::vector<std::string> container_env{"HULL_HOOK_TEST_INHERITED=container"};
  run_hooks({inherits, given, none}, "createContainer", "{}", HookFailure::Fail, {}, &container_env);
  ::unsetenv("HULL_HOOK_TEST_INHERITED");
  EXPECT_EQ(read_file(log), "yes none\nunset 1\nunset none\ncontainer none\nunset 1\nunset none\n");
}

// A timeout of millions of seconds is valid and means a long wait: the
// milliseconds left are clamped for poll, which took them as an int (4294968
// s wrapped to 0.7 s, and larger ones to a negative, endless wait).
TEST_F(Hooks, AHugeTimeoutDoesNotWrapToAShortOne) {
  auto slow = script("slow", "sleep 1\n");
  EXPECT_EQ(hook_error({{slow, {}, {}, 4294968}}), "");
}

TEST_F(Hooks, LargeStateIsDeliveredWhole) {
  std::string out = dir_ + "/out";
  auto a = script("a", "cat > " + out + "\n");
  std::string big(3 << 20, 'x');  // beyond any pipe size
  run_hooks({{a, {}, {}, {}}}, "poststart", big, HookFailure::Fail);
  EXPECT_EQ(std::filesystem::file_size(out), big.size());
  // A hook that does not read its stdin is fine too.
  auto quiet = script("quiet", "exit 0\n");
  run_hooks({{quiet, {}, {}, {}}}, "poststart", big, HookFailure::Fail);
}

TEST_F(Hooks, FailureNamesKindIndexPathStatusAndOutput) {
  auto ok = script("ok", "exit 0\n");
  auto bad = script("bad", "echo 'netns not found' >&2; exit 3\n");
  auto never = script("never", "touch " + dir_ + "/ran\n");
  EXPECT_EQ(hook_error({{ok, {}, {}, {}}, {bad, {}, {}, {}}, {never, {}, {}, {}}}),
            "hook createRuntime[1] \"" + bad + "\": exited with status 3: netns not found");
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/ran"));
}

TEST_F(Hooks, SignalAndMissingAndTimeout) {
  auto sig = script("sig", "kill -TERM $$\n");
  EXPECT_EQ(hook_error({{sig, {}, {}, {}}}), "hook createRuntime[0] \"" + sig + "\": killed by SIGTERM");
  EXPECT_EQ(hook_error({{dir_ + "/missing", {}, {}, {}}}, "prestart"),
            "hook prestart[0] \"" + dir_ + "/missing\": exec \"" + dir_ + "/missing\": no such file");
  auto slow = script("slow", "exec sleep 30\n");
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(hook_error({{slow, {}, {}, 1}}),
            "hook createRuntime[0] \"" + slow + "\": timed out after 1s and was killed");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

// The hooks run on the host run in the bundle (runc runs them from there,
// so their relative paths are the bundle's), each in a process group of
// its own.
TEST_F(Hooks, AHookRunsInTheGivenDirectoryAsItsGroupsLeader) {
  std::string out = dir_ + "/out";
  auto a =
      script("a", "pwd -P > " + out + "; [ \"$(cut -d' ' -f5 /proc/$$/stat)\" = $$ ] && echo leader >> " + out + "\n");
  std::filesystem::create_directory(dir_ + "/bundle");
  run_hooks({{a, {}, {}, {}}}, "prestart", "{}", HookFailure::Fail, dir_ + "/bundle");
  EXPECT_EQ(read_file(out), std::filesystem::canonical(dir_ + "/bundle").string() + "\nleader\n");
  EXPECT_EQ(hook_error({{a, {}, {}, {}}}, "poststart", dir_ + "/gone"),
            "hook poststart[0] \"" + a + "\": change into \"" + dir_ + "/gone\": no such file or directory");
}

// A hook past its timeout is killed with what it started: a shell script's
// sleep held the runtime's pipes and outlived the command.
TEST_F(Hooks, ATimeoutKillsWhatTheHookStartedToo) {
  std::string pid_file = dir_ + "/sleep.pid";
  auto slow = script("slow", "sleep 30 & echo $! > " + pid_file + "; wait\n");
  EXPECT_NE(hook_error({{slow, {}, {}, 1}}).find("timed out after 1s and was killed"), std::string::npos);
  expect_ended(std::stoi(read_file(pid_file)), "the hook's sleep, past the timeout,");
}

// A failing program says why at the end of its output: that is what the
// message quotes (it kept the first 4 KiB, progress lines, and cut the
// reason off).
TEST_F(Hooks, AFailureQuotesTheEndOfALongOutput) {
  auto chatty = script("chatty",
                       "i=0; while [ $i -lt 300 ]; do echo \"progress line $i\"; i=$((i+1)); done\n"
                       "echo 'FATAL: the real reason' >&2; exit 1\n");
  const std::string e = hook_error({{chatty, {}, {}, {}}});
  EXPECT_TRUE(e.starts_with("hook createRuntime[0] \"" + chatty + "\": exited with status 1: ...")) << e;
  EXPECT_TRUE(e.ends_with("progress line 299\nFATAL: the real reason")) << e;
  EXPECT_LT(e.size(), 4096u + 200u);
}

// SIGINT, SIGTERM, SIGHUP or SIGQUIT to the runtime while a hook runs ends
// the hook with its group and fails it, as a terminal's ^C ends runc's
// hooks: a foreground hull run (which blocks them) could not be interrupted
// until a hanging hook ended, and a create killed by ^C left the hook's
// children running. Here the hook signals its runtime itself; the signal
// is taken (not left pending, nor acted on by this process).
TEST_F(Hooks, AnEndingSignalKillsTheHookWithItsGroupAndFailsIt) {
  const DefaultEndingDispositions heeded;
  for (int sig : kEndingSignalNumbers) {
    SCOPED_TRACE(sig);
    const std::string pid_file = dir_ + "/sleep.pid";
    std::filesystem::remove(pid_file);
    std::filesystem::remove(dir_ + "/ran");
    auto hook =
        script("ended", "sleep 30 & echo $! > " + pid_file + "; kill -" + std::to_string(sig) + " $PPID; wait\n");
    auto never = script("never", "touch " + dir_ + "/ran\n");
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(hook_error({{hook, {}, {}, {}}, {never, {}, {}, {}}}), "hook createRuntime[0] \"" + hook +
                                                                         "\": interrupted by SIG" + sigabbrev_np(sig) +
                                                                         ": it was killed with its process group");
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
    EXPECT_FALSE(std::filesystem::exists(dir_ + "/ran"));
    sigset_t pending;
    sigpending(&pending);
    EXPECT_FALSE(sigismember(&pending, sig));
    expect_ended(std::stoi(read_file(pid_file)), "the hook's sleep, after the signal,");
  }
  // A Warn list (poststop) says it, and runs nothing after it.
  auto hook = script("ended", "kill -INT $PPID; exec sleep 30\n");
  auto never = script("never", "touch " + dir_ + "/ran\n");
  const std::vector<std::string> warnings = poststop_warnings({{hook, {}, {}, {}}, {never, {}, {}, {}}});
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_EQ(warnings[0],
            "hook poststop[0] \"" + hook + "\": interrupted by SIGINT: it was killed with its process group");
  EXPECT_EQ(warnings[1], "the poststop hooks after it were not run: interrupted");
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/ran"));
}

// A signal the caller ignores (nohup's SIGHUP, a background job's SIGINT)
// stays ignored: blocked for the hooks it would have waited, pending, and
// failed them (found by review).
TEST_F(Hooks, AnEndingSignalTheCallerIgnoresStaysIgnored) {
  struct sigaction ignore {
  }, old{};
  ignore.sa_handler = SIG_IGN;
  ASSERT_EQ(::sigaction(SIGHUP, &ignore, &old), 0);
  auto hook = script("hup", "kill -HUP $PPID; sleep 0.2; touch " + dir_ + "/done\n");
  EXPECT_EQ(hook_error({{hook, {}, {}, {}}}), "");
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/done"));
  sigset_t pending;
  sigpending(&pending);
  EXPECT_FALSE(sigismember(&pending, SIGHUP));
  ::sigaction(SIGHUP, &old, nullptr);
}

// One the caller blocks would not have ended it either: it stays pending,
// for the caller, and the hook runs on.
TEST_F(Hooks, AnEndingSignalTheCallerBlocksStaysPending) {
  sigset_t hup, old;
  sigemptyset(&hup);
  sigaddset(&hup, SIGHUP);
  ASSERT_EQ(::sigprocmask(SIG_BLOCK, &hup, &old), 0);
  auto hook = script("hup-blocked", "kill -HUP $PPID; sleep 0.2; touch " + dir_ + "/done\n");
  EXPECT_EQ(hook_error({{hook, {}, {}, {}}}), "");
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/done"));
  sigset_t pending;
  sigpending(&pending);
  EXPECT_TRUE(sigismember(&pending, SIGHUP));
  const timespec now{};
  ::sigtimedwait(&hup, nullptr, &now);
  ::sigprocmask(SIG_SETMASK, &old, nullptr);
}

TEST_F(Hooks, WarnPolicyContinues) {
  auto bad = script("bad", "exit 1\n");
  auto good = script("good", "touch " + dir_ + "/ran\n");
  const std::vector<std::string> warnings = poststop_warnings({{bad, {}, {}, {}}, {good, {}, {}, {}}});
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0], "hook poststop[0] \"" + bad + "\": exited with status 1");
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/ran"));
}

TEST_F(Hooks, HookSeesNoRuntimeFds) {
  std::string out = dir_ + "/fds";
  auto a = script("a", "ls /proc/self/fd > " + out + "\n");
  int leaked = ::open("/", O_RDONLY);  // not CLOEXEC
  run_hooks({{a, {}, {}, {}}}, "poststart", "{}", HookFailure::Fail);
  ::close(leaked);
  EXPECT_EQ(read_file(out), "0\n1\n2\n3\n");  // 3: ls's own directory fd
}
