#pragma once
// Running the criu binary for checkpoint and restore, and turning its
// failures into errors that say what CRIU said.
#include <string>
#include <vector>

#include "cgroups/cgroup_manager.hpp"

namespace hull {

// Runs `criu ARGS...` with hull's stdio (a --shell-job restore takes its
// terminal, --inherit-fd names fds it inherits) and waits for it. With
// `cgroup`, CRIU runs inside the container's cgroups, so what it restores
// lands there (as runc does). On failure throws
//   criu dump failed (exit status 1; log /img/dump.log): <CRIU's Error lines>
// adding what `criu check` says when the kernel lacks what CRIU needs, and
//   criu not found: install CRIU ...
// when there is no criu in PATH. With `stdin_fd` >= 0 CRIU gets that fd as
// its stdin instead (a restored console's pty slave, which --shell-job gives
// the restored process).
void run_criu(const std::vector<std::string>& args, const std::string& log_path, cgroups::Manager* cgroup = nullptr,
              int stdin_fd = -1);

// The last lines of a CRIU log that report errors (at most `max`), joined
// with "; "; "" when there are none.
std::string criu_log_errors(const std::string& log_text, size_t max = 4);

}  // namespace hull
