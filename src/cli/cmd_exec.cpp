#include <memory>

#include "base/error.hpp"
#include "cli/cli.hpp"
#include "process/fds.hpp"
#include "runtime/units.hpp"

namespace hull::cli {

namespace {
constexpr int kExecFailed = 255;
}  // namespace

// As runc: flags come first; the container id and everything after it are
// the command (so `hull exec web sh -c 'echo hi'` keeps `-c` for sh).
Verb setup_exec(CLI::App& app, Context& ctx) {
  auto* command =
      app.add_subcommand("exec",
                         "execute a new process inside a created or running container: hull exec <id> <command> "
                         "[args...], or hull exec -p process.json <id>");
  auto o = std::make_shared<ExecOptions>();
  ctx.option("--console-socket", [&](const char* n) {
    command->add_option(n, o->console_socket, "AF_UNIX socket path receiving the master end of the pseudoterminal");
  });
  ctx.option("--pidfd-socket", [&](const char* n) {
    command->add_option(n, o->pidfd_socket, "AF_UNIX socket path receiving a pidfd of the new process");
  });
  ctx.option("--cwd",
             [&](const char* n) { command->add_option(n, o->cwd, "current working directory in the container"); });
  // Repeatable options take one value per occurrence (runc's -e A=1 -e B=2):
  // by default CLI11 lets a vector option swallow the following words,
  // which would eat the container id and the command.
  ctx.option("-e,--env", [&](const char* n) {
    command->add_option(n, o->env, "set an environment variable (KEY=VALUE)")->allow_extra_args(false);
  });
  ctx.option("-t,--tty", [&](const char* n) { command->add_flag(n, o->tty, "allocate a pseudo-TTY"); });
  ctx.option("-u,--user", [&](const char* n) { command->add_option(n, o->user, "UID (format: <uid>[:<gid>])"); });
  ctx.option("-g,--additional-gids", [&](const char* n) {
    command->add_option(n, o->additional_gids, "additional gids")->allow_extra_args(false);
  });
  ctx.option("-p,--process", [&](const char* n) { command->add_option(n, o->process_file, "path to a process.json"); });
  ctx.option("-d,--detach", [&](const char* n) { command->add_flag(n, o->detach, "detach from the process"); });
  ctx.option("--pid-file",
             [&](const char* n) { command->add_option(n, o->pid_file, "file to write the process id to"); });
  ctx.option("--process-label",
             [&](const char* n) { command->add_option(n, o->process_label, "SELinux label for the process"); });
  ctx.option("--apparmor",
             [&](const char* n) { command->add_option(n, o->apparmor, "AppArmor profile for the process"); });
  // A bool of the CLI's own: whether it was given at all is the option's count.
  auto no_new_privs = std::make_shared<bool>(false);
  ctx.option("--no-new-privs", [&](const char* n) {
    command->add_flag(n, *no_new_privs, "set no_new_privs for the process (=false clears the container's)");
  });
  ctx.option("-c,--cap", [&](const char* n) {
    command->add_option(n, o->caps, "add a capability to the process's sets")->allow_extra_args(false);
  });
  ctx.option("--preserve-fds", [&](const char* n) {
    add_preserve_fds_option(*command, n, o->preserve_fds, "pass N additional file descriptors");
  });
  ctx.option("--cgroup", [&](const char* n) {
    command->add_option(n, o->cgroups, "run in a sub-cgroup of the container ([controller[,controller...]:]path)")
        ->allow_extra_args(false);
  });
  ctx.option("--ignore-paused",
             [&](const char* n) { command->add_flag(n, o->ignore_paused, "exec even if the container is paused"); });
  ctx.check_passed_fds[command] = [o] {
    try {
      process::require_caller_fds(o->preserve_fds);
    } catch (const std::exception& e) {
      throw ExitError(e.what(), kExecFailed);
    }
  };
  command->prefix_command();
  // Unmatched words must stay here as the command, not fall through to the
  // global parser.
  command->fallthrough(false);
  return {command, [&ctx, o, command, no_new_privs] {
            if (const CLI::Option* nnp = command->get_option_no_throw("--no-new-privs"); nnp && nnp->count() > 0)
              o->no_new_privs = *no_new_privs;
            std::vector<std::string> rest = command->remaining();
            if (rest.empty()) throw Error("exec: a container id is required");
            refuse_unknown_flag("exec", rest.front());
            // As runc's int64 slice flag reads them (base 10, a sign taken):
            // no integer at all is a usage error, a gid out of range exec's own.
            for (std::string& g : o->additional_gids)
              g = std::to_string(
                  with_context("invalid value for --additional-gids", [&] { return parse_go_int(g, 10); }));
            o->id = rest.front();
            o->args.assign(rest.begin() + 1, rest.end());
            if (o->process_file.empty() && o->args.empty())
              throw ExitError("exec: a command to run is required (or --process FILE)", kExecFailed);
            // As runc: 255 when exec itself fails (unknown or stopped
            // container, missing binary, bad --user...), so callers can tell
            // it from the command's own status, 1 being a common one.
            try {
              return exec_container(ctx.global, *o);
            } catch (const std::exception& e) {
              throw ExitError(e.what(), kExecFailed);
            }
          }};
}

}  // namespace hull::cli
