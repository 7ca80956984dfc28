#include "runtime/systemd_passthrough.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
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

}  // namespace
}  // namespace hull
