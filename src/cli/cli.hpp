#pragma once
// Shared pieces of the hull command line. Each verb lives in cmd_<verb>.cpp
// and defines setup_<verb>(): it adds a CLI11 subcommand whose flags fill an
// options struct of runtime/operations.hpp, and returns the action that calls
// the one library function behind the verb. main.cpp lists the verbs.
#include <functional>
#include <stdexcept>
#include <string>

#include <CLI/CLI.hpp>

#include "runtime/operations.hpp"

namespace hull::cli {

// Global flags, read by actions after parsing.
struct Context {
  GlobalOptions global;
  std::string log_path;
  std::string log_format = "text";
  std::string rootless = "auto";  // --rootless: auto, true or false
};

// Runs the verb; returns the process exit code. Errors are thrown (hull::Error).
using Action = std::function<int()>;

struct Verb {
  CLI::App* command = nullptr;
  Action run;
};

// A failed verb that exits with a status of its own instead of 1.
struct ExitError : std::runtime_error {
  ExitError(const std::string& message, int status) : std::runtime_error(message), status(status) {}
  int status;
};

// Adds "create"'s flags, shared with "run" (as in runc, run = create + start).
void add_create_flags(CLI::App& command, CreateOptions& o);

// Fills o's systemd fields from the environment: NOTIFY_SOCKET, LISTEN_FDS
// (when LISTEN_PID is ours) and LISTEN_FDNAMES. Called by create and run.
void read_systemd_environment(CreateOptions& o);

// Adds the flags checkpoint and restore share (runc's CRIU flags).
void add_criu_flags(CLI::App& command, CriuOptions& o);

// Adds the required <container-id> positional.
void add_id_argument(CLI::App& command, std::string& id);

// A verb whose only argument is the container id and whose action is one
// operation (start, pause, resume).
Verb id_only_verb(CLI::App& app, Context& ctx, const std::string& name, const std::string& help,
                  void (*operation)(const GlobalOptions&, const std::string&));

}  // namespace hull::cli
