#include <memory>

#include "cli/cli.hpp"
#include "cli/output.hpp"

namespace hull::cli {

Verb setup_state(CLI::App& app, Context& ctx) {
  auto* command = app.add_subcommand("state", "print the state of a container as JSON");
  auto id = std::make_shared<std::string>();
  add_id_argument(*command, *id);
  return {command, [&ctx, id] {
            // As runc prints it, byte for byte: no newline after the "}".
            print(container_state_json(ctx.global, *id));
            return 0;
          }};
}

}  // namespace hull::cli
