#include "base/startup_environment.hpp"

#include <cstring>

namespace hull {
namespace {
// The kernel puts the strings one after another at the top of the initial
// stack: the first variable's start to the last one's end covers them all.
char* area_start = nullptr;
char* area_end = nullptr;
}  // namespace

void record_startup_environment(char** envp) noexcept {
  if (!envp || !envp[0]) return;
  char** last = envp;
  while (last[1]) ++last;
  area_start = envp[0];
  area_end = *last + std::strlen(*last) + 1;
  if (area_end <= area_start) area_start = area_end = nullptr;
}

void wipe_startup_environment() noexcept {
  if (area_start) std::memset(area_start, 0, static_cast<size_t>(area_end - area_start));
}

}  // namespace hull
