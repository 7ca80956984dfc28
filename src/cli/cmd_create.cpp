#include <memory>

#include "cli/cli.hpp"

namespace hull::cli {

Verb setup_create(CLI::App& app, Context& ctx) {
  auto* command = app.add_subcommand("create", "create a container (its process waits for \"start\")");
  auto o = std::make_shared<CreateOptions>();
  add_create_flags(*command, *o, ctx);
  return {command, [&ctx, o] {
            read_systemd_environment(*o);
            create_container(ctx.global, *o);
            return 0;
          }};
}

}  // namespace hull::cli
