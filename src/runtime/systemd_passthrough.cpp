#include "runtime/systemd_passthrough.hpp"

#include <sys/stat.h>

#include <charconv>
#include <cstring>
#include <optional>

#include "base/error.hpp"

namespace hull {

namespace {

// A decimal number and nothing else, as strconv.Atoi / safe_atoi accept.
std::optional<long> parse_decimal(const char* s) {
  if (!s || !*s) return std::nullopt;
  long v = 0;
  const char* end = s + std::strlen(s);
  auto [p, ec] = std::from_chars(s, end, v);
  if (ec != std::errc() || p != end) return std::nullopt;
  return v;
}

}  // namespace

void set_env(std::vector<std::string>& env, std::string_view key, const std::string& value) {
  std::string entry = std::string(key) + "=" + value;
  for (std::string& e : env) {
    if (e.size() > key.size() && e.compare(0, key.size(), key) == 0 && e[key.size()] == '=') {
      e = std::move(entry);
      return;
    }
  }
  env.push_back(std::move(entry));
}

void pass_notify_socket(spec::Spec& spec, const std::string& host_socket) {
  if (!spec.process) return;  // validation reports the missing process
  if (host_socket.starts_with('@')) {
    set_env(spec.process->env, "NOTIFY_SOCKET", host_socket);
    return;
  }
  std::string what = "NOTIFY_SOCKET " + quote(host_socket);
  if (!host_socket.starts_with('/')) throw Error(what + ": must be an absolute path or an abstract \"@\" address");
  struct stat st {};
  if (::stat(host_socket.c_str(), &st) < 0) throw_errno(what);
  if (!S_ISSOCK(st.st_mode)) throw Error(what + ": not a socket");
  spec::Mount m;
  m.destination = kContainerNotifySocket;
  m.type = "bind";
  m.source = host_socket;
  // Read-only protects the host inode (chmod, utimes); sending to a socket
  // needs no write access to its mount.
  m.options = {"bind", "nosuid", "nodev", "noexec", "ro"};
  // Last, so it lands on top of whatever the config mounts on /run.
  spec.mounts.push_back(std::move(m));
  set_env(spec.process->env, "NOTIFY_SOCKET", kContainerNotifySocket);
}

int inherited_listen_fds(const char* listen_fds, const char* listen_pid, pid_t self) {
  auto pid = parse_decimal(listen_pid);
  if (!pid || *pid != self) return 0;
  auto n = parse_decimal(listen_fds);
  // More than the fd table could hold is a broken environment, not a count.
  if (!n || *n <= 0 || *n > (1 << 20)) return 0;
  return static_cast<int>(*n);
}

void pass_listen_fds(spec::Spec& spec, int n, const std::string& fd_names) {
  if (!spec.process || n <= 0) return;
  set_env(spec.process->env, "LISTEN_FDS", std::to_string(n));
  set_env(spec.process->env, "LISTEN_PID", "1");
  if (!fd_names.empty()) set_env(spec.process->env, "LISTEN_FDNAMES", fd_names);
}

}  // namespace hull
