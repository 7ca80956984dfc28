#pragma once
// hull's whole command line as one CLI11 app: the global flags and every
// verb. main.cpp parses argv with it; tools/gen_cli_docs walks the same app
// (without running it) to write the man pages and the shell completion, so
// --help, the pages and the completion cannot disagree.
#include <string>
#include <vector>

#include "cli/cli.hpp"

namespace hull::cli {

// The app's name and one-line description (`hull --help`, NAME of hull(8)).
inline constexpr const char* kAppName = "hull";
inline constexpr const char* kAppDescription = "hull: an OCI container runtime";

// Adds the global flags and the verbs, in help order, to app; each verb's
// action reads ctx after parsing.
std::vector<Verb> define_app(CLI::App& app, Context& ctx);

// After parsing: rootless mode from --rootless, and the state root's
// default for it when --root was not given.
void resolve_rootless(const CLI::App& app, Context& ctx);

// `hull --version`.
std::string version_text();

}  // namespace hull::cli
