#include "cli/cli.hpp"

namespace hull::cli {

Verb setup_resume(CLI::App& app, Context& ctx) {
  return id_only_verb(app, ctx, "resume", "resume every process of a paused container", resume_container);
}

}  // namespace hull::cli
