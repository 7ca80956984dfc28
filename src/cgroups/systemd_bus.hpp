#pragma once
// A connection to systemd's manager over its private D-Bus socket
// (/run/systemd/private: root only, no bus daemon needed, no Hello; a
// user's own manager, `systemctl --user`'s, has one in $XDG_RUNTIME_DIR),
// with the calls the systemd cgroup driver makes. Each call that queues a job
// waits for that job's JobRemoved signal, as runc does, so the unit (and
// its cgroup) exists, or is gone, when the call returns.
#include <chrono>
#include <string>
#include <vector>

#include "base/unique_fd.hpp"
#include "cgroups/dbus_message.hpp"

namespace hull::cgroups {

inline constexpr const char* kSystemManagerSocket = "/run/systemd/private";

// The private socket of the user's manager: $XDG_RUNTIME_DIR/systemd/private
// (rootless podman passes XDG_RUNTIME_DIR on). An error coded ENOENT where
// XDG_RUNTIME_DIR is not set.
std::string user_manager_socket();

class SystemdBus {
 public:
  // Connects and authenticates (SASL EXTERNAL); an unreachable systemd is an
  // error saying so.
  static SystemdBus connect(const std::string& socket_path = kSystemManagerSocket);
  // The connection's socket, for a child that must close its copy.
  int fd() const noexcept { return fd_.get(); }

  // StartTransientUnit(name, "replace", props, []) and waits for the job.
  void start_transient_unit(const std::string& name, const std::vector<dbus::Property>& props);
  // StopUnit(name, "replace"), and with wait_for_removal its JobRemoved; a unit
  // that does not exist (any more) is not an error.
  void stop_unit(const std::string& name, bool wait_for_removal);
  // SetUnitProperties(name, runtime=true, props): no job.
  void set_unit_properties(const std::string& name, const std::vector<dbus::Property>& props);
  // The manager's own ControlGroup property: "" for the system manager, a
  // user's "/user.slice/user-1000.slice/user@1000.service", below which its
  // slices and units live.
  std::string manager_control_group();

 private:
  explicit SystemdBus(UniqueFd fd) : fd_(std::move(fd)) {}
  // Sends a call to the manager object and returns its reply; an error reply
  // throws with the D-Bus error name and message.
  dbus::Message call(const std::string& member, const std::string& signature, std::vector<uint8_t> body,
                     const char* interface = nullptr);
  using Clock = std::chrono::steady_clock;
  // The next message, or an error once `deadline` has passed.
  dbus::Message receive(Clock::time_point deadline);
  void subscribe();
  void wait_for_job(const std::string& job, const std::string& what, const std::string& name);

  UniqueFd fd_;
  uint32_t serial_ = 0;
  bool subscribed_ = false;
  std::vector<dbus::Message> signals_;  // received while waiting for a reply
};

}  // namespace hull::cgroups
