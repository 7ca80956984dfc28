#include <memory>

#include "cli/cli.hpp"
#include "process/fds.hpp"

namespace hull::cli {

Verb setup_run(CLI::App& app, Context& ctx) {
  auto* command = app.add_subcommand("run", "create and start a container; exits with its exit code");
  auto o = std::make_shared<RunOptions>();
  add_create_flags(*command, o->create, ctx);
  ctx.option("-d,--detach",
             [&](const char* n) { command->add_flag(n, o->detach, "detach from the container's process"); });
  ctx.option("--keep",
             [&](const char* n) { command->add_flag(n, o->keep, "do not delete the container after it exits"); });
  ctx.option("--no-subreaper", [&](const char* n) {
    command->add_flag(n, o->no_subreaper, "attached, do not become the child subreaper of the container's orphans");
  });
  ctx.check_passed_fds[command] = [o] {
    read_systemd_environment(o->create);
    process::require_caller_fds(o->create.listen_fds + o->create.preserve_fds);
  };
  return {command, [&ctx, o] {
            read_systemd_environment(o->create);
            close_other_caller_fds(o->create);
            return run_container(ctx.global, *o);
          }};
}

}  // namespace hull::cli
