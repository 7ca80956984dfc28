#include "cli/cli.hpp"
#include "cli/output.hpp"
#include "runtime/features.hpp"

namespace hull::cli {

Verb setup_features(CLI::App& app, Context&) {
  auto* command = app.add_subcommand("features", "print what this runtime supports (runtime-spec features.json)");
  return {command, [] {
            print(features::document_text());
            return 0;
          }};
}

}  // namespace hull::cli
