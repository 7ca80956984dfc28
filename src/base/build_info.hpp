#pragma once
// What this hull binary is: its version, the commit it was built from and how
// it was built. Set at configure time (cmake/BuildInfo.cmake) into this one
// translation unit, so a new commit recompiles one file. Read by
// `hull --version` and the annotations of `hull features`.
#include <string>

namespace hull::build_info {

// "0.1.0".
const char* version();
// `git describe --always --dirty` at configure time ("v0.1.0-12-gabc1234",
// "abc1234-dirty"), "unknown" when built outside git.
const char* commit();
// CMAKE_BUILD_TYPE: "Release", "Debug" (with ASan and UBSan), ...
const char* build_type();
// What is compiled in, comma-separated: "seccomp,static" (static PIE) or
// "seccomp,asan,ubsan" (the sanitizer build).
const char* features();

}  // namespace hull::build_info
