#include "rootfs/safe_path.hpp"

#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <utility>

#include "base/error.hpp"
#include "base/path_components.hpp"

namespace hull::rootfs {
namespace {

// RESOLVE_IN_ROOT refuses magic links already, but openat2(2) says that may
// change: RESOLVE_NO_MAGICLINKS keeps it so.
constexpr uint64_t kInRoot = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
// A freshly created component is opened with no symlink following at all:
// if someone swapped it for a symlink in between, we fail instead of following.
constexpr uint64_t kJustCreated = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
// Linux's own limit on symlinks followed in one lookup.
constexpr int kMaxSymlinks = 40;

std::string join(const std::vector<std::string>& parts, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    if (i) out += '/';
    out += parts[i];
  }
  return out.empty() ? "." : out;
}

std::string read_link(int fd, const std::string& what) {
  char buf[PATH_MAX];
  ssize_t n = ::readlinkat(fd, "", buf, sizeof buf);
  if (n < 0) throw_errno("read symlink " + quote(what) + " in the rootfs");
  // A full buffer may be a cut target: resolving it would land elsewhere.
  if (static_cast<size_t>(n) == sizeof buf)
    throw Error("read symlink " + quote(what) + " in the rootfs: target longer than PATH_MAX", ENAMETOOLONG);
  return std::string(buf, static_cast<size_t>(n));
}

}  // namespace

int openat2_fd(int dirfd, const char* path, uint64_t flags, uint64_t resolve) {
  open_how how{};
  how.flags = flags | O_CLOEXEC;
  how.resolve = resolve;
  for (int i = 0; i < 128; ++i) {
    long fd = ::syscall(SYS_openat2, dirfd, path, &how, sizeof how);
    if (fd >= 0) return static_cast<int>(fd);
    if (errno != EAGAIN && errno != EINTR) return -1;
  }
  return -1;
}

namespace {

// "/" and then each component, in one string: a mount destination is
// cleaned several times per create.
std::string slash_components(std::string_view path) {
  std::string out;
  out.reserve(path.size() + 1);
  for_each_path_component(path, [&](std::string_view c) {
    out += '/';
    out += c;
  });
  return out;
}

}  // namespace

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  for_each_path_component(path, [&](std::string_view c) { out.emplace_back(c); });
  return out;
}

std::string clean_path(std::string_view path) {
  std::string out = slash_components(path);
  return out.empty() ? "/" : out;
}

namespace {

// The components left once ".." has taken away the one before it (never
// above "/").
std::vector<std::string_view> lexical_components(std::string_view path) {
  std::vector<std::string_view> out;
  for_each_path_component(path, [&](std::string_view c) {
    if (c != "..") {
      out.push_back(c);
    } else if (!out.empty()) {
      out.pop_back();
    }
  });
  return out;
}

}  // namespace

std::optional<std::string> path_below(std::string_view root, std::string_view path) {
  const std::vector<std::string_view> r = lexical_components(root);
  const std::vector<std::string_view> p = lexical_components(path);
  if (r.empty() || p.size() < r.size() || !std::equal(r.begin(), r.end(), p.begin())) return std::nullopt;
  std::string out;
  for (size_t i = r.size(); i < p.size(); ++i) {
    out += '/';
    out += p[i];
  }
  return out.empty() ? "/" : out;
}

std::string fd_path(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

UniqueFd open_in_root(int rootfd, std::string_view path, int flags, uint64_t extra_resolve) {
  const std::string rel = slash_components(path);
  int fd =
      openat2_fd(rootfd, rel.empty() ? "." : rel.c_str() + 1, static_cast<uint64_t>(flags), kInRoot | extra_resolve);
  if (fd < 0) {
    if (errno == ENOENT) return UniqueFd();
    throw_errno("open " + quote(clean_path(path)) + " in the rootfs (openat2)");
  }
  return UniqueFd(fd);
}

namespace {

// procfs makes nothing (ENOENT): said as what it is, not as a missing file,
// which engines read as a command not found (podman: exit 127). errno is
// kept for the caller's own message otherwise.
void refuse_made_inside_proc(int parent, const std::string& path) {
  const int saved = errno;
  if (struct statfs sfs{}; ::fstatfs(parent, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC)
    throw Error("create " + quote(path) +
                " in the rootfs: its directory is on a proc file system, which makes no files or directories (a "
                "mount there can only cover one of proc's own files, as lxcfs does)");
  errno = saved;
}

}  // namespace

UniqueFd create_in_root(int rootfd, std::string_view path, NodeKind kind) {
  // Fast path: most destinations exist; one syscall.
  if (UniqueFd fd = open_in_root(rootfd, path)) return fd;

  const std::string shown = quote(clean_path(path));
  std::vector<std::string> todo = split_path(path);
  std::vector<std::string> done;  // components resolved so far, as written
  UniqueFd cur;
  // Most missing paths miss only their last component (/dev/pts, /dev/shm
  // and /dev/mqueue in the container's new /dev): the walk starts at the
  // parent when it resolves, the lookup the walk would make for that prefix,
  // and the last component's lookup, which the fast path just made, is not
  // repeated (two openat2 fewer per such path).
  bool last_seen_missing = false;
  if (todo.size() > 1) {
    std::string parent = join(todo, todo.size() - 1);
    int fd = openat2_fd(rootfd, parent.c_str(), O_PATH, kInRoot);
    if (fd >= 0) {
      cur.reset(fd);
      done.assign(todo.begin(), todo.end() - 1);
      todo.erase(todo.begin(), todo.end() - 1);
      last_seen_missing = true;
    }
  }
  if (!cur) cur.reset(openat2_fd(rootfd, ".", O_PATH | O_DIRECTORY, kInRoot));
  if (!cur) throw_errno("open the rootfs to create " + shown + " (openat2)");
  int symlinks = 0, races = 0;

  while (!todo.empty()) {
    std::string c = todo.front();
    todo.erase(todo.begin());
    done.push_back(c);
    // Re-resolve the whole prefix from the root: any symlink in it, however
    // it got there, is followed inside the root by the kernel.
    std::string prefix = join(done, done.size());
    if (!std::exchange(last_seen_missing, false)) {
      int fd = openat2_fd(rootfd, prefix.c_str(), O_PATH, kInRoot);
      if (fd >= 0) {
        cur.reset(fd);
        continue;
      }
      if (errno != ENOENT)
        throw_errno("open " + quote("/" + prefix) + " in the rootfs to create " + shown + " (openat2)");
    }
    done.pop_back();

    // `c` is missing in `cur`, or is a symlink whose target is missing.
    UniqueFd link(::openat(cur.get(), c.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (link) {
      struct stat st {};
      if (::fstat(link.get(), &st) < 0) throw_errno("stat " + quote("/" + prefix));
      if (!S_ISLNK(st.st_mode)) {
        // Appeared since the lookup above: look again, a bounded number of times.
        if (++races > 16) throw Error("create " + shown + " in the rootfs: path keeps changing", EAGAIN);
        todo.insert(todo.begin(), c);
        continue;
      }
      if (++symlinks > kMaxSymlinks) throw_errno(ELOOP, "create " + shown + " in the rootfs");
      // A link of procfs (/proc/<pid>/fd/N, cwd, root, exe: magic links) is
      // not followed, as RESOLVE_NO_MAGICLINKS would not: its text is a
      // path in the runtime's view, such as the rootfs's own host path.
      if (struct statfs sfs{}; ::fstatfs(link.get(), &sfs) < 0 || sfs.f_type == PROC_SUPER_MAGIC)
        throw_errno(ELOOP, "create " + shown + " in the rootfs: " + quote("/" + prefix) +
                               " is a link of /proc, which is not followed");
      std::string target = read_link(link.get(), "/" + prefix);
      std::vector<std::string> parts = split_path(target);
      todo.insert(todo.begin(), parts.begin(), parts.end());
      if (!target.empty() && target[0] == '/') {
        done.clear();
        cur.reset(openat2_fd(rootfd, ".", O_PATH | O_DIRECTORY, kInRoot));
        if (!cur) throw_errno("open the rootfs to create " + shown + " (openat2)");
      }
      continue;
    }
    if (errno != ENOENT) throw_errno("open " + quote("/" + prefix) + " in the rootfs to create " + shown);
    if (c == "..") throw_errno(ENOENT, "create " + shown + " in the rootfs: a parent vanished");
    // A missing `c` that a later ".." leaves again ("/a/../b", "/a/x/../../b")
    // is not made, nor what is below it: a stray directory in the image
    // otherwise. runc's path join reads a missing "a/.." as nothing too.
    size_t depth = 1, left_at = 0;
    while (left_at < todo.size() && depth > 0) {
      if (todo[left_at++] == "..")
        --depth;
      else
        ++depth;
    }
    if (depth == 0) {
      todo.erase(todo.begin(), todo.begin() + static_cast<std::ptrdiff_t>(left_at));
      continue;
    }

    if (todo.empty() && kind == NodeKind::File) {
      UniqueFd created(::openat(cur.get(), c.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644));
      if (!created && errno != EEXIST) {
        refuse_made_inside_proc(cur.get(), "/" + prefix);
        throw_errno("create file " + quote("/" + prefix) + " in the rootfs");
      }
    } else if (::mkdirat(cur.get(), c.c_str(), 0755) < 0 && errno != EEXIST) {
      refuse_made_inside_proc(cur.get(), "/" + prefix);
      throw_errno("create directory " + quote("/" + prefix) + " in the rootfs");
    }
    // Open what we just made from its parent's fd, refusing any symlink: a
    // swap in between fails here rather than leading elsewhere.
    int made = openat2_fd(cur.get(), c.c_str(), O_PATH, kJustCreated);
    if (made < 0) throw_errno("open " + quote("/" + prefix) + " in the rootfs after creating it (openat2)");
    cur.reset(made);
    done.push_back(c);
  }
  return cur;
}

}  // namespace hull::rootfs
