#pragma once
// libmount's builtin Linux mount option table (MNT_LINUX_MAP), copied out of
// libmount at build time by tools/gen_libmount_optmap.cpp into a generated
// source file: the names mean exactly what they mean to mount(8), and the
// runtime does not load libmount (with libblkid, libselinux and libpcre2).
#include <cstddef>
#include <string_view>

namespace hull::rootfs {

struct LibmountOption {
  // "ro", "nosuid", "rbind", "rslave", ... (some carry '=' or '[': userspace
  // forms). A view of a literal: its length is known without strlen.
  std::string_view name;
  unsigned long id;  // MS_* flags the option stands for
  bool invert;       // MNT_INVERT: the option clears `id` ("rw", "suid", ...)
};

extern const LibmountOption kLibmountLinuxMap[];
extern const size_t kLibmountLinuxMapSize;

}  // namespace hull::rootfs
