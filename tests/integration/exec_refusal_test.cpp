// hull exec refuses with a clear error: a container that is not running, a
// command that is not there, a bad --user.
#include <filesystem>
#include <string>

#include "exec_fixture.hpp"

namespace hull::itest {
namespace {

TEST_F(ExecTest, RefusesStoppedAndUnknownContainers) {
  const pid_t init = create_container("exstop", {"true"});
  ASSERT_GT(init, 0);
  start_container("exstop");
  ASSERT_TRUE(wait_exit_and_reap(init));
  ASSERT_EQ(status("exstop"), "stopped");
  ProcResult r = exec({"exstop", "true"});
  EXPECT_TRUE(failed_with(r, {"cannot exec a process in container \"exstop\": it is stopped",
                              "only a created or running container can run new processes"}));

  r = exec({"exnosuch", "true"});
  EXPECT_TRUE(failed_with(r, {"container \"exnosuch\" does not exist"}));
}

TEST_F(ExecTest, MissingBinaryIsNamed) {
  ASSERT_GT(start_sleeping("exmiss"), 0);
  ProcResult r = exec({"exmiss", "/no/such/binary", "arg"});
  EXPECT_TRUE(failed_with(r, {"\"/no/such/binary\"", "no such file in the container"}));
  r = exec({"exmiss", "no-such-command"});
  EXPECT_TRUE(failed_with(r, {"\"no-such-command\"", "not found in $PATH", "PATH=/usr/local/sbin"}));
  // The container is unharmed.
  EXPECT_EQ(status("exmiss"), "running");
}

TEST_F(ExecTest, UserFlagIsParsedStrictly) {
  ASSERT_GT(start_sleeping("exbaduser"), 0);
  for (const std::string bad : {"1000:abc", "1000:", "abc", "4294967295", "1000:1:2"}) {
    ProcResult r = exec({"-u", bad, "exbaduser", "true"});
    EXPECT_TRUE(failed_with(r, {"--user", "\"" + bad + "\""})) << bad;
  }
}

// A label the host cannot apply must not leave the process unconfined.
TEST_F(ExecTest, LabelsRefusedWhenTheHostHasNoSuchLsm) {
  ASSERT_GT(start_sleeping("exlsm"), 0);
  if (!std::filesystem::exists("/sys/kernel/security/apparmor") && !std::filesystem::exists("/sys/module/apparmor")) {
    ProcResult r = exec({"--apparmor", "itest-profile", "exlsm", "true"});
    EXPECT_TRUE(failed_with(r, {"\"itest-profile\"", "AppArmor is not enabled"}));
  }
  if (!std::filesystem::exists("/sys/fs/selinux/enforce")) {
    ProcResult r = exec({"--process-label", "system_u:system_r:container_t:s0", "exlsm", "true"});
    EXPECT_TRUE(failed_with(r, {"system_u:system_r:container_t:s0", "SELinux is not enabled"}));
  }
}

}  // namespace
}  // namespace hull::itest
