// Hostile bundles, one advisory's mechanism each, through the hull binary
// (issue #15 point 5). Each aims only at a harmless target: a file or
// directory in the test's temp dir standing for the host, or a per-namespace
// setting (the container's own domainname, in its private UTS namespace).
// Each asserts from inside the container that the trick did not work, and
// from outside that the "host" is unchanged; a refused create is also a
// pass, a container that runs with the trick in force never is.
//
// The CVEs that other tests already prove are listed, with those tests, in
// docs/security.md; the ones here are the variants those tests did not
// cover: the image's trick done by a racing step (a createContainer hook,
// which runs in the container's mount namespace between hull's mounts and
// its masking) rather than shipped in the image, and the same classes
// reached through other paths (/dev/pts, process.cwd at create).
#include <filesystem>
#include <fstream>
#include <iostream>

#include "harness.hpp"
#include "proc_files.hpp"

namespace hull::itest {
namespace {

namespace fs = std::filesystem;

class HostileBundle : public HullTest {
 protected:
  // The container's UTS namespace is private: its domainname is the canary
  // a bind over /proc/sys/kernel/domainname would expose or hide.
  Bundle& hostile_bundle() {
    Bundle& b = bundle();
    b.config["domainname"] = "canary";
    return b;
  }

  static void drop_dev_tmpfs(Bundle& b) {
    auto& mounts = b.config["mounts"];
    for (auto it = mounts.begin(); it != mounts.end(); ++it)
      if ((*it)["destination"] == "/dev") {
        mounts.erase(it);
        break;
      }
  }

  // The script every container runs: whatever the trick, nothing may be
  // mounted over the canary, and the canary reads as set.
  static std::string canary_checks() {
    return "if grep -q ' /proc/sys/kernel' /proc/self/mountinfo; then echo MOUNTED-OVER-PROCFS; fi;"
           " echo domainname=$(cat /proc/sys/kernel/domainname);";
  }
};

// CVE-2025-31133, raced: runc bound "/dev/null" over each masked path, and an
// image that made /dev/null a symlink to a procfs file got that file bound
// read-write instead (here it would be the container's domainname, shown at
// /proc/keys). The image's /dev/null is replaced by hull's /dev tmpfs, so
// the swap is done where a racing container process would do it: after the
// devices are made, before the masking (a createContainer hook).
TEST_F(HostileBundle, DevNullSwappedForAProcfsSymlinkBeforeMaskingIsNotUsed) {
  Bundle& b = hostile_bundle();
  b.config["linux"]["maskedPaths"] = {"/proc/keys"};
  // The hook runs with the rootfs as cwd; it says when the swap is done, so
  // the test knows the trick was in place.
  const fs::path swapped = temp_dir() / "swapped";
  b.config["hooks"] = {{"createContainer",
                        {{{"path", "/bin/sh"},
                          {"args",
                           {"sh", "-c",
                            "umount dev/null 2>/dev/null; rm -f dev/null && ln -s /proc/sys/kernel/domainname dev/null "
                            "&& touch '" +
                                swapped.string() + "'"}}}}}};
  ProcResult r = run_sh(b,
                        canary_checks() +
                            " [ -c /proc/keys ] && echo keys-is-a-device; [ -c /dev/null ] && echo null-is-a-device;"
                            " echo x > /proc/keys 2>/tmp/err; echo after=$(cat /proc/sys/kernel/domainname)",
                        "devnull-race");
  EXPECT_TRUE(fs::exists(swapped)) << "the hook did not swap /dev/null: " << r.err;
  std::cout << "[ info ] " << (r.exit_code != 0 ? "refused: " + r.err : "ran: " + r.out) << "\n";
  EXPECT_EQ(r.out.find("MOUNTED-OVER-PROCFS"), std::string::npos) << r.out;
  if (r.exit_code != 0) {
    // Refused: the error says why (the masking source is not the device).
    EXPECT_NE(r.err.find("/dev/null"), std::string::npos) << r.err;
    return;
  }
  EXPECT_NE(r.out.find("domainname=canary"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("keys-is-a-device"), std::string::npos) << "the masked path is not /dev/null: " << r.out;
  EXPECT_NE(r.out.find("after=canary"), std::string::npos) << "a write to the masked path reached procfs: " << r.out;
}

// CVE-2025-52565 / CVE-2019-19921 class through /dev/pts: with no /dev tmpfs,
// the image's dev/pts is a symlink into procfs (/proc/sys/kernel, the
// container's own). Mounting devpts there would cover the kernel settings
// the runtime and the container see. The mount is refused or lands inside
// the rootfs, never on procfs.
TEST_F(HostileBundle, DevPtsSymlinkedIntoProcfsIsNotMountedThere) {
  Bundle& b = hostile_bundle();
  drop_dev_tmpfs(b);
  fs::create_directories(b.rootfs() / "dev");
  fs::remove_all(b.rootfs() / "dev/pts");
  fs::create_symlink("/proc/sys/kernel", b.rootfs() / "dev/pts");
  ProcResult r = run_sh(b, canary_checks(), "devpts-link");
  std::cout << "[ info ] " << (r.exit_code != 0 ? "refused: " + r.err : "ran: " + r.out) << "\n";
  EXPECT_EQ(r.out.find("MOUNTED-OVER-PROCFS"), std::string::npos) << r.out;
  if (r.exit_code != 0) {
    EXPECT_NE(r.err.find("/dev/pts"), std::string::npos) << r.err;
    return;
  }
  EXPECT_NE(r.out.find("domainname=canary"), std::string::npos) << r.out;
}

// CVE-2024-21626 at create: runc leaked a host directory fd into the init,
// and process.cwd "/proc/self/fd/N" made the container start inside the
// host's tree. Here the client leaks fds 3..30 into hull, each the "host"
// directory holding a canary; cwd names each of a few of them. The create is
// refused, or the container's cwd is not the host directory (it cannot list
// the canary).
TEST_F(HostileBundle, CwdThroughALeakedHostFdAtCreateStaysInside) {
  fs::path host = temp_dir() / "host";
  fs::create_directories(host);
  std::ofstream(host / "HOST-CANARY") << "host\n";
  const std::string runtime = runtime_binary();
  for (int fd : {3, 5, 7, 10, 20}) {
    SCOPED_TRACE("cwd /proc/self/fd/" + std::to_string(fd));
    Bundle& b = bundle("bundle-fd" + std::to_string(fd));
    b.config["process"]["cwd"] = "/proc/self/fd/" + std::to_string(fd);
    b.args({"sh", "-c", "ls; ls ..; echo done"});
    std::string cmd = "for n in $(seq 3 30); do eval \"exec $n<'" + host.string() + "'\"; done; exec '" + runtime +
                      "' --root '" + state_root().string() + "' run --bundle '" + b.dir().string() + "' cwd" +
                      std::to_string(fd);
    ProcResult r = run_process({"/bin/bash", "-c", cmd});
    std::cout << "[ info ] fd " << fd << ": " << (r.exit_code != 0 ? "refused: " + r.err : "ran: " + r.out) << "\n";
    EXPECT_EQ(r.out.find("HOST-CANARY"), std::string::npos) << "the container started in the host directory: " << r.out;
    if (r.exit_code == 0) {
      EXPECT_NE(r.out.find("done"), std::string::npos) << r.out;
    }
  }
  EXPECT_EQ(read_text_file(host / "HOST-CANARY"), "host\n");
  EXPECT_EQ(std::distance(fs::directory_iterator(host), fs::directory_iterator()), 1) << "the host directory changed";
}

}  // namespace
}  // namespace hull::itest
