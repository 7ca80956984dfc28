#include "cli/output.hpp"

#include <cstdio>
#include <ios>

#include "base/shown_text.hpp"
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
