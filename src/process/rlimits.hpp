#pragma once
// process.rlimits and process.oomScoreAdj.
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "spec/spec.hpp"

namespace hull::process {

// RLIMIT_* names the kernel has, in resource-number order.
std::span<const std::string_view> known_rlimit_names();
// Resource number of a name; nullopt when unknown.
std::optional<int> rlimit_from_name(std::string_view name);

// Checks every name first (unknown -> error naming it), then sets each with
// prlimit. Runs as root before the uid change: lowering is always allowed,
// raising a hard limit needs CAP_SYS_RESOURCE.
void apply_rlimits(const std::vector<spec::Rlimit>& rlimits);
// Sets, on process `pid` (0: this one), each of rlimits whose hard limit is
// above the one the process has, for a process that will set its limits
// itself (apply_rlimits) inside a user namespace: a raised hard limit needs
// CAP_SYS_RESOURCE in the host's, which only the runtime, outside, holds.
// The process's own call then finds those values set: no raise left.
void raise_rlimits_of(pid_t pid, const std::vector<spec::Rlimit>& rlimits);

// Writes /proc/self/oom_score_adj.
void apply_oom_score_adj(int value);
// The same for a runtime that is not root, before it clones the container's
// process, which inherits the value: a non-dumpable process's /proc files
// belong to host root (as hull always is, and its clones until execve), so
// such a runtime may write its own only while briefly dumpable.
void inherit_oom_score_adj(int value);

}  // namespace hull::process
