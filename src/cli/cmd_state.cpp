#include <memory>

#include "cli/cli.hpp"
#include "cli/output.hpp"

namespace hull::cli {

Verb setup_state(CLI::App& app, Context& ctx) {
  auto* command = app.add_subcommand("state", "print the state of a container as JSON");
  auto id = std::make_shared<std::string>();
  add_id_argument(*command, *id);
  return {command, [&ctx, id] {
            std::string json = container_state_json(ctx.global, *id);
            if (json.empty() || json.back() != '\n') json += '\n';
            print(json);
            return 0;
          }};
}

}  // namespace hull::cli
