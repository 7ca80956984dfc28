#include "cli/args.hpp"

#include <map>

#include "base/error.hpp"

namespace hull::cli {

std::string unknown_flag_message(const std::string& verb, const std::string& flag) {
  return verb + ": unknown flag " + quote(flag);
}

std::string invalid_boolean_value(const std::string& value) {
  return "invalid boolean value " + quote(value) + ": expected true or false (or 1, t, 0, f...)";
}

std::optional<bool> parse_go_bool(const std::string& v) {
  static const std::map<std::string, bool> kForms = {
      {"1", true},  {"t", true},  {"T", true},  {"TRUE", true},   {"true", true},   {"True", true},
      {"0", false}, {"f", false}, {"F", false}, {"FALSE", false}, {"false", false}, {"False", false},
  };
  auto it = kForms.find(v);
  return it == kForms.end() ? std::nullopt : std::optional<bool>(it->second);
}

namespace {

// "-v", "--version", "-version" (with or without "=value"); "-h" and its
// forms likewise: the name, "version" or "help", else "".
std::string help_or_version(const std::string& name) {
  if (name == "v" || name == "version") return "version";
  if (name == "h" || name == "help") return "help";
  return "";
}

}  // namespace

bool is_help_flag(const std::string& arg) {
  if (arg.size() < 2 || arg[0] != '-') return false;
  const size_t from = arg[1] == '-' ? 2 : 1;
  const size_t eq = arg.find('=');
  return help_or_version(arg.substr(from, eq == std::string::npos ? std::string::npos : eq - from)) == "help";
}

std::vector<std::string> normalize_single_dash(std::vector<std::string> args, const FlagSet& global,
                                               const std::map<std::string, FlagSet>& verbs) {
  const FlagSet* flags = &global;
  std::string verb;
  bool seen_verb = false;
  bool process_args_follow_id = false;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string& arg = args[i];
    if (arg == "--") {
      // `exec -- ID CMD...`: Go's flag parsing ends at "--" and runc takes
      // the id after it; CLI11 would take every word after it for a
      // positional exec does not have.
      if (process_args_follow_id) args.erase(args.begin() + static_cast<std::ptrdiff_t>(i));
      break;
    }
    if (arg.size() < 2 || arg[0] != '-') {
      if (!seen_verb) {
        seen_verb = true;
        process_args_follow_id = arg == "exec" || arg == "ps";
        auto it = verbs.find(arg);
        if (it != verbs.end()) flags = &it->second, verb = arg;
      } else if (process_args_follow_id) {
        break;  // the container id: the rest is the process's
      }
      continue;
    }
    bool single = arg[1] != '-';
    size_t eq = arg.find('=');
    const bool empty_value = eq != std::string::npos && eq + 1 == arg.size();
    std::string name = arg.substr(single ? 1 : 2, eq == std::string::npos ? std::string::npos : eq - (single ? 1 : 2));
    const std::string builtin = help_or_version(name);
    const bool cluster = single && name.size() > 1 && builtin.empty() && flags->long_names.count(name) == 0 &&
                         name.find_first_of("vh") != std::string::npos;
    if (!verb.empty() && (builtin == "version" || cluster))
      throw RefusedFlagValue(unknown_flag_message(verb, arg.substr(0, eq)), verb);
    if (!builtin.empty() && eq != std::string::npos) {
      const std::optional<bool> given = parse_go_bool(arg.substr(eq + 1));
      if (!given) throw RefusedFlagValue("--" + builtin + ": " + invalid_boolean_value(arg.substr(eq + 1)), verb);
      if (!*given) {
        args.erase(args.begin() + static_cast<std::ptrdiff_t>(i--));
        continue;
      }
      arg = "--" + builtin;
      continue;
    }
    if (eq != std::string::npos && flags->with_value.count(name) == 0 &&
        (flags->long_names.count(name) != 0 || flags->long_of_short.count(name) != 0)) {
      const std::string value = arg.substr(eq + 1);
      const std::string shown = name.size() == 1 ? "-" + name : "--" + name;
      if (value.empty() || value == "{}") throw RefusedFlagValue(shown + ": " + invalid_boolean_value(value), verb);
    }
    if (single && name.size() > 1 && flags->long_names.count(name) != 0) arg = "-" + arg;
    // "-q=false", and "--f" / "--e=A" (Go takes one or two dashes for any
    // flag): the long form, which CLI11 reads with or without "=".
    if (name.size() == 1 && (!single || eq != std::string::npos)) {
      auto it = flags->long_of_short.find(name);
      if (it != flags->long_of_short.end()) arg = "--" + it->second + (eq == std::string::npos ? "" : arg.substr(eq));
    }
    // "-root /x": skip the value so "/x" is not taken for the verb or the id.
    if (eq == std::string::npos && flags->with_value.count(name) != 0) ++i;
    // "--memory=": given, and empty, as Go reads it (update takes "" as not
    // given); CLI11 would take the next word, the id, for its value.
    if (empty_value && flags->with_value.count(name) != 0) {
      arg.pop_back();
      args.insert(args.begin() + static_cast<std::ptrdiff_t>(i) + 1, std::string());
      ++i;
    }
  }
  return args;
}

}  // namespace hull::cli
