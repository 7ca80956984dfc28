#include <memory>

#include "cli/cli.hpp"

namespace hull::cli {

namespace {
struct DeleteArgs {
  std::string id;
  bool force = false;
};
}  // namespace

Verb setup_delete(CLI::App& app, Context& ctx) {
  auto* command = app.add_subcommand("delete", "delete a stopped or created container's resources");
  auto a = std::make_shared<DeleteArgs>();
  command->add_flag("-f,--force", a->force, "kill the container first if it is running (SIGKILL)");
  add_id_argument(*command, a->id);
  return {command, [&ctx, a] {
            delete_container(ctx.global, a->id, a->force);
            return 0;
          }};
}

}  // namespace hull::cli
