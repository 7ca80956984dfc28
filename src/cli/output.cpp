#include "cli/output.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <ios>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/shown_text.hpp"
#include "cli/cli11.hpp"

namespace hull::cli {

namespace {

// Constructs std::cin, std::cout, std::cerr, std::clog (and their wide
// twins) once. They stay synchronised with stdio, so print() and a stream
// write land in order.
void construct_standard_streams() { static const std::ios_base::Init streams; }

// The errno of the first failed write to stdout: stdio keeps only a flag.
int stdout_errno = 0;

void note_stdout_failure() {
  if (stdout_errno == 0) stdout_errno = errno != 0 ? errno : EIO;
}

}  // namespace

void print(std::string_view text) {
  // Past stdio (after what it holds): its write to a non-blocking stdout
  // (a flag shared with the caller: a Node parent's pipe) fails on a full
  // pipe, where write_all waits for room.
  errno = 0;
  if (std::fflush(stdout) != 0) note_stdout_failure();
  try {
    write_all(STDOUT_FILENO, text, "standard output");
  } catch (const Error& e) {
    errno = e.code();
    note_stdout_failure();
  }
}

int finish_standard_out(int status) {
  // errno as the last write left it: a stream's (CLI11's help and version)
  // failed write is the last system call before this one.
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) note_stdout_failure();
  // A failed command said why already (events names its failed write).
  if (stdout_errno == 0 || status != 0) return status;
  print_error_line(Error("write standard output", stdout_errno).what());
  return 1;
}

void print_error_line(std::string_view raw) {
  // Messages carry values from configs, clients and containers: whatever
  // was not quote()d is made safe here, once, for the terminal.
  const std::string text = shown_text(raw);
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fputc('\n', stderr);
}

std::ostream& standard_out() {
  construct_standard_streams();
  return std::cout;
}

std::ostream& standard_err() {
  construct_standard_streams();
  return std::cerr;
}

}  // namespace hull::cli
