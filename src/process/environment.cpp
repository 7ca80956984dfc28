#include "process/environment.hpp"

#include <string_view>
#include <unordered_map>

namespace hull::process {
namespace {

std::string_view name_of(const std::string& entry) {
  return std::string_view(entry).substr(0, entry.find('='));
}

}  // namespace

std::vector<std::string> unique_names(const std::vector<std::string>& env) {
  std::vector<std::string> out;
  out.reserve(env.size());
  // Name -> its entry in `out`; the names are views into `env`, which
  // outlives the map. A scan of `out` per entry took 7 s for 50,000 entries.
  std::unordered_map<std::string_view, size_t> at;
  at.reserve(env.size());
  for (const std::string& e : env) {
    const auto [it, added] = at.try_emplace(name_of(e), out.size());
    if (added)
      out.push_back(e);
    else
      out[it->second] = e;
  }
  return out;
}

}  // namespace hull::process
