#include "runtime/systemd_passthrough.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <optional>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/log.hpp"

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

// The host id that the container's `id` is through `mappings`, or nullopt
// where none maps it.
std::optional<uint32_t> host_id(const std::vector<spec::IDMapping>& mappings, uint32_t id) {
  for (const auto& m : mappings)
    if (id >= m.containerID && id - m.containerID < m.size) return m.hostID + (id - m.containerID);
  return std::nullopt;
}

bool maps_host_id(const std::vector<spec::IDMapping>& mappings, uint32_t host) {
  for (const auto& m : mappings)
    if (host >= m.hostID && host - m.hostID < m.size) return true;
  return false;
}

}  // namespace

std::optional<std::string> notify_socket_unwritable(const spec::Spec& spec, const struct stat& socket) {
  if (!spec.process) return std::nullopt;
  const spec::User& user = spec.process->user;
  bool userns = false;
  if (spec.linux_)
    for (const auto& ns : spec.linux_->namespaces)
      if (ns.type == spec::NamespaceType::User) {
        if (ns.path) return std::nullopt;  // joined: its map is not in config.json
        userns = true;
      }
  static const std::vector<spec::IDMapping> kNone;
  const auto& uids = userns ? spec.linux_->uidMappings : kNone;
  const auto& gids = userns ? spec.linux_->gidMappings : kNone;
  auto to_host = [&](const std::vector<spec::IDMapping>& maps, uint32_t id) {
    return userns ? host_id(maps, id) : std::optional<uint32_t>(id);
  };
  const std::optional<uint32_t> uid = to_host(uids, user.uid);
  if (!uid) return std::nullopt;  // an unmapped user fails to start anyway
  // Root, or a user given it as an ambient capability, is taken to have
  // CAP_DAC_OVERRIDE, which holds on the socket where its owner and group
  // are mapped into the process's user namespace.
  const auto& ambient = spec.process->capabilities ? spec.process->capabilities->ambient : std::nullopt;
  const bool dac_override =
      user.uid == 0 || (ambient && std::find(ambient->begin(), ambient->end(), "CAP_DAC_OVERRIDE") != ambient->end());
  if (dac_override && (!userns || (maps_host_id(uids, socket.st_uid) && maps_host_id(gids, socket.st_gid))))
    return std::nullopt;
  // The kernel's order: the owner's bits for the owner, the group's for a
  // member of the socket's group, the others' for the rest. For anyone else
  // the group's bits leave "maybe", which never warns: they are an ACL's
  // mask where the socket has one (a named entry may grant the user), and
  // the process may hold groups config.json does not list (the rootfs's
  // /etc/group; a rootless runtime's own, kept where setgroups is denied).
  const mode_t mode = socket.st_mode;
  bool writable = false;
  if (*uid == socket.st_uid) {
    writable = mode & S_IWUSR;
  } else {
    bool member = to_host(gids, user.gid) == socket.st_gid;
    for (uint32_t g : user.additionalGids) member = member || to_host(gids, g) == socket.st_gid;
    writable = member ? (mode & S_IWGRP) : (mode & (S_IWGRP | S_IWOTH));
  }
  if (writable) return std::nullopt;
  return "the container's process (uid " + std::to_string(user.uid) +
         (userns ? ", host uid " + std::to_string(*uid) : std::string()) + ") cannot send to it (mode " +
         mode_text(mode) + ", owner " + std::to_string(socket.st_uid) + ":" + std::to_string(socket.st_gid) +
         "): its sd_notify messages, READY=1 among them, will fail; make the socket writable for that user "
         "(systemd's /run/systemd/notify is 0777)";
}

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
  // The container sends with its own credentials (no relay, unlike runc), so
  // a socket closed to its user is a READY=1 that never comes: said now.
  if (std::optional<std::string> why = notify_socket_unwritable(spec, st)) log::warn(what + ": " + *why);
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
