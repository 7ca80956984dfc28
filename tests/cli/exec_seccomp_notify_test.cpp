// hull exec into a container whose profile has SCMP_ACT_NOTIFY rules: the
// exec'd process gets a listener of its own, and the agent at listenerPath
// gets it with the process's pid as the host sees it (runc's procSeccomp),
// then answers that process's syscalls.
#include <linux/seccomp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>

#include "arch.hpp"
#include "base/fd_passing.hpp"
#include "exec_fixture.hpp"
#include "unix_listener.hpp"

namespace hull::itest {
namespace {

using nlohmann::json;

// One agent connection: the process state JSON and the listener fd.
struct AgentMessage {
  json state;
  UniqueFd listener;
};

AgentMessage receive_agent_message(int listener_socket) {
  AgentMessage m;
  UniqueFd conn = accept_within(listener_socket, milliseconds(20000));
  if (!conn) {
    ADD_FAILURE() << "no connection from the runtime on listenerPath";
    return m;
  }
  ReceivedMessage first = receive_with_fd(conn.get(), 8192, "the seccomp agent message");
  m.listener = std::move(first.fd);
  std::string payload = std::move(first.data);
  // Read until the state is whole JSON, not until the connection ends: hull
  // shuts it down after one state, runc 1.1 leaves it open while `runc exec`
  // waits for its process (which waits for this agent's answer).
  char buf[8192];
  while (!json::accept(payload)) {
    pollfd p{conn.get(), POLLIN, 0};
    if (::poll(&p, 1, 20000) != 1) break;
    ssize_t n = ::read(conn.get(), buf, sizeof buf);
    if (n <= 0) break;
    payload.append(buf, static_cast<size_t>(n));
  }
  m.state = json::parse(payload, nullptr, false);
  return m;
}

// Also where sendmsg is handed to the agent: the listener fd then goes by
// sendmmsg (sendmsg would wait for an agent that has no fd yet), as runc,
// which takes the fd with pidfd_getfd, manages too.
TEST_F(ExecTest, SeccompNotifyListenerOfTheExecdProcessReachesTheAgent) {
  for (const bool sendmsg_notified : {false, true}) {
    SCOPED_TRACE(sendmsg_notified ? "sendmsg handed to the agent too" : "mkdir handed to the agent");
    const std::string id = sendmsg_notified ? "exnotify-sendmsg" : "exnotify";
    Bundle& b = bundle("bundle-" + id);
    std::string sock = (temp_dir() / (id + ".sock")).string();
    UniqueFd agent = listen_unix(sock);
    json notified = {"mkdir", "mkdirat"};
    if (sendmsg_notified) notified.push_back("sendmsg");
    b.config["linux"]["seccomp"] = {{"defaultAction", "SCMP_ACT_ALLOW"},
                                    {"listenerPath", sock},
                                    {"listenerMetadata", "exec-meta"},
                                    {"syscalls", {{{"names", notified}, {"action", "SCMP_ACT_NOTIFY"}}}}};
    const pid_t init = start_sleeping(b, id);
    ASSERT_GT(init, 0);

    // The init's own listener, sent at start.
    AgentMessage from_init = receive_agent_message(agent.get());
    ASSERT_TRUE(from_init.listener) << "no fd from the init";
    EXPECT_EQ(from_init.state.value("pid", 0), init) << from_init.state.dump();

    // mkdir as the exec'd process itself, so the notification's pid is its pid.
    Child exec = hull_background({"exec", id, "mkdir", "/made-by-agent"});
    AgentMessage from_exec = receive_agent_message(agent.get());
    ASSERT_TRUE(from_exec.listener) << "no fd with the exec'd process's state";
    ASSERT_TRUE(from_exec.state.is_object()) << "the process state is not JSON";
    EXPECT_EQ(from_exec.state["fds"], json::array({"seccompFd"}));
    EXPECT_EQ(from_exec.state["metadata"], "exec-meta");
    EXPECT_EQ(from_exec.state["state"]["id"], id);
    EXPECT_EQ(from_exec.state["state"]["status"], "running");
    EXPECT_EQ(from_exec.state["state"]["pid"], init);
    const pid_t exec_pid = from_exec.state.value("pid", 0);
    EXPECT_GT(exec_pid, 0);
    EXPECT_NE(exec_pid, init);

    // A listener of its own: the notification comes on the exec's fd, from the
    // pid the state named, and the agent makes the mkdir succeed without doing it.
    struct seccomp_notif req = {};
    pollfd ready{from_exec.listener.get(), POLLIN, 0};
    ASSERT_EQ(::poll(&ready, 1, 20000), 1) << "no notification on the exec'd process's listener";
    ASSERT_EQ(::ioctl(from_exec.listener.get(), SECCOMP_IOCTL_NOTIF_RECV, &req), 0) << std::strerror(errno);
    EXPECT_TRUE(is_mkdir_call(req.data.nr)) << req.data.nr;
    EXPECT_EQ(static_cast<pid_t>(req.pid), exec_pid);
    struct seccomp_notif_resp resp = {};
    resp.id = req.id;
    ASSERT_EQ(::ioctl(from_exec.listener.get(), SECCOMP_IOCTL_NOTIF_SEND, &resp), 0) << std::strerror(errno);
    ProcResult r = exec.finish();
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_FALSE(std::filesystem::exists(b.rootfs() / "made-by-agent")) << "mkdir ran instead of the agent's answer";
  }
}

}  // namespace
}  // namespace hull::itest
