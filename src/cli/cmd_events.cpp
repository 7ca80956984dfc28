#include <unistd.h>

#include <memory>

#include "cli/cli.hpp"

namespace hull::cli {

Verb setup_events(CLI::App& app, Context& ctx) {
  auto* command = app.add_subcommand("events", "print a container's cgroup statistics and OOM events as JSON lines");
  auto o = std::make_shared<EventsOptions>();
  command->add_flag("--stats", o->stats, "print one statistics event and exit");
  command->add_option("--interval", o->interval, "time between statistics events (default 5s; e.g. 500ms, 1m)");
  add_id_argument(*command, o->id);
  return {command, [&ctx, o] {
            container_events(ctx.global, *o, STDOUT_FILENO);
            return 0;
          }};
}

}  // namespace hull::cli
