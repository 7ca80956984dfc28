// `hull exec` through the CLI, as containerd's shim and conmon call it.
#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

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

// A detached exec's process that has exited is a zombie of its caller (the
// subreaper it was re-parented to) until the caller reaps it, and the
// container's init, killed, stays in exit until then: `state` calls the
// container stopped, but `delete --force` waited for the init's exit and
// failed after 10 s. It returns once the init is in exit and the cgroup
// empty, and leaves nothing; the caller reaps its zombie later.
TEST_F(HullTest, DeleteForceDoesNotWaitForTheCallersUnreapedExecZombie) {
  for (const bool started : {false, true}) {
    const std::string id = started ? "exzombie-running" : "exzombie-created";
    ASSERT_GT(create_container(id), 0);
    if (started) start_container(id);
    const std::string pid_file = (temp_dir() / (id + ".pid")).string();
    ProcResult d = hull({"exec", "--detach", "--pid-file", pid_file, id, "true"});
    ASSERT_EQ(d.exit_code, 0) << d.err;
    std::ifstream in(pid_file);
    pid_t pid = 0;
    ASSERT_TRUE(in >> pid) << "no pid in " << pid_file;
    // Exited, not reaped: a pidfd is readable once its process is a zombie.
    const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    ASSERT_GE(pidfd, 0);
    pollfd p{pidfd, POLLIN, 0};
    EXPECT_EQ(::poll(&p, 1, 10000), 1);
    ::close(pidfd);

    ProcResult del = hull({"delete", "--force", id});
    EXPECT_EQ(del.exit_code, 0) << del.err;
    ProcResult st = hull({"state", id});
    EXPECT_NE(st.exit_code, 0);
    EXPECT_NE(st.err.find("does not exist"), std::string::npos) << st.err;
    int status = 0;
    EXPECT_EQ(::waitpid(pid, &status, 0), pid);
    expect_nothing_left(id);
  }
}

}  // namespace
}  // namespace hull::itest
