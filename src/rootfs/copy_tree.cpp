#include "rootfs/copy_tree.hpp"

#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.hpp"
#include "base/fd_limit.hpp"
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

// A file, link, device node, fifo or socket.
void copy_leaf(int from_dir, int to_dir, const char* name, const struct stat& st, const std::string& shown) {
  if (S_ISREG(st.st_mode)) {
    UniqueFd from(::openat(from_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!from) throw_errno("open " + quote(shown));
    UniqueFd to(::openat(to_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!to) throw_errno("create copy of " + quote(shown));
    copy_data(from.get(), to.get(), st.st_size, shown);
  } else if (S_ISLNK(st.st_mode)) {
    std::string target(PATH_MAX, '\0');
    ssize_t n = ::readlinkat(from_dir, name, target.data(), target.size() - 1);
    if (n < 0) throw_errno("read symlink " + quote(shown));
    target.resize(static_cast<size_t>(n));
    if (::symlinkat(target.c_str(), to_dir, name) < 0) throw_errno("create symlink " + quote(shown));
  } else if (::mknodat(to_dir, name, st.st_mode, st.st_rdev) < 0) {
    throw_errno("mknod " + quote(shown));
  }
  copy_attrs(to_dir, name, st, shown);
}

// A directory whose entries are being copied. Its attributes go on its copy
// once they all are (its mode may forbid writing in it; its times would
// move).
struct Level {
  UniqueFd from, to;
  std::vector<std::pair<std::string, unsigned char>> entries;
  size_t next = 0;
  std::string path;  // from the top, shown in errors
  std::string name;  // in the directory above
  struct stat st {};
};

}  // namespace

// A walk, not a recursion: an image's directories 50 deep took 4.5 KiB of
// stack each and crashed the init under a stack limit of 256 KiB, and 500
// deep ran out of fds at a soft limit of 1024 (review "scale",
// hundred-and-tenth round; runc copies 2500 deep).
void copy_tree(int from_dir, int to_dir) {
  std::vector<Level> levels;
  levels.push_back(Level{{}, {}, directory_entries(from_dir, quote("")), 0, "", "", {}});
  auto fds_of = [&](const Level& l) {
    return &l == &levels.front() ? std::pair(from_dir, to_dir) : std::pair(l.from.get(), l.to.get());
  };
  while (!levels.empty()) {
    Level& level = levels.back();
    const auto [from, to] = fds_of(level);
    if (level.next == level.entries.size()) {
      Level done = std::move(level);
      levels.pop_back();
      if (!levels.empty()) copy_attrs(fds_of(levels.back()).second, done.name.c_str(), done.st, done.path);
      continue;
    }
    const std::string name = level.entries[level.next++].first;
    const std::string shown = level.path + "/" + name;
    struct stat st {};
    if (::fstatat(from, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) throw_errno("stat " + quote(shown));
    if (!S_ISDIR(st.st_mode)) {
      copy_leaf(from, to, name.c_str(), st, shown);
      continue;
    }
    if (::mkdirat(to, name.c_str(), 0700) < 0 && errno != EEXIST) throw_errno("mkdir " + quote(shown));
    Level below;
    below.from.reset(::openat(from, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!below.from) throw_errno("open " + quote(shown));
    below.to.reset(::openat(to, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!below.to) throw_errno("open copy of " + quote(shown));
    below.entries = directory_entries(below.from.get(), quote(shown));
    below.path = shown;
    below.name = name;
    below.st = st;
    // Two fds for each directory open (base/fd_limit.hpp; put back once
    // the rootfs is set up).
    raise_fd_limit_holding(2 * levels.size());
    levels.push_back(std::move(below));  // `level` is gone from here
  }
}

}  // namespace hull::rootfs
