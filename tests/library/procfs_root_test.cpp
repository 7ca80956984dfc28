// base/procfs's shared root where the /proc the runtime sees has a mount in
// the way (a nested container's read-only /proc/sys, lxcfs's files): the
// path is not followed into the mount, it is resolved again in a private
// procfs instance, which has nothing mounted in it. The mount is made in a
// forked child's own mount namespace: the host's /proc is not touched.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "base/error.hpp"
#include "base/procfs.hpp"

namespace {

// Runs f in a forked child in a private mount namespace where a tmpfs
// covers /proc/sys/kernel; the child's exit code is f's.
int in_child_with_proc_sys_kernel_covered(int (*f)()) {
  pid_t pid = ::fork();
  if (pid == 0) {
    if (::unshare(CLONE_NEWNS) < 0 || ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0 ||
        ::mount("tmpfs", "/proc/sys/kernel", "tmpfs", 0, "size=4k") < 0)
      ::_exit(90);
    hull::procfs::close_shared_root();
    ::_exit(f());
  }
  int status = 0;
  if (pid < 0 || ::waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST(ProcfsRoot, AMountInTheWayIsNotFollowedButResolvedInAPrivateInstance) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root for a mount namespace";
  int code = in_child_with_proc_sys_kernel_covered([] {
    // The covering tmpfs is empty: had the mount been followed, there would
    // be no ostype; the procfs file is what a private instance shows.
    try {
      if (hull::procfs::read("sys/kernel/ostype") != "Linux\n") return 1;
    } catch (const hull::Error&) {
      return 2;
    }
    if (!hull::procfs::shared_root_record().private_instance) return 3;
    // Later calls stay in the private instance: "self" is still us.
    std::string stat = hull::procfs::read("self/stat");
    if (stat.rfind(std::to_string(::getpid()) + " ", 0) != 0) return 4;
    return 0;
  });
  EXPECT_EQ(code, 0) << "1: wrong contents, 2: refused, 3: not in a private instance, 4: self is not us, "
                        "90: the test's own mount failed";
}

TEST(ProcfsRoot, PathsOutsideTheMountStayInTheProcWeSee) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root for a mount namespace";
  int code = in_child_with_proc_sys_kernel_covered([] {
    if (hull::procfs::read("sys/vm/overcommit_memory").empty()) return 1;
    return hull::procfs::shared_root_record().private_instance ? 2 : 0;
  });
  EXPECT_EQ(code, 0) << "1: nothing read, 2: a private instance without a mount in the way";
}

}  // namespace
