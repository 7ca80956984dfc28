// Host programs run for ps and criu check: what a caller reads when one
// fails or cannot be run at all.
#include "runtime/subprocess.hpp"

#include <gtest/gtest.h>

#include <cerrno>

#include "base/error.hpp"

namespace hull {
namespace {

std::string run_error(const std::vector<std::string>& argv) {
  try {
    run_and_capture(argv);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Subprocess, OutputAndStatusOfAProgramThatRan) {
  CommandOutput r = run_capturing({"sh", "-c", "echo out; echo err >&2; exit 3"});
  EXPECT_EQ(r.status, 3);
  EXPECT_EQ(r.exec_errno, 0);
  EXPECT_EQ(r.output, "out\nerr\n");
  EXPECT_EQ(run_error({"sh", "-c", "echo oops; exit 3"}), "sh exited with status 3: oops");
  // Only the first line: the rest is usually a usage text.
  EXPECT_EQ(run_error({"sh", "-c", "echo; echo 'error: garbage option'; echo; echo Usage:; exit 1"}),
            "sh exited with status 1: error: garbage option");
  EXPECT_EQ(run_error({"sh", "-c", "exit 2"}), "sh exited with status 2");
  EXPECT_EQ(run_and_capture({"sh", "-c", "echo fine"}), "fine\n");
}

// Was "ps exited with status 127: " (ps missing from PATH).
TEST(Subprocess, AProgramThatCannotBeRunIsNamedWithTheReason) {
  EXPECT_EQ(run_error({"hull-no-such-program"}), "\"hull-no-such-program\": executable file not found in $PATH");
  CommandOutput r = run_capturing({"/etc"});  // a directory, not a program
  EXPECT_EQ(r.status, 127);
  EXPECT_EQ(r.exec_errno, EACCES);
  EXPECT_EQ(r.output.rfind("run \"/etc\": ", 0), 0u) << r.output;
}

}  // namespace
}  // namespace hull
