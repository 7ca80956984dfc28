#include "rootfs/mount_api.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.hpp"
#include "base/mountinfo.hpp"
#include "base/procfs.hpp"
#include "rootfs/mount_setattr_fallback.hpp"
#include "rootfs/safe_path.hpp"

namespace hull::rootfs {

std::string describe_mount(const std::string& source, const std::string& dest, const std::string& type,
                           unsigned long flags, const std::string& data) {
  std::string out = "mount " + quote(source) + " on " + quote(dest) + " (";
  if (!type.empty() && type != source) out += "type " + quote(type) + ", ";
  out += "flags " + mount_flags_to_string(flags);
  if (!data.empty()) out += ", data " + quote(data);
  out += ")";
  return out;
}

void mount_on_fd(const char* source, int target_fd, const char* type, unsigned long flags, const std::string& data,
                 const std::string& what) {
  std::string target = fd_path(target_fd);
  if (::mount(source, target.c_str(), type, flags, data.empty() ? nullptr : data.c_str()) < 0) {
    throw_errno(what);
  }
}

namespace {

std::vector<std::string> data_options(const std::string& data) {
  std::vector<std::string> out;
  for (std::string_view rest = data; !rest.empty();) {
    const size_t comma = rest.find(',');
    // An empty key ("=x") is skipped, as mount(2)'s own splitting skips it.
    if (comma != 0 && rest[0] != '=') out.emplace_back(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  return out;
}

// The file system's own words for what it refused (the fs context's log),
// where it left any.
std::string refused_by_file_system(int fs) {
  char buf[256];
  const ssize_t n = ::read(fs, buf, sizeof buf - 1);
  if (n <= 2) return "";
  std::string line(buf, static_cast<size_t>(n));
  if (line[1] == ' ') line.erase(0, 2);  // "e ", the level
  while (!line.empty() && line.back() == '\n') line.pop_back();
  return " (" + line + ")";
}

void set_fs_option(int fs, const std::string& option, const std::string& what) {
  const size_t eq = option.find('=');
  const int r = eq == std::string::npos
                    ? ::fsconfig(fs, FSCONFIG_SET_FLAG, option.c_str(), nullptr, 0)
                    : ::fsconfig(fs, FSCONFIG_SET_STRING, option.substr(0, eq).c_str(), option.c_str() + eq + 1, 0);
  if (r < 0) {
    const int err = errno;
    throw_errno(err, what + ": fsconfig " + quote(option) + refused_by_file_system(fs));
  }
}

// The superblock's share of mount(2)'s flags, as fsconfig names them; the
// mount's share is the caller's MOUNT_ATTR_* (MountOptions::mount_attrs).
std::vector<std::string> superblock_flag_options(unsigned long flags) {
  static constexpr std::pair<unsigned long, const char*> kSuperblockFlags[] = {{MS_RDONLY, "ro"},
                                                                               {MS_SYNCHRONOUS, "sync"},
                                                                               {MS_DIRSYNC, "dirsync"},
                                                                               {MS_LAZYTIME, "lazytime"},
                                                                               {MS_MANDLOCK, "mand"}};
  std::vector<std::string> out;
  for (const auto& [flag, name] : kSuperblockFlags)
    if (flags & flag) out.emplace_back(name);
  return out;
}

}  // namespace

UniqueFd new_detached_mount(const std::string& fs_type, const std::string& data, const std::string& what,
                            unsigned mount_attrs, const std::optional<std::string>& source,
                            unsigned long superblock_flags) {
  UniqueFd fs(::fsopen(fs_type.c_str(), FSOPEN_CLOEXEC));
  // No such file system: in mount(2)'s words, whichever way it was made.
  if (!fs) throw_errno(errno == ENODEV ? what : what + ": fsopen " + quote(fs_type));
  if (source && ::fsconfig(fs.get(), FSCONFIG_SET_STRING, "source", source->c_str(), 0) < 0)
    throw_errno(what + ": fsconfig source " + quote(*source));
  for (const std::string& option : superblock_flag_options(superblock_flags)) set_fs_option(fs.get(), option, what);
  for (const std::string& option : data_options(data)) set_fs_option(fs.get(), option, what);
  if (::fsconfig(fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) < 0) {
    const int err = errno;
    throw_errno(err, what + ": make the file system" + refused_by_file_system(fs.get()));
  }
  int fd = ::fsmount(fs.get(), FSMOUNT_CLOEXEC, mount_attrs);
  if (fd < 0) throw_errno(what + ": fsmount");
  return UniqueFd(fd);
}

bool fsconfig_takes(const std::string& source, const std::string& data) {
  // fsconfig takes a value of up to 255 bytes; quotes (an LSM's context=)
  // and backslashes (overlay's "\\,") are read by parsers of mount(2)'s
  // whole string; a piece that starts with a digit continues tmpfs's
  // "mpol=bind:0,2" there.
  if (source.size() > 255 || data.find_first_of("\"\\") != std::string::npos) return false;
  const std::vector<std::string> options = data_options(data);
  return std::none_of(options.begin(), options.end(), [](const std::string& option) {
    return option.size() > 255 ||
           (option.find('=') == std::string::npos && std::isdigit(static_cast<unsigned char>(option[0])));
  });
}

UniqueFd clone_mount(int dirfd, const std::string& path, bool recursive, const std::string& what) {
  unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0);
  if (path.empty()) flags |= AT_EMPTY_PATH;
  int fd = ::open_tree(dirfd, path.c_str(), flags);
  if (fd < 0) throw_errno(what + ": open_tree");
  return UniqueFd(fd);
}

UniqueFd clone_mount_in_root(int rootfd, const std::string& path, bool recursive, const std::string& what) {
  UniqueFd at = with_context(what, [&] { return open_in_root(rootfd, path); });
  if (!at) throw Error(what + ": the source " + quote(path) + " does not exist in the rootfs", ENOENT);
  return clone_mount(at.get(), "", recursive, what);
}

void attach_mount(int from_fd, int to_fd, const std::string& what) {
  if (::move_mount(from_fd, "", to_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0) {
    const int err = errno;
    // The kernel's EINVAL for a file put on a directory (or the reverse)
    // says nothing a user can act on; the two types do, with the errno
    // mount(2) gives there (and runc reports).
    struct stat from {
    }, to{};
    if (::fstat(from_fd, &from) == 0 && ::fstat(to_fd, &to) == 0 && S_ISDIR(from.st_mode) != S_ISDIR(to.st_mode))
      throw Error(what + (S_ISDIR(from.st_mode) ? ": the source is a directory and the destination is not"
                                                : ": the source is a file and the destination a directory"),
                  S_ISDIR(from.st_mode) ? ENOTDIR : EISDIR);
    throw_errno(err, what + ": move_mount");
  }
  apply_deferred_changes(from_fd, what);
}

void set_mount_attrs(int fd, const MountAttrs& attrs, bool recursive, const std::string& what) {
  if (attrs.empty()) return;
  mount_attr attr{};
  attr.attr_set = attrs.attr_set();
  attr.attr_clr = attrs.attr_clr();
  unsigned flags = AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0);
  const auto shown = [&] {
    return what + ": mount_setattr" + (recursive ? " (recursive)" : "") + " set " +
           mount_attrs_to_string(attr.attr_set) + " clear " + mount_attrs_to_string(attr.attr_clr);
  };
  if (::mount_setattr(fd, "", flags, &attr, sizeof attr) == 0) return;
  if (errno != ENOSYS) throw_errno(shown());
  // A bind remount changes one mount: its submounts would need one each.
  if (recursive) throw Error(shown() + ": recursive mount attributes (rro, rnosuid, ...)", ENOSYS);
  set_attrs_without_setattr(fd, attr.attr_set, attr.attr_clr, what);
}

void set_idmap(int fd, int userns_fd, bool recursive, const std::string& what) {
  mount_attr attr{};
  attr.attr_set = MOUNT_ATTR_IDMAP;
  attr.userns_fd = static_cast<uint64_t>(userns_fd);
  unsigned flags = AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0);
  if (::mount_setattr(fd, "", flags, &attr, sizeof attr) < 0)
    throw_errno(what + ": id-map the mount (mount_setattr MOUNT_ATTR_IDMAP" + (recursive ? ", recursive)" : ")"));
}

void set_propagation(int fd, unsigned long propagation, const std::string& what) {
  mount_attr attr{};
  attr.propagation = propagation & ~static_cast<unsigned long>(MS_REC);
  unsigned flags = AT_EMPTY_PATH | ((propagation & MS_REC) ? AT_RECURSIVE : 0);
  if (::mount_setattr(fd, "", flags, &attr, sizeof attr) == 0) return;
  if (errno != ENOSYS) throw_errno(what + ": set propagation " + propagation_to_string(propagation));
  set_propagation_without_setattr(fd, propagation, what);
}

// A statx that glibc emulates (the kernel's, or the seccomp filter of an
// engine hull runs nested under, answering ENOSYS) fills in no mount id:
// every mount read as 0, the same, and mounts told apart by it (a state
// directory's mount points, a bind of the root) were taken for one.
uint64_t mount_id_of(int fd, const std::string& what) {
  struct statx stx {};
  if (::statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &stx) < 0) throw_errno(what + ": statx the mount");
  if (stx.stx_mask & STATX_MNT_ID) return stx.stx_mnt_id;
  return mount_id_from_fdinfo(fd, what);
}

bool is_mount_root(int fd, const std::string& what) {
  struct statx stx {};
  if (::statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &stx) < 0) throw_errno(what + ": statx the mount");
  if (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) return (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
  UniqueFd parent(::openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!parent) throw_errno(what + ": open the parent directory");
  return mount_id_of(parent.get(), what) != mount_id_of(fd, what);
}

uint64_t mount_id_from_fdinfo(int fd, const std::string& what) {
  const std::string info = procfs::read("self/fdinfo/" + std::to_string(fd));
  const size_t at = info.find("mnt_id:");
  if (at == std::string::npos) throw Error(what + ": neither statx nor /proc/self/fdinfo gives the mount id", ENOTSUP);
  return std::strtoull(info.c_str() + at + 7, nullptr, 10);
}

UniqueFd open_mount_on(int rootfd, const std::string& dest, int covered_fd, int flags, const std::string& what) {
  UniqueFd fd = open_in_root(rootfd, dest, flags);
  if (!fd) throw_errno(ENOENT, what + ": reopen destination");
  const uint64_t opened = mount_id_of(fd.get(), what), below = mount_id_of(covered_fd, what);
  const Error changed(what + ": the destination changed while mounting", EAGAIN);
  if (opened == below) throw changed;
  // Any other mount differs from the covered one too: one that a path
  // swapped for a symlink since the mount leads to (a read-only bind that
  // the recursive attributes meant for the new mount would then change).
  // The mount opened must be the one on the covered directory itself, by
  // the path readlink gives it: a removed one's reads "<path> (deleted)",
  // which a directory of that name elsewhere has.
  struct stat st {};
  if (::fstat(covered_fd, &st) < 0 || st.st_nlink == 0) throw changed;
  const std::string covered = procfs::read_link("self/fd/" + std::to_string(covered_fd));
  for (const MountInfo& m : parse_mountinfo(procfs::read("self/mountinfo")))
    if (m.id == static_cast<int>(opened)) {
      if (m.parent == static_cast<int>(below) && m.mount_point == covered) return fd;
      break;
    }
  throw changed;
}

}  // namespace hull::rootfs
