// The linux.resources file of `hull update -r FILE`, then the v1 -> v2 value
// conversions every accepted value goes through on a cgroup v2 host.
#include <cstddef>
#include <cstdint>
#include <string>

#include "cgroups/convert.hpp"
#include "fuzz_guard.hpp"
#include "spec/spec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  hull::fuzz::expect_clean("parse_resources_json", [&] {
    hull::spec::Resources r = hull::spec::parse_resources_json(text, "resources.json");
    if (r.cpu && r.cpu->shares) hull::cgroups::shares_to_weight(*r.cpu->shares);
    if (r.blockIO && r.blockIO->weight) hull::cgroups::blkio_weight_to_io_weight(*r.blockIO->weight);
    if (r.memory) hull::cgroups::swap_for_v2(r.memory->swap, r.memory->limit);
    for (const auto& h : r.hugepageLimits) hull::cgroups::check_page_size(h.pageSize);
  });
  return 0;
}
