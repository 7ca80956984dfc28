#pragma once
// Compiled seccomp programs kept between commands.
//
// libseccomp needs about 10 ms (2 cores, 2.5 ms for the rules, 7.8 for the
// export) to compile Docker's default profile for its three x86
// architectures: three times a whole `run` without a profile, paid by every
// create and exec of a container that has one (podman, Docker, CRI-O and
// containerd give every container one). The program depends only on the
// profile and on what compiles it, so the runtime keeps each program it
// compiled in a directory of its state root and reads it back for the next
// container with the same profile.
//
// An entry is used only if it names exactly the same key (the whole profile
// as compile() reads it, the libseccomp version and kernel API level it
// compiled for, hull's version and build) and its checksum holds; anything
// else is compiled again and the entry rewritten. The directory must be the
// runtime's own (its user, nobody else may write to it): whoever can write
// there could already rewrite every container's state.
#include <string>
#include <vector>

#include "base/unique_fd.hpp"
#include "seccomp/seccomp.hpp"
#include "spec/spec.hpp"

namespace hull::seccomp {

// Where the programs are kept: directory `name` under the open directory
// `parent`, made (0700) by the first store. No cache when parent is empty.
struct CacheDir {
  UniqueFd parent;
  std::string name;
};

struct CachedProgram {
  Program program;
  bool from_cache = false;  // read from an entry, not compiled
};

// compile(config), or the program an earlier command compiled for the same
// key, read from `cache`. Warnings the
// compile gave (unknown syscall names, ...) are given again on a hit. Errors
// of the profile are thrown as by compile(), and nothing is stored for them.
// A cache that cannot be read or written, or a directory that is not ours
// alone (another owner, writable by group or others), is passed over: the
// result is the same, only slower.
CachedProgram compile_cached(const spec::Seccomp& config, const CacheDir& cache);

// What an entry's key is made of, as one string (exposed for tests).
std::string cache_key(const spec::Seccomp& config);

// The name of the entry for `key` in the cache directory.
std::string cache_entry_name(const std::string& key);

// Entries kept at most; a store into a full directory first removes one.
constexpr size_t kMaxCacheEntries = 64;

}  // namespace hull::seccomp
