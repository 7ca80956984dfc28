#include <memory>

#include "cli/cli.hpp"

namespace hull::cli {

Verb setup_run(CLI::App& app, Context& ctx) {
  auto* command = app.add_subcommand("run", "create and start a container; exits with its exit code");
  auto o = std::make_shared<RunOptions>();
  add_create_flags(*command, o->create);
  command->add_flag("-d,--detach", o->detach, "detach from the container's process");
  command->add_flag("--keep", o->keep, "do not delete the container after it exits");
  return {command, [&ctx, o] {
            read_systemd_environment(o->create);
            return run_container(ctx.global, *o);
          }};
}

}  // namespace hull::cli
