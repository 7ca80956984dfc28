#pragma once
// Directories of the state root where one command keeps what it made for the
// next: compiled seccomp programs (seccomp/program_cache.hpp), the ids of
// loaded device filters (cgroups/device_filter_cache.hpp). Such a directory
// must be the runtime's own: whoever can write there could already rewrite
// every container's state, and a directory that is not ours alone is passed
// over (slower, never wrong).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/unique_fd.hpp"

namespace hull {

// `name` under the open directory `parent` (AT_FDCWD: a path), made 0700
// first with `create`. Empty when it is missing, or not ours alone: another
// owner, or writable by group or others.
UniqueFd open_own_cache_dir(int parent, const std::string& name, bool create);

// Makes room for one more entry in the open directory `dir`: with
// `max_entries` there already, one goes (best effort), so that a cache never
// grows past its bound whatever number of distinct entries the host needs.
void make_room_in_cache(int dir, size_t max_entries, const std::string& what);

// FNV-1a over 8-byte words (the tail byte by byte): each step is a bijection
// of the state for a given word, so inputs that differ in one word always
// hash differently. For entry names and checksums, not against an attacker.
// Word by word, 10-17 KiB cost a microsecond instead of ten.
uint64_t fnv1a(std::string_view data);

// fnv1a as the 16 lower-case hex digits of an entry's name.
std::string fnv1a_name(std::string_view data);

}  // namespace hull
