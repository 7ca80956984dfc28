#pragma once
// What a command prints: through stdio, whose stdout main() flushes before
// it exits, not through iostreams, which a hot command never constructs
// (cli/cli11.hpp).
#include <ostream>
#include <string_view>

namespace hull::cli {

// Writes text to stdout, flushed: whoever reads the output (containerd's
// shim, a script) has it before the command goes on or exits.
void print(std::string_view text);

// Writes text and a newline to stderr (unbuffered), with what a terminal
// would act on escaped (base/shown_text.hpp).
void print_error_line(std::string_view text);

// Flushes stdout; where a write to it failed (a full disk, a reader gone
// with SIGPIPE ignored) in a command that succeeded otherwise, says so on
// stderr and returns 1 instead of 0: a caller must not take a cut or empty
// answer for a success. Returns the status to exit with.
int finish_standard_out(int status);

// std::cout / std::cerr, the standard streams constructed on the first call:
// for what writes to an std::ostream (CLI11's help and version, `events`).
std::ostream& standard_out();
std::ostream& standard_err();

}  // namespace hull::cli
