#include "base/warn.hpp"

#include <utility>

#include "base/log.hpp"

namespace hull {
namespace {
WarnSink& sink() {
  static WarnSink s;
  return s;
}
}  // namespace

void warn(std::string_view message) {
  if (sink())
    sink()(message);
  else
    log::warn(message);
}

WarnSink set_warn_sink(WarnSink s) { return std::exchange(sink(), std::move(s)); }

}  // namespace hull
