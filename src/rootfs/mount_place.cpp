#include "rootfs/mount_place.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>

namespace hull::rootfs {

namespace {

#ifndef STATX_MNT_ID_UNIQUE
constexpr unsigned kStatxMntIdUnique = 0x4000;
#else
constexpr unsigned kStatxMntIdUnique = STATX_MNT_ID_UNIQUE;
#endif
// The same number on every architecture (the syscall table shared since 6.8).
constexpr long kStatmountSyscall = 457;
constexpr uint64_t kStatmountMntBasic = 0x2, kStatmountMntPoint = 0x10;

// The kernel's struct mnt_id_req, version 0.
struct MountIdRequest {
  uint32_t size;
  uint32_t spare;
  uint64_t mnt_id;
  uint64_t param;
};

// The start of the kernel's struct statmount: the fields read here, at the
// offsets of linux/mount.h (6.8), whose fixed part is 512 bytes.
struct StatmountHead {
  uint32_t size;
  uint32_t mnt_opts;
  uint64_t mask;
  uint32_t sb_dev_major, sb_dev_minor;
  uint64_t sb_magic;
  uint32_t sb_flags, fs_type;
  uint64_t mnt_id, mnt_parent_id;
  uint32_t mnt_id_old, mnt_parent_id_old;
  uint64_t mnt_attr, mnt_propagation, mnt_peer_group, mnt_master, propagate_from;
  uint32_t mnt_root, mnt_point;
};
static_assert(offsetof(StatmountHead, mnt_id) == 40 && offsetof(StatmountHead, mnt_point) == 108);
constexpr size_t kStatmountStrings = 512;

}  // namespace

std::optional<uint64_t> unique_mount_id_of(int fd) {
  struct statx stx {};
  if (::statx(fd, "", AT_EMPTY_PATH, kStatxMntIdUnique, &stx) < 0) return std::nullopt;
  if (!(stx.stx_mask & kStatxMntIdUnique)) return std::nullopt;
  return stx.stx_mnt_id;
}

std::optional<MountPlace> statmount_place(uint64_t unique_id) {
  const MountIdRequest req{sizeof(MountIdRequest), 0, unique_id, kStatmountMntBasic | kStatmountMntPoint};
  // PATH_MAX of mount point and the fixed part; a longer one answers
  // EOVERFLOW and the caller reads mountinfo.
  alignas(8) char buf[kStatmountStrings + 4096 + 64];
  if (::syscall(kStatmountSyscall, &req, buf, sizeof buf, 0) < 0) return std::nullopt;
  StatmountHead head;
  std::memcpy(&head, buf, sizeof head);
  const uint64_t wanted = kStatmountMntBasic | kStatmountMntPoint;
  if ((head.mask & wanted) != wanted || head.size > sizeof buf || kStatmountStrings + head.mnt_point >= head.size)
    return std::nullopt;
  const char* point = buf + kStatmountStrings + head.mnt_point;
  return MountPlace{head.mnt_id, head.mnt_parent_id, std::string(point, strnlen(point, head.size - kStatmountStrings - head.mnt_point))};
}

}  // namespace hull::rootfs
