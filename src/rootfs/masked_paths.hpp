#pragma once
// linux.maskedPaths and linux.readonlyPaths.
#include <string>
#include <vector>

namespace hull::rootfs {

// Hides each path: a file gets /dev/null bind-mounted over it, a directory an
// empty read-only tmpfs. Missing paths are skipped.
void mask_paths(int rootfd, const std::vector<std::string>& paths);

// Makes each path (and everything mounted below it) read-only with a
// recursive bind of itself. Missing paths are skipped.
void make_readonly_paths(int rootfd, const std::vector<std::string>& paths);

}  // namespace hull::rootfs
