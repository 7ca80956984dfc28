#pragma once
// Host paths the runtime connects to for a container (the console socket,
// the seccomp agent): connected by the runtime before the container's process
// changes its root or namespaces.
#include <string>

#include "base/unique_fd.hpp"

namespace hull {

// A connected AF_UNIX stream socket; `what` names it in errors.
UniqueFd connect_unix(const std::string& path, const std::string& what);

}  // namespace hull
