#pragma once
// process.capabilities: names, and applying the five sets around the uid change.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "spec/spec.hpp"

namespace hull::process {

// Every capability name hull knows, in number order ("CAP_CHOWN" = 0, ...),
// for `hull features`.
std::span<const std::string_view> known_capability_names();
// Number of a "CAP_*" name; nullopt when unknown.
std::optional<int> capability_from_name(std::string_view name);

// The five sets as bit masks (bit n = capability n).
struct CapabilitySets {
  uint64_t bounding = 0, effective = 0, permitted = 0, inheritable = 0, ambient = 0;
};

// Translates the config's names. A name hull does not know, or that the running
// kernel does not have (above /proc/sys/kernel/cap_last_cap), is skipped with a
// warning, as runc does, so a config written for a newer kernel still runs.
// An absent capabilities object or set means empty: nothing is granted by default.
CapabilitySets capability_sets(const std::optional<spec::Capabilities>& caps, int last_cap);
// The running kernel's last capability number.
int kernel_last_cap();

// What this process holds (one capget): the permitted set is what it can
// grant, the effective set what the kernel checks its own calls against.
struct HeldCapabilities {
  uint64_t permitted = 0;
  uint64_t effective = 0;
};
HeldCapabilities held_capabilities();
// Leaves out of every set the capabilities outside `held`, each with a
// warning naming it and the sets that asked for it: the runtime itself
// lacks them (a restricted environment: no CAP_SYS_RESOURCE in a CI job's
// container), and the spec asks for a warning there, not a failure
// ("Runtimes SHOULD NOT fail if the container configuration requests
// capabilities that cannot be granted").
void leave_out_ungrantable(CapabilitySets& sets, uint64_t held);

// Before the uid change: drops every capability not in `bounding` from the
// bounding set (needs CAP_SETPCAP, so it must precede the switch away from
// root) and sets PR_SET_KEEPCAPS so permitted survives setresuid.
void drop_bounding_set(const CapabilitySets& sets, int last_cap);
void keep_caps_across_setuid();

// After the uid change: clears KEEPCAPS, sets effective/permitted/inheritable
// (plus `extra` in effective and permitted, kept for a step still to come,
// see exec_process.cpp), then the ambient set.
void apply_capability_sets(const CapabilitySets& sets, uint64_t extra = 0);

}  // namespace hull::process
