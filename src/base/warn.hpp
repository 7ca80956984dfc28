#pragma once
// Where the leaves (process, seccomp, ...) report warnings (unknown capability
// or syscall names, ...): hull::log::warn, unless a test installed a sink.
#include <functional>
#include <string>
#include <string_view>

namespace hull {

void warn(std::string_view message);

// Replaces the sink (tests collect warnings); returns the previous one.
// An empty function restores the default (hull::log::warn).
using WarnSink = std::function<void(std::string_view)>;
WarnSink set_warn_sink(WarnSink sink);

}  // namespace hull
