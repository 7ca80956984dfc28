// systemd's environment protocols carried into the container
// (runtime/systemd_passthrough.hpp): NOTIFY_SOCKET and LISTEN_FDS/LISTEN_PID.
// The variables are set for hull only, through a shell that execs it (the
// harness gives hull a clean environment).
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "harness.hpp"

namespace hull::itest {
namespace {

class SystemdEnv : public HullTest {
 protected:
  // `sh -c '<prefix> exec hull --root R <args>'`: prefix sets the environment
  // and opens fds for hull alone.
  ProcResult hull_via_sh(const std::string& prefix, const std::string& args) {
    std::string cmd = prefix + " exec '" HULL_BINARY "' --root '" + state_root().string() + "' " + args;
    return run_process({"/bin/sh", "-c", cmd});
  }

  // A datagram socket bound at path, as systemd's notify socket is.
  UniqueFd bind_datagram(const std::filesystem::path& path) {
    UniqueFd s(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    if (!s || ::bind(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) {
      ADD_FAILURE() << "bind " << path << ": " << std::strerror(errno);
      return UniqueFd();
    }
    return s;
  }

  // Every datagram already queued on s.
  std::vector<std::string> queued(int s) {
    std::vector<std::string> got;
    char buf[4096];
    for (ssize_t n; (n = ::recv(s, buf, sizeof buf, MSG_DONTWAIT)) >= 0;) got.emplace_back(buf, static_cast<size_t>(n));
    return got;
  }
};

// sd_notify's path: a datagram sent to $NOTIFY_SOCKET inside the container
// arrives on the host's socket. busybox has no raw datagram sender, but its
// logger sends one syslog datagram to /dev/log: pointed at $NOTIFY_SOCKET, it
// is a sender through exactly the kernel path sd_notify takes. The root is
// read-only, so the mount target comes from the runtime, not the container.
TEST_F(SystemdEnv, NotifySocketReachesTheHostSocketWithAReadOnlyRoot) {
  std::filesystem::path sock = temp_dir() / "notify.sock";
  UniqueFd s = bind_datagram(sock);
  ASSERT_TRUE(s);
  Bundle& b = bundle();
  b.config["root"]["readonly"] = true;
  b.args({"sh", "-c",
          "echo \"$NOTIFY_SOCKET\"; "
          "grep -o ' /run/notify/notify.sock [^ ]*' /proc/self/mountinfo; "
          "if touch /run/notify/x 2>/dev/null; then echo root-writable; fi; "
          "ln -s \"$NOTIFY_SOCKET\" /dev/log && logger -t itest READY=1 && echo sent"});
  b.write();
  ProcResult r = hull_via_sh("NOTIFY_SOCKET='" + sock.string() + "'", "run --bundle '" + b.dir().string() + "' notify");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // (The atime flag after these comes from the mount the host socket is on.)
  EXPECT_TRUE(r.out.starts_with("/run/notify/notify.sock\n /run/notify/notify.sock ro,nosuid,nodev,noexec")) << r.out;
  EXPECT_TRUE(r.out.ends_with("\nsent\n")) << r.out << r.err;
  EXPECT_EQ(r.out.find("root-writable"), std::string::npos) << r.out;
  std::vector<std::string> got = queued(s.get());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(got[0].ends_with("itest: READY=1")) << got[0];
}

// In a user namespace the container's root is host uid 100000: a socket
// open only to the host's root is closed to it (hull has no relay to send
// for it, as runc's does). hull warns at create, with the remedy, and the
// warning is true: nothing arrives. Opened to all, the same container's
// READY=1 arrives and nothing is said.
TEST_F(SystemdEnv, ANotifySocketClosedToTheContainersUserIsWarnedAbout) {
  std::filesystem::path sock = temp_dir() / "notify.sock";
  UniqueFd s = bind_datagram(sock);
  ASSERT_TRUE(s);
  ASSERT_EQ(::chmod(sock.c_str(), 0755), 0);
  Bundle& b = bundle();
  b.add_user_namespace();
  // A tmpfs /run, as engines give every container: the socket's mount point
  // is made there by the namespace's root (the rootfs is the host root's).
  std::filesystem::create_directories(b.rootfs() / "run");
  b.config["mounts"].push_back({{"destination", "/run"}, {"type", "tmpfs"}, {"source", "tmpfs"}});
  b.args({"sh", "-c", "ln -s \"$NOTIFY_SOCKET\" /dev/log && logger -t itest READY=1"});
  b.write();
  const std::string env = "NOTIFY_SOCKET='" + sock.string() + "'";
  ProcResult closed = hull_via_sh(env, "run --bundle '" + b.dir().string() + "' closed");
  EXPECT_EQ(closed.exit_code, 0) << closed.err;
  // (The log line escapes the quotes around the path.)
  EXPECT_NE(closed.err.find("NOTIFY_SOCKET \\\"" + sock.string()), std::string::npos) << closed.err;
  EXPECT_NE(
      closed.err.find("the container's process (uid 0, host uid 100000) cannot send to it (mode 0755, owner 0:0)"),
      std::string::npos)
      << closed.err;
  EXPECT_NE(closed.err.find("make the socket writable for that user"), std::string::npos) << closed.err;
  EXPECT_TRUE(queued(s.get()).empty());

  ASSERT_EQ(::chmod(sock.c_str(), 0777), 0);
  ProcResult open = hull_via_sh(env, "run --bundle '" + b.dir().string() + "' open");
  EXPECT_EQ(open.exit_code, 0) << open.err;
  EXPECT_EQ(open.err.find("cannot send to it"), std::string::npos) << open.err;
  std::vector<std::string> got = queued(s.get());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(got[0].ends_with("itest: READY=1")) << got[0];
}

TEST_F(SystemdEnv, NotifySocketThatIsNotASocketFailsCreate) {
  std::filesystem::path file = temp_dir() / "plain";
  std::ofstream(file) << "x";
  Bundle& b = bundle();
  b.args({"true"});
  b.write();
  ProcResult r = hull_via_sh("NOTIFY_SOCKET='" + file.string() + "'", "run --bundle '" + b.dir().string() + "' notify");
  EXPECT_TRUE(failed_with(r, {"NOTIFY_SOCKET", file.string(), "not a socket"}));
  r = hull_via_sh("NOTIFY_SOCKET=relative.sock", "run --bundle '" + b.dir().string() + "' notify");
  EXPECT_TRUE(failed_with(r, {"NOTIFY_SOCKET", "absolute path"}));
  EXPECT_TRUE(state_dirs().empty());
}

// The bind hull adds for NOTIFY_SOCKET is not one of config.json's mounts:
// when it fails (here /run is a file in the rootfs), the message names it,
// not an index that the user's config does not have.
TEST_F(SystemdEnv, AFailedNotifySocketMountIsNamedAsHulls) {
  std::filesystem::path sock = temp_dir() / "notify.sock";
  UniqueFd s = bind_datagram(sock);
  ASSERT_TRUE(s);
  Bundle& b = bundle();
  std::filesystem::remove_all(b.rootfs() / "run");
  std::ofstream(b.rootfs() / "run") << "a file";
  b.args({"true"});
  b.write();
  const size_t config_mounts = b.config["mounts"].size();
  ProcResult r = hull_via_sh("NOTIFY_SOCKET='" + sock.string() + "'", "run --bundle '" + b.dir().string() + "' notify");
  EXPECT_TRUE(failed_with(r, {"the mount hull adds on \"/run/notify/notify.sock\" for NOTIFY_SOCKET"}));
  EXPECT_EQ(r.err.find(".mounts[" + std::to_string(config_mounts) + "]"), std::string::npos) << r.err;
  EXPECT_TRUE(state_dirs().empty());
}

// Socket activation as runc does it: LISTEN_FDS fds come first (3, 4), then
// --preserve-fds ones (5); the container sees LISTEN_FDS=2 LISTEN_PID=1.
// Files stand in for the listening sockets: the runtime passes fds, whatever
// they are. $$ is the shell that execs hull, so LISTEN_PID is hull's pid.
TEST_F(SystemdEnv, ListenFdsArePassedBeforePreservedFds) {
  for (const char* n : {"one", "two", "three"}) std::ofstream(temp_dir() / n) << n << "\n";
  Bundle& b = bundle();
  b.args(
      {"sh", "-c",
       "echo \"$LISTEN_FDS $LISTEN_PID ${LISTEN_FDNAMES-unset}\"; cat /proc/self/fd/3 /proc/self/fd/4 /proc/self/fd/5; "
       "for f in 6 7 8; do [ -e /proc/self/fd/$f ] && echo extra-fd-$f; done; true"});
  b.write();
  std::string fds = "exec 3<'" + (temp_dir() / "one").string() + "' 4<'" + (temp_dir() / "two").string() + "' 5<'" +
                    (temp_dir() / "three").string() + "';";
  ProcResult r = hull_via_sh(fds + " LISTEN_FDS=2 LISTEN_PID=$$ LISTEN_FDNAMES=a:b",
                             "run --preserve-fds 1 --bundle '" + b.dir().string() + "' listen");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "2 1 a:b\none\ntwo\nthree\n") << r.err;
}

// LISTEN_PID names another process (systemd's rule): nothing is passed.
TEST_F(SystemdEnv, ListenFdsForAnotherPidAreIgnored) {
  std::ofstream(temp_dir() / "one") << "one\n";
  Bundle& b = bundle();
  b.args(
      {"sh", "-c", "echo \"[${LISTEN_FDS-unset}] [${LISTEN_PID-unset}]\"; [ -e /proc/self/fd/3 ] && echo fd3; true"});
  b.write();
  ProcResult r = hull_via_sh("exec 3<'" + (temp_dir() / "one").string() + "'; LISTEN_FDS=1 LISTEN_PID=1",
                             "run --bundle '" + b.dir().string() + "' listen");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "[unset] [unset]\n") << r.err;
}

// hull create takes them too (runc: create and run share the code); the
// init holds the fds until start.
TEST_F(SystemdEnv, ListenFdsWithCreateAndStart) {
  std::ofstream(temp_dir() / "one") << "one\n";
  Bundle& b = bundle();
  b.args({"sh", "-c", "echo \"$LISTEN_FDS $LISTEN_PID\"; cat /proc/self/fd/3"});
  b.write();
  std::filesystem::path out = temp_dir() / "out";
  ProcResult r =
      hull_via_sh("exec 3<'" + (temp_dir() / "one").string() + "' >'" + out.string() + "'; LISTEN_FDS=1 LISTEN_PID=$$",
                  "create --bundle '" + b.dir().string() + "' listen");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  pid_t init = state("listen").value("pid", 0);
  ASSERT_GT(init, 0);
  start_container("listen");
  EXPECT_TRUE(wait_exit_and_reap(init));
  std::ifstream in(out);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "1 1\none\n");
  EXPECT_EQ(hull({"delete", "listen"}).exit_code, 0);
}

}  // namespace
}  // namespace hull::itest
