#include "process/environment.hpp"

#include <string_view>

namespace hull::process {
namespace {

std::string_view name_of(const std::string& entry) {
  return std::string_view(entry).substr(0, entry.find('='));
}

}  // namespace

std::vector<std::string> unique_names(const std::vector<std::string>& env) {
  std::vector<std::string> out;
  out.reserve(env.size());
  for (const std::string& e : env) {
    std::string_view name = name_of(e);
    bool replaced = false;
    for (std::string& kept : out) {
      if (name_of(kept) == name) {
        kept = e;
        replaced = true;
        break;
      }
    }
    if (!replaced) out.push_back(e);
  }
  return out;
}

}  // namespace hull::process
