// CVE-2025-52881 class: the runtime's own writes and reads of /proc happen
// after the container's mounts, so "/proc" is what the bundle made it. Here
// the image's /proc is a plain directory (no procfs mounted there) holding
// self/oom_score_adj -> /proc2/sys/kernel/domainname and a forged
// sys/kernel/cap_last_cap; the real procfs is at /proc2. hull wrote the
// oom_score_adj value into the container's domainname (its own UTS
// namespace: harmless) and trusted the forged cap_last_cap, leaving
// capabilities in the bounding set. Both must reach the real procfs.
#include <fstream>

#include "harness.hpp"

namespace hull::itest {
namespace {

namespace fs = std::filesystem;

class ProcfsEscape : public HullTest {};

TEST_F(ProcfsEscape, RuntimeProcWritesIgnoreTheImagesProc) {
  Bundle& b = bundle();
  auto& mounts = b.config["mounts"];
  for (auto& m : mounts)
    if (m["destination"] == "/proc") m["destination"] = "/proc2";
  fs::create_directories(b.rootfs() / "proc/self");
  fs::create_directories(b.rootfs() / "proc/sys/kernel");
  fs::create_directories(b.rootfs() / "proc2");
  fs::create_symlink("/proc2/sys/kernel/domainname", b.rootfs() / "proc/self/oom_score_adj");
  std::ofstream(b.rootfs() / "proc/sys/kernel/cap_last_cap") << "5\n";
  b.config["domainname"] = "canary";
  b.config["process"]["oomScoreAdj"] = 500;
  for (const char* set : {"bounding", "effective", "permitted"})
    b.config["process"]["capabilities"][set] = {"CAP_KILL"};
  ProcResult r = run_sh(b,
                        "echo dn=$(cat /proc2/sys/kernel/domainname) oom=$(cat /proc2/self/oom_score_adj)"
                        " $(grep CapBnd /proc2/self/status)",
                        "procfs");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("dn=canary "), std::string::npos) << "the domainname was overwritten: " << r.out;
  EXPECT_NE(r.out.find("oom=500 "), std::string::npos) << r.out;
  // CAP_KILL (5) only: nothing above the forged last capability kept.
  EXPECT_NE(r.out.find("CapBnd: 0000000000000020"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace hull::itest
