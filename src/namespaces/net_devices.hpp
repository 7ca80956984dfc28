#pragma once
// linux.netDevices (runtime-spec 1.3): host network devices moved into the
// container's network namespace, renamed where the config says, with their
// permanent global addresses and set up. The kernel flushes a device's
// addresses when it changes namespace, so they are read first and added
// again inside. Nothing is moved back: when the namespace goes, the kernel
// returns a physical device to the initial namespace and destroys a virtual
// one (config-linux.md, "Namespace Lifecycle").
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "spec/spec.hpp"

struct nlmsghdr;

namespace hull::ns {

// An interface address as RTM_NEWADDR carries it (raw address bytes).
struct InterfaceAddress {
  uint8_t family = 0;
  uint8_t prefix_len = 0;
  uint8_t scope = 0;
  uint32_t flags = 0;  // IFA_F_*, from IFA_FLAGS where the kernel sent it
  std::string local, address, broadcast;
};

// The address an RTM_NEWADDR message describes when it is one of interface
// `index` and one a move keeps: permanent (IFA_F_PERMANENT) and of global
// scope (RT_SCOPE_UNIVERSE), as the spec says; nullopt for any other.
std::optional<InterfaceAddress> address_to_keep(const nlmsghdr& h, int index);

// "192.0.2.5/24", "2001:db8::5/64": for messages.
std::string to_string(const InterfaceAddress& a);

// Moves each of `devices` (host name -> its entry) from the calling thread's
// network namespace into `container_netns` (an fd of it), under its new name
// ("%d" lets the kernel number it), adds its kept addresses back and sets it
// up. An Error names the device and the step.
void move_net_devices(const std::map<std::string, spec::NetDevice>& devices, int container_netns);

}  // namespace hull::ns
