// linux.seccomp applied by exec_container_process, seen from busybox.
#include <gtest/gtest.h>
#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <sys/syscall.h>

#include <seccomp.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "arch.hpp"
#include "base/fd_passing.hpp"
#include "proc_files.hpp"
#include "process_child.hpp"
#include "seccomp/seccomp.hpp"
#include "support/temp_dir.hpp"

using namespace hull;
using hull::itest::status_field;
using hull::test::busybox_spec;
using hull::test::run_process_child;

namespace {
// When ProcessSeccompChild.SyscallsNewerThanTheProfileGetEnosys execs this
// binary as the container's program, it makes the syscalls numbered in
// HULL_SECCOMP_PROBE (no arguments) and prints "nr:errno" for each, 0 for
// success, before gtest ever starts.
__attribute__((constructor)) void seccomp_probe() {
  const char* list = std::getenv("HULL_SECCOMP_PROBE");
  if (!list) return;
  for (char* p = const_cast<char*>(list); *p;) {
    long nr = std::strtol(p, &p, 10);
    long rc = ::syscall(nr, 0, 0, 0, 0, 0, 0);
    std::printf("%ld:%d\n", nr, rc < 0 ? errno : 0);
    if (*p == ',') ++p;
  }
  std::fflush(stdout);
  ::_exit(0);
}

spec::Seccomp allow_all_but(std::vector<spec::Syscall> rules) {
  spec::Seccomp s;
  s.defaultAction = "SCMP_ACT_ALLOW";
  s.syscalls = std::move(rules);
  return s;
}
}  // namespace

TEST(ProcessSeccompChild, ErrnoRuleAndStatusWithAndWithoutNoNewPrivs) {
  HULL_REQUIRE_ROOT();
  for (bool nnp : {true, false}) {
    auto s = busybox_spec({"sh", "-c",
                           "grep -E '^(Seccomp|Seccomp_filters|NoNewPrivs|CapEff)' /proc/self/status; mkdir "
                           "/tmp/hull-sc-$$ 2>&1 || echo failed"});
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

// runc's stub: a syscall numbered above every one the profile names is one
// its author could not know, so it gets ENOSYS and programs can fall back;
// one the profile could have named keeps the default action's EPERM.
TEST(ProcessSeccompChild, SyscallsNewerThanTheProfileGetEnosys) {
  HULL_REQUIRE_ROOT();
  constexpr int kNewest = 434, kUnknown = 436;  // pidfd_open, close_range (every architecture's since Linux 5.1)
  spec::Seccomp profile;
  profile.defaultAction = "SCMP_ACT_ERRNO";
  spec::Syscall allow{{}, "SCMP_ACT_ALLOW", {}, {}};
  for (int nr = 0; nr <= kNewest; ++nr) {
    char* name = seccomp_syscall_resolve_num_arch(seccomp_arch_native(), nr);
    if (!name) continue;
    if (std::string(name) != "acct") allow.names.emplace_back(name);
    std::free(name);
  }
  profile.syscalls = {allow};
  // A copy: the runtime refuses to exec its own binary (CVE-2019-5736).
  hull::test::TempDir dir{"sc"};
  const std::filesystem::path probe = dir / "probe";
  std::filesystem::copy_file("/proc/self/exe", probe);
  for (const char* def : {"SCMP_ACT_ERRNO", "SCMP_ACT_KILL_PROCESS"}) {
    profile.defaultAction = def;
    auto s = busybox_spec({});
    s.process->args = {probe.string()};
    // acct is left out of the profile: under the kill default it would kill.
    const bool errno_default = std::string(def) == "SCMP_ACT_ERRNO";
    s.process->env = {"HULL_SECCOMP_PROBE=" + std::to_string(kUnknown) + "," + std::to_string(SYS_getpid) +
                      (errno_default ? "," + std::to_string(SYS_acct) : "")};
    s.process->noNewPrivileges = true;
    s.linux_->seccomp = profile;
    auto r = run_process_child(s);
    ASSERT_EQ(r.error, "") << def;
    EXPECT_TRUE(r.exited_ok()) << def << " " << r.status << " " << r.out;
    EXPECT_NE(r.out.find(std::to_string(kUnknown) + ":" + std::to_string(ENOSYS) + "\n"), std::string::npos)
        << def << r.out;
    if (errno_default) {
      EXPECT_NE(r.out.find(std::to_string(SYS_acct) + ":" + std::to_string(EPERM) + "\n"), std::string::npos) << r.out;
    }
    EXPECT_NE(r.out.find(std::to_string(SYS_getpid) + ":0\n"), std::string::npos) << def << r.out;
  }
  // With ENOSYS as the default there is nothing to add; allow adds nothing.
  profile.defaultAction = "SCMP_ACT_ALLOW";
  EXPECT_TRUE(seccomp::enosys_stub(profile, SCMP_ACT_ALLOW, {seccomp_arch_native()}).empty());
  EXPECT_TRUE(seccomp::enosys_stub(profile, SCMP_ACT_ERRNO(ENOSYS), {seccomp_arch_native()}).empty());
}

TEST(ProcessSeccompChild, KillKillsAndLogLetsThrough) {
  HULL_REQUIRE_ROOT();
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
  HULL_REQUIRE_ROOT();
  hull::test::TempDir dir{"sc"};
  std::string f = dir / "f";
  std::ofstream(f) << "x";
  auto s = busybox_spec({"sh", "-c", "chmod 755 " + f + " && echo plain-ok; chmod 4755 " + f + " || echo suid-denied"});
  s.process->noNewPrivileges = true;
  s.process->capabilities = spec::Capabilities{};
  s.process->capabilities->bounding = s.process->capabilities->effective = s.process->capabilities->permitted =
      std::vector<std::string>{"CAP_FOWNER", "CAP_FSETID"};
  s.linux_->seccomp =
      allow_all_but({{{"chmod", "fchmod"}, "SCMP_ACT_ERRNO", {}, {{1, 04000, 04000, "SCMP_CMP_MASKED_EQ"}}},
                     {{"fchmodat"}, "SCMP_ACT_ERRNO", {}, {{2, 04000, 04000, "SCMP_CMP_MASKED_EQ"}}}});
  auto r = run_process_child(s);
  ASSERT_EQ(r.error, "");
  EXPECT_NE(r.out.find("plain-ok"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("suid-denied"), std::string::npos) << r.out;
}

namespace {

// An agent gets the listener fd and the state, and answers a mkdir that
// `notified` (SCMP_ACT_NOTIFY rules, mkdir among them) hands it.
void expect_the_agent_answers_mkdir(const std::vector<spec::Syscall>& notified) {
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
  auto s = busybox_spec({"sh", "-c", "mkdir /hull-notify-test && echo made"});
  s.process->noNewPrivileges = true;
  s.linux_->seccomp = allow_all_but(notified);
  s.linux_->seccomp->listenerPath = "/run/agent.sock";
  s.linux_->seccomp->listenerMetadata = "hull-test-metadata";
  process::ExecOptions opts;
  // The socket the callback uses: every other fd is closed before it runs.
  opts.seccomp_listener_fd = sv[0];
  opts.seccomp_listener = [&](int fd, SendCall call) {
    auto state = seccomp::process_state_json(
        R"({"ociVersion":"1.2.0","id":"nt","status":"creating","pid":4242,"bundle":"/b"})", "hull-test-metadata");
    seccomp::send_to_listener(sv[0], fd, state, call);
    ::shutdown(sv[0], SHUT_RDWR);
  };
  nlohmann::json state;
  long syscall_seen = -1;
  auto r = run_process_child(
      s, opts, [&] { ::close(sv[1]); },
      [&] {
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
        syscall_seen = req.data.nr;
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
  EXPECT_TRUE(is_mkdir_call(syscall_seen)) << syscall_seen;
}

}  // namespace

TEST(ProcessSeccompChild, NotifyListenerGetsFdAndStateAndAnswers) {
  HULL_REQUIRE_ROOT();
  expect_the_agent_answers_mkdir({{{"mkdir", "mkdirat"}, "SCMP_ACT_NOTIFY", {}, {}}});
}

// sendmsg handed to the agent too (runc takes that): the fd goes by sendmmsg,
// not by the sendmsg that would wait for the agent forever.
TEST(ProcessSeccompChild, NotifyOnSendmsgStillGivesTheAgentItsFd) {
  HULL_REQUIRE_ROOT();
  expect_the_agent_answers_mkdir(
      {{{"mkdir", "mkdirat"}, "SCMP_ACT_NOTIFY", {}, {}}, {{"sendmsg"}, "SCMP_ACT_NOTIFY", {}, {}}});
}
