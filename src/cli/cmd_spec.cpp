#include <memory>

#include "cli/cli.hpp"
#include "runtime/default_spec.hpp"

namespace hull::cli {

Verb setup_spec(CLI::App& app, Context&) {
  auto* command = app.add_subcommand("spec", "write a starter config.json into the bundle");
  auto bundle = std::make_shared<std::string>(".");
  command->add_option("-b,--bundle", *bundle, "path to the root of the bundle directory");
  return {command, [bundle] {
            write_default_spec(*bundle);
            return 0;
          }};
}

}  // namespace hull::cli
