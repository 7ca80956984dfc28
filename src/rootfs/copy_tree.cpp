#include "rootfs/copy_tree.hpp"

#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/unique_fd.hpp"

namespace hull::rootfs {
namespace {

void copy_data(int from, int to, off_t size, const std::string& name) {
  while (size > 0) {
    ssize_t n = ::sendfile(to, from, nullptr, static_cast<size_t>(size));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("copy " + quote(name));
    }
    if (n == 0) break;  // the file shrank meanwhile
    size -= n;
  }
}

void copy_attrs(int dir, const char* name, const struct stat& st, const std::string& shown) {
  if (::fchownat(dir, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0) throw_errno("chown " + quote(shown));
  // Symlink modes are meaningless and fchmodat cannot set them.
  if (!S_ISLNK(st.st_mode) && ::fchmodat(dir, name, st.st_mode & 07777, 0) < 0) {
    throw_errno("chmod " + quote(shown));
  }
  const timespec times[2] = {st.st_atim, st.st_mtim};
  if (::utimensat(dir, name, times, AT_SYMLINK_NOFOLLOW) < 0) throw_errno("set times of " + quote(shown));
}

void copy_entries(int from_dir, int to_dir, const std::string& path);

void copy_entry(int from_dir, int to_dir, const char* name, const std::string& shown) {
  struct stat st {};
  if (::fstatat(from_dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0) throw_errno("stat " + quote(shown));
  if (S_ISDIR(st.st_mode)) {
    if (::mkdirat(to_dir, name, 0700) < 0 && errno != EEXIST) throw_errno("mkdir " + quote(shown));
    UniqueFd from(::openat(from_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!from) throw_errno("open " + quote(shown));
    UniqueFd to(::openat(to_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!to) throw_errno("open copy of " + quote(shown));
    copy_entries(from.get(), to.get(), shown);
  } else if (S_ISREG(st.st_mode)) {
    UniqueFd from(::openat(from_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!from) throw_errno("open " + quote(shown));
    UniqueFd to(::openat(to_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!to) throw_errno("create copy of " + quote(shown));
    copy_data(from.get(), to.get(), st.st_size, shown);
  } else if (S_ISLNK(st.st_mode)) {
    char target[PATH_MAX];
    ssize_t n = ::readlinkat(from_dir, name, target, sizeof target - 1);
    if (n < 0) throw_errno("read symlink " + quote(shown));
    target[n] = '\0';
    if (::symlinkat(target, to_dir, name) < 0) throw_errno("create symlink " + quote(shown));
  } else {
    // Device nodes, fifos and sockets.
    if (::mknodat(to_dir, name, st.st_mode, st.st_rdev) < 0) throw_errno("mknod " + quote(shown));
  }
  copy_attrs(to_dir, name, st, shown);
}

void copy_entries(int from_dir, int to_dir, const std::string& path) {
  for (const auto& [name, type] : directory_entries(from_dir, quote(path)))
    copy_entry(from_dir, to_dir, name.c_str(), path + "/" + name);
}

}  // namespace

void copy_tree(int from_dir, int to_dir) { copy_entries(from_dir, to_dir, ""); }

}  // namespace hull::rootfs
