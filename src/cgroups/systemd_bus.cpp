#include "cgroups/systemd_bus.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "base/error.hpp"
#include "base/log.hpp"
#include "base/path_components.hpp"

namespace hull::cgroups {

namespace {

constexpr const char* kService = "org.freedesktop.systemd1";
constexpr const char* kManagerPath = "/org/freedesktop/systemd1";
constexpr const char* kManager = "org.freedesktop.systemd1.Manager";
constexpr const char* kProperties = "org.freedesktop.DBus.Properties";
// A job that takes longer means a wedged systemd: fail rather than hang
// (runc waits 30 s as well).
constexpr int kReplyTimeoutSeconds = 30;

void write_all(int fd, const void* data, size_t n, const std::string& what) {
  const auto* p = static_cast<const uint8_t*>(data);
  while (n > 0) {
    ssize_t k = ::send(fd, p, n, MSG_NOSIGNAL);
    if (k < 0 && errno == EINTR) continue;
    if (k < 0) throw_errno("systemd cgroup driver: " + what);
    p += k;
    n -= static_cast<size_t>(k);
  }
}

void read_all(int fd, void* data, size_t n) {
  auto* p = static_cast<uint8_t*>(data);
  while (n > 0) {
    ssize_t k = ::recv(fd, p, n, 0);
    if (k < 0 && errno == EINTR) continue;
    if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
      throw Error("systemd cgroup driver: no answer from systemd in " + std::to_string(kReplyTimeoutSeconds) + " s",
                  ETIMEDOUT);
    if (k < 0) throw_errno("systemd cgroup driver: read from systemd");
    if (k == 0) throw Error("systemd cgroup driver: systemd closed the connection");
    p += k;
    n -= static_cast<size_t>(k);
  }
}

// One line of the SASL exchange, "\r\n" stripped. The server says nothing
// unasked, so reading a byte at a time never takes a message's bytes.
std::string read_line(int fd) {
  std::string line;
  char c = 0;
  while (line.size() < 4096) {
    read_all(fd, &c, 1);
    if (c == '\n' && !line.empty() && line.back() == '\r') {
      line.pop_back();
      return line;
    }
    line += c;
  }
  throw Error("systemd cgroup driver: authentication line too long");
}

// One line for --debug: what arrived, and for a JobRemoved which job ended how.
std::string describe(const dbus::Message& m) {
  static const char* const kTypes[] = {"?", "call", "return", "error", "signal"};
  std::string s = kTypes[static_cast<int>(m.type) <= 4 ? static_cast<int>(m.type) : 0];
  if (m.reply_serial != 0) s += " to " + std::to_string(m.reply_serial);
  if (!m.member.empty()) s += " " + m.interface + "." + m.member + " " + m.path;
  if (!m.error_name.empty()) s += " " + m.error_name;
  if (m.member == "JobRemoved" && m.signature == "uoss") {
    dbus::Reader r(m.body.data(), m.body.size());
    r.u32();
    std::string job = r.string();
    std::string unit = r.string();
    s += ": " + job + " " + unit + " " + r.string();
  }
  return s;
}

}  // namespace

std::string user_manager_socket() {
  const char* dir = std::getenv("XDG_RUNTIME_DIR");
  if (!dir || !*dir)
    throw Error("systemd cgroup driver: XDG_RUNTIME_DIR is not set, so the user's systemd manager cannot be found",
                ENOENT);
  return std::string(dir) + "/systemd/private";
}

SystemdBus SystemdBus::connect(const std::string& socket_path) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) throw_errno("systemd cgroup driver: socket");
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path.size() >= sizeof addr.sun_path)
    throw Error("systemd cgroup driver: socket path " + quote(socket_path) + " is too long");
  std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) {
    const int err = errno;
    // Absent without systemd as PID 1 (a user's: without the user's
    // manager); the system's takes root only, a user's its user only (a
    // `su` keeps the XDG_RUNTIME_DIR of the user it came from).
    const bool system = socket_path == kSystemManagerSocket;
    const bool refused = err == EACCES || err == EPERM;
    const char* hint = refused  ? (system ? " (systemd's private socket takes root)"
                                          : " (XDG_RUNTIME_DIR names a directory this user may not use, another "
                                            "user's? set it to this user's, /run/user/<uid>)")
                       : system ? " (is systemd PID 1?)"
                                : " (is the user's systemd manager running?)";
    throw_errno(err, "systemd cgroup driver: connect " + socket_path + hint);
  }
  timeval tv{kReplyTimeoutSeconds, 0};
  if (::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0)
    throw_errno("systemd cgroup driver: set the receive timeout");
  // dbus-specification "Authentication Protocol": a NUL byte, then EXTERNAL
  // with no identity: systemd's server (sd-bus) takes the peer's
  // SO_PEERCRED, as for sd-bus's and dbus-broker's own clients. A uid given
  // must equal that one, and hull as root of rootless podman's user
  // namespace has uid 0 where the user's manager sees the user's. systemd
  // 252 asks for the identity with an empty DATA, and gets an empty one; a
  // server that answers OK at once (as sd-bus's older code reads it) gets no
  // DATA line it would not expect. BEGIN goes in the same write as that
  // DATA, before the server's OK, as sd-bus's own clients send it: systemd's
  // server (seen with Debian 12's 252) reads BEGIN and whatever follows it
  // in one read, starts the connection, and leaves the bytes after BEGIN in
  // its buffer until the socket next becomes readable. A first call sent
  // right after BEGIN, as this client did before, was then read with it
  // whenever systemd was slow to read (a loaded host) and answered only when
  // the connection closed: the 30 s waits "for systemd" of issue #13. Sent
  // after the OK, the first call finds BEGIN read already, and its bytes
  // wake systemd.
  const std::string what = "authenticate to " + socket_path;
  const std::string auth = std::string(1, '\0') + "AUTH EXTERNAL\r\n";
  write_all(fd.get(), auth.data(), auth.size(), what);
  std::string reply = read_line(fd.get());
  const std::string begin = reply == "DATA" ? "DATA\r\nBEGIN\r\n" : "BEGIN\r\n";
  if (reply == "DATA" || reply.starts_with("OK ")) write_all(fd.get(), begin.data(), begin.size(), what);
  if (reply == "DATA") reply = read_line(fd.get());
  if (!reply.starts_with("OK "))
    throw Error("systemd cgroup driver: " + socket_path + " refused authentication: " + quote(reply), EACCES);
  return SystemdBus(std::move(fd));
}

dbus::Message SystemdBus::receive(Clock::time_point deadline) {
  // One deadline for the whole wait: the signals of other units (systemd
  // sends every signal to every private connection) must not extend it.
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    pollfd p{fd_.get(), POLLIN, 0};
    int n = left > 0 ? ::poll(&p, 1, static_cast<int>(left)) : 0;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("systemd cgroup driver: wait for systemd");
    if (n == 0)
      throw Error("systemd cgroup driver: no answer from systemd in " + std::to_string(kReplyTimeoutSeconds) + " s",
                  ETIMEDOUT);
    break;
  }
  std::vector<uint8_t> bytes(16);
  read_all(fd_.get(), bytes.data(), 16);
  size_t size = dbus::message_size(bytes.data());
  bytes.resize(size);
  read_all(fd_.get(), bytes.data() + 16, size - 16);
  dbus::Message m = dbus::decode(bytes);
  log::debug([&] { return "systemd bus: received " + describe(m); });
  return m;
}

dbus::Message SystemdBus::call(const std::string& member, const std::string& signature, std::vector<uint8_t> body,
                               const char* interface) {
  dbus::MethodCall c{kService, kManagerPath, interface ? interface : kManager, member, signature, std::move(body)};
  uint32_t serial = ++serial_;
  std::vector<uint8_t> msg = dbus::encode(c, serial);
  log::debug([&] { return "systemd bus: call " + std::to_string(serial) + " " + member; });
  write_all(fd_.get(), msg.data(), msg.size(), "send " + member);
  const auto deadline = Clock::now() + std::chrono::seconds(kReplyTimeoutSeconds);
  for (;;) {
    dbus::Message m = receive(deadline);
    if (m.type == dbus::MessageType::Signal) {
      if (m.member == "JobRemoved") signals_.push_back(std::move(m));
      continue;
    }
    if (m.reply_serial != serial) continue;
    if (m.type == dbus::MessageType::Error) {
      std::string text;
      if (m.signature.starts_with("s")) text = dbus::Reader(m.body.data(), m.body.size()).string();
      throw Error("systemd cgroup driver: " + member + ": " + m.error_name + ": " + text);
    }
    return m;
  }
}

void SystemdBus::wait_for_job(const std::string& job, const std::string& what, const std::string& name) {
  const auto deadline = Clock::now() + std::chrono::seconds(kReplyTimeoutSeconds);
  for (;;) {
    dbus::Message m;
    if (!signals_.empty()) {
      m = std::move(signals_.front());
      signals_.erase(signals_.begin());
    } else {
      try {
        m = receive(deadline);
      } catch (const Error& e) {
        if (e.code() != ETIMEDOUT) throw;
        throw Error("systemd cgroup driver: " + what + " " + quote(name) + ": no JobRemoved for " + job + " in " +
                        std::to_string(kReplyTimeoutSeconds) + " s",
                    ETIMEDOUT);
      }
    }
    if (m.type != dbus::MessageType::Signal || m.member != "JobRemoved" || m.signature != "uoss") continue;
    dbus::Reader r(m.body.data(), m.body.size());
    r.u32();  // job id
    if (r.string() != job) continue;
    std::string unit = r.string();
    std::string result = r.string();
    if (result != "done")
      throw Error("systemd cgroup driver: " + what + " " + quote(unit) + ": the job ended with " + quote(result) +
                  " (journalctl -u " + unit + " says why)");
    return;
  }
}

void SystemdBus::subscribe() {
  // Without it the system bus sends this connection no JobRemoved (the
  // private socket's connections are subscribed already; the call is harmless).
  if (subscribed_) return;
  call("Subscribe", "", {});
  subscribed_ = true;
}

void SystemdBus::start_transient_unit(const std::string& name, const std::vector<dbus::Property>& props) {
  dbus::Writer w;
  w.string(name);
  w.string("replace");  // the job mode; a unit of that name that exists is an error (UnitExists)
  w.properties(props);
  dbus::Writer::ArrayMark aux = w.begin_array(8);  // a(sa(sv)): no auxiliary units
  w.end_array(aux);
  subscribe();
  dbus::Message reply = call("StartTransientUnit", "ssa(sv)a(sa(sv))", w.take());
  std::string job = dbus::Reader(reply.body.data(), reply.body.size()).string();
  wait_for_job(job, "start", name);
}

void SystemdBus::stop_unit(const std::string& name, bool wait_for_removal) {
  dbus::Writer w;
  w.string(name);
  w.string("replace");
  subscribe();
  dbus::Message reply;
  try {
    reply = call("StopUnit", "ss", w.take());
  } catch (const Error& e) {
    // Gone already (stopped by hand, or a scope whose processes all exited).
    if (std::string_view(e.message()).find("org.freedesktop.systemd1.NoSuchUnit") != std::string_view::npos) return;
    throw;
  }
  if (!wait_for_removal) return;
  std::string job = dbus::Reader(reply.body.data(), reply.body.size()).string();
  wait_for_job(job, "stop", name);
}

void SystemdBus::set_unit_properties(const std::string& name, const std::vector<dbus::Property>& props) {
  dbus::Writer w;
  w.string(name);
  w.boolean(true);  // runtime: not persisted in /etc
  w.properties(props);
  call("SetUnitProperties", "sba(sv)", w.take());
}

std::string SystemdBus::manager_control_group() {
  dbus::Writer w;
  w.string(kManager);
  w.string("ControlGroup");
  dbus::Message reply = call("Get", "ss", w.take(), kProperties);
  dbus::Reader r(reply.body.data(), reply.body.size());
  if (reply.signature != "v" || r.signature() != "s")
    throw Error("systemd cgroup driver: the manager's ControlGroup is not a string (signature " +
                quote(reply.signature) + ")");
  // The container's cgroup goes below it: an absolute cgroup path, without
  // a trailing "/" (the root's "/" is "").
  std::string group = r.string();
  bool up = false;
  for_each_path_component(group, [&](std::string_view c) { up = up || c == ".."; });
  if (!group.starts_with('/') || up)
    throw Error("systemd cgroup driver: the manager gave its ControlGroup as " + quote(group) +
                ", not an absolute cgroup path");
  while (group.ends_with('/')) group.pop_back();
  return group;
}

}  // namespace hull::cgroups
