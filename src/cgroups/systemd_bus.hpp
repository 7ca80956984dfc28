#pragma once
// A connection to systemd's manager over its private D-Bus socket
// (/run/systemd/private: root only, no bus daemon needed, no Hello), with
// the calls the systemd cgroup driver makes. Each call that queues a job
// waits for that job's JobRemoved signal, as runc does, so the unit (and
// its cgroup) exists, or is gone, when the call returns.
#include <chrono>
#include <string>
#include <vector>

#include "base/unique_fd.hpp"
#include "cgroups/dbus_message.hpp"

namespace hull::cgroups {

class SystemdBus {
 public:
  // Connects and authenticates (SASL EXTERNAL with the caller's uid).
  // `socket_path` is for tests; an unreachable systemd is an error saying so.
  static SystemdBus connect(const std::string& socket_path = "/run/systemd/private");
  // The connection's socket, for a child that must close its copy.
  int fd() const noexcept { return fd_.get(); }

  // StartTransientUnit(name, "replace", props, []) and waits for the job.
  void start_transient_unit(const std::string& name, const std::vector<dbus::Property>& props);
  // StopUnit(name, "replace"), and with wait_for_removal its JobRemoved; a unit
  // that does not exist (any more) is not an error.
  void stop_unit(const std::string& name, bool wait_for_removal);
  // SetUnitProperties(name, runtime=true, props): no job.
  void set_unit_properties(const std::string& name, const std::vector<dbus::Property>& props);

 private:
  explicit SystemdBus(UniqueFd fd) : fd_(std::move(fd)) {}
  // Sends a call to the manager object and returns its reply; an error reply
  // throws with the D-Bus error name and message.
  dbus::Message call(const std::string& member, const std::string& signature, std::vector<uint8_t> body);
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
