#include <memory>

#include "cli/cli.hpp"

namespace hull::cli {

Verb setup_resume(CLI::App& app, Context& ctx) {
  auto* command = app.add_subcommand("resume", "resume every process of a paused container");
  auto id = std::make_shared<std::string>();
  add_id_argument(*command, *id);
  return {command, [&ctx, id] {
            resume_container(ctx.global, *id);
            return 0;
          }};
}

}  // namespace hull::cli
