#include <unistd.h>

#include <cstdlib>
#include <memory>

#include "cli/cli.hpp"
#include "runtime/systemd_passthrough.hpp"

namespace hull::cli {

void add_create_flags(CLI::App& command, CreateOptions& o, const Context& ctx) {
  ctx.option("-b,--bundle", [&](const char* n) {
    command.add_option(n, o.bundle, "path to the root of the bundle directory, defaults to the current directory");
  });
  ctx.option("--pid-file",
             [&](const char* n) { command.add_option(n, o.pid_file, "file to write the container's init pid to"); });
  ctx.option("--console-socket", [&](const char* n) {
    command.add_option(n, o.console_socket,
                       "AF_UNIX socket path receiving the master end of the console's pseudoterminal");
  });
  ctx.option("--no-pivot", [&](const char* n) {
    command.add_flag(n, o.no_pivot, "do not use pivot_root to jail the process inside rootfs (for a ramdisk root)");
  });
  ctx.option("--no-new-keyring", [&](const char* n) {
    command.add_flag(n, o.no_new_keyring, "do not create a new session keyring for the container");
  });
  ctx.option("--preserve-fds", [&](const char* n) {
    command.add_option(n, o.preserve_fds, "pass N additional file descriptors to the container (fds 3 .. 3+N-1)")
        ->check(CLI::Range(0, 1 << 20));
  });
  ctx.option("--overlay-rootfs", [&](const char* n) {
    command.add_flag(n, o.overlay_rootfs,
                     "mount root.path read-only under a private writable overlay (the bundle is never written)");
  });
  ctx.option("--overlay-dir", [&](const char* n) {
    command.add_option(n, o.overlay_dir,
                       "directory for the overlay's upper and work dirs (default: the container's state dir)");
  });
  add_id_argument(command, o.id);
}

void read_systemd_environment(CreateOptions& o) {
  if (const char* s = std::getenv("NOTIFY_SOCKET")) o.notify_socket = s;
  o.listen_fds = inherited_listen_fds(std::getenv("LISTEN_FDS"), std::getenv("LISTEN_PID"), ::getpid());
  if (const char* names = std::getenv("LISTEN_FDNAMES"); names && o.listen_fds > 0) o.listen_fdnames = names;
}

void add_id_argument(CLI::App& command, std::string& id) {
  command.add_option("container-id", id, "the container's unique name on this host")->required();
}

void refuse_unknown_flag(const std::string& verb, const std::string& first_word) {
  if (first_word.size() > 1 && first_word[0] == '-')
    throw Error(verb + ": unknown flag " + quote(first_word) + " (see 'hull " + verb + " --help')");
}

Verb id_only_verb(CLI::App& app, Context& ctx, const std::string& name, const std::string& help,
                  void (*operation)(const GlobalOptions&, const std::string&)) {
  auto* command = app.add_subcommand(name, help);
  auto id = std::make_shared<std::string>();
  add_id_argument(*command, *id);
  return {command, [&ctx, id, operation] {
            operation(ctx.global, *id);
            return 0;
          }};
}

}  // namespace hull::cli
