#include <memory>

#include "cli/cli.hpp"
#include "process/fds.hpp"

namespace hull::cli {

Verb setup_create(CLI::App& app, Context& ctx) {
  auto* command = app.add_subcommand("create", "create a container (its process waits for \"start\")");
  auto o = std::make_shared<CreateOptions>();
  add_create_flags(*command, *o, ctx);
  ctx.check_passed_fds[command] = [o] {
    read_systemd_environment(*o);
    process::require_caller_fds(o->listen_fds + o->preserve_fds);
  };
  return {command, [&ctx, o] {
            read_systemd_environment(*o);
            close_other_caller_fds(*o);
            create_container(ctx.global, *o);
            return 0;
          }};
}

}  // namespace hull::cli
