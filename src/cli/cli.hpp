#pragma once
// Shared pieces of the hull command line. Each verb lives in cmd_<verb>.cpp
// and defines setup_<verb>(): it adds a CLI11 subcommand whose flags fill an
// options struct of runtime/operations.hpp, and returns the action that calls
// the one library function behind the verb. main.cpp lists the verbs.
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "cli/args.hpp"
#include "cli/cli11.hpp"

#include "runtime/operations.hpp"

namespace hull::cli {

// Global flags, read by actions after parsing.
struct Context {
  GlobalOptions global;
  std::string log_path;
  std::string log_format = "text";
  std::string rootless = "auto";  // --rootless: auto, true or false

  // While define_app_for defines the one verb a command line names: its
  // words (argv without argv[0]); null otherwise (the whole app, help, the
  // docs). A verb's options that no word can name are then left undefined:
  // CLI11 spends more building an option than parsing the line, and a line
  // gives few of them.
  const std::vector<std::string>* words = nullptr;
  // For the verbs that pass fds 3.. to a container (create, run, exec): the
  // check that the caller really passed them (process::require_caller_fds),
  // run after parsing and before anything opens a file (main.cpp).
  std::map<const CLI::App*, std::function<void()>> check_passed_fds;
  // Whether an option with these CLI11 names ("-e,--env", "--cwd") must be
  // defined: always without `words`; else when a word could name it, the
  // way CLI11 or normalize_single_dash reads words: "--env", "--env=x",
  // "-env", "-env=x", a single-dash word holding the letter ("-e",
  // "-te", "-eFOO=1"), or the letter after two dashes ("--e", "--e=x", as
  // Go takes them). Any doubt defines it: an option defined and not
  // used changes nothing, one left out and named would be "not expected".
  bool may_name(std::string_view names) const;
  // add(names) when may_name(names).
  template <class Add>
  void option(const char* names, Add&& add) const {
    if (may_name(names)) add(names);
  }
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
void add_create_flags(CLI::App& command, CreateOptions& o, const Context& ctx);

// Fills o's systemd fields from the environment: NOTIFY_SOCKET, LISTEN_FDS
// (when LISTEN_PID is ours) and LISTEN_FDNAMES. Called by create and run.
void read_systemd_environment(CreateOptions& o);

// Closes the caller's fds beyond those the container is to get
// (--preserve-fds, LISTEN_FDS), before create opens any of its own: the
// init, cloned without an exec, would hold them until start, where runc's
// init never gets them (its parent marks them close-on-exec, then execs
// it). Keeps hull's log, phase trace and fault list. Called by create and
// run once the log is open.
void close_other_caller_fds(const CreateOptions& o);

// Adds the flags checkpoint and restore share (runc's CRIU flags).
void add_criu_flags(CLI::App& command, CriuOptions& o);

// Adds the required <container-id> positional.
void add_id_argument(CLI::App& command, std::string& id);

// exec and ps take the id from the words their flags left: one that starts
// with "-" is a flag neither knows, refused as runc refuses it (exit 1),
// not looked up as a container.
void refuse_unknown_flag(const std::string& verb, const std::string& first_word);
// "-x", "--xyz", "-5" (Go's flag package takes each for a flag), not "-".
bool looks_like_flag(const std::string& word);

// --preserve-fds N (create, run, exec), read as runc's Go uint flag reads
// it ("0x10", "1_000"; no sign, no spaces). A count the caller cannot have
// open is refused later, naming the first missing fd, as runc refuses it.
void add_preserve_fds_option(CLI::App& command, const char* names, int& count, const std::string& help);

// A verb whose only argument is the container id and whose action is one
// operation (start, pause, resume).
Verb id_only_verb(CLI::App& app, Context& ctx, const std::string& name, const std::string& help,
                  void (*operation)(const GlobalOptions&, const std::string&));

}  // namespace hull::cli
