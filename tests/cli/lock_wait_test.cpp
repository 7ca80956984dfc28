// A command queued behind another that holds the container's lock for long
// (a create waiting in a slow createRuntime hook, a stopped hull) waited in
// silence, with no bound: it now says, once, who holds the lock, and goes on
// once that one lets go.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <csignal>
#include <thread>
#include <vector>

#include "base/unique_fd.hpp"
#include "harness.hpp"
#include "proc_files.hpp"

namespace hull::itest {
namespace {

// The --log file's text once it says `said` (or after 10 s).
std::string log_once_it_says(const std::filesystem::path& log, const std::string& said) {
  std::string text;
  for (int i = 0; i < 1000 && text.find(said) == std::string::npos; ++i) {
    std::this_thread::sleep_for(milliseconds(10));
    text = std::filesystem::exists(log) ? read_text_file(log) : "";
  }
  return text;
}

TEST_F(HullTest, AWaitForTheContainersLockNamesItsHolder) {
  const pid_t init = create_container("locked");
  ASSERT_GT(init, 0);
  UniqueFd dir(::open(state_dir("locked").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  ASSERT_TRUE(dir);
  ASSERT_EQ(::flock(dir.get(), LOCK_EX), 0);
  const std::filesystem::path log = temp_dir() / "kill.log";
  Child kill = hull_background({"--log", log.string(), "kill", "locked", "KILL"});
  const std::string said = "waiting for the lock on " + state_dir("locked").string() + ": pid " +
                           std::to_string(::getpid()) + " (";
  const std::string text = log_once_it_says(log, said);
  EXPECT_NE(text.find(said), std::string::npos) << text;
  EXPECT_NE(text.find("hull_integration_tests"), std::string::npos) << text;  // the holder's command line
  // A while longer: a kill that gave up waiting and went on shows now.
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_TRUE(alive_and_not_being_killed(init)) << "kill went on while the lock was held";
  EXPECT_EQ(status("locked"), "created");
  ASSERT_EQ(::flock(dir.get(), LOCK_UN), 0);
  ProcResult r = finish_reaping_orphans(std::move(kill));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(wait_exit_reaping_orphans(init, milliseconds(10000))) << "the init was not killed";
  EXPECT_EQ(status("locked"), "stopped");
}

// A holder whose command line is longer than a page (a long argument list,
// a script given inline) is named by its first 200 characters, as any other,
// and the "..." says there is more: its whole command line was read under a
// 4096-byte cap, refused, and the pid alone was said. Here the cut falls on
// the NUL between two arguments, which read as the end of the line.
TEST_F(HullTest, ALockHolderWithALongCommandLineIsNamedByItsStart) {
  ASSERT_GT(create_container("locked-long"), 0);
  // -o: the lock is flock's own, not its command's, which it waits for.
  const std::vector<std::string> head{"/usr/bin/flock", "-o", state_dir("locked-long").string(),
                                      "/bin/sh",        "-c", "echo held; exec /bin/sleep 30"};
  size_t shown = 0;
  for (const std::string& arg : head) shown += arg.size() + 1;
  ASSERT_LT(shown, 190u) << "a state dir too long for this test";
  std::vector<std::string> argv = head;
  argv.push_back(std::string(200 - shown, 'p'));  // sh's $0, up to the 200th character
  argv.push_back("TAIL" + std::string(5000, 'x'));
  Child holder = Child::spawn(argv);
  ASSERT_TRUE(holder.wait_for_output("held", milliseconds(10000)));
  const std::filesystem::path log = temp_dir() / "kill.log";
  Child kill = hull_background({"--log", log.string(), "kill", "locked-long", "KILL"});
  const std::string said = ": pid " + std::to_string(holder.pid()) + " (/usr/bin/flock -o ";
  const std::string text = log_once_it_says(log, said);
  EXPECT_NE(text.find(said), std::string::npos) << text;
  EXPECT_NE(text.find("ppp...)"), std::string::npos) << text;
  EXPECT_EQ(text.find("TAIL"), std::string::npos) << text;
  // Its command, flock's only child, ends: flock lets go of the lock.
  for (pid_t pid : children_of(holder.pid())) ::kill(pid, SIGKILL);
  (void)holder.finish();
  ProcResult r = finish_reaping_orphans(std::move(kill));
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

}  // namespace
}  // namespace hull::itest
