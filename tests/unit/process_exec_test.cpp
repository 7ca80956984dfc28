#include <gtest/gtest.h>

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
