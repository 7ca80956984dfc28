#include "base/fs.hpp"

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>  // renameat2, RENAME_EXCHANGE
#include <sys/stat.h>
#include <unistd.h>

#include <dirent.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <memory>

#include "base/error.hpp"
#include "base/procfs.hpp"

namespace hull {

UniqueFd open_fd(const std::string& path, int flags, mode_t mode) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  if (fd < 0) throw_errno("open " + path);
  return UniqueFd(fd);
}

UniqueFd open_at(int dirfd, const std::string& name, int flags, mode_t mode) {
  int fd = ::openat(dirfd, name.c_str(), flags | O_CLOEXEC, mode);
  if (fd < 0) throw_errno("open " + name);
  return UniqueFd(fd);
}

namespace {

// One read(2), again after a signal; 0 at the end of the file.
size_t read_some(int fd, char* buf, size_t size, const std::string& what) {
  for (;;) {
    ssize_t n = ::read(fd, buf, size);
    if (n >= 0) return static_cast<size_t>(n);
    if (errno != EINTR) throw_errno("read " + what);
  }
}

Error too_large(const std::string& what, size_t max_size) {
  return Error(what + " is larger than " + std::to_string(max_size) + " bytes", EFBIG);
}

}  // namespace

std::string read_fd(int fd, const std::string& what, size_t max_size) {
  // Read into the string itself: the files read here (procfs, cgroupfs) are
  // mostly a few hundred bytes, and the 8 KiB buffer this used on the stack
  // took the runtime two pages of stack, and their faults, on every run.
  std::string out(512, '\0');
  size_t used = 0;
  for (;;) {
    if (used > max_size) throw too_large(what, max_size);
    if (used == out.size()) out.resize(std::min(out.size() * 2, max_size == SIZE_MAX ? max_size : max_size + 1));
    const size_t n = read_some(fd, out.data() + used, out.size() - used, what);
    if (n == 0) break;
    used += n;
  }
  out.resize(used);
  return out;
}

std::string read_regular_file_at(int dirfd, const std::string& name, size_t max_size, const std::string& what) {
  int raw = ::openat(dirfd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (raw < 0) throw_errno("open " + what);
  UniqueFd fd(raw);
  return read_regular_fd(fd.get(), max_size, what);
}

std::string read_regular_fd(int fd, size_t max_size, const std::string& what) {
  // The files read here (state.json, a saved config) are a few KiB: one
  // read answers, and a short read of a regular file is its end. Only a read
  // that fills the buffer or finds nothing needs fstat: for the size, and to
  // tell a fifo, a device or an empty file from the rest (list reads one
  // state.json per container: one system call less each).
  constexpr size_t kFirstRead = 8192;
  std::string out(std::min(kFirstRead, max_size + 1), '\0');
  size_t got = read_some(fd, out.data(), out.size(), what);
  if (got > 0 && got < out.size()) {
    out.resize(got);
    return out;
  }
  struct stat st {};
  if (::fstat(fd, &st) < 0) throw_errno("stat " + what);
  if (!S_ISREG(st.st_mode)) throw Error(what + " is not a regular file", EINVAL);
  if (static_cast<uint64_t>(st.st_size) > max_size) throw too_large(what, max_size);
  // The size fstat gave, read straight into place; a file that grew since is
  // read up to that size, one that shrank up to its end.
  out.resize(std::max(got, static_cast<size_t>(st.st_size)));
  size_t n = 0;
  while (got < out.size() && (n = read_some(fd, out.data() + got, out.size() - got, what)) > 0) got += n;
  out.resize(got);
  if (got > max_size) throw too_large(what, max_size);
  return out;
}

std::string read_file(const std::string& path, size_t max_size) {
  UniqueFd fd = open_fd(path, O_RDONLY);
  return read_fd(fd.get(), path, max_size);
}

std::vector<std::pair<std::string, unsigned char>> directory_entries(int dirfd, const std::string& what) {
  // A dup of its own: readdir on dirfd itself would move the caller's offset.
  UniqueFd dup(::fcntl(dirfd, F_DUPFD_CLOEXEC, 0));
  if (!dup) throw_errno("dup " + what);
  DIR* d = ::fdopendir(dup.get());
  if (!d) throw_errno("opendir " + what);
  (void)dup.release();  // the DIR owns it now
  std::unique_ptr<DIR, int (*)(DIR*)> dir(d, ::closedir);
  ::rewinddir(d);  // the dup shares its offset with dirfd
  std::vector<std::pair<std::string, unsigned char>> out;
  errno = 0;
  while (struct dirent* e = ::readdir(d)) {
    std::string_view n = e->d_name;
    if (n != "." && n != "..") out.emplace_back(n, e->d_type);
    errno = 0;
  }
  if (errno != 0) throw_errno("read directory " + what);
  return out;
}

std::vector<std::string> subdirectory_paths(const std::string& dir) {
  std::vector<std::string> out;
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return out;
  for (const auto& [name, type] : directory_entries(fd.get(), dir))
    if (type == DT_DIR) out.push_back(dir + "/" + name);
  return out;
}

std::string mode_text(unsigned mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", mode & 07777);
  return text;
}

void write_all(int fd, std::string_view data, const std::string& what) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      // A non-blocking fd: the caller's stdout whose open file a Node
      // (libuv) parent or a CI runner made O_NONBLOCK, a flag we share and
      // must not clear. A full pipe is no error: wait for room, as a
      // blocking write (and runc, through Go's poller) would.
      if (errno == EAGAIN) {
        pollfd room{fd, POLLOUT, 0};
        if (::poll(&room, 1, -1) >= 0 || errno == EINTR) continue;
      }
      throw_errno("write " + what);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
}

void write_file(const std::string& path, std::string_view data) {
  UniqueFd fd = open_fd(path, O_WRONLY);
  write_all(fd.get(), data, path);
}

std::string path_in_bundle(const std::string& path, const std::string& bundle) {
  return path.empty() || path.starts_with('/') ? path : bundle + "/" + path;
}

std::string in_dir(int dirfd, const std::string& name) {
  // Called in the argument of a throw_errno: the errno it reports is the
  // caller's failure's, whatever the read of the link did to it.
  const int saved = errno;
  std::string path = name;
  try {
    std::string dir = procfs::read_link("self/fd/" + std::to_string(dirfd));
    path = dir == "/" ? dir + name : dir + "/" + name;
  } catch (const Error&) {}
  errno = saved;
  return path;
}

namespace {

std::string write_temp_file(int dirfd, const std::string& name, std::string_view data, mode_t mode) {
  std::string tmp = "." + name + ".tmp";
  // A new file, never one found there: in a directory others may write (a
  // pid file's, a checkpoint's image path) a symlink planted at the temp
  // name had root write through it to its target. What is there (a write
  // that died, or such a link) is removed first, and one planted again
  // meanwhile fails the write, as runc's does.
  constexpr int kNewFile = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
  int fd = ::openat(dirfd, tmp.c_str(), kNewFile, mode);
  if (fd < 0 && errno == EEXIST && ::unlinkat(dirfd, tmp.c_str(), 0) == 0)
    fd = ::openat(dirfd, tmp.c_str(), kNewFile, mode);
  if (fd < 0) throw_errno("open " + in_dir(dirfd, tmp));
  UniqueFd file(fd);
  try {
    write_all(file.get(), data, tmp);
  } catch (const Error& e) {
    // A full filesystem (ENOSPC): no partial file left behind.
    ::unlinkat(dirfd, tmp.c_str(), 0);
    throw_errno(e.code(), "write " + in_dir(dirfd, tmp));
  }
  return tmp;
}

void rename_into_place(int dirfd, const std::string& tmp, const std::string& name) {
  if (::renameat(dirfd, tmp.c_str(), dirfd, name.c_str()) < 0) {
    int err = errno;
    ::unlinkat(dirfd, tmp.c_str(), 0);
    throw_errno(err, "rename " + in_dir(dirfd, tmp) + " to " + in_dir(dirfd, name));
  }
}

}  // namespace

void write_file_atomic(int dirfd, const std::string& name, std::string_view data, mode_t mode) {
  rename_into_place(dirfd, write_temp_file(dirfd, name, data, mode), name);
}

void replace_file_at(int dirfd, const std::string& name, std::string_view data, mode_t mode) {
  std::string tmp = write_temp_file(dirfd, name, data, mode);
  if (::renameat2(dirfd, tmp.c_str(), dirfd, name.c_str(), RENAME_EXCHANGE) == 0) {
    // The old version, now under the temp name. Should it stay (the unlink
    // failed), the next write removes it and the directory's removal
    // takes it: the new file is in place, so this write did not fail.
    (void)::unlinkat(dirfd, tmp.c_str(), 0);
    return;
  }
  // No file to swap with (the first write), or a filesystem without exchange.
  if (errno != ENOENT && errno != EINVAL) {
    int err = errno;
    ::unlinkat(dirfd, tmp.c_str(), 0);
    throw_errno(err, "exchange " + in_dir(dirfd, tmp) + " with " + name);
  }
  rename_into_place(dirfd, tmp, name);
}

}  // namespace hull
