#include <gtest/gtest.h>

#include <cerrno>

#include "base/error.hpp"
#include "process/exec.hpp"

using namespace hull::process;

TEST(ProcessExec, PathFromEnvUsesLastAssignmentOrDefault) {
  EXPECT_EQ(path_from_env({"A=1", "PATH=/a", "PATH=/b"}), "/b");
  EXPECT_EQ(path_from_env({}), "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
}

TEST(ProcessExec, FindsExecutableInContainerPath) {
  EXPECT_EQ(find_executable("sh", {"PATH=/nonexistent:/bin"}), "/bin/sh");
  EXPECT_EQ(find_executable("/bin/sh", {}), "/bin/sh");
}

TEST(ProcessExec, MissingExecutableNamesFileAndPath) {
  try {
    find_executable("no-such-binary-xyz", {"PATH=/usr/bin:/bin"});
    FAIL();
  } catch (const hull::Error& e) {
    EXPECT_EQ(e.message(), "exec \"no-such-binary-xyz\": executable file not found in $PATH (PATH=/usr/bin:/bin)");
  }
}

// E2BIG is also the kernel's answer when it cannot charge the strings'
// pages to the memory cgroup: `sleep 100` at a tight memory limit was told
// its arguments were too large. The message names both causes and the size.
TEST(ProcessExec, AnExecveRefusedWithE2bigNamesTheSizeAndTheMemoryLimit) {
  const std::string big(size_t{200} * 1024, 'x');  // past the kernel's 128 KiB for one string
  try {
    exec_program("/bin/true", {"true", big}, {"A=1"});
    FAIL();
  } catch (const hull::Error& e) {
    EXPECT_EQ(e.code(), E2BIG);
    EXPECT_EQ(e.message(),
              "exec \"/bin/true\": the arguments and environment are more than the kernel takes (a quarter of the "
              "stack rlimit, 128 KiB in one string), or their pages could not be charged (the container's memory "
              "limit reached?): " +
                  std::to_string(5 + big.size() + 1 + 4) + " bytes");
  }
  EXPECT_EQ(explain_exec_failure("/bin/sleep", ENOMEM),
            "exec \"/bin/sleep\": out of memory (the container's memory limit reached?)");
  // A hook's is charged to the cgroup it runs in, not always the container's.
  EXPECT_EQ(explain_exec_failure("/bin/sleep", ENOMEM, ""),
            "exec \"/bin/sleep\": out of memory (its memory cgroup's limit reached?)");
}
