// `hull exec` through the CLI, as containerd's shim and conmon call it.
#include <sys/wait.h>

#include <fstream>

#include "harness.hpp"

namespace hull::itest {
namespace {

// containerd and conmon run every exec with --detach: the process must
// outlive `hull exec`. It blocks on a fifo until the test writes to it, so it
// is certainly still running when `hull exec --detach` has returned; then it
// must exit normally (status 0), not be killed with its runtime.
TEST_F(HullTest, ExecDetachOutlivesTheRuntime) {
  ASSERT_GT(create_container("ex"), 0);
  start_container("ex");
  ProcResult fifo = hull({"exec", "ex", "mkfifo", "/tmp/go"});
  ASSERT_EQ(fifo.exit_code, 0) << fifo.err;

  const std::string pid_file = (temp_dir() / "exec.pid").string();
  ProcResult d = hull({"exec", "--detach", "--pid-file", pid_file, "ex", "sh", "-c", "read x < /tmp/go"});
  ASSERT_EQ(d.exit_code, 0) << d.err;
  std::ifstream in(pid_file);
  pid_t pid = 0;
  ASSERT_TRUE(in >> pid) << "no pid in " << pid_file;

  ProcResult w = hull({"exec", "ex", "sh", "-c", "echo go > /tmp/go"});
  EXPECT_EQ(w.exit_code, 0) << w.err;
  int status = 0;
  // We are the child subreaper the detached process was re-parented to.
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << "exec'd process ended with wait status " << status << " (killed with hull exec?)";
}

}  // namespace
}  // namespace hull::itest
