#include "cli/args.hpp"

namespace hull::cli {

std::vector<std::string> normalize_single_dash(std::vector<std::string> args, const FlagSet& global,
                                               const std::map<std::string, FlagSet>& verbs) {
  const FlagSet* flags = &global;
  bool seen_verb = false;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string& arg = args[i];
    if (arg == "--") break;
    if (arg.size() < 2 || arg[0] != '-') {
      if (seen_verb) break;  // the container id: the rest is positional
      seen_verb = true;
      auto it = verbs.find(arg);
      if (it != verbs.end()) flags = &it->second;
      continue;
    }
    bool single = arg[1] != '-';
    size_t eq = arg.find('=');
    std::string name = arg.substr(single ? 1 : 2, eq == std::string::npos ? std::string::npos : eq - (single ? 1 : 2));
    if (single && name.size() > 1 && flags->long_names.count(name) != 0) arg = "-" + arg;
    // "-root /x": skip the value so "/x" is not taken for the verb or the id.
    if (eq == std::string::npos && flags->with_value.count(name) != 0) ++i;
  }
  return args;
}

}  // namespace hull::cli
