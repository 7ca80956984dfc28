#include "cli/app.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/build_info.hpp"
#include "cli/args.hpp"
#include "runtime/features.hpp"
#include "runtime/rootless.hpp"

namespace hull::cli {

// The verbs, in help order. A new verb is one file cmd_<name>.cpp defining
// setup_<name>(CLI::App&, Context&) and one entry here (and its page's
// description in man/commands.yaml).
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
  X(checkpoint)       \
  X(restore)          \
  X(spec)             \
  X(features)         \
  X(verify)

#define HULL_DECLARE_VERB(name) Verb setup_##name(CLI::App& app, Context& ctx);
HULL_VERBS(HULL_DECLARE_VERB)
#undef HULL_DECLARE_VERB

// runc's layout ("runc version 1.1.5\ncommit: ...\nspec: ...\n..."), one
// "key: value" per line after the first, so scripts written for runc parse it.
std::string version_text() {
  return std::string("hull version ") + build_info::version() + "\ncommit: " + build_info::commit() +
         "\nbuild: " + build_info::build_type() + "\nfeatures: " + build_info::features() +
         "\nspec: " + features::spec_version() + "\nlibseccomp: " + features::libseccomp_version();
}

// runc's switch takes "" as text too (--log-format= from a wrapper).
std::string normalize_log_format(std::string& v) {
  if (v.empty()) v = "text";
  return v == "text" || v == "json" ? std::string() : "expected text or json, got " + quote(v);
}

namespace {

// runc's parseBoolOrAuto: "" or "auto" in any case, else a Go boolean;
// rewritten to auto, true or false. Returns CLI11's error text, empty when valid.
std::string normalize_rootless_value(std::string& v) {
  std::string lower = v;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower.empty() || lower == "auto") {
    v = "auto";
    return "";
  }
  std::optional<bool> b = parse_go_bool(v);
  if (!b) return "expected auto, true or false (or 1, t, 0, f...), got " + quote(v);
  v = *b ? "true" : "false";
  return "";
}

// Every true/false flag reads "--flag=value" as runc's do: a Go boolean, or
// the command line is refused. CLI11 took "yes", "on", "2" for true and
// "no", "off", "-1" for false, so `--no-new-privs=-1` cleared what the
// container set where runc refuses the line. With `words` (the command
// line), only the flags given a value there get the check: a bare flag
// reads "true", and the check's objects were 4 % of the instructions of a
// command that failed at once (`delete -f`, measured with lackey).
void take_go_booleans(CLI::App& app, const std::vector<std::string>* words) {
  std::vector<std::string> valued;  // names given "=value", as "-x" / "--name" would name them
  if (words)
    for (const std::string& w : *words) {
      const size_t eq = w.find('=');
      if (w.size() < 2 || w[0] != '-' || eq == std::string::npos) continue;
      const size_t start = w[1] == '-' ? 2 : 1;
      valued.push_back(w.substr(start, eq - start));
    }
  if (words && valued.empty()) return;
  auto given_a_value = [&](const CLI::Option* o) {
    return !words || std::any_of(valued.begin(), valued.end(), [o](const std::string& n) {
      return n.size() == 1 ? o->check_sname(n) : o->check_lname(n);
    });
  };
  const CLI::Validator go_bool(
      [](std::string& v) -> std::string {
        std::optional<bool> b = parse_go_bool(v);
        if (!b) return invalid_boolean_value(v);
        v = *b ? "true" : "false";
        return "";
      },
      "");
  auto take = [&](CLI::App& level) {
    for (CLI::Option* o : level.get_options())
      if (o->get_items_expected_max() == 0 && o != level.get_help_ptr() && o != level.get_version_ptr() &&
          given_a_value(o))
        o->transform(go_bool);
  };
  take(app);
  for (CLI::App* verb : app.get_subcommands({})) take(*verb);
}

// A text option rewritten by `normalize` (which returns the refusal, empty
// when valid), the last occurrence taken, as runc takes it: CLI11 checks
// each occurrence with a validator before it takes the last, and refused
// `--log-format bogus --log-format json`, so the check runs on the one taken.
void add_last_wins_option(CLI::App& app, const char* name, std::string& into, std::string (*normalize)(std::string&),
                          const char* values, const char* help) {
  app.add_option_function<std::string>(
         name,
         [&into, normalize, name](const std::string& given) {
           std::string value = given;
           if (std::string problem = normalize(value); !problem.empty()) throw CLI::ValidationError(name, problem);
           into = std::move(value);
         },
         help)
      ->type_name(std::string("TEXT:") + values);
}

// The global flags (those no word names left out, see Context::may_name),
// then the version flag.
void add_global_flags(CLI::App& app, Context& ctx) {
  ctx.option("--root", [&](const char* n) {
    app.add_option(n, ctx.global.root,
                   "directory for the containers' state (default /run/hull; rootless: $XDG_RUNTIME_DIR/hull)");
  });
  ctx.option("--rootless", [&](const char* n) {
    add_last_wins_option(app, n, ctx.rootless, normalize_rootless_value, "auto|true|false",
                         "run as an unprivileged user: auto (when not root, or root in a user namespace), true or "
                         "false (see docs/rootless.md)");
  });
  ctx.option("--log", [&](const char* n) {
    app.add_option(n, ctx.log_path, "append log lines to this file (default: stderr)");
  });
  ctx.option("--log-format", [&](const char* n) {
    add_last_wins_option(app, n, ctx.log_format, normalize_log_format, "{text,json}", "log format: text or json");
  });
  ctx.option("--debug", [&](const char* n) { app.add_flag(n, ctx.global.debug, "enable debug logging"); });
  ctx.option("--systemd-cgroup", [&](const char* n) {
    app.add_flag(n, ctx.global.systemd_cgroup,
                 "manage cgroups through systemd (cgroupsPath \"slice:prefix:name\"; pure cgroup v2 hosts only)");
  });
  ctx.option("--criu", [&](const char* n) {
    app.add_option(n, ctx.global.criu, "the criu binary checkpoint and restore run (default: criu on PATH)");
  });
  app.set_version_flag("-v,--version", version_text, "print the version");
}

}  // namespace

void resolve_rootless(const CLI::App& app, Context& ctx) {
  // Asked only by the verbs that set a process up (GlobalOptions::rootless,
  // unprivileged): for root it reads /proc/self/uid_map, some 20 µs as a
  // process's first /proc read, which state, start, kill and delete skip.
  bool sets_up = false;
  for (const CLI::App* verb : app.get_subcommands()) {  // those parsed
    const std::string& name = verb->get_name();
    sets_up |= name == "create" || name == "run" || name == "exec";
  }
  if (sets_up) {
    ctx.global.rootless = rootless_mode(ctx.rootless);
    ctx.global.unprivileged = ctx.rootless == "auto" ? ctx.global.rootless : rootless_mode("auto");
  }
  // Not defined: no word named it (define_app_for).
  const CLI::Option* root = app.get_option_no_throw("--root");
  if (root == nullptr || root->count() == 0) {
    ctx.global.root = default_state_root();
  } else if (!ctx.global.root.empty() && ctx.global.root[0] != '/') {
    // Absolute, as runc makes it: state.json and the init (which starts in
    // the bundle) name paths under it.
    char cwd[PATH_MAX];
    if (::getcwd(cwd, sizeof cwd) == nullptr) throw_errno("--root " + quote(ctx.global.root) + ": getcwd");
    ctx.global.root = std::string(cwd) + "/" + ctx.global.root;
  }
}

namespace {

// Adds the verbs, all of them or only the one named `only`.
std::vector<Verb> add_verbs(CLI::App& app, Context& ctx, const std::string& only) {
  std::vector<Verb> verbs;
#define HULL_ADD_VERB(name) \
  if (only.empty() || only == #name) verbs.push_back(setup_##name(app, ctx));
  HULL_VERBS(HULL_ADD_VERB)
#undef HULL_ADD_VERB
  return verbs;
}

void add_app_flags(CLI::App& app, Context& ctx) {
  app.fallthrough();  // global flags are also accepted after the verb
  // A flag given twice takes its last value, as runc's (Go's flag package)
  // does: podman passes --log-format=json and a user's --runtime-flag may
  // pass it again. Options that collect (--env, --cap) still keep every
  // value. Verbs copy this default when they are added.
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.require_subcommand(0, 1);
  add_global_flags(app, ctx);
}

// The verb define_app_for defines alone, or "" for all of them.
std::string only_verb(const CLI::App& app, const std::vector<std::string>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help" || a == "-v" || a == "--version" || a == "--") return "";
    if (a.size() < 2 || a[0] != '-') {
      bool known = false;
#define HULL_KNOWN_VERB(name) known = known || a == #name;
      HULL_VERBS(HULL_KNOWN_VERB)
#undef HULL_KNOWN_VERB
      return known ? a : "";
    }
    if (a.find('=') != std::string::npos) continue;
    // "-root /x" or "--root /x": skip the value, which could be a verb's name.
    std::string name = a.substr(a[1] == '-' ? 2 : 1);
    for (const CLI::Option* o : app.get_options())
      if (o->get_items_expected_min() > 0 && o->check_lname(name)) {
        ++i;
        break;
      }
  }
  return "";
}

}  // namespace

std::vector<Verb> define_app(CLI::App& app, Context& ctx) {
  add_app_flags(app, ctx);
  std::vector<Verb> verbs = add_verbs(app, ctx, "");
  take_go_booleans(app, nullptr);
  return verbs;
}

std::vector<Verb> define_app_for(CLI::App& app, Context& ctx, const std::vector<std::string>& args) {
  // The global flags the line names first: only_verb needs those that take
  // a value, to skip it.
  ctx.words = &args;
  add_app_flags(app, ctx);
  std::string verb = only_verb(app, args);
  // One verb, and no help anywhere (`hull exec --help` lists all its options).
  if (verb.empty() || ctx.may_name("-h,--help")) {
    // The whole app: every global flag, in their order (for the help).
    ctx.words = nullptr;
    for (CLI::Option* o : app.get_options())
      if (o != app.get_help_ptr() && o != app.get_version_ptr()) app.remove_option(o);
    add_global_flags(app, ctx);
  } else {
    // No -h on the line: neither the app nor the verb needs the flag, and a
    // verb copies its parent's by name through an std::ostringstream, which
    // builds the C++ locale (cli/cli11.hpp).
    app.set_help_flag();
  }
  std::vector<Verb> verbs = add_verbs(app, ctx, verb);
  take_go_booleans(app, &args);
  ctx.words = nullptr;
  return verbs;
}

bool Context::may_name(std::string_view names) const {
  if (words == nullptr) return true;
  while (!names.empty()) {
    size_t comma = names.find(',');
    std::string_view name = names.substr(0, comma);
    names = comma == std::string_view::npos ? std::string_view() : names.substr(comma + 1);
    if (name.starts_with("--")) {
      std::string_view lname = name.substr(2);
      for (const std::string& w : *words) {
        std::string_view rest = w;
        if (rest.starts_with("--"))
          rest.remove_prefix(2);
        else if (rest.starts_with("-"))
          rest.remove_prefix(1);
        else
          continue;
        if (rest.starts_with(lname) && (rest.size() == lname.size() || rest[lname.size()] == '=')) return true;
      }
    } else if (name.size() == 2 && name[0] == '-') {
      for (const std::string& w : *words) {
        if (w.size() >= 2 && w[0] == '-' && w[1] != '-' && w.find(name[1], 1) != std::string::npos) return true;
        if (w.size() >= 3 && w.starts_with("--") && w[2] == name[1] && (w.size() == 3 || w[3] == '=')) return true;
      }
    } else {
      return true;  // a positional, or a form not known here
    }
  }
  return false;
}

}  // namespace hull::cli
