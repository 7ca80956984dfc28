#pragma once
// Loaded cgroup v2 device filters, kept between commands.
//
// The kernel's verifier takes about 0.19 ms (development VM, Linux 6.18) to
// check the filter of the default device rules: a twentieth of a whole
// `run`, paid by every create on a cgroup v2 host (crun and runc load one
// each time too). A loaded filter stays loaded while any cgroup has it
// attached, and a node's containers mostly have the same rules (their
// client's default list). So each filter create loads has its id kept under
// the state root, in a small file named by a hash of its instructions, and
// the next create with the same rules takes that filter from the kernel
// (BPF_PROG_GET_FD_BY_ID) instead of loading another, if the kernel's own
// copy of it is a device filter of exactly these instructions
// (BPF_OBJ_GET_INFO_BY_FD). Once its last cgroup is gone the kernel frees
// it: the id then names nothing (or, after ids wrap, another program, which
// that check refuses) and the filter is loaded again. Nothing an entry says
// is trusted: a torn, stale or forged id costs a load, never a wrong filter.
#include <linux/bpf.h>

#include <cstdint>
#include <string>
#include <vector>

#include "base/unique_fd.hpp"

namespace hull::cgroups {

struct LoadedFilter {
  UniqueFd fd;
  uint32_t id = 0;
};

// A loaded filter of exactly `prog`, found through the cache directory (a
// path; empty: none); an empty fd when there is none to take.
LoadedFilter find_loaded_filter(const std::vector<bpf_insn>& prog, const std::string& cache_dir);

// Keeps the id of `filter`, just loaded from `prog`, for the next command
// (best effort: the directory is made 0700 if missing, and left alone when
// it is not the runtime's own).
void keep_loaded_filter(const std::vector<bpf_insn>& prog, int filter, const std::string& cache_dir);

// Entries kept at most; a new one in a full directory first removes one.
constexpr size_t kMaxLoadedFilters = 64;

}  // namespace hull::cgroups
