#include "cgroups/device_filter_cache.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>

#include "base/cache_dir.hpp"
#include "base/error.hpp"
#include "base/fs.hpp"
#include "cgroups/devices.hpp"

namespace hull::cgroups {

namespace {

std::string entry_name(const std::vector<bpf_insn>& prog) {
  return fnv1a_name({reinterpret_cast<const char*>(prog.data()), prog.size() * sizeof(bpf_insn)});
}

// The id of the loaded program `fd` if it is a device filter of exactly
// `prog`, else 0: its type, and its instructions as the kernel holds them
// (one more slot than `prog` has, so that a longer program cannot pass as
// its first part). A filter the kernel rewrote while checking it (constants
// blinded under bpf_jit_harden, a branch it proved dead, zero-extensions
// some JITs need) is never taken, so it is not kept either.
uint32_t id_if_filter_of(int fd, const std::vector<bpf_insn>& prog) {
  std::vector<bpf_insn> held(prog.size() + 1);
  bpf_prog_info info{};
  info.xlated_prog_len = static_cast<uint32_t>(held.size() * sizeof(bpf_insn));
  info.xlated_prog_insns = reinterpret_cast<uint64_t>(held.data());
  bpf_attr attr{};
  attr.info.bpf_fd = static_cast<uint32_t>(fd);
  attr.info.info_len = sizeof info;
  attr.info.info = reinterpret_cast<uint64_t>(&info);
  if (bpf_call(BPF_OBJ_GET_INFO_BY_FD, attr) < 0) return 0;
  const bool same = info.type == BPF_PROG_TYPE_CGROUP_DEVICE &&
                    info.xlated_prog_len == prog.size() * sizeof(bpf_insn) &&
                    std::memcmp(held.data(), prog.data(), info.xlated_prog_len) == 0;
  return same ? info.id : 0;
}

}  // namespace

LoadedFilter find_loaded_filter(const std::vector<bpf_insn>& prog, const std::string& cache_dir) {
  if (cache_dir.empty()) return {};
  UniqueFd dir = open_own_cache_dir(AT_FDCWD, cache_dir, false);
  if (!dir) return {};
  std::string text;
  try {
    text = read_regular_file_at(dir.get(), entry_name(prog), 32, "a device filter's id");
  } catch (const Error&) {
    return {};  // none kept yet (ENOENT), or unreadable: load one
  }
  uint32_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || id == 0) return {};
  bpf_attr get{};
  get.prog_id = id;
  long fd = bpf_call(BPF_PROG_GET_FD_BY_ID, get);  // ENOENT: freed with its last cgroup
  if (fd < 0) return {};
  LoadedFilter found{UniqueFd(static_cast<int>(fd)), id};
  if (id_if_filter_of(found.fd.get(), prog) != id) return {};
  return found;
}

void keep_loaded_filter(const std::vector<bpf_insn>& prog, int filter, const std::string& cache_dir) {
  if (cache_dir.empty()) return;
  const uint32_t id = id_if_filter_of(filter, prog);
  if (id == 0) return;
  UniqueFd dir = open_own_cache_dir(AT_FDCWD, cache_dir, true);
  if (!dir) return;
  const std::string name = entry_name(prog);
  // Rewritten in place, one fixed-width write, rather than renamed into
  // place: no lock of the directory every create reads from, and a reader
  // that catches the write half-way reads an id the check then refuses.
  UniqueFd entry(::openat(dir.get(), name.c_str(), O_WRONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC));
  if (!entry && errno == ENOENT) {
    make_room_in_cache(dir.get(), kMaxLoadedFilters, "the device filter cache");
    entry.reset(::openat(dir.get(), name.c_str(), O_WRONLY | O_CREAT | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC, 0600));
  }
  struct stat st {};
  if (!entry || ::fstat(entry.get(), &st) < 0 || !S_ISREG(st.st_mode)) return;
  char line[16];
  const int n = std::snprintf(line, sizeof line, "%010u\n", id);
  // A failed write leaves the next create to load the filter again.
  if (::pwrite(entry.get(), line, static_cast<size_t>(n), 0) != n) return;
}

}  // namespace hull::cgroups
