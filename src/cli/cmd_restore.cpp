#include <memory>

#include "cli/cli.hpp"

namespace hull::cli {

Verb setup_restore(CLI::App& app, Context& ctx) {
  auto* command = app.add_subcommand("restore", "restore a container from a CRIU checkpoint");
  auto o = std::make_shared<RestoreOptions>();
  add_criu_flags(*command, o->criu);
  command->add_option("-b,--bundle", o->bundle,
                      "path to the root of the bundle directory, defaults to the current directory");
  command->add_flag("-d,--detach", o->detach, "detach from the container's process");
  command->add_option("--pid-file", o->pid_file, "file to write the restored init's pid to");
  command->add_option("--console-socket", o->console_socket,
                      "path to an AF_UNIX socket receiving the master of a terminal container's new pty");
  command->add_flag("--no-subreaper", o->no_subreaper,
                    "attached: do not become the subreaper of the container's orphans");
  command->add_flag("--no-pivot", o->no_pivot,
                    "accepted for runc's clients: CRIU rebuilds the container's mounts itself");
  command->add_option("--lsm-profile", o->lsm_profile,
                      "LSM profile of the restored processes, TYPE:NAME (apparmor:NAME or selinux:LABEL)");
  command->add_option("--lsm-mount-context", o->lsm_mount_context, "LSM mount context of the restored mounts");
  add_id_argument(*command, o->id);
  return {command, [&ctx, o] { return restore_container(ctx.global, *o); }};
}

}  // namespace hull::cli
