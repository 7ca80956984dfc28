#include <memory>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "cli/cli.hpp"
#include "cli/output.hpp"

namespace hull::cli {

Verb setup_ps(CLI::App& app, Context& ctx) {
  auto* command = app.add_subcommand("ps", "list the processes of a container: hull ps <id> [ps options]");
  auto format = std::make_shared<std::string>("table");
  command->add_option("-f,--format", *format, "table (the host's ps, default -ef) or json (pids)")
      ->check(CLI::IsMember({"table", "json"}));
  // Everything after the id goes to ps, "-ef" or "aux" included.
  command->prefix_command();
  command->fallthrough(false);
  return {command, [&ctx, format, command] {
            std::vector<std::string> rest = command->remaining();
            if (rest.empty()) throw Error("ps: a container id is required");
            refuse_unknown_flag("ps", rest.front());
            std::string id = rest.front();
            if (*format == "json") {
              print(nlohmann::json(container_pids(ctx.global, id)).dump() + "\n");
            } else {
              print(container_ps_table(ctx.global, id, {rest.begin() + 1, rest.end()}));
            }
            return 0;
          }};
}

}  // namespace hull::cli
