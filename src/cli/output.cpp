#include "cli/output.hpp"

#include <cstdio>
#include <ios>

#include "cli/cli11.hpp"

namespace hull::cli {

namespace {

// Constructs std::cin, std::cout, std::cerr, std::clog (and their wide
// twins) once. They stay synchronised with stdio, so print() and a stream
// write land in order.
void construct_standard_streams() { static const std::ios_base::Init streams; }

}  // namespace

void print(std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

void print_error_line(std::string_view text) {
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
