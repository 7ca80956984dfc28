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

// Which of process.rlimits a call sets: exec's RLIMIT_NPROC is set on its
// process by the runtime, from outside (runtime/exec.cpp says why).
enum class RlimitsPart { All, AllButNproc, NprocOnly };

// Checks every name first (unknown -> error naming it), then sets each of
// `part` with prlimit on `pid` (0: this process). Runs as root before the
// uid change: lowering is always allowed, raising a hard limit needs
// CAP_SYS_RESOURCE.
void apply_rlimits(const std::vector<spec::Rlimit>& rlimits, RlimitsPart part = RlimitsPart::All, pid_t pid = 0);
// Whether rlimits has an RLIMIT_NPROC entry (RlimitsPart::NprocOnly sets something).
bool sets_nproc(const std::vector<spec::Rlimit>& rlimits);
// Sets, on process `pid` (0: this one), each of rlimits whose hard limit is
// above the one the process has, for a process that will set its limits
// itself (apply_rlimits) inside a user namespace: a raised hard limit needs
// CAP_SYS_RESOURCE in the host's, which only the runtime, outside, holds.
// The process's own call then finds those values set: no raise left.
void raise_rlimits_of(pid_t pid, const std::vector<spec::Rlimit>& rlimits);

// Writes /proc/self/oom_score_adj.
void apply_oom_score_adj(int value);
// process.oomScoreAdj set on the runtime itself for the clone of a container
// process, which inherits it, where that process could not write it: a
// runtime that is not root (a non-dumpable process's /proc files belong to
// host root, as hull always is, and its clones until execve: it writes its
// own while briefly dumpable), and any process in a user namespace (a
// value below the caller's floor needs CAP_SYS_RESOURCE in the host's).
// The runtime's own value comes back at destruction, once the clone is
// made: the runtime, attached to its container or running its hooks,
// keeps its own score, as runc's does.
class LentOomScoreAdj {
 public:
  explicit LentOomScoreAdj(int value);
  ~LentOomScoreAdj();
  LentOomScoreAdj(const LentOomScoreAdj&) = delete;
  LentOomScoreAdj& operator=(const LentOomScoreAdj&) = delete;

 private:
  int own_;
  bool lent_ = false;
};

}  // namespace hull::process
