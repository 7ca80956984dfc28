#include "runtime/systemd_passthrough.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "base/error.hpp"
#include "base/unique_fd.hpp"

namespace hull {
namespace {

spec::Spec with_process() {
  spec::Spec s;
  s.process.emplace();
  s.process->env = {"PATH=/bin", "NOTIFY_SOCKET=/stale", "A=1"};
  return s;
}

TEST(SystemdPassthrough, ListenFdsOnlyForOurPid) {
  EXPECT_EQ(inherited_listen_fds("2", "42", 42), 2);
  EXPECT_EQ(inherited_listen_fds("2", "43", 42), 0);
  EXPECT_EQ(inherited_listen_fds("2", nullptr, 42), 0);
  EXPECT_EQ(inherited_listen_fds(nullptr, "42", 42), 0);
  for (const char* bad : {"", "0", "-1", "2x", " 2", "99999999999999999999"})
    EXPECT_EQ(inherited_listen_fds(bad, "42", 42), 0) << bad;
  EXPECT_EQ(inherited_listen_fds("1", "42x", 42), 0);
}

TEST(SystemdPassthrough, ListenFdsEnvReplacesEarlierValues) {
  spec::Spec s = with_process();
  s.process->env.push_back("LISTEN_FDS=9");
  pass_listen_fds(s, 3, "a:b:c");
  EXPECT_EQ(s.process->env, (std::vector<std::string>{"PATH=/bin", "NOTIFY_SOCKET=/stale", "A=1", "LISTEN_FDS=3",
                                                      "LISTEN_PID=1", "LISTEN_FDNAMES=a:b:c"}));
  spec::Spec none = with_process();
  pass_listen_fds(none, 0, "");
  EXPECT_EQ(none.process->env.size(), 3u);
}

TEST(SystemdPassthrough, SetEnvMatchesWholeKeys) {
  std::vector<std::string> env{"AB=1", "A=2"};
  set_env(env, "A", "3");
  EXPECT_EQ(env, (std::vector<std::string>{"AB=1", "A=3"}));
  set_env(env, "B", "4");
  EXPECT_EQ(env.back(), "B=4");
}

TEST(SystemdPassthrough, NotifySocketBecomesAReadOnlyBindMount) {
  std::string dir = std::filesystem::temp_directory_path() / ("hull-notify-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string path = dir + "/notify.sock";
  UniqueFd sock(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  ASSERT_EQ(::bind(sock.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);

  spec::Spec s = with_process();
  pass_notify_socket(s, path);
  ASSERT_EQ(s.mounts.size(), 1u);
  EXPECT_EQ(s.mounts[0].destination, kContainerNotifySocket);
  EXPECT_EQ(s.mounts[0].source, path);
  EXPECT_EQ(s.mounts[0].type, "bind");
  EXPECT_NE(std::find(s.mounts[0].options.begin(), s.mounts[0].options.end(), "ro"), s.mounts[0].options.end());
  EXPECT_EQ(s.process->env[1], std::string("NOTIFY_SOCKET=") + kContainerNotifySocket);

  std::ofstream(dir + "/plain") << "x";
  spec::Spec f = with_process();
  EXPECT_THROW(pass_notify_socket(f, dir + "/plain"), Error);
  EXPECT_THROW(pass_notify_socket(f, "relative.sock"), Error);
  EXPECT_THROW(pass_notify_socket(f, dir + "/missing"), Error);
  EXPECT_TRUE(f.mounts.empty());
  std::filesystem::remove_all(dir);
}

TEST(SystemdPassthrough, AbstractNotifySocketPassesThrough) {
  spec::Spec s = with_process();
  pass_notify_socket(s, "@/org/example/notify");
  EXPECT_TRUE(s.mounts.empty());
  EXPECT_EQ(s.process->env[1], "NOTIFY_SOCKET=@/org/example/notify");
}

struct stat socket_stat(mode_t mode, uid_t uid, gid_t gid) {
  struct stat st {};
  st.st_mode = S_IFSOCK | mode;
  st.st_uid = uid;
  st.st_gid = gid;
  return st;
}

// Container ids 0-65535 are host ids 8000-73535, as podman's --userns=auto.
spec::Spec in_user_namespace(uint32_t uid, uint32_t gid) {
  spec::Spec s = with_process();
  s.process->user.uid = uid;
  s.process->user.gid = gid;
  s.linux_.emplace();
  s.linux_->namespaces.push_back({spec::NamespaceType::User, std::nullopt});
  s.linux_->uidMappings = {{0, 8000, 65536}};
  s.linux_->gidMappings = {{0, 8000, 65536}};
  return s;
}

spec::Spec as_user(uint32_t uid, uint32_t gid, std::vector<uint32_t> groups = {}) {
  spec::Spec s = with_process();
  s.process->user.uid = uid;
  s.process->user.gid = gid;
  s.process->user.additionalGids = std::move(groups);
  return s;
}

TEST(SystemdPassthrough, ANotifySocketClosedToTheContainersUserIsNamedWithTheRemedy) {
  // Root of a user namespace is host uid 8000: a root-owned 0755 socket is
  // closed to it, whatever the container's root could do inside.
  EXPECT_EQ(notify_socket_unwritable(in_user_namespace(0, 0), socket_stat(0755, 0, 0)),
            "the container's process (uid 0, host uid 8000) cannot send to it (mode 0755, owner 0:0): its "
            "sd_notify messages, READY=1 among them, will fail; make the socket writable for that user "
            "(systemd's /run/systemd/notify is 0777)");
  EXPECT_NE(notify_socket_unwritable(as_user(1000, 1000), socket_stat(0755, 0, 0)), std::nullopt);
  // A member of the owning group gets the group's bits, not the others'.
  EXPECT_NE(notify_socket_unwritable(as_user(1000, 1000, {5}), socket_stat(0757, 0, 5)), std::nullopt);
  // The owner gets the owner's bits alone.
  EXPECT_NE(notify_socket_unwritable(as_user(1000, 1000), socket_stat(0577, 1000, 0)), std::nullopt);
}

TEST(SystemdPassthrough, ANotifySocketTheContainerCanOrMaySendToIsNotWarnedAbout) {
  EXPECT_EQ(notify_socket_unwritable(in_user_namespace(0, 0), socket_stat(0777, 0, 0)), std::nullopt);
  EXPECT_EQ(notify_socket_unwritable(in_user_namespace(0, 0), socket_stat(0755, 8000, 8000)), std::nullopt);
  EXPECT_EQ(notify_socket_unwritable(in_user_namespace(1000, 1000), socket_stat(0775, 0, 9000)), std::nullopt);
  EXPECT_EQ(notify_socket_unwritable(as_user(0, 0), socket_stat(0755, 1000, 1000)), std::nullopt);  // root
  EXPECT_EQ(notify_socket_unwritable(as_user(1000, 1000, {5}), socket_stat(0775, 0, 5)), std::nullopt);
  // Not listed, but /etc/group in the rootfs may make the user a member.
  EXPECT_EQ(notify_socket_unwritable(as_user(1000, 1000), socket_stat(0775, 0, 5)), std::nullopt);
  // Group bits a non-member may still get: an ACL's mask (a named entry for
  // host uid 9000), or a group the runtime's own process kept.
  EXPECT_EQ(notify_socket_unwritable(in_user_namespace(1000, 1000), socket_stat(0775, 0, 0)), std::nullopt);
  // A user given CAP_DAC_OVERRIDE as an ambient capability.
  spec::Spec overriding = as_user(1000, 1000);
  overriding.process->capabilities.emplace();
  overriding.process->capabilities->ambient = std::vector<std::string>{"CAP_DAC_OVERRIDE"};
  EXPECT_EQ(notify_socket_unwritable(overriding, socket_stat(0755, 0, 0)), std::nullopt);
  // A user namespace joined by path: its map is not in config.json.
  spec::Spec joined = in_user_namespace(0, 0);
  joined.linux_->namespaces[0].path = "/proc/1/ns/user";
  EXPECT_EQ(notify_socket_unwritable(joined, socket_stat(0755, 0, 0)), std::nullopt);
}

}  // namespace
}  // namespace hull
