// hull: the command line. Parses argv with CLI11 (runc's verbs, flags and
// exit codes), configures logging, then runs one verb's action. All container
// work happens in the library; this file only turns outcomes into output.
#include <sys/prctl.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/log.hpp"
#include "base/phase_trace.hpp"
#include "base/sanitizers.hpp"
#include "base/standard_fds.hpp"
#include "base/startup_environment.hpp"
#include "cli/app.hpp"
#include "cli/args.hpp"
#include "cli/cli.hpp"
#include "cli/output.hpp"

namespace hull::cli {

namespace {

void add_flags(const CLI::App& command, FlagSet& set) {
  for (const CLI::Option* o : command.get_options()) {
    bool takes_value = o->get_items_expected_min() > 0;
    for (const auto& n : o->get_lnames()) {
      set.long_names.insert(n);
      if (takes_value) set.with_value.insert(n);
    }
    for (const auto& n : o->get_snames()) {
      if (takes_value) set.with_value.insert(n);
      if (!o->get_lnames().empty()) set.long_of_short.emplace(n, o->get_lnames().front());
    }
  }
}

// Global flags, and per verb the global ones plus its own (for
// normalize_single_dash).
std::map<std::string, FlagSet> verb_flags(const CLI::App& app, FlagSet& global) {
  add_flags(app, global);
  std::map<std::string, FlagSet> verbs;
  for (const CLI::App* sub : app.get_subcommands({})) {
    FlagSet& set = verbs[sub->get_name()] = global;
    add_flags(*sub, set);
  }
  return verbs;
}

// A failed command: one line on stderr, and the log line containerd's shim
// reads when --log is set (as runc does; without --log the line would only
// repeat the message on stderr).
int fail(const std::string& message) {
  if (log::to_file()) log::error(message);
  print_error_line(message);
  return 1;
}

// runc's status for an unknown command (urfave/cli's), also with -h after it.
constexpr int kUnknownCommandStatus = 3;

// A flag's name without its dashes and "=value".
std::string flag_name(const std::string& flag) {
  const size_t start = flag.find_first_not_of('-');
  return start == std::string::npos ? "" : flag.substr(start, flag.find('=') - start);
}

bool is_global_flag(const std::string& flag, const FlagSet& global) {
  const std::string name = flag_name(flag);
  return global.long_names.count(name) || global.long_of_short.count(name) || global.with_value.count(name);
}

// What comes before the command: the command word, the first word that is
// neither a flag nor a global flag's value (`hull --root /run/x pauze c1`
// names "pauze", not "/run/x"), unless -h/--help comes first (`hull -h
// pauze` shows the usage, as runc does; -v/--version the version) or a
// flag that is no global flag:
// runc (Go's flag package) stops at that one with "flag provided but not
// defined", status 1, since whether the next word is its value cannot be
// told (`--cgroup-manager cgroupfs list` must not name "cgroupfs").
struct BeforeCommand {
  std::optional<size_t> command;
  std::optional<std::string> unknown_flag;
  // --log and --log-format as CLI11 would set them (the last one given
  // wins): for a refusal made before it parses them (an unknown command),
  // which the log gets too.
  std::optional<std::string> log_path, log_format;
};

BeforeCommand scan_before_command(const std::vector<std::string>& args, const FlagSet& global) {
  BeforeCommand seen;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help" || a == "-v" || a == "--version") return {};
    if (a == "--") {
      if (i + 1 < args.size()) seen.command = i + 1;
      return seen;
    }
    if (!looks_like_flag(a)) {
      seen.command = i;
      return seen;
    }
    if (!is_global_flag(a, global)) return {std::nullopt, a.substr(0, a.find('=')), std::nullopt, std::nullopt};
    const std::string name = flag_name(a);
    const size_t eq = a.find('=');
    std::optional<std::string>* into = name == "log"          ? &seen.log_path
                                       : name == "log-format" ? &seen.log_format
                                                              : nullptr;
    if (eq != std::string::npos) {
      if (into) *into = a.substr(eq + 1);
    } else if (global.with_value.count(name) && ++i < args.size() && into) {
      *into = args[i];
    }
  }
  return {};
}

std::optional<size_t> command_word_at(const std::vector<std::string>& args, const FlagSet& global) {
  return scan_before_command(args, global).command;
}

std::optional<std::string> command_word(const std::vector<std::string>& args, const FlagSet& global) {
  if (auto i = command_word_at(args, global)) return args[*i];
  return std::nullopt;
}

// runc's `help` command (urfave/cli's, also `h`): `hull help [VERB]` is
// `hull [VERB] --help`. The word at `at` is replaced in place, so global
// flags around it (and their values: `--log help help`) stay as they were.
void rewrite_help_command(std::vector<std::string>& args, size_t at, const std::map<std::string, FlagSet>& verbs) {
  if (at + 1 < args.size() && verbs.count(args[at + 1])) {
    args[at] = args[at + 1];
    args[at + 1] = "--help";
  } else {
    args[at] = "--help";
  }
}

// A failure before the log is configured (a command line refused, a
// --preserve-fds check) after --log was read: the log gets the line too,
// as runc writes every failure there, for the engines that show the
// runtime's last logged error (containerd's shim, conmon). A log that
// cannot be opened is left out: the message is on stderr anyway.
void log_early_error(const Context& ctx, const std::string& message) {
  if (ctx.log_path.empty()) return;
  try {
    log::configure(ctx.log_path, ctx.log_format == "json", false);
    log::error(message);
  } catch (const std::exception&) {}
}

// A command line refused before CLI11 parses it, as a usage error; the
// help of `verb` where a flag of it was refused.
int refuse_command_line(const Context& ctx, const std::string& message, int status, const std::string& verb = "") {
  log_early_error(ctx, message);
  print_error_line("hull: " + message);
  print_error_line("Run 'hull " + (verb.empty() ? "" : verb + " ") + "--help' for usage.");
  return status;
}

int unknown_command(const Context& ctx, const std::string& word) {
  return refuse_command_line(ctx, "unknown command " + quote(word), kUnknownCommandStatus);
}

// `hull help nosuch`: runc's "No help topic for 'nosuch'", and its status.
int no_help_topic(const Context& ctx, const std::string& word) {
  return refuse_command_line(ctx, "no help topic for " + quote(word) + ": it is not a command", kUnknownCommandStatus);
}

// CLI11's parse errors, reworded where its wording does not say what to do.
int usage_error(const CLI::App& app, const CLI::ParseError& e, const std::vector<std::string>& args,
                const FlagSet& global, const Context& ctx) {
  const CLI::App* verb = nullptr;
  for (const CLI::App* sub : app.get_subcommands()) verb = sub;
  if (std::optional<std::string> flag = scan_before_command(args, global).unknown_flag) {
    return refuse_command_line(ctx, "unknown global flag " + quote(*flag), 1);
  }
  if (verb == nullptr && dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr)
    if (auto word = command_word(args, global)) return unknown_command(ctx, *word);
  std::string message = e.what();
  // CLI11 lists every word it could not place, the container id a flag's
  // value pushed out among them ("update --memroy 10m web"): the flag
  // the verb does not know is the mistake to name.
  if (verb != nullptr && dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
    const std::vector<std::string> extras = app.remaining(true);
    for (const std::string& word : args)
      if (looks_like_flag(word) && std::find(extras.begin(), extras.end(), word) != extras.end()) {
        message = unknown_flag_message(verb->get_name(), word);
        break;
      }
  }
  log_early_error(ctx, message);
  // A global flag's value refused ("--log-format: ..."): the verb's help
  // does not list it.
  const bool about_global = std::any_of(global.long_names.begin(), global.long_names.end(), [&](const std::string& n) {
    return message.starts_with("--" + n + ":") || message.find(" --" + n + " ") != std::string::npos;
  });
  std::string help = verb && !about_global ? "hull " + verb->get_name() + " --help" : "hull --help";
  print_error_line("hull: " + message);
  print_error_line("Run '" + help + "' for usage.");
  return 1;
}

int run(int argc, char** argv) {
  Context ctx;
  CLI::App app(kAppDescription, kAppName);
  std::vector<std::string> args(argv + 1, argv + argc);
  // Only the verb named: CLI11 building all 18 verbs' options was 57 % of the
  // instructions `hull run` executed before its clone.
  std::vector<Verb> verbs = define_app_for(app, ctx, args);

  FlagSet global_flags;
  auto flags = verb_flags(app, global_flags);
  try {
    args = normalize_single_dash(std::move(args), global_flags, flags);
  } catch (const RefusedFlagValue& e) {
    return refuse_command_line(ctx, e.what(), 1, e.verb);
  }
  // Before CLI11 sees it: `hull pauze -h` would print the usage and exit 0.
  if (BeforeCommand before = scan_before_command(args, global_flags);
      before.command && !flags.count(args[*before.command])) {
    const size_t at = *before.command;
    if (before.log_path) ctx.log_path = *before.log_path;
    if (before.log_format) ctx.log_format = *before.log_format;
    // runc checks it before the command word, as CLI11 would after.
    if (std::string problem = normalize_log_format(ctx.log_format); !problem.empty())
      return refuse_command_line(ctx, "--log-format: " + problem, 1);
    const auto is_help = [](const std::string& word) { return word == "help" || word == "h"; };
    if (!is_help(args[at])) return unknown_command(ctx, args[at]);
    // `help help ...`: the help, as runc gives its help command's own,
    // whatever follows (runc reads no word after a topic).
    if (at + 1 < args.size() && is_help(args[at + 1])) args.resize(at + 1);
    if (at + 1 < args.size()) {
      const std::string& next = args[at + 1];
      // runc's help command has no flag but its own -h: `help --debug` is
      // refused (exit 1), not answered with the help.
      if (next.size() > 1 && next[0] == '-' && next != "--" && !is_help_flag(next))
        return refuse_command_line(ctx, unknown_flag_message("help", next.substr(0, next.find('='))), 1);
      if (!flags.count(next) && (next == "-" || !next.starts_with("-"))) return no_help_topic(ctx, next);
    }
    rewrite_help_command(args, at, flags);
  }
  try {
    app.parse(std::vector<std::string>(args.rbegin(), args.rend()));  // CLI11 wants them reversed
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e, standard_out(), standard_err());
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e, standard_out(), standard_err());
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e, standard_out(), standard_err());
  } catch (const CLI::ParseError& e) {
    return usage_error(app, e, args, global_flags, ctx);
  }

  auto fail_early = [&](const std::string& message) {
    log_early_error(ctx, message);
    print_error_line(message);
  };
  try {
    resolve_rootless(app, ctx);  // a relative --root needs the working directory, which may be gone
  } catch (const std::exception& e) {
    fail_early(e.what());
    return 1;
  }
  for (const Verb& verb : verbs) {
    auto check = ctx.check_passed_fds.find(verb.command);
    if (!verb.command->parsed() || check == ctx.check_passed_fds.end()) continue;
    try {
      check->second();  // before the log file: it could take a number the caller left closed
    } catch (const ExitError& e) {
      fail_early(e.what());
      return e.status;
    } catch (const std::exception& e) {
      fail_early(e.what());
      return 1;
    }
  }
  try {
    log::configure(ctx.log_path, ctx.log_format == "json", ctx.global.debug);
  } catch (const std::exception& e) {
    print_error_line(e.what());
    return 1;
  }
  for (const Verb& verb : verbs) {
    if (!verb.command->parsed()) continue;
    try {
      return verb.run();
    } catch (const ExitError& e) {
      fail(e.what());
      return e.status;
    } catch (const std::exception& e) {
      return fail(e.what());
    }
  }
  print(app.help());  // no verb: like runc, show the usage
  return 0;
}

}  // namespace
}  // namespace hull::cli

int main(int argc, char** argv, char** envp) {
  // First thing: a hull process that joins a container (exec) must never be
  // dumpable, so no container process can open its /proc/<pid>/exe or fds
  // (CVE-2016-9962, CVE-2019-5736). Nothing in hull needs a core dump.
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  hull::record_startup_environment(argc, argv, envp);
  // A caller that ignores SIGCHLD passes that on through execve: the kernel
  // would reap our children itself, the container's processes among them,
  // and a pid we open a pidfd on could be another process's by then.
  struct sigaction default_chld {};
  default_chld.sa_handler = SIG_DFL;
  ::sigaction(SIGCHLD, &default_chld, nullptr);
  // Under a file-size limit (ulimit -f) a write past it would kill hull
  // with SIGXFSZ halfway through a create, a pause or an update, before the
  // roll-back that an EFBIG from the same write gets. Every child resets
  // its dispositions (reset_signal_state, the hooks' own reset), so the
  // container still gets the default.
  ::signal(SIGXFSZ, SIG_IGN);
  hull::open_missing_standard_fds();
  hull::phase_trace_from_env();
  const int status = hull::cli::finish_standard_out(hull::cli::run(argc, argv));
#if defined(HULL_UNDER_ASAN)
  return status;  // LeakSanitizer checks from an exit handler
#else
  // Every command is one short process, and nothing of hull's is undone by
  // a destructor that the kernel's exit does not undo (fds, mounts held by
  // fd, memory): the exit handlers (iostreams, locale, CLI11's static
  // validators) were 25-35 us of every command's 0.55 ms (`hull state`).
  // Output is flushed first (cli/output.hpp writes through stdio, and the
  // streams, where constructed, stay synced with it, so finish_standard_out
  // covers them); the log writes each line with write(2).
  ::_exit(status);
#endif
}
