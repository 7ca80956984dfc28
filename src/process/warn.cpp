#include "process/warn.hpp"

#include <unistd.h>

#include <string>
#include <utility>

namespace hull::process {
namespace {
WarnSink& sink() {
  static WarnSink s;
  return s;
}
}  // namespace

void warn(std::string_view message) {
  if (sink()) {
    sink()(message);
    return;
  }
  // One write(2) so lines from concurrent processes do not interleave.
  std::string line = "hull: warning: ";
  line += message;
  line += '\n';
  [[maybe_unused]] ssize_t n = ::write(STDERR_FILENO, line.data(), line.size());
}

WarnSink set_warn_sink(WarnSink s) { return std::exchange(sink(), std::move(s)); }

}  // namespace hull::process
