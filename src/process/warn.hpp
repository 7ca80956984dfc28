#pragma once
// Where the process stage reports warnings (unknown capability or syscall
// names, ...). One place, so switching to hull::log::warn when it lands in
// main is a one-line change in warn.cpp.
#include <functional>
#include <string>
#include <string_view>

namespace hull::process {

void warn(std::string_view message);

// Replaces the sink (tests collect warnings); returns the previous one.
// An empty function restores the default (stderr).
using WarnSink = std::function<void(std::string_view)>;
WarnSink set_warn_sink(WarnSink sink);

}  // namespace hull::process
