#pragma once
// The running kernel's release, for tests whose expectation depends on it
// (what `features` says, what a filesystem can do).
#include <sys/utsname.h>

#include <cstdio>
#include <string>

namespace hull::test {

inline std::string kernel_release() {
  utsname u{};
  return ::uname(&u) == 0 ? u.release : "";
}

// Whether the kernel is major.minor or newer ("6.18.44-fc" is 6.18).
inline bool kernel_at_least(int major, int minor) {
  int have_major = 0, have_minor = 0;
  if (std::sscanf(kernel_release().c_str(), "%d.%d", &have_major, &have_minor) != 2) return false;
  return have_major > major || (have_major == major && have_minor >= minor);
}

}  // namespace hull::test
