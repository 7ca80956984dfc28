#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace hull::rootfs {

// Where a mount sits, by the kernel's 64-bit mount ids that are never reused
// (Linux 6.8: statx's STATX_MNT_ID_UNIQUE and statmount).
struct MountPlace {
  uint64_t id = 0;
  uint64_t parent = 0;
  std::string mount_point;  // as the caller's root sees it, unescaped
};

// The unique id of the mount fd is on; nullopt where the kernel has none.
std::optional<uint64_t> unique_mount_id_of(int fd);
// The place of the mount with that unique id; nullopt where statmount is
// missing or refused (an older kernel, an engine's seccomp filter), so the
// caller reads /proc/self/mountinfo instead.
std::optional<MountPlace> statmount_place(uint64_t unique_id);

}  // namespace hull::rootfs
