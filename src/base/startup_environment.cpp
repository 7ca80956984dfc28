#include "base/startup_environment.hpp"

#include <algorithm>
#include <cstring>

namespace hull {
namespace {
// The kernel puts each list's strings one after another at the top of the
// initial stack: the first one's start to the last one's end covers them.
struct Area {
  char* start = nullptr;
  char* end = nullptr;
};
Area args, env;

Area area_of(char** strings, int count) {
  if (!strings || count <= 0 || !strings[0]) return {};
  char* last = strings[count - 1];
  Area a{strings[0], last + std::strlen(last) + 1};
  return a.end > a.start ? a : Area{};
}

int count_of(char** strings) {
  int n = 0;
  while (strings && strings[n]) ++n;
  return n;
}
}  // namespace

void record_startup_environment(int argc, char** argv, char** envp) noexcept {
  args = area_of(argv, argc);
  env = area_of(envp, count_of(envp));
}

void wipe_startup_environment() noexcept {
  if (env.start) std::memset(env.start, 0, static_cast<size_t>(env.end - env.start));
  if (args.start) {
    const size_t size = static_cast<size_t>(args.end - args.start);
    std::memset(args.start, 0, size);
    static constexpr char kShown[] = "hull\0init";  // two strings, as ps shows them
    std::memcpy(args.start, kShown, std::min(size, sizeof kShown) - 1);
  }
}

}  // namespace hull
