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

// The app for one command line (argv without argv[0]): when its first word
// that is neither a flag nor a global flag's value ("-root x", "--root=x")
// is a verb's name and no -h/--help/-v/--version comes before that word,
// only that verb is defined beside the global flags; otherwise (no verb, an
// unknown word, help or version) the whole app, as define_app. Building
// every verb's options was most of what `hull run` executed before its
// clone, and a command line runs one verb.
std::vector<Verb> define_app_for(CLI::App& app, Context& ctx, const std::vector<std::string>& args);

// After parsing: rootless mode from --rootless, and the state root's
// default for it when --root was not given.
void resolve_rootless(const CLI::App& app, Context& ctx);

// --log-format's value, "" read as text: CLI11's error text, empty when valid.
std::string normalize_log_format(std::string& v);

// `hull --version`.
std::string version_text();

}  // namespace hull::cli
