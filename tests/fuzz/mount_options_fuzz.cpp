// mounts[].options (split at NUL bytes, so options may hold ',' and '=') and
// linux.rootfsPropagation. parse_mount_options never throws: every string is
// either a known option or filesystem data.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_guard.hpp"
#include "rootfs/mount_options.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string> options(1);
  for (size_t i = 0; i < size; ++i) {
    if (data[i] == 0)
      options.emplace_back();
    else
      options.back() += static_cast<char>(data[i]);
  }
  hull::rootfs::MountOptions m = hull::rootfs::parse_mount_options(options);
  m.data_string();
  m.mount_attrs();
  m.recursive_bind();
  hull::rootfs::mount_flags_to_string(m.flags);
  hull::fuzz::expect_clean("parse_rootfs_propagation",
                           [&] { hull::rootfs::parse_rootfs_propagation(options.front()); });
  return 0;
}
