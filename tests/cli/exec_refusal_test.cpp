// hull exec refuses with a clear error: a container that is not running (or
// paused without --ignore-paused), a command that is not there, a bad --user.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "exec_fixture.hpp"
#include "process/terminal_proxy.hpp"
#include "unix_listener.hpp"

namespace hull::itest {
namespace {

namespace fs = std::filesystem;

TEST_F(ExecTest, RefusesStoppedAndUnknownContainers) {
  const pid_t init = create_container("exstop", {"true"});
  ASSERT_GT(init, 0);
  start_container("exstop");
  ASSERT_TRUE(wait_exit_and_reap(init));
  ASSERT_EQ(status("exstop"), "stopped");
  ProcResult r = exec({"exstop", "true"});
  EXPECT_TRUE(failed_with(r,
                          {"cannot exec a process in container \"exstop\": it is stopped",
                           "only a created or running container can run new processes"},
                          kExecFailed));

  r = exec({"exnosuch", "true"});
  EXPECT_TRUE(failed_with(r, {"container \"exnosuch\" does not exist"}, kExecFailed));
}

// `run` leaves its init unsealed until the init's execve, because exec must
// wait for run's lock (InitPlan::init_unsealed_until_exec). A run killed in
// between lets go of the lock early, and state.json still names the binary
// the init ran: exec refuses to join an init that runs it, and joins once
// the init runs its program. The half-finished run is reproduced by naming
// in state.json the file a created init runs (its sealed view).
TEST_F(ExecTest, RefusesAnInitThatStillRunsTheBinaryStateJsonNamesUnsealed) {
  const pid_t init = create_container("exunsealed");
  ASSERT_GT(init, 0);
  struct stat exe {};
  ASSERT_EQ(::stat(("/proc/" + std::to_string(init) + "/exe").c_str(), &exe), 0);
  const fs::path state_file = state_dir("exunsealed") / "state.json";
  nlohmann::json st = nlohmann::json::parse(read_text_file(state_file));
  st["extra"]["unsealedInit"] = std::to_string(exe.st_dev) + ":" + std::to_string(exe.st_ino);
  std::ofstream(state_file, std::ios::trunc) << st.dump();

  ProcResult r = exec({"exunsealed", "true"});
  EXPECT_TRUE(failed_with(r, {"container \"exunsealed\"", "has not started its process yet"}, kExecFailed));
  // The init now runs `sleep`: nothing of the runtime is left to join.
  start_container("exunsealed");
  r = exec({"exunsealed", "true"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

// What a run that finished leaves: no such name, and exec joins.
TEST_F(ExecTest, RunDetachedLeavesNoUnsealedInitBehind) {
  Bundle& b = bundle("exrun");
  b.args({"sleep", "1000"});
  ProcResult r = hull({"run", "--detach", "--bundle", b.dir().string(), "exrun"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json st = nlohmann::json::parse(read_text_file(state_dir("exrun") / "state.json"));
  EXPECT_FALSE(st.value("extra", nlohmann::json::object()).contains("unsealedInit")) << st.dump();
  r = exec({"exrun", "true"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(ExecTest, MissingBinaryIsNamed) {
  ASSERT_GT(start_sleeping("exmiss"), 0);
  ProcResult r = exec({"exmiss", "/no/such/binary", "arg"});
  EXPECT_TRUE(failed_with(r, {"\"/no/such/binary\"", "no such file in the container"}, kExecFailed));
  r = exec({"exmiss", "no-such-command"});
  EXPECT_TRUE(failed_with(r, {"\"no-such-command\"", "not found in $PATH", "PATH=/usr/local/sbin"}, kExecFailed));
  // The container is unharmed.
  EXPECT_EQ(status("exmiss"), "running");
}

TEST_F(ExecTest, UserFlagIsParsedStrictly) {
  ASSERT_GT(start_sleeping("exbaduser"), 0);
  for (const std::string bad : {"1000:abc", "1000:", "abc", "4294967295", "1000:1:2"}) {
    ProcResult r = exec({"-u", bad, "exbaduser", "true"});
    EXPECT_TRUE(failed_with(r, {"--user", "\"" + bad + "\""}, kExecFailed)) << bad;
  }
  // A negative id is said to be one, not a typo.
  EXPECT_TRUE(
      failed_with(exec({"-u", "-1", "exbaduser", "true"}), {"--user \"-1\": uid \"-1\" is negative"}, kExecFailed));
  EXPECT_TRUE(
      failed_with(exec({"-u", "0:-2", "exbaduser", "true"}), {"gid \"-2\" is negative (ids are 0 to"}, kExecFailed));
  // No command: runc's exec fails with 255 ("process args cannot be empty");
  // no id at all is a usage error, 1.
  EXPECT_TRUE(failed_with(exec({"exbaduser"}), {"command"}, kExecFailed));
  EXPECT_TRUE(failed_with(exec({}), {"container id"}));
}

// A label the host cannot apply must not leave the process unconfined.
TEST_F(ExecTest, LabelsRefusedWhenTheHostHasNoSuchLsm) {
  ASSERT_GT(start_sleeping("exlsm"), 0);
  if (!std::filesystem::exists("/sys/kernel/security/apparmor") && !std::filesystem::exists("/sys/module/apparmor")) {
    ProcResult r = exec({"--apparmor", "itest-profile", "exlsm", "true"});
    EXPECT_TRUE(failed_with(r, {"\"itest-profile\"", "AppArmor is not enabled"}, kExecFailed));
  }
  if (!std::filesystem::exists("/sys/fs/selinux/enforce")) {
    ProcResult r = exec({"--process-label", "system_u:system_r:container_t:s0", "exlsm", "true"});
    EXPECT_TRUE(failed_with(r, {"system_u:system_r:container_t:s0", "SELinux is not enabled"}, kExecFailed));
  }
}

// A paused container's processes are frozen: exec is refused unless asked
// for with --ignore-paused, and then the process runs once it is resumed.
TEST_F(ExecTest, PausedContainerRefusedUnlessIgnorePaused) {
  ASSERT_GT(start_sleeping("expause"), 0);
  ProcResult p = hull({"pause", "expause"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  ASSERT_EQ(status("expause"), "paused");
  ProcResult r = exec({"expause", "true"});
  EXPECT_TRUE(failed_with(
      r, {"cannot exec a process in container \"expause\": it is paused", "resume it first or use --ignore-paused"},
      kExecFailed));

  // Accepted. hull exec connects the console socket only after its status
  // check, so the connection shows it accepted the paused container; the
  // process runs once the container is resumed.
  fs::path sock = temp_dir() / "paused-console.sock";
  UniqueFd listener = listen_unix(sock);
  Child ex = hull_background({"exec", "--ignore-paused", "-t", "--console-socket", sock.string(), "expause", "sh", "-c",
                              "echo thawed; exit 5"});
  UniqueFd conn = accept_within(listener.get(), milliseconds(20000));
  ASSERT_TRUE(conn) << "hull exec --ignore-paused did not get past its status check";
  ASSERT_EQ(status("expause"), "paused");
  ProcResult resume = hull({"resume", "expause"});
  ASSERT_EQ(resume.exit_code, 0) << resume.err;
  process::ReceivedPty pty = process::receive_pty_master(conn.get());
  std::string out = read_until_hangup(pty.master.get());
  r = ex.finish();
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_NE(out.find("thawed"), std::string::npos) << out;
  EXPECT_EQ(status("expause"), "running");
}

}  // namespace
}  // namespace hull::itest
