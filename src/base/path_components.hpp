#pragma once
// The components of a path as the kernel's lookup reads it, for the code
// that must reason about a path before (or instead of) resolving it.
#include <algorithm>
#include <string_view>

namespace hull {

// Calls visit(component) for each component of `path` but the empty ones
// and "." (".." is kept: what it means is the caller's to decide).
template <class F>
void for_each_path_component(std::string_view path, F&& visit) {
  for (size_t i = 0; i < path.size();) {
    const size_t j = std::min(path.find('/', i), path.size());
    const std::string_view c = path.substr(i, j - i);
    if (!c.empty() && c != ".") visit(c);
    i = j + 1;
  }
}

}  // namespace hull
