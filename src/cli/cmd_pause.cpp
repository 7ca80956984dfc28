#include "cli/cli.hpp"

namespace hull::cli {

Verb setup_pause(CLI::App& app, Context& ctx) {
  return id_only_verb(app, ctx, "pause", "suspend every process of a running or created container (cgroup freezer)",
                      pause_container);
}

}  // namespace hull::cli
