#include <iostream>

#include "cli/cli.hpp"
#include "runtime/features.hpp"

namespace hull::cli {

Verb setup_features(CLI::App& app, Context&) {
  auto* command = app.add_subcommand("features", "print what this runtime supports (runtime-spec features.json)");
  return {command, [] {
            std::cout << features::document_text() << std::flush;
            return 0;
          }};
}

}  // namespace hull::cli
