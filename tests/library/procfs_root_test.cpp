// base/procfs's shared root where the /proc the runtime sees is in the way:
// a mount over part of it (a nested container's read-only /proc/sys,
// lxcfs's files) is not followed, and a file it hides (subset=pid) is not
// taken for missing; the path is resolved again in a private procfs
// instance, which has neither. The mounts are made in a forked child's own
// mount namespace: the host's /proc is not touched.
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

enum class InTheWay { TmpfsOverProcSysKernel, ProcWithSubsetPid };

// Runs f in a forked child in a private mount namespace with `way` set up;
// the child's exit code is f's (90: the set-up failed).
int exit_code_in_namespace(InTheWay way, int (*f)()) {
  pid_t pid = ::fork();
  if (pid == 0) {
    if (::unshare(CLONE_NEWNS) < 0 || ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0) ::_exit(90);
    const int made = way == InTheWay::TmpfsOverProcSysKernel
                         ? ::mount("tmpfs", "/proc/sys/kernel", "tmpfs", 0, "size=4k")
                         : ::mount("proc", "/proc", "proc", 0, "subset=pid");
    if (made < 0) ::_exit(90);
    hull::procfs::close_shared_root();
    ::_exit(f());
  }
  int status = 0;
  if (pid < 0 || ::waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// ostype as procfs shows it, through a private instance; then a process's
// own file, still in that instance.
int ostype_through_a_private_instance() {
  try {
    if (hull::procfs::read("sys/kernel/ostype") != "Linux\n") return 1;
  } catch (const hull::Error&) {
    return 2;
  }
  if (!hull::procfs::shared_root_record().private_instance) return 3;
  std::string stat = hull::procfs::read("self/stat");
  if (stat.rfind(std::to_string(::getpid()) + " ", 0) != 0) return 4;
  return 0;
}

constexpr const char* kWhat = "1: wrong contents, 2: refused, 3: not in a private instance, 4: self is not us, "
                              "90: the test's own mount failed";

TEST(ProcfsRoot, AMountInTheWayIsNotFollowedButResolvedInAPrivateInstance) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root for a mount namespace";
  // The covering tmpfs is empty: had the mount been followed, there would
  // be no ostype.
  EXPECT_EQ(exit_code_in_namespace(InTheWay::TmpfsOverProcSysKernel, ostype_through_a_private_instance), 0) << kWhat;
}

TEST(ProcfsRoot, AFileThatProcHidesIsResolvedInAPrivateInstance) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root for a mount namespace";
  EXPECT_EQ(exit_code_in_namespace(InTheWay::ProcWithSubsetPid, ostype_through_a_private_instance), 0) << kWhat;
}

TEST(ProcfsRoot, PathsOutsideTheWayStayInTheProcWeSee) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root for a mount namespace";
  int code = exit_code_in_namespace(InTheWay::TmpfsOverProcSysKernel, [] {
    if (hull::procfs::read("sys/vm/overcommit_memory").empty()) return 1;
    return hull::procfs::shared_root_record().private_instance ? 2 : 0;
  });
  EXPECT_EQ(code, 0) << "1: nothing read, 2: a private instance without a mount in the way";
  // A process's own file that is missing is missing in every instance: no
  // private instance is made for it.
  code = exit_code_in_namespace(InTheWay::ProcWithSubsetPid, [] {
    try {
      hull::procfs::read("self/no-such-file");
      return 1;
    } catch (const hull::Error& e) {
      if (e.code() != ENOENT) return 2;
    }
    return hull::procfs::shared_root_record().private_instance ? 3 : 0;
  });
  EXPECT_EQ(code, 0) << "1: read, 2: not ENOENT, 3: a private instance for a process's missing file";
}

}  // namespace
