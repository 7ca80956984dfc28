#include <memory>

#include "cli/cli.hpp"
#include "cli/output.hpp"
#include "runtime/verify/verify.hpp"

namespace hull::cli {

Verb setup_verify(CLI::App& app, Context& ctx) {
  auto* command = app.add_subcommand("verify",
                                     "check a running or paused container against its config, from the kernel's view "
                                     "(exit 0: every property holds, 1: one is violated)");
  auto id = std::make_shared<std::string>();
  auto format = std::make_shared<std::string>("table");
  command->add_option("-f,--format", *format, "table (default) or json")->check(CLI::IsMember({"table", "json"}));
  add_id_argument(*command, *id);
  return {command, [&ctx, id, format] {
            std::vector<verify::Row> rows = verify::verify_container(ctx.global, *id);
            print(*format == "json" ? verify::format_json(rows) : verify::format_table(rows));
            return verify::all_hold(rows) ? 0 : 1;
          }};
}

}  // namespace hull::cli
