// The Landlock write guard (src/process/landlock_guard.hpp): a container
// process cannot open for writing a host file it reaches through a magic
// link, the route of CVE-2019-5736 (/proc/<pid>/exe of a runtime process).
// The harmless stand-in for the runtime binary is a file in the test's temp
// dir, handed to the container read-only as fd 3.
#include <fstream>
#include <sstream>

#include "harness.hpp"

namespace hull::itest {
namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class WriteGuard : public HullTest {};

TEST_F(WriteGuard, HostFileGivenReadOnlyCannotBeReopenedForWriting) {
  std::filesystem::path victim = temp_dir() / "victim";
  std::ofstream(victim) << "original\n";
  Bundle& b = bundle();
  b.args({"sh", "-c",
          "cat /proc/self/fd/3; "
          "if echo pwned > /proc/self/fd/3; then echo WROTE; else echo refused; fi; "
          "if true >> /proc/self/fd/3; then echo APPENDED; else echo refused; fi"});
  b.write();
  std::string cmd = "exec 3<'" + victim.string() + "'; exec '" HULL_BINARY "' --root '" + state_root().string() +
                    "' run --preserve-fds 1 --bundle '" + b.dir().string() + "' guard";
  ProcResult r = run_process({"/bin/sh", "-c", cmd});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "original\nrefused\nrefused\n") << r.err;
  EXPECT_NE(r.err.find("Permission denied"), std::string::npos) << r.err;
  EXPECT_EQ(slurp(victim), "original\n");
}

TEST_F(WriteGuard, WritableStdoutAndFilesInTheRootStayWritable) {
  Bundle& b = bundle();
  ProcResult r = run_sh(b, "echo in-root > /tmp/f && cat /tmp/f && echo via-stdout > /dev/stdout");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "in-root\nvia-stdout\n");
}

TEST_F(WriteGuard, ExecProcessesAreGuardedToo) {
  std::filesystem::path victim = temp_dir() / "victim";
  std::ofstream(victim) << "original\n";
  create_container("guarded");
  start_container("guarded");
  std::string cmd = "exec 3<'" + victim.string() + "'; exec '" HULL_BINARY "' --root '" + state_root().string() +
                    "' exec --preserve-fds 1 guarded sh -c 'echo pwned > /proc/self/fd/3 || echo refused'";
  ProcResult r = run_process({"/bin/sh", "-c", cmd});
  EXPECT_EQ(r.out, "refused\n") << r.err;
  EXPECT_EQ(slurp(victim), "original\n");
}

}  // namespace
}  // namespace hull::itest
