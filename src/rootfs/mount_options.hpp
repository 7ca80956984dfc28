#pragma once
// The options of a config.json mount, turned into what the kernel takes:
// mount(2) flags, per-mount attributes for mount_setattr(2), propagation
// changes, and the filesystem data string.
//
// The classic flags come from libmount's own table (MNT_LINUX_MAP, copied out
// of libmount at build time: rootfs/libmount_optmap.hpp), so a name means here
// exactly what it means to mount(8). The recursive attributes
// (rro, rnosuid, ...) and the OCI-only names (tmpcopyup) are a small table of ours.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hull::rootfs {

// Per-mount attributes in mount_setattr(2) terms. The atime mode is an enum,
// not a bit, in the kernel ABI, so it is kept apart: when set, the whole
// MOUNT_ATTR__ATIME field is replaced.
struct MountAttrs {
  uint64_t set = 0;  // MOUNT_ATTR_RDONLY, _NOSUID, _NODEV, _NOEXEC, _NODIRATIME, _NOSYMFOLLOW
  uint64_t clear = 0;
  std::optional<uint64_t> atime;  // MOUNT_ATTR_RELATIME, _NOATIME or _STRICTATIME

  bool empty() const { return set == 0 && clear == 0 && !atime; }
  static MountAttrs read_only();  // MOUNT_ATTR_RDONLY alone
  // attr_set / attr_clr for struct mount_attr, with the atime field folded in.
  uint64_t attr_set() const;
  uint64_t attr_clr() const;
};

struct MountOptions {
  unsigned long flags = 0;                 // MS_* to pass to mount(2) (MS_BIND, MS_REC, MS_RDONLY, ...)
  unsigned long cleared = 0;               // MS_* an option explicitly turned off (rw, suid, dev, exec, ...)
  std::vector<unsigned long> propagation;  // MS_SHARED|MS_SLAVE|MS_PRIVATE|MS_UNBINDABLE, maybe |MS_REC; in order
  MountAttrs recursive;                    // rro, rnosuid, ...: mount_setattr with AT_RECURSIVE
  bool tmpcopyup = false;                  // tmpfs seeded with the content of what it covers
  // idmap / ridmap: the bind is id-mapped (MOUNT_ATTR_IDMAP) with the
  // mount's uidMappings/gidMappings, or the container's when it has none;
  // ridmap maps every submount too.
  bool idmap = false;
  bool idmap_recursive = false;
  std::vector<std::string> data;  // everything else: filesystem options, in order

  bool bind() const;            // bind or rbind
  bool recursive_bind() const;  // rbind
  // The filesystem options joined with ','.
  std::string data_string() const;
  // The per-mount (non-recursive) attributes the flags stand for, for bind
  // mounts, where they are applied with mount_setattr after the bind. The
  // superblock flags (sync, dirsync, mand, iversion, lazytime) have no per-mount
  // form: on a bind mount they would change the source filesystem, so they are
  // not part of this.
  MountAttrs mount_attrs() const;
  // What a bind of an existing mount gets: the flags set, none cleared. A
  // bind keeps what its source forbids: "rw", "suid", "dev" and "exec"
  // (containerd and CRI-O send "rw" with every writable volume) leave a
  // read-only, nosuid, nodev or noexec source as it is, as in runc 1.1; a
  // flag set ("ro") adds to the source's (runc remounts with the flags asked
  // alone then, dropping the source's: docs/differences-from-runc.md).
  MountAttrs bind_attrs() const;
};

// Parses spec mount options. Unknown names are filesystem data, as the spec
// says; never throws.
MountOptions parse_mount_options(const std::vector<std::string>& options);

// Every option name parse_mount_options gives a meaning other than data,
// sorted: for `hull features` ("mountOptions").
std::vector<std::string> supported_mount_options();

// The mount(2) flags of MOUNT_ATTR_* attributes (a bind remount's, where
// there is no mount_setattr); the atime field as MS_NOATIME, MS_STRICTATIME
// or MS_RELATIME.
unsigned long mount_flags_of_attrs(uint64_t attrs);
// The reverse, for a new mount: the MOUNT_ATTR_* that mount(2) would give
// a new mount of these flags (fsmount's attributes).
uint64_t attrs_of_mount_flags(unsigned long flags);

// "MS_NOSUID|MS_NODEV"; "0" for no flags; unknown bits as hex.
std::string mount_flags_to_string(unsigned long flags);
// "MOUNT_ATTR_RDONLY|MOUNT_ATTR_NOSUID"; "0" for none.
std::string mount_attrs_to_string(uint64_t attrs);
// Names a propagation change: "MS_REC|MS_PRIVATE" style.
std::string propagation_to_string(unsigned long flags);

// linux.rootfsPropagation ("private", "rslave", ...) to MS_* flags; throws
// hull::Error for an unknown value.
unsigned long parse_rootfs_propagation(const std::string& value);

}  // namespace hull::rootfs
