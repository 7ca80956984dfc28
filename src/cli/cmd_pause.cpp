#include <memory>

#include "cli/cli.hpp"

namespace hull::cli {

Verb setup_pause(CLI::App& app, Context& ctx) {
  auto* command = app.add_subcommand("pause", "suspend every process of a running container (cgroup freezer)");
  auto id = std::make_shared<std::string>();
  add_id_argument(*command, *id);
  return {command, [&ctx, id] {
            pause_container(ctx.global, *id);
            return 0;
          }};
}

}  // namespace hull::cli
