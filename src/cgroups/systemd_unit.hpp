#pragma once
// The systemd cgroup driver's pure parts: which unit a cgroupsPath
// "slice:prefix:name" names, where its cgroup is, and the unit properties
// that carry the container's limits (as runc's libcontainer/cgroups/systemd
// maps them). No I/O: unit-tested without systemd.
#include <sys/types.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cgroups/dbus_message.hpp"
#include "spec/spec.hpp"

namespace hull::cgroups {

struct SystemdUnit {
  std::string name;    // "hull-web.scope", or "a-b.slice" when the name part is a slice
  std::string slice;   // the parent slice: "system.slice"
  // below the manager's own cgroup (the cgroup2 root for the system manager),
  // no leading '/': "system.slice/hull-web.scope"
  std::string cgroup;
  std::string bus;     // the private socket of the user's manager that owns it; "" for the system manager
  bool is_slice() const { return name.ends_with(".slice"); }
};

// runc's defaults for the empty parts: slice "system.slice" ("user.slice"
// for a user's manager), prefix "hull"; an unset cgroupsPath is
// "system.slice:hull:<id>" ("user.slice:hull:<id>" for a user's manager). A scope is "<prefix>-<name>.scope"
// ("<name>.scope" without a prefix); a name ending in ".slice" is that
// slice, a child of the given one. `cgroup` is below the manager's own
// cgroup (the root's, for the system manager).
SystemdUnit systemd_unit(const std::optional<std::string>& cgroups_path, std::string_view id,
                         bool user_manager = false);

// systemd's slice naming: "a-b-c.slice" lives at "a.slice/a-b.slice/a-b-c.slice",
// "-.slice" is the root (""). Throws on a name systemd would refuse
// ("a--b.slice", "-a.slice", no ".slice", a '/').
std::string expand_slice(std::string_view slice);

// "0-3,7" -> systemd's CPU/NUMA-node bitmask (byte i bit j = number 8i+j).
std::vector<uint8_t> list_to_mask(std::string_view list, std::string_view what);

// The unit properties for the container's limits (also those `update` sets).
// An idle cpu (cpu.idle 1) is CPUWeight 0, systemd's "idle" since 252,
// whatever the shares: systemd writes cpu.idle at each apply of the unit
// (a daemon-reload, a property set), 0 for any other weight.
std::vector<dbus::Property> resource_properties(const spec::Resources& r);
// Runs call(props); where systemd refuses CPUWeight 0 (older than 252: out
// of range), once more without it: hull's own cpu.idle write then holds
// until that systemd applies the unit again, which it would undo anyway.
void with_idle_weight_fallback(std::vector<dbus::Property> props,
                               const std::function<void(const std::vector<dbus::Property>&)>& call);

// The unit properties the config's org.systemd.property.<Name> annotations
// give (CRI-O's CollectMode, DefaultDependencies, After, the pod's
// TimeoutStopSec; podman's KillSignal), as runc reads them: Name is ASCII
// letters, the value GVariant text (gvariant_text.hpp), and a "<x>Sec"
// name with a lowercase x becomes "<x>USec" in microseconds. Other
// annotations are ignored. Throws naming the annotation when one is bad.
std::vector<dbus::Property> annotation_properties(const std::map<std::string, std::string>& annotations);

// Everything StartTransientUnit gets: description, parent slice (or Wants=
// for a slice), Delegate=yes and the init's pid for a scope, no default
// dependencies, accounting on, resource_properties, then the annotations'
// properties (last: systemd keeps the last value given).
std::vector<dbus::Property> start_properties(const SystemdUnit& unit, pid_t pid, std::string_view id,
                                             const spec::Resources& r,
                                             const std::vector<dbus::Property>& from_annotations = {});

}  // namespace hull::cgroups
