// hull: the command line. Parses argv with CLI11 (runc's verbs, flags and
// exit codes), configures logging, then runs one verb's action. All container
// work happens in the library; this file only turns outcomes into output.
#include <sys/prctl.h>

#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/log.hpp"
#include "cli/args.hpp"
#include "cli/cli.hpp"
#include "runtime/features.hpp"

namespace hull::cli {

// The verbs, in help order. A new verb is one file cmd_<name>.cpp defining
// setup_<name>(CLI::App&, Context&) and one entry here.
#define HULL_VERBS(X) \
  X(create)           \
  X(start)            \
  X(run)              \
  X(exec)             \
  X(state)            \
  X(list)             \
  X(kill)             \
  X(delete)           \
  X(pause)            \
  X(resume)           \
  X(update)           \
  X(ps)               \
  X(events)           \
  X(spec)             \
  X(features)         \
  X(verify)

#define HULL_DECLARE_VERB(name) Verb setup_##name(CLI::App& app, Context& ctx);
HULL_VERBS(HULL_DECLARE_VERB)
#undef HULL_DECLARE_VERB

namespace {

std::string version_text() {
  return std::string("hull version ") + HULL_VERSION + "\nspec: " + features::spec_version() +
         "\nlibseccomp: " + features::libseccomp_version();
}

void add_global_flags(CLI::App& app, Context& ctx) {
  app.add_option("--root", ctx.global.root, "directory for the containers' state (default /run/hull)");
  app.add_option("--log", ctx.log_path, "append log lines to this file (default: stderr)");
  app.add_option("--log-format", ctx.log_format, "log format: text or json")
      ->check(CLI::IsMember({"text", "json"}));
  app.add_flag("--debug", ctx.global.debug, "enable debug logging");
  app.add_flag("--systemd-cgroup", ctx.global.systemd_cgroup,
               "manage cgroups through systemd (cgroupsPath \"slice:prefix:name\")");
  app.set_version_flag("-v,--version", version_text, "print the version");
}

void add_flags(const CLI::App& command, FlagSet& set) {
  for (const CLI::Option* o : command.get_options()) {
    bool takes_value = o->get_items_expected_min() > 0;
    for (const auto& n : o->get_lnames()) {
      set.long_names.insert(n);
      if (takes_value) set.with_value.insert(n);
    }
    for (const auto& n : o->get_snames()) {
      if (takes_value) set.with_value.insert(n);
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
  std::cerr << message << std::endl;
  return 1;
}

// CLI11's parse errors, reworded where its wording does not say what to do.
int usage_error(const CLI::App& app, const CLI::ParseError& e, const std::vector<std::string>& args,
                const FlagSet& global) {
  std::string message = e.what();
  const CLI::App* verb = nullptr;
  for (const CLI::App* sub : app.get_subcommands()) verb = sub;
  if (verb == nullptr && dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
    // The first word that is neither a flag nor a global flag's value
    // (`hull --root /run/x pauze c1` names "pauze", not "/run/x").
    for (size_t i = 0; i < args.size(); ++i) {
      const std::string& a = args[i];
      if (a.rfind("--", 0) == 0 && a.find('=') == std::string::npos && global.with_value.count(a.substr(2))) {
        ++i;
        continue;
      }
      if (!a.empty() && a[0] != '-') {
        message = "unknown command " + quote(a);
        break;
      }
    }
  }
  std::string help = verb ? "hull " + verb->get_name() + " --help" : "hull --help";
  std::cerr << "hull: " << message << "\nRun '" << help << "' for usage." << std::endl;
  return 1;
}

int run(int argc, char** argv) {
  Context ctx;
  CLI::App app("hull: an OCI container runtime", "hull");
  app.fallthrough();  // global flags are also accepted after the verb
  app.require_subcommand(0, 1);
  add_global_flags(app, ctx);
  std::vector<Verb> verbs;
#define HULL_ADD_VERB(name) verbs.push_back(setup_##name(app, ctx));
  HULL_VERBS(HULL_ADD_VERB)
#undef HULL_ADD_VERB

  std::vector<std::string> args(argv + 1, argv + argc);
  FlagSet global_flags;
  auto flags = verb_flags(app, global_flags);
  args = normalize_single_dash(std::move(args), global_flags, flags);
  try {
    app.parse(std::vector<std::string>(args.rbegin(), args.rend()));  // CLI11 wants them reversed
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return usage_error(app, e, args, global_flags);
  }

  try {
    log::configure(ctx.log_path, ctx.log_format == "json", ctx.global.debug);
  } catch (const std::exception& e) {
    std::cerr << e.what() << std::endl;
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
  std::cout << app.help();  // no verb: like runc, show the usage
  return 0;
}

}  // namespace
}  // namespace hull::cli

int main(int argc, char** argv) {
  // First thing: a hull process that joins a container (exec) must never be
  // dumpable, so no container process can open its /proc/<pid>/exe or fds
  // (CVE-2016-9962, CVE-2019-5736). Nothing in hull needs a core dump.
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  return hull::cli::run(argc, argv);
}
