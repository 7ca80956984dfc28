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

// Writes /proc/self/oom_score_adj.
void apply_oom_score_adj(int value);
// The same for a runtime that is not root, before it clones the container's
// process, which inherits the value: a non-dumpable process's /proc files
// belong to host root (as hull always is, and its clones until execve), so
// such a runtime may write its own only while briefly dumpable.
void inherit_oom_score_adj(int value);

}  // namespace hull::process
