#include <memory>

#include "cli/cli.hpp"

namespace hull::cli {

Verb setup_checkpoint(CLI::App& app, Context& ctx) {
  auto* command = app.add_subcommand("checkpoint", "checkpoint a running or paused container with CRIU");
  auto o = std::make_shared<CheckpointOptions>();
  add_criu_flags(*command, o->criu);
  command->add_option("--parent-path", o->parent_path, "images of a previous pre-dump, relative to the image path");
  command->add_flag("--leave-running", o->leave_running, "leave the container running after the checkpoint");
  command->add_flag("--pre-dump", o->pre_dump, "dump only the memory, to lower the final dump's downtime");
  command->add_flag("--tcp-skip-in-flight", o->tcp_skip_in_flight, "skip TCP connections not yet accepted (in flight)");
  command->add_flag("--link-remap", o->link_remap,
                    "link open files whose name was unlinked back under a temporary name");
  command->add_option("--page-server", o->page_server, "ADDRESS:PORT of a CRIU page server to send the pages to");
  command->add_option("--status-fd", o->status_fd,
                      "with --lazy-pages: fd CRIU writes \\0 to once the page server is ready");
  add_id_argument(*command, o->id);
  return {command, [&ctx, o] {
            checkpoint_container(ctx.global, *o);
            return 0;
          }};
}

}  // namespace hull::cli
