#include <memory>

#include "cli/cli.hpp"

namespace hull::cli {

namespace {
struct KillArgs {
  std::string id;
  std::string signal = "SIGTERM";
  bool all = false;
};
}  // namespace

Verb setup_kill(CLI::App& app, Context& ctx) {
  auto* command = app.add_subcommand("kill", "send a signal to a container's init (default SIGTERM)");
  auto a = std::make_shared<KillArgs>();
  command->add_flag("-a,--all", a->all, "send the signal to every process of the container");
  add_id_argument(*command, a->id);
  command->add_option("signal", a->signal, "name (KILL, SIGKILL) or number; default SIGTERM");
  return {command, [&ctx, a] {
            // An empty signal is the default, as runc reads it.
            kill_container(ctx.global, a->id, parse_signal(a->signal.empty() ? "SIGTERM" : a->signal), a->all);
            return 0;
          }};
}

}  // namespace hull::cli
