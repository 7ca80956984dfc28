#include <memory>

#include "cli/cli.hpp"

namespace hull::cli {

Verb setup_start(CLI::App& app, Context& ctx) {
  auto* command = app.add_subcommand("start", "run the user process of a created container");
  auto id = std::make_shared<std::string>();
  add_id_argument(*command, *id);
  return {command, [&ctx, id] {
            start_container(ctx.global, *id);
            return 0;
          }};
}

}  // namespace hull::cli
