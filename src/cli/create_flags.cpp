#include <unistd.h>

#include <cstdlib>
#include <memory>

#include "base/error.hpp"
#include "base/fault.hpp"
#include "base/log.hpp"
#include "base/phase_trace.hpp"
#include "cli/cli.hpp"
#include "process/fds.hpp"
#include "runtime/systemd_passthrough.hpp"
#include "runtime/units.hpp"

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
  ctx.option("--pidfd-socket", [&](const char* n) {
    command.add_option(n, o.pidfd_socket, "AF_UNIX socket path receiving a pidfd of the container's init");
  });
  ctx.option("--no-pivot", [&](const char* n) {
    command.add_flag(n, o.no_pivot, "do not use pivot_root to jail the process inside rootfs (for a ramdisk root)");
  });
  ctx.option("--no-new-keyring", [&](const char* n) {
    command.add_flag(n, o.no_new_keyring, "do not create a new session keyring for the container");
  });
  ctx.option("--preserve-fds", [&](const char* n) {
    add_preserve_fds_option(command, n, o.preserve_fds,
                            "pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N in total)");
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

void close_other_caller_fds(const CreateOptions& o) {
  const int own[] = {log::fd(), phase_trace_fd(), fault_list_fd()};
  process::close_fds_from_except(3 + o.listen_fds + o.preserve_fds, own);
}

void add_id_argument(CLI::App& command, std::string& id) {
  command.add_option("container-id", id, "the container's unique name on this host")->required();
}

void add_preserve_fds_option(CLI::App& command, const char* names, int& count, const std::string& help) {
  // Far above any fd table (the kernel's nr_open stops below 2^31), and
  // small enough that 3 + LISTEN_FDS + N fits an int.
  constexpr uint64_t kMaxCount = uint64_t{1} << 30;
  auto go_uint = [](std::string& value) -> std::string {
    try {
      uint64_t n = parse_go_uint(value, 0);
      if (n > kMaxCount) return quote(value) + " is more fds than a process can have open";
      value = std::to_string(n);
      return {};
    } catch (const std::exception& e) {
      return e.what();
    }
  };
  command.add_option(names, count, help)->transform(CLI::Validator(go_uint, "N"));
}

bool looks_like_flag(const std::string& word) { return word.size() > 1 && word[0] == '-'; }

void refuse_unknown_flag(const std::string& verb, const std::string& first_word) {
  if (looks_like_flag(first_word))
    throw Error(unknown_flag_message(verb, first_word) + " (see 'hull " + verb + " --help')");
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
