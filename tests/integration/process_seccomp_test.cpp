// linux.seccomp applied by exec_container_process, seen from busybox.
#include <gtest/gtest.h>
#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <sys/syscall.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "base/fd_passing.hpp"
#include "process_child.hpp"
#include "seccomp/seccomp.hpp"

using namespace hull;
using hull::test::busybox_spec;
using hull::test::run_process_child;

namespace {
#define REQUIRE_ROOT() \
  if (::geteuid() != 0) GTEST_SKIP() << "needs root"

std::string status_field(const std::string& status, const std::string& name) {
  auto pos = status.find(name + ":\t");
  if (pos == std::string::npos) return "<missing>";
  pos += name.size() + 2;
  return status.substr(pos, status.find('\n', pos) - pos);
}

spec::Seccomp allow_all_but(std::vector<spec::Syscall> rules) {
  spec::Seccomp s;
  s.defaultAction = "SCMP_ACT_ALLOW";
  s.syscalls = std::move(rules);
  return s;
}
}  // namespace

TEST(ProcessSeccompChild, ErrnoRuleAndStatusWithAndWithoutNoNewPrivs) {
  REQUIRE_ROOT();
  for (bool nnp : {true, false}) {
    auto s = busybox_spec({"sh", "-c", "grep -E '^(Seccomp|Seccomp_filters|NoNewPrivs|CapEff)' /proc/self/status; mkdir /tmp/hull-sc-$$ 2>&1 || echo failed"});
    s.process->noNewPrivileges = nnp;
    s.linux_->seccomp = allow_all_but({{{"mkdir", "mkdirat"}, "SCMP_ACT_ERRNO", 38u, {}}});
    auto r = run_process_child(s);
    ASSERT_EQ(r.error, "") << nnp;
    EXPECT_EQ(status_field(r.out, "Seccomp"), "2");
    EXPECT_EQ(status_field(r.out, "Seccomp_filters"), "1");
    EXPECT_EQ(status_field(r.out, "NoNewPrivs"), nnp ? "1" : "0");
    // CAP_SYS_ADMIN kept for loading without no_new_privs is gone at execve.
    EXPECT_EQ(status_field(r.out, "CapEff"), "0000000000000000");
    EXPECT_NE(r.out.find("Function not implemented"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("failed"), std::string::npos);
  }
}

TEST(ProcessSeccompChild, KillKillsAndLogLetsThrough) {
  REQUIRE_ROOT();
  auto s = busybox_spec({"sync"});
  s.process->noNewPrivileges = true;
  s.linux_->seccomp = allow_all_but({{{"sync"}, "SCMP_ACT_KILL_PROCESS", {}, {}}});
  auto r = run_process_child(s);
  EXPECT_EQ(r.error, "");
  EXPECT_TRUE(WIFSIGNALED(r.status) && WTERMSIG(r.status) == SIGSYS) << r.status;

  s.linux_->seccomp = allow_all_but({{{"sync"}, "SCMP_ACT_LOG", {}, {}}});
  r = run_process_child(s);
  EXPECT_TRUE(r.exited_ok()) << r.status << r.error;
}

TEST(ProcessSeccompChild, MaskedEqBlocksSetuidChmodOnly) {
  REQUIRE_ROOT();
  char dir[] = "/tmp/hull-sc-XXXXXX";
  ASSERT_TRUE(::mkdtemp(dir));
  std::string f = std::string(dir) + "/f";
  std::ofstream(f) << "x";
  auto s = busybox_spec({"sh", "-c", "chmod 755 " + f + " && echo plain-ok; chmod 4755 " + f + " || echo suid-denied"});
  s.process->noNewPrivileges = true;
  s.process->capabilities = spec::Capabilities{};
  s.process->capabilities->bounding = s.process->capabilities->effective = s.process->capabilities->permitted =
      std::vector<std::string>{"CAP_FOWNER", "CAP_FSETID"};
  s.linux_->seccomp = allow_all_but({{{"chmod", "fchmod"}, "SCMP_ACT_ERRNO", {}, {{1, 04000, 04000, "SCMP_CMP_MASKED_EQ"}}},
                                     {{"fchmodat"}, "SCMP_ACT_ERRNO", {}, {{2, 04000, 04000, "SCMP_CMP_MASKED_EQ"}}}});
  auto r = run_process_child(s);
  ASSERT_EQ(r.error, "");
  EXPECT_NE(r.out.find("plain-ok"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("suid-denied"), std::string::npos) << r.out;
  std::filesystem::remove_all(dir);
}

TEST(ProcessSeccompChild, NotifyListenerGetsFdAndStateAndAnswers) {
  REQUIRE_ROOT();
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
  auto s = busybox_spec({"sh", "-c", "mkdir /hull-notify-test && echo made"});
  s.process->noNewPrivileges = true;
  s.linux_->seccomp = allow_all_but({{{"mkdir", "mkdirat"}, "SCMP_ACT_NOTIFY", {}, {}}});
  s.linux_->seccomp->listenerPath = "/run/agent.sock";
  s.linux_->seccomp->listenerMetadata = "hull-test-metadata";
  process::ExecOptions opts;
  // The socket the callback uses: every other fd is closed before it runs.
  opts.seccomp_listener_fd = sv[0];
  opts.seccomp_listener = [&](int fd) {
    auto state = seccomp::process_state_json(
        R"({"ociVersion":"1.2.0","id":"nt","status":"creating","pid":4242,"bundle":"/b"})", "hull-test-metadata");
    seccomp::send_to_listener(sv[0], fd, state);
    ::shutdown(sv[0], SHUT_RDWR);
  };
  nlohmann::json state;
  std::string syscall_seen;
  auto r = run_process_child(s, opts, [&] { ::close(sv[1]); }, [&] {
    ::close(sv[0]);
    // The agent: one message with the fd, then the JSON until EOF.
    ReceivedMessage first = receive_with_fd(sv[1], 4096, "the seccomp agent message");
    ASSERT_TRUE(first.fd) << "no fd with the first message";
    std::string payload = std::move(first.data);
    char buf[4096];
    ssize_t n;
    while ((n = ::read(sv[1], buf, sizeof buf)) > 0) payload.append(buf, static_cast<size_t>(n));
    state = nlohmann::json::parse(payload);
    int notify_fd = first.fd.get();
    // Answer the mkdir: pretend success without doing it.
    struct seccomp_notif req = {};
    ASSERT_EQ(::ioctl(notify_fd, SECCOMP_IOCTL_NOTIF_RECV, &req), 0) << std::strerror(errno);
    syscall_seen = std::to_string(req.data.nr);
    struct seccomp_notif_resp resp = {};
    resp.id = req.id;
    ASSERT_EQ(::ioctl(notify_fd, SECCOMP_IOCTL_NOTIF_SEND, &resp), 0) << std::strerror(errno);
    ::close(sv[1]);
  });
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.out, "made\n");
  EXPECT_FALSE(std::filesystem::exists("/hull-notify-test"));
  EXPECT_EQ(state["fds"], nlohmann::json::array({"seccompFd"}));
  EXPECT_EQ(state["metadata"], "hull-test-metadata");
  EXPECT_EQ(state["pid"], 4242);
  EXPECT_EQ(state["state"]["id"], "nt");
  EXPECT_TRUE(syscall_seen == std::to_string(SYS_mkdir) || syscall_seen == std::to_string(SYS_mkdirat)) << syscall_seen;
}
