#include <memory>

#include "cli/cli.hpp"
#include "runtime/default_spec.hpp"

namespace hull::cli {

Verb setup_spec(CLI::App& app, Context&) {
  auto* command = app.add_subcommand("spec", "write a starter config.json into the bundle");
  auto bundle = std::make_shared<std::string>(".");
  auto opts = std::make_shared<DefaultSpecOptions>();
  command->add_option("-b,--bundle", *bundle, "path to the root of the bundle directory");
  command->add_flag("--seccomp", opts->seccomp,
                    "add hull's default seccomp profile (EPERM for every syscall outside an allow-list)");
  command->add_flag("--rootless", opts->rootless,
                    "a config for an unprivileged user: a user namespace mapping you to root, no network "
                    "namespace, /sys bound from the host (runc spec --rootless)");
  return {command, [bundle, opts] {
            write_default_spec(*bundle, *opts);
            return 0;
          }};
}

}  // namespace hull::cli
