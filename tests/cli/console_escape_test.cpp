// CVE-2025-52565, the target side: with process.terminal, a rootfs whose
// /dev/console is a symlink to a procfs file (here the container's own
// /proc/sys/kernel/domainname, in its private UTS namespace: harmless) made
// hull bind the pty over that file, hiding it from the container and from
// every later runtime write. The pty must land on /dev/console itself.
#include <unistd.h>

#include "harness.hpp"
#include "process/terminal_proxy.hpp"
#include "unix_listener.hpp"

namespace hull::itest {
namespace {

namespace fs = std::filesystem;

class ConsoleEscape : public HullTest {};

TEST_F(ConsoleEscape, ConsoleSymlinkToProcfsFileIsNotFollowed) {
  Bundle& b = bundle();
  // The rootfs's own /dev, not a tmpfs over it: its /dev/console is the image's.
  auto& mounts = b.config["mounts"];
  for (auto it = mounts.begin(); it != mounts.end(); ++it)
    if ((*it)["destination"] == "/dev") {
      mounts.erase(it);
      break;
    }
  fs::create_directories(b.rootfs() / "dev/pts");
  fs::remove(b.rootfs() / "dev/console");
  fs::create_symlink("/proc/sys/kernel/domainname", b.rootfs() / "dev/console");
  b.config["domainname"] = "canary";
  b.config["process"]["terminal"] = true;
  b.config["process"]["args"] = {
      "sh", "-c",
      "if grep -q ' /proc/sys/kernel/domainname ' /proc/self/mountinfo; then echo MOUNTED-OVER-PROCFS; fi;"
      " [ -c /dev/console ] && [ ! -L /dev/console ] && echo console-is-the-pty; echo done"};
  b.write();
  std::string sock = (temp_dir() / "console.sock").string();
  UniqueFd listener = listen_unix(sock);
  Child create = hull_background({"create", "--bundle", b.dir().string(), "--console-socket", sock, "console"});
  UniqueFd conn = accept_within(listener.get(), milliseconds(20000));
  ProcResult c;
  if (!conn) {
    c = create.finish();
    FAIL() << "no connection on the console socket: " << c.err;
  }
  process::ReceivedPty pty = process::receive_pty_master(conn.get());
  c = create.finish();
  ASSERT_EQ(c.exit_code, 0) << c.err;
  start_container("console");
  std::string out = read_until_hangup(pty.master.get());
  EXPECT_NE(out.find("done"), std::string::npos) << out;
  EXPECT_EQ(out.find("MOUNTED-OVER-PROCFS"), std::string::npos) << out;
  EXPECT_NE(out.find("console-is-the-pty"), std::string::npos) << out;
}

// CVE-2025-52565, the source side (youki checks its ptmx handle the same
// way): with no devpts mount, the pty master comes from the image's
// /dev/pts/ptmx, here a symlink to a procfs file (the container's own
// domainname). hull opens it inside the root and checks it is on a devpts
// filesystem: the create is refused before any pty is made or sent, and
// the domainname is never written.
TEST_F(ConsoleEscape, PtmxSymlinkedToAProcfsFileIsRefused) {
  Bundle& b = bundle();
  auto& mounts = b.config["mounts"];
  for (auto it = mounts.begin(); it != mounts.end();)
    it = ((*it)["destination"] == "/dev" || (*it)["destination"] == "/dev/pts") ? mounts.erase(it) : it + 1;
  fs::create_directories(b.rootfs() / "dev/pts");
  fs::remove(b.rootfs() / "dev/pts/ptmx");
  fs::create_symlink("/proc/sys/kernel/domainname", b.rootfs() / "dev/pts/ptmx");
  b.config["domainname"] = "canary";
  b.config["process"]["terminal"] = true;
  b.config["process"]["args"] = {"sh", "-c", "echo RAN"};
  b.write();
  std::string sock = (temp_dir() / "console.sock").string();
  UniqueFd listener = listen_unix(sock);
  ProcResult c = hull_background({"create", "--bundle", b.dir().string(), "--console-socket", sock, "ptmx"}).finish();
  EXPECT_TRUE(failed_with(c, {"/dev/pts/ptmx", "not on a devpts filesystem"}));
  // hull may have connected before it failed; nothing may have come through.
  if (UniqueFd conn = accept_within(listener.get(), milliseconds(0))) {
    bool received = false;
    try {
      received = static_cast<bool>(process::receive_pty_master(conn.get()).master);
    } catch (const std::exception&) {}
    EXPECT_FALSE(received) << "a pty was sent";
  }
}

}  // namespace
}  // namespace hull::itest
