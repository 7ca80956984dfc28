#include "base/cache_dir.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "base/error.hpp"
#include "base/fs.hpp"

namespace hull {

UniqueFd open_own_cache_dir(int parent, const std::string& name, bool create) {
  constexpr int kFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
  UniqueFd dir(::openat(parent, name.c_str(), kFlags));
  // mkdir only when missing: even one that fails with EEXIST locks the
  // parent, the state root every command looks containers up in.
  if (!dir && errno == ENOENT && create && (::mkdirat(parent, name.c_str(), 0700) == 0 || errno == EEXIST))
    dir.reset(::openat(parent, name.c_str(), kFlags));
  struct stat st {};
  if (!dir || ::fstat(dir.get(), &st) < 0 || st.st_uid != ::geteuid() || (st.st_mode & 022) != 0) return UniqueFd();
  return dir;
}

void make_room_in_cache(int dir, size_t max_entries, const std::string& what) {
  std::vector<std::pair<std::string, unsigned char>> names;
  try {
    names = directory_entries(dir, what);
  } catch (const Error&) {
    return;
  }
  if (names.size() >= max_entries) (void)::unlinkat(dir, names.front().first.c_str(), 0);
}

uint64_t fnv1a(std::string_view data) {
  constexpr uint64_t kPrime = 1099511628211ull;
  uint64_t h = 14695981039346656037ull;
  size_t i = 0;
  for (; i + 8 <= data.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, data.data() + i, sizeof w);
    h = (h ^ w) * kPrime;
  }
  for (; i < data.size(); ++i) h = (h ^ static_cast<unsigned char>(data[i])) * kPrime;
  return h;
}

std::string fnv1a_name(std::string_view data) {
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(fnv1a(data)));
  return hex;
}

}  // namespace hull
