// SCMP_ACT_NOTIFY: handing the listener fd to the agent at listenerPath.
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "seccomp/seccomp.hpp"

namespace hull::seccomp {

std::string process_state_json(const std::string& state_json, const std::optional<std::string>& metadata) {
  nlohmann::json state;
  try {
    state = nlohmann::json::parse(state_json);
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("container state for the seccomp listener is not JSON: ") + e.what());
  }
  nlohmann::json out = {
      {"ociVersion", state.value("ociVersion", std::string("1.3.0"))},
      {"fds", {"seccompFd"}},
      {"pid", state.value("pid", 0)},
      {"state", state},
  };
  if (metadata) out["metadata"] = *metadata;
  return out.dump();
}

void send_to_listener(int socket, int listener_fd, const std::string& process_state) {
  if (process_state.empty()) throw Error("seccomp listener: empty container process state");
  // The fd rides with the first bytes; the spec allows the rest in later
  // writes, fds only in the first.
  struct iovec iov = {const_cast<char*>(process_state.data()), process_state.size()};
  alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  struct msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  struct cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(cmsg), &listener_fd, sizeof listener_fd);
  ssize_t n;
  do n = ::sendmsg(socket, &msg, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n < 0) throw_errno("send the seccomp listener fd to listenerPath");
  write_all(socket, std::string_view(process_state).substr(static_cast<size_t>(n)), "the seccomp listener socket");
}

}  // namespace hull::seccomp
