#pragma once
// linux.netDevices (runtime-spec 1.3): host network devices moved into the
// container's network namespace, renamed where the config says, with their
// permanent global addresses and set up. The kernel flushes a device's
// addresses when it changes namespace, so they are read first and added
// again inside. Once the container exists nothing is moved back: when its
// namespace goes, the kernel returns a physical device to the initial
// namespace and destroys a virtual one (config-linux.md, "Namespace
// Lifecycle"). But a create that fails while moving them puts back the
// devices it had moved, as they were: a refused config costs no device.
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
  std::string label;               // IPv4: "eth0" or an alias such as "eth0:1"
  std::optional<uint32_t> metric;  // IFA_RT_PRIORITY, the prefix route's
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
// up. Every device is found and every fixed name checked free before any
// moves. An Error names the device and the step; the devices moved by then
// are back where they were.
void move_net_devices(const std::map<std::string, spec::NetDevice>& devices, int container_netns);

}  // namespace hull::ns
