#pragma once
// linux.sysctl: only keys that belong to a namespace the container owns.
#include <map>
#include <string>

#include "spec/spec.hpp"

namespace hull::process {

// Path under /proc/sys for a key: dots become slashes unless the key already
// uses slashes (then dots are part of names, e.g. a "eth0.100" interface).
// Throws on ".." or empty components.
std::string sysctl_path(const std::string& key);

// Validates every key against the config's namespaces (the matching one must
// be created, not joined by path: joining means sharing with someone else),
// then writes them under /proc/sys. Runs after pivot_root, so /proc/sys is the
// container's own proc.
void check_sysctls(const spec::Spec& spec);
void apply_sysctls(const std::map<std::string, std::string>& sysctl);

}  // namespace hull::process
