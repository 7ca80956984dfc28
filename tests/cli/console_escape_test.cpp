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

class ConsoleEscape : public HullTest {
 protected:
  // Runs b (no /dev tmpfs: its /dev/console is the image's, a symlink to
  // link_target) with process.terminal through a console socket, the
  // container reporting whether its /dev/console is the pty; returns what
  // came through the pty.
  std::string run_with_console_link(Bundle& b, const std::string& link_target, const std::string& id) {
    b.drop_mounts({"/dev"});
    fs::create_directories(b.rootfs() / "dev/pts");
    fs::remove(b.rootfs() / "dev/console");
    fs::create_symlink(link_target, b.rootfs() / "dev/console");
    b.config["process"]["terminal"] = true;
    b.config["process"]["args"] = {
        "sh", "-c",
        "if grep -q ' /proc/sys/kernel/domainname ' /proc/self/mountinfo; then echo MOUNTED-OVER-PROCFS; fi;"
        " [ -c /dev/console ] && [ ! -L /dev/console ] && echo console-is-the-pty; echo done"};
    b.write();
    std::string sock = (temp_dir() / (id + ".sock")).string();
    UniqueFd listener = listen_unix(sock);
    Child create = hull_background({"create", "--bundle", b.dir().string(), "--console-socket", sock, id});
    UniqueFd conn = accept_within(listener.get(), milliseconds(20000));
    if (!conn) {
      ADD_FAILURE() << "no connection on the console socket: " << create.finish().err;
      return "";
    }
    process::ReceivedPty pty = process::receive_pty_master(conn.get());
    ProcResult c = create.finish();
    if (c.exit_code != 0) {
      ADD_FAILURE() << c.err;
      return "";
    }
    start_container(id);
    return read_until_hangup(pty.master.get());
  }
};

TEST_F(ConsoleEscape, ConsoleSymlinkToProcfsFileIsNotFollowed) {
  Bundle& b = bundle();
  b.config["domainname"] = "canary";
  std::string out = run_with_console_link(b, "/proc/sys/kernel/domainname", "console");
  EXPECT_NE(out.find("done"), std::string::npos) << out;
  EXPECT_EQ(out.find("MOUNTED-OVER-PROCFS"), std::string::npos) << out;
  EXPECT_NE(out.find("console-is-the-pty"), std::string::npos) << out;
}

// crun CVE-2026-88264 (crun 1.29.1 and earlier): with no /dev mount crun
// created /dev/console before pivot_root without O_NOFOLLOW, so an image's
// dangling /dev/console symlink had it create a root-owned file on the host,
// and with a read-only root bind the pty onto the link's target. Here the
// link leads to a file of the test's "host" directory that does not exist:
// it is never created, with a writable root and a read-only one, and the
// container's /dev/console is the pty.
TEST_F(ConsoleEscape, DanglingConsoleSymlinkToTheHostCreatesNothingThere) {
  const fs::path host = temp_dir() / "host-console";
  fs::create_directories(host);
  for (bool readonly_root : {false, true}) {
    SCOPED_TRACE(readonly_root ? "read-only root" : "writable root");
    const std::string id = readonly_root ? "console-ro" : "console-rw";
    Bundle& b = bundle("bundle-" + id);
    b.config["root"]["readonly"] = readonly_root;
    std::string out = run_with_console_link(b, (host / "created-console").string(), id);
    EXPECT_NE(out.find("done"), std::string::npos) << out;
    EXPECT_NE(out.find("console-is-the-pty"), std::string::npos) << out;
    EXPECT_TRUE(fs::is_empty(host)) << "something was created in the host directory";
  }
}

// CVE-2025-52565, the source side (youki checks its ptmx handle the same
// way): with no devpts mount, the pty master comes from the image's
// /dev/pts/ptmx, here a symlink to a procfs file (the container's own
// domainname). hull opens it inside the root and checks it is on a devpts
// filesystem: the create is refused before any pty is made or sent, and
// the domainname is never written.
TEST_F(ConsoleEscape, PtmxSymlinkedToAProcfsFileIsRefused) {
  Bundle& b = bundle();
  b.drop_mounts({"/dev", "/dev/pts"});
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
