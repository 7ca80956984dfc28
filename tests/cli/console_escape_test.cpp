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

}  // namespace
}  // namespace hull::itest
