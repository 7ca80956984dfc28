// `hull run` with process.terminal as a background job of an interactive
// shell: it stops (SIGTTOU) rather than take the terminal from the
// foreground, and goes on once brought back with `fg`. It put the shell's
// terminal in raw mode and gave the container end of input at once (found
// by review 2026-12-05: every signal blocked for the forwarder made the
// kernel let it).
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>

#include "harness.hpp"
#include "test_pty.hpp"

namespace hull::itest {
namespace {

using std::chrono::steady_clock;

// Reads the terminal's output into `seen` until it holds `needle`; false
// when the timeout passes first.
bool read_until(int master, std::string& seen, std::string_view needle, milliseconds timeout) {
  const auto deadline = steady_clock::now() + timeout;
  while (seen.find(needle) == std::string::npos) {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - steady_clock::now()).count();
    pollfd p{master, POLLIN, 0};
    if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) return false;
    char buf[4096];
    const ssize_t n = ::read(master, buf, sizeof buf);
    if (n <= 0) return false;
    seen.append(buf, static_cast<size_t>(n));
  }
  return true;
}

bool type(int master, const std::string& text) {
  return ::write(master, text.data(), text.size()) == static_cast<ssize_t>(text.size());
}

TEST_F(HullTest, ABackgroundRunWithATerminalStopsUntilBroughtToTheForeground) {
  Bundle& b = bundle();
  b.config["process"]["terminal"] = true;
  b.args({"sh", "-c", "echo READY; read x; echo \"GOT[$x]\"; exit 3"});
  TestPty pty = open_test_pty();
  ASSERT_TRUE(pty.master);
  // An interactive shell with the pty as its controlling terminal: job control.
  Child shell =
      spawn_on_terminal(pty.slave_path, {"/usr/bin/setsid", "--ctty", "/bin/bash", "--norc", "--noprofile", "-i"});
  const int master = pty.master.get();
  std::string seen;
  ASSERT_TRUE(type(master, "set -b; PS1=PROMPT-; echo SHELL-UP\n"));
  ASSERT_TRUE(read_until(master, seen, "SHELL-UP\r\n", milliseconds(10000))) << seen;
  ASSERT_TRUE(type(
      master, runtime_binary() + " --root " + state_root().string() + " run -b " + b.dir().string() + " jobctl &\n"));
  EXPECT_TRUE(read_until(master, seen, "Stopped", milliseconds(10000))) << seen;
  EXPECT_EQ(seen.find("READY"), std::string::npos) << "the container ran on while hull was in the background: " << seen;

  // Brought back, it shows what the container wrote meanwhile and passes
  // on what is typed.
  ASSERT_TRUE(type(master, "fg\n"));
  EXPECT_TRUE(read_until(master, seen, "READY", milliseconds(10000))) << seen;
  ASSERT_TRUE(type(master, "hello\n"));
  EXPECT_TRUE(read_until(master, seen, "GOT[hello]", milliseconds(10000))) << seen;
  // The shell's prompt once the job is done: what is typed is the shell's.
  // Looked for after the container's last line only, which the same read
  // may have brought with the prompt (clearing all of it lost the prompt).
  seen.erase(0, std::min(seen.size(), seen.find("GOT[hello]")));
  EXPECT_TRUE(read_until(master, seen, "PROMPT-", milliseconds(10000))) << seen;
  ASSERT_TRUE(type(master, "echo rc=$?\n"));
  EXPECT_TRUE(read_until(master, seen, "rc=3", milliseconds(10000))) << seen;
  ASSERT_TRUE(type(master, "exit\n"));
  ProcResult r = shell.finish();
  EXPECT_EQ(r.exit_code, 0) << seen;
  EXPECT_TRUE(state_dirs().empty());
}

}  // namespace
}  // namespace hull::itest
