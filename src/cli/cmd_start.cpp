#include "cli/cli.hpp"

namespace hull::cli {

Verb setup_start(CLI::App& app, Context& ctx) {
  return id_only_verb(app, ctx, "start", "run the user process of a created container", start_container);
}

}  // namespace hull::cli
