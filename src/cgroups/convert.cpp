#include "cgroups/convert.hpp"

#include <cmath>

#include "base/error.hpp"

namespace hull::cgroups {

uint64_t shares_to_weight(uint64_t shares) {
  if (shares == 0) return 0;
  if (shares <= 2) return 1;
  if (shares >= 262144) return 10000;
  double l = std::log2(static_cast<double>(shares));
  double exponent = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;
  return static_cast<uint64_t>(std::ceil(std::pow(10.0, exponent)));
}

uint64_t blkio_weight_to_io_weight(uint64_t weight) {
  if (weight == 0) return 0;
  if (weight < 10) weight = 10;
  if (weight > 1000) weight = 1000;
  return 1 + (weight - 10) * 9999 / 990;
}

std::optional<std::string> swap_for_v2(std::optional<int64_t> swap, std::optional<int64_t> limit) {
  if (!swap) {
    if (limit && *limit < 0) return "max";
    return std::nullopt;
  }
  if (*swap < 0) return "max";
  if (!limit) throw Error("linux.resources.memory.swap: a swap limit needs a memory limit on cgroup v2");
  // Memory without a limit leaves nothing to subtract: the whole value limits
  // swap alone, as runc 1.2 reads it.
  if (*limit < 0) return std::to_string(*swap);
  check_swap_not_below_limit(swap, limit);
  return std::to_string(*swap - *limit);
}

void check_swap_not_below_limit(std::optional<int64_t> swap, std::optional<int64_t> limit) {
  if (swap && limit && *swap >= 0 && *limit >= 0 && *swap < *limit)
    throw Error("linux.resources.memory.swap: memory+swap limit " + std::to_string(*swap) +
                " is below the memory limit " + std::to_string(*limit));
}

void check_page_size(std::string_view size) {
  size_t i = 0;
  while (i < size.size() && size[i] >= '0' && size[i] <= '9') ++i;
  bool ok = i > 0 && size.size() == i + 2 && size[i + 1] == 'B' && (size[i] == 'K' || size[i] == 'M' || size[i] == 'G');
  if (!ok)
    throw Error("linux.resources.hugepageLimits: page size " + quote(size) + " is not of the form <number>KB|MB|GB");
}

}  // namespace hull::cgroups
