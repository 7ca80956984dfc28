#pragma once
// Semantic checks on a parsed config that must hold before `create` has any
// side effect, so a bad config never leaves half a container behind.
#include <string>

#include "spec/spec.hpp"

namespace hull::spec {

// Throws hull::Error "<file>: <JSON path>: <problem>" for the first problem
// found, e.g.
//   config.json: .hostname: requires a new uts namespace, but .linux.namespaces has no "uts" entry
void validate_for_create(const Spec& spec, const std::string& file_name = "config.json");

// The same checks of a process that `exec --process` reads from a file (the
// object itself, so JSON paths start at "."): args, an absolute cwd, ids in
// runc's range, KEY=VALUE environment, rlimits.
void validate_exec_process(const Process& process, const std::string& file_name);

}  // namespace hull::spec
