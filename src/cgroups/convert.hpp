#pragma once
// Conversions between the spec's (cgroup v1 shaped) values and cgroup v2 files.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hull::cgroups {

// cpu.shares [2, 262144] (default 1024) -> cpu.weight [1, 10000] (default 100).
// The curve runc >= 1.3.2 and crun >= 1.23 use: a quadratic in log2(shares)
// through (2,1), (1024,100) and (262144,10000), so the default share maps to
// the default weight (the older linear formula mapped 1024 to 39). 0 -> 0 (unset).
uint64_t shares_to_weight(uint64_t shares);

// blkio.weight [10, 1000] -> io.weight [1, 10000], linear as runc does.
uint64_t blkio_weight_to_io_weight(uint64_t weight);

// The value for memory.swap.max, or nullopt when nothing is to be written.
// The spec's swap is memory+swap (v1 memsw); v2 limits swap alone, so it is
// swap - limit. -1 means unlimited; an unlimited limit with swap unset makes
// swap unlimited as well (v1 behaviour), and with swap set the value is swap's
// own limit. Throws on swap < limit or on a swap limit with memory's unset.
std::optional<std::string> swap_for_v2(std::optional<int64_t> swap, std::optional<int64_t> limit);

// Throws when both limits are set and memory+swap is below memory: refused
// before anything is written, so a failed request leaves no half applied.
void check_swap_not_below_limit(std::optional<int64_t> swap, std::optional<int64_t> limit);

// Validates a hugepage size as the spec writes it ("2MB", "64KB", "1GB");
// the name is used in a file name, so nothing else is accepted.
void check_page_size(std::string_view size);

}  // namespace hull::cgroups
