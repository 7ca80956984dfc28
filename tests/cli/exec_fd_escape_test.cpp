// CVE-2024-21626 through exec rather than cwd: execve resolves its path, and
// a script's #! interpreter, while the fds that are only close-on-exec are
// still open. So "/proc/self/fd/N/..." as the program, as its interpreter or
// as `hull exec`'s command reaches whatever fd N is at that moment: here a
// directory of the host that the client leaked into hull (fds 3..30), holding
// a host binary (a copy of busybox in the test's temp dir). If it runs, it
// prints ESCAPED from inside the container; it must not run at all.
#include <cstdlib>
#include <fstream>

#include "harness.hpp"

namespace hull::itest {
namespace {

namespace fs = std::filesystem;

class ExecFdEscape : public HullTest {
 protected:
  void SetUp() override {
    HullTest::SetUp();
    host_dir_ = temp_dir() / "hostbin";
    fs::create_directories(host_dir_);
    Bundle& b = *(bundle_ = &bundle());
    // A host binary: the busybox of the rootfs, copied outside of it.
    fs::copy_file(b.rootfs() / "bin/busybox", host_dir_ / "sh");
    fs::permissions(host_dir_ / "sh", fs::perms(0755));
    std::ofstream(b.rootfs() / "evil") << "#!/proc/self/fd/20/sh\necho ESCAPED\n";
    fs::permissions(b.rootfs() / "evil", fs::perms(0755));
  }
  // `hull args...` started by a client that leaks fds 3..30, each an open
  // directory of the host.
  ProcResult hull_with_leaked_fds(const std::vector<std::string>& args) {
    const char* runtime = std::getenv("HULL_ITEST_RUNTIME");
    std::string binary = runtime && *runtime ? runtime : HULL_BINARY;
    std::string cmd = "for n in $(seq 3 30); do eval \"exec $n<'" + host_dir_.string() + "'\"; done; exec '" + binary +
                      "' --root '" + state_root().string() + "'";
    for (const auto& a : args) cmd += " '" + a + "'";
    return run_process({"/bin/bash", "-c", cmd});
  }
  fs::path host_dir_;
  Bundle* bundle_ = nullptr;
};

TEST_F(ExecFdEscape, LeakedFdAsInterpreterOfTheEntrypoint) {
  Bundle& b = *bundle_;
  b.args({"/evil"});
  ProcResult r = hull_with_leaked_fds({"run", "--bundle", b.dir().string(), "evil"});
  EXPECT_EQ(r.out.find("ESCAPED"), std::string::npos) << "a host binary ran in the container:\n" << r.out;
  EXPECT_NE(r.exit_code, 0) << r.out << r.err;
  hull({"delete", "--force", "evil"});
}

TEST_F(ExecFdEscape, LeakedFdAsTheEntrypoint) {
  Bundle& b = *bundle_;
  b.args({"/proc/self/fd/20/sh", "-c", "echo ESCAPED"});
  ProcResult r = hull_with_leaked_fds({"run", "--bundle", b.dir().string(), "evil"});
  EXPECT_EQ(r.out.find("ESCAPED"), std::string::npos) << "a host binary ran in the container:\n" << r.out;
  EXPECT_NE(r.exit_code, 0) << r.out << r.err;
  hull({"delete", "--force", "evil"});
}

TEST_F(ExecFdEscape, LeakedFdThroughHullExec) {
  ASSERT_GT(create_container("target"), 0);
  start_container("target");
  // The script lives in the target's own rootfs.
  fs::path rootfs = temp_dir() / "bundle-target" / "rootfs";
  std::ofstream(rootfs / "evil") << "#!/proc/self/fd/20/sh\necho ESCAPED\n";
  fs::permissions(rootfs / "evil", fs::perms(0755));
  for (const char* cmd : {"/evil", "/proc/self/fd/20/sh"}) {
    ProcResult r = hull_with_leaked_fds({"exec", "target", cmd, "-c", "echo ESCAPED"});
    EXPECT_EQ(r.out.find("ESCAPED"), std::string::npos) << cmd << ": a host binary ran in the container:\n" << r.out;
    EXPECT_NE(r.exit_code, 0) << cmd << ": " << r.out << r.err;
  }
}

}  // namespace
}  // namespace hull::itest
