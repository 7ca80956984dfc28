// SCMP_ACT_NOTIFY: handing the listener fd to the agent at listenerPath.
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "base/fd_passing.hpp"
#include "base/fs.hpp"
#include "seccomp/seccomp.hpp"

namespace hull::seccomp {

bool uses_notify(const spec::Seccomp& config) {
  for (const auto& sc : config.syscalls)
    if (sc.action == "SCMP_ACT_NOTIFY") return true;
  return false;
}

std::string process_state_json(const std::string& state_json, const std::optional<std::string>& metadata,
                               std::optional<pid_t> process_pid) {
  nlohmann::json state;
  try {
    state = nlohmann::json::parse(state_json);
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("container state for the seccomp listener is not JSON: ") + e.what());
  }
  nlohmann::json out = {
      {"ociVersion", state.value("ociVersion", std::string("1.3.0"))},
      {"fds", {"seccompFd"}},
      {"pid", process_pid ? *process_pid : state.value("pid", 0)},
      {"state", state},
  };
  if (metadata) out["metadata"] = *metadata;
  return out.dump();
}

void send_to_listener(int socket, int listener_fd, const std::string& process_state, SendCall call) {
  if (process_state.empty()) throw Error("seccomp listener: empty container process state");
  // The fd rides with the first bytes; the spec allows the rest in later
  // writes, fds only in the first.
  size_t n = send_with_fd(socket, listener_fd, process_state, "the seccomp listener fd to listenerPath", call);
  write_all(socket, std::string_view(process_state).substr(n), "the seccomp listener socket");
}

}  // namespace hull::seccomp
