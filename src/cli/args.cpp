#include "cli/args.hpp"

namespace hull::cli {

std::vector<std::string> normalize_single_dash(std::vector<std::string> args,
                                               const std::set<std::string>& long_names) {
  for (auto& arg : args) {
    if (arg == "--") break;
    if (arg.size() < 3 || arg[0] != '-' || arg[1] == '-') continue;
    std::string name = arg.substr(1, arg.find('=') - 1);
    if (long_names.count(name) != 0) arg = "-" + arg;
  }
  return args;
}

}  // namespace hull::cli
