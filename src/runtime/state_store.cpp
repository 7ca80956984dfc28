#include "runtime/state_store.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>  // renameat2
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <optional>

#include "base/error.hpp"
#include "base/fault.hpp"
#include "base/flock_wait.hpp"
#include "base/fs.hpp"
#include "rootfs/mount_api.hpp"
#include "rootfs/safe_path.hpp"

namespace hull {
namespace {

constexpr const char* kStateFile = "state.json";
// Directories are built under this prefix and renamed into place. '~' cannot
// appear in a container id, so a half-made directory never looks like one.
constexpr const char* kTempPrefix = "~creating-";
// The temporary name is the id's own, so `delete --force <id>` finds what a
// create of <id> killed before the rename left by name, without reading the
// whole root, and two creates of one id meet at it: "~creating-<id>", or for
// an id too long for a file name "~creating-<its first 180 bytes>~<hash of
// all of it>" ('~' keeps the two forms apart).
constexpr size_t kTempIdChars = 200;
}  // namespace

std::string temp_name_for(const std::string& id) {
  if (id.size() <= kTempIdChars) return kTempPrefix + id;
  uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a, 64 bits
  for (unsigned char c : id) h = (h ^ c) * 0x100000001b3ULL;
  static const char kHex[] = "0123456789abcdef";
  std::string out = kTempPrefix + id.substr(0, 180) + "~";
  for (int shift = 60; shift >= 0; shift -= 4) out += kHex[(h >> shift) & 0xf];
  return out;
}

namespace {

// ---- directories ---------------------------------------------------------

// Identity of a directory entry, used to tell "the directory we locked" from
// "whatever has that name now".
bool same_file(const struct stat& a, const struct stat& b) { return a.st_dev == b.st_dev && a.st_ino == b.st_ino; }

// True when `name` in dirfd still names the directory open as fd: a delete
// that finished while we waited for its lock leaves us holding an unlinked one.
bool still_linked(int dirfd, const std::string& name, int fd) {
  struct stat by_name {
  }, by_fd{};
  if (::fstat(fd, &by_fd) < 0) throw_errno("fstat " + name);
  if (::fstatat(dirfd, name.c_str(), &by_name, AT_SYMLINK_NOFOLLOW) < 0) {
    if (errno == ENOENT) return false;
    throw_errno("stat " + name);
  }
  return same_file(by_name, by_fd);
}

bool has_state_file(int dirfd, const std::string& what) {
  struct stat st {};
  if (::fstatat(dirfd, kStateFile, &st, AT_SYMLINK_NOFOLLOW) == 0) return true;
  if (errno == ENOENT) return false;
  throw_errno("stat " + what + "/" + kStateFile);
}

// A directory of the tree, opened to empty it (no fd, and errno, when it cannot
// be). overlayfs makes its work dir's "work" mode 0: a rootless caller,
// without CAP_DAC_OVERRIDE, may open one of its own only once it is given a
// mode again (and search and write it only with those bits: remove_contents).
// The mode goes through an O_PATH fd, never by name: a process of the
// container may still run and put a symlink to one of the caller's
// directories in its place between the refused open and the chmod. Nor to a
// mount point's root, which is not the tree's: its O_PATH fd is returned for
// remove_contents to refuse (or, restore's, unmount).
UniqueFd open_tree_dir(int dirfd, const char* name, uint64_t mount) {
  UniqueFd fd(::openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (fd || errno != EACCES) return fd;
  UniqueFd path(::openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  struct stat st {};
  if (!path || ::fstat(path.get(), &st) < 0) return UniqueFd();
  if (rootfs::mount_id_of(path.get(), name) != mount) return path;
  fault_point("delete-before-chmod-of-own-dir");
  const std::string by_fd = rootfs::fd_path(path.get());
  if (st.st_uid != ::geteuid() || ::chmod(by_fd.c_str(), S_IRWXU) < 0) {
    errno = EACCES;  // the refused open is what the caller is told
    return UniqueFd();
  }
  return UniqueFd(::open(by_fd.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
}

// A directory of the tree being emptied: what is left to remove in it, and
// its identity, to know it again when the walk comes back up to it.
struct PendingDir {
  std::string name;  // in its parent; "" for the top
  dev_t dev = 0;
  ino_t ino = 0;
  std::vector<std::string> left;
};

// The path of `name` in the walk's deepest directory, for a message: whole
// where it is short enough to act on (a mount point to unmount), shortened
// in the middle where not, as a container decides how deep its tree goes.
std::string walked_path(const std::string& top, const std::vector<PendingDir>& walk, const std::string& name) {
  constexpr size_t kShownLevels = 8, kWholeUpTo = 1024;
  size_t whole = top.size() + name.size() + 1;
  for (size_t i = 1; i < walk.size(); ++i) whole += walk[i].name.size() + 1;
  std::string out = top;
  for (size_t i = 1; i < walk.size(); ++i) {
    if (whole > kWholeUpTo && walk.size() > 2 * kShownLevels && i == kShownLevels) {
      out += "/...(" + std::to_string(walk.size() - 2 * kShownLevels) + " more levels)...";
      i = walk.size() - kShownLevels;
    }
    out += "/" + walk[i].name;
  }
  return name.empty() ? out : out + "/" + name;
}

// Empties the directory open as dirfd. Everything is addressed relative to a
// directory fd and symlinks are never followed, so nothing outside the tree is
// touched; a mount point inside is refused rather than emptied (it could be a
// bind mount of something precious), but for restore's kCriuRootName in a
// container's directory (`state_dir`), which is unmounted. The tree may be a
// container's (an overlay's upper dir), as deep as it made it: one directory
// is open at a time (an fd a level ran out of fds at 1024 levels), the walk
// goes back up through "..", checked to be the directory it came down from,
// and a path is spelled only for a message (each level's made it quadratic).
void remove_contents(int dirfd, uint64_t mount, const std::string& what, bool state_dir = false) {
  std::vector<PendingDir> walk;
  UniqueFd below;  // the walk's deepest directory, when it is not dirfd
  std::string name;
  auto here = [&] { return walked_path(what, walk, name); };
  auto fail = [&](const char* verb) {
    const int err = errno;
    throw_errno(err, verb + here());
  };
  // Enters the directory open as fd (named `name` in the current one; owned
  // unless it is dirfd).
  auto descend = [&](int fd, UniqueFd owned) {
    struct stat st {};
    if (::fstat(fd, &st) < 0) fail("stat ");
    // One of the caller's own in the tree (not a mount point's root: checked
    // before), that it may open but not search or write (a container's chmod
    // 400 or 555 in its overlay's upper dir): a rootless caller, without
    // CAP_DAC_OVERRIDE, could not empty it. Given its owner's bits through
    // the fd, so that nothing put in its place since counts.
    if (owned && st.st_uid == ::geteuid() && (st.st_mode & S_IRWXU) != S_IRWXU && ::fchmod(fd, S_IRWXU) < 0)
      fail("chmod ");
    std::vector<std::string> left;
    try {
      for (auto& [entry, type] : directory_entries(fd, name)) left.push_back(std::move(entry));
    } catch (const Error& e) {
      throw_errno(e.code(), "read directory " + here());
    }
    walk.push_back(PendingDir{std::move(name), st.st_dev, st.st_ino, std::move(left)});
    name.clear();
    below = std::move(owned);
  };
  descend(dirfd, UniqueFd());
  while (!walk.empty()) {
    const int cur = below ? below.get() : dirfd;
    if (walk.back().left.empty()) {
      // Emptied: up to its parent, which removes it.
      name = std::move(walk.back().name);
      walk.pop_back();
      if (walk.empty()) return;
      if (walk.size() == 1) {
        below.reset();
      } else {
        UniqueFd up(::openat(cur, "..", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        struct stat st {};
        if (!up || ::fstat(up.get(), &st) < 0) fail("open the directory above ");
        if (st.st_dev != walk.back().dev || st.st_ino != walk.back().ino)
          throw Error("remove " + here() + ": its directory was moved while being removed", EBUSY);
        below = std::move(up);
      }
      if (::unlinkat(below ? below.get() : dirfd, name.c_str(), AT_REMOVEDIR) < 0 && errno != ENOENT) fail("remove ");
      continue;
    }
    name = std::move(walk.back().left.back());
    walk.back().left.pop_back();
    struct stat st {};
    if (::fstatat(cur, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
      if (errno == ENOENT) continue;
      fail("stat ");
    }
    if (!S_ISDIR(st.st_mode)) {
      if (::unlinkat(cur, name.c_str(), 0) < 0 && errno != ENOENT) fail("remove ");
      continue;
    }
    // Checked on the opened fd, so a mount appearing after the check
    // cannot slip in between check and descent.
    UniqueFd child = open_tree_dir(cur, name.c_str(), mount);
    if (!child) fail("open ");
    uint64_t child_mount = rootfs::mount_id_of(child.get(), here());
    if (child_mount != mount && state_dir && walk.size() == 1 && name == kCriuRootName &&
        ::umount2(here().c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) == 0) {
      child = open_at(cur, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
      child_mount = rootfs::mount_id_of(child.get(), here());
    }
    if (child_mount != mount) throw Error("refusing to remove " + here() + ": it is a mount point");
    const int fd = child.get();
    descend(fd, std::move(child));
  }
}

// mkdir -p: parents 0755 (like /run), the state root itself 0700 because
// state files name pids, bundles and cgroups of every container, and
// sticky: under $XDG_RUNTIME_DIR the XDG Base Directory spec lets a session
// manager prune what is not (runc makes its root 01700 there too).
void make_root(const std::string& root) {
  constexpr mode_t kRootMode = S_ISVTX | 0700;
  // Made once per host, then there on every create: one mkdir answers.
  if (::mkdir(root.c_str(), kRootMode) == 0 || errno == EEXIST) return;
  if (errno != ENOENT) throw_errno("mkdir " + root);
  for (size_t pos = 1; pos <= root.size(); ++pos) {
    if (pos != root.size() && root[pos] != '/') continue;
    std::string prefix = root.substr(0, pos);
    mode_t mode = pos == root.size() ? kRootMode : 0755;
    if (::mkdir(prefix.c_str(), mode) < 0 && errno != EEXIST) throw_errno("mkdir " + prefix);
  }
}

[[noreturn]] void throw_exists(std::string_view id) { throw Error("container " + quote(id) + " already exists"); }
[[noreturn]] void throw_missing(std::string_view id) {
  throw ContainerMissing("container " + quote(id) + " does not exist");
}

// One larger than any hull wrote (kMaxStateFileReadSize): corrupt, so that
// delete --force removes it.
std::string read_state_text(int dirfd, const std::string& name, const std::string& what) {
  try {
    return read_regular_file_at(dirfd, name, kMaxStateFileReadSize, what);
  } catch (const Error& e) {
    if (e.code() == EFBIG)
      throw_corrupt_state(what, "it is larger than the " + std::to_string(kMaxStateFileReadSize) + " bytes hull reads");
    throw;
  }
}

}  // namespace

void remove_directory_tree(const std::string& path) {
  // The leaf is opened and removed through its parent's fd, so the tree
  // emptied is the one removed even if a name on the way changes meanwhile.
  const std::string trimmed = path.substr(0, path.find_last_not_of('/') + 1);
  const auto slash = trimmed.find_last_of('/');
  const std::string parent = slash == std::string::npos ? "." : slash == 0 ? "/" : trimmed.substr(0, slash);
  const std::string leaf = slash == std::string::npos ? trimmed : trimmed.substr(slash + 1);
  UniqueFd up(::open(parent.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!up && errno == ENOENT) return;
  if (!up) throw_errno("open " + parent);
  UniqueFd dir(::openat(up.get(), leaf.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!dir && errno == ENOENT) return;
  if (!dir) throw_errno("open " + path);
  remove_contents(dir.get(), rootfs::mount_id_of(dir.get(), path), path);
  if (::unlinkat(up.get(), leaf.c_str(), AT_REMOVEDIR) < 0 && errno != ENOENT) throw_errno("rmdir " + path);
}

// ---- ContainerDir ---------------------------------------------------------

ContainerState ContainerDir::read_state() const {
  std::string what = path_ + "/" + kStateFile;
  ContainerState s = from_state_file_json(read_state_text(dirfd_.get(), kStateFile, what), what);
  if (s.id != id_) throw_corrupt_state(what, "it belongs to container " + quote(s.id));
  return s;
}

void ContainerDir::write_state(const ContainerState& s) const {
  if (s.id != id_) throw Error("state of container " + quote(s.id) + " written into the directory of " + quote(id_));
  const std::string text = to_state_file_json(s);
  // Written, it could not be read back: the container could not even be deleted.
  check_fits_state_file_size("the state of container " + quote(id_), text.size(),
                             ": its annotations or paths are too large");
  // Its errors name the directory (base/fs.cpp, in_dir).
  replace_file_at(dirfd_.get(), kStateFile, text, 0600);
}

void ContainerDir::remove(std::initializer_list<const char*> usual_files) {
  with_context("remove container " + quote(id_), [&] {
    // The usual files by name first: reading the directory and checking each
    // entry cost delete 11 syscalls more (issue #16). Whatever this leaves
    // (another file, one that is not a plain file) the scan below finds.
    bool clean = ::unlinkat(dirfd_.get(), kStateFile, 0) == 0 || errno == ENOENT;
    for (const char* name : usual_files)
      if (::unlinkat(dirfd_.get(), name, 0) < 0 && errno != ENOENT) clean = false;
    // We hold the lock, and every creator renames with RENAME_NOREPLACE, so the
    // name still points at our directory; check anyway before rmdir by name.
    struct stat by_name {
    }, by_fd{};
    if (::fstat(dirfd_.get(), &by_fd) < 0) throw_errno("fstat " + path_);
    if (::lstat(path_.c_str(), &by_name) < 0) throw_errno("stat " + path_);
    if (!same_file(by_name, by_fd)) throw Error(path_ + " was replaced by another file");
    if (clean && ::rmdir(path_.c_str()) == 0) return;
    if (clean && errno != ENOTEMPTY && errno != EEXIST) throw_errno("rmdir " + path_);
    remove_contents(dirfd_.get(), rootfs::mount_id_of(dirfd_.get(), path_), path_, true);
    if (::rmdir(path_.c_str()) < 0) throw_errno("rmdir " + path_);
  });
  dirfd_.reset();  // releases the lock only now, so waiters find it gone
}

void ContainerDir::unlock() const { ::flock(dirfd_.get(), LOCK_UN); }

bool ContainerDir::relock() const {
  lock_exclusive_naming_holder(dirfd_.get(), path_);
  struct stat st {};
  if (::fstat(dirfd_.get(), &st) < 0) throw_errno("fstat " + path_);
  return st.st_nlink > 0;
}

// ---- StateStore -----------------------------------------------------------

StateStore::StateStore(std::string root) : root_(std::move(root)) {
  if (root_.empty()) throw Error("the state root must not be empty");
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
}

namespace {

// The existing <root>/<id> when it is debris of a create that died before
// writing state.json: nobody holds its lock and it has no state. Such a
// directory is removed so the id can be reused; returns whether the name is
// (now) free. A locked directory belongs to a live command: never touched.
// With even_with_state, a directory whose state.json exists goes too (its
// state is unreadable: see CorruptState).
bool clear_abandoned(int rootfd, const std::string& root, const std::string& id, bool even_with_state = false) {
  int fd = ::openat(rootfd, id.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return true;
    // Not hull's to remove; create, delete --force and every retry of them
    // would be refused with no word of why.
    if (errno == ENOTDIR || errno == ELOOP)
      throw Error(root + "/" + id + " is not a container's directory (another file holds its name): remove it");
    throw_errno("open " + root + "/" + id);
  }
  UniqueFd dir(fd);
  if (::flock(dir.get(), LOCK_EX | LOCK_NB) < 0) {
    if (errno == EWOULDBLOCK) return false;
    throw_errno("lock " + root + "/" + id);
  }
  if (!still_linked(rootfd, id, dir.get())) return true;
  std::string path = root + "/" + id;
  if (!even_with_state && has_state_file(dir.get(), path)) return false;
  // crun keeps its record as "status" (and config.json), with no state.json:
  // a running container of crun's in a shared root, not a dead create.
  if (struct stat st{}; ::fstatat(dir.get(), "status", &st, AT_SYMLINK_NOFOLLOW) == 0)
    throw OtherRuntimesState(path +
                             " is crun's (a \"status\" file, no state.json): a container another runtime made "
                             "in this state root; manage it with that runtime");
  remove_contents(dir.get(), rootfs::mount_id_of(dir.get(), path), path, true);
  if (::unlinkat(rootfd, id.c_str(), AT_REMOVEDIR) < 0 && errno != ENOENT) throw_errno("rmdir " + path);
  return true;  // our lock on the unlinked directory is dropped with `dir`
}

// Held by a create from the mkdir of its temporary directory until it has
// locked it, and by whoever judges a temporary directory found unlocked: so
// an unlocked one is always a dead create's, never one whose maker has not
// locked it yet. (Without it, two creates of one id could each sweep the
// other's new directory in turn until both gave up: CI, seed 3782368475.)
// flock on the state root itself: no lock file, and the kernel drops it if
// the holder dies. Held for three system calls.
class RootLock {
 public:
  RootLock(int rootfd, const std::string& root) : rootfd_(rootfd) { lock_exclusive_naming_holder(rootfd, root); }
  ~RootLock() { ::flock(rootfd_, LOCK_UN); }
  RootLock(const RootLock&) = delete;
  RootLock& operator=(const RootLock&) = delete;

 private:
  int rootfd_;
};

// The temporary directory `name`, open as `temp`, is removed if no create
// holds its lock; returns whether the name is (now) free. Called under the
// root's lock: an unlocked one is then a dead create's.
bool remove_if_unlocked(int rootfd, const std::string& root, const std::string& name, int temp) {
  if (::flock(temp, LOCK_EX | LOCK_NB) < 0) {
    if (errno == EWOULDBLOCK) return false;
    throw_errno("lock " + root + "/" + name);
  }
  if (!still_linked(rootfd, name, temp)) return true;
  if (::unlinkat(rootfd, name.c_str(), AT_REMOVEDIR) < 0 && errno != ENOENT) throw_errno("rmdir " + root + "/" + name);
  return true;
}

// The temporary directory `name`, or nothing when there is none.
std::optional<UniqueFd> open_temp(int rootfd, const std::string& root, const std::string& name) {
  int t = ::openat(rootfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (t >= 0) return UniqueFd(t);
  if (errno == ENOENT) return std::nullopt;  // renamed into place or removed meanwhile
  throw_errno("open " + root + "/" + name);
}

// The temporary directory `name` of a create that died before renaming it
// into place is removed; returns whether the name is (now) free. A live
// create holds the lock until it renames: its directory is left alone.
bool clear_dead_temp(int rootfd, const std::string& root, const std::string& name) {
  std::optional<UniqueFd> temp = open_temp(rootfd, root, name);
  if (!temp) return true;
  RootLock held(rootfd, root);
  return remove_if_unlocked(rootfd, root, name, temp->get());
}

}  // namespace

void StateStore::clear_debris(std::string_view id_view) const {
  validate_container_id(id_view);
  std::string id(id_view);
  int fd = ::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return;
    throw_errno("open " + root_);
  }
  UniqueFd root(fd);
  with_context("clear what is left of container " + quote(id), [&] {
    clear_abandoned(root.get(), root_, id);
    clear_dead_temp(root.get(), root_, temp_name_for(id));
  });
}

void StateStore::remove_unreadable(std::string_view id_view) const {
  validate_container_id(id_view);
  std::string id(id_view);
  UniqueFd root = open_fd(root_, O_RDONLY | O_DIRECTORY);
  with_context("remove the state of container " + quote(id), [&] {
    if (!clear_abandoned(root.get(), root_, id, true)) throw Error("another command holds the container's lock");
  });
}

namespace {

// Makes root/id and locks it, or returns nullopt when the name is taken.
std::optional<UniqueFd> make_locked_dir(const std::string& root, const std::string& id) {
  make_root(root);
  UniqueFd rootfd = open_fd(root, O_RDONLY | O_DIRECTORY);
  std::string path = root + "/" + id;
  // A container that has its state is refused before anything is made: a
  // create of an existing id, killed, leaves nothing behind. (A directory
  // without state.json, a create under way or one that died, is decided by
  // the rename below.)
  struct stat st {};
  if (::fstatat(rootfd.get(), (id + "/" + kStateFile).c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) return std::nullopt;
  fault_point("create-after-existence-check");
  const std::string tmp = temp_name_for(id);
  const std::string tmp_path = root + "/" + tmp;
  UniqueFd fd;
  {
    RootLock held(rootfd.get(), root);
    if (::mkdirat(rootfd.get(), tmp.c_str(), 0700) < 0) {
      if (errno != EEXIST) throw_errno("mkdir " + tmp_path);
      // A create of this id is making its directory: the one under way
      // wins, as if it had renamed first; one that died left it to clear.
      std::optional<UniqueFd> dead = open_temp(rootfd.get(), root, tmp);
      if (dead && !remove_if_unlocked(rootfd.get(), root, tmp, dead->get())) return std::nullopt;
      if (::mkdirat(rootfd.get(), tmp.c_str(), 0700) < 0) throw_errno("mkdir " + tmp_path);
    }
    try {
      fd = open_at(rootfd.get(), tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
      // Nobody else takes it while we hold the root's lock.
      if (::flock(fd.get(), LOCK_EX | LOCK_NB) < 0) throw_errno("lock " + tmp_path);
    } catch (const Error&) {
      // Made but not taken (EMFILE at a low fd limit): ours to remove, still
      // under the root's lock; left, no command but a create of its id sees it.
      ::unlinkat(rootfd.get(), tmp.c_str(), AT_REMOVEDIR);
      throw;
    }
  }
  // Locked and at its name: nobody else removes it or makes another one
  // there, so the rename below moves this directory. One more round follows
  // clearing an abandoned directory at <id>.
  for (int round = 0; round < 2; ++round) {
    if (::renameat2(rootfd.get(), tmp.c_str(), rootfd.get(), id.c_str(), RENAME_NOREPLACE) == 0) return fd;
    const int err = errno;
    if (err == EEXIST || err == ENOTEMPTY) {
      bool cleared = false;
      try {
        cleared = clear_abandoned(rootfd.get(), root, id);
      } catch (const Error&) {
        ::unlinkat(rootfd.get(), tmp.c_str(), AT_REMOVEDIR);
        throw;
      }
      if (cleared) continue;
    }
    fault_point("create-after-refused-rename");
    ::unlinkat(rootfd.get(), tmp.c_str(), AT_REMOVEDIR);
    if (err == EEXIST || err == ENOTEMPTY) return std::nullopt;
    if (err != EINVAL) throw_errno(err, "rename " + tmp_path + " to " + path);
    // The filesystem cannot rename without replacing: fall back to a plain
    // exclusive mkdir. The directory is briefly unlocked, so abandoned
    // directories are not cleared on this path.
    if (::mkdirat(rootfd.get(), id.c_str(), 0700) < 0) {
      if (errno == EEXIST) return std::nullopt;
      throw_errno("mkdir " + path);
    }
    fd = open_at(rootfd.get(), id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    lock_exclusive_naming_holder(fd.get(), path);
    return fd;
  }
  ::unlinkat(rootfd.get(), tmp.c_str(), AT_REMOVEDIR);
  return std::nullopt;
}

}  // namespace

ContainerDir StateStore::create(std::string_view id_view) const {
  validate_new_container_id(id_view);
  std::string id(id_view);
  std::optional<UniqueFd> fd = with_context("create state directory for container " + quote(id), [&] {
    try {
      return make_locked_dir(root_, id);
    } catch (const Error& e) {
      // An ordinary user without XDG_RUNTIME_DIR gets the default /run/hull.
      if (::geteuid() == 0 || (e.code() != EACCES && e.code() != EPERM)) throw;
      throw Error(
          e.message() + " (an ordinary user needs a state root it may write: set XDG_RUNTIME_DIR, or give --root)",
          e.code());
    }
  });
  if (!fd) throw_exists(id);
  ContainerDir cd;
  cd.id_ = id;
  cd.path_ = root_ + "/" + id;
  cd.dirfd_ = std::move(*fd);
  return cd;
}

ContainerDir StateStore::open(std::string_view id_view) const {
  validate_container_id(id_view);
  std::string id(id_view);
  ContainerDir cd;
  cd.id_ = id;
  cd.path_ = root_ + "/" + id;
  int rootfd = ::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0) {
    if (errno == ENOENT) throw_missing(id);
    throw_errno("open " + root_);
  }
  UniqueFd root(rootfd);
  // A retry happens only when the container was deleted and created again
  // while we waited for its lock; a bound keeps a pathological loop finite.
  for (int attempt = 0; attempt < 16; ++attempt) {
    int fd = ::openat(root.get(), id.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP) throw_missing(id);
      throw_errno("open " + cd.path_);
    }
    UniqueFd dir(fd);
    lock_exclusive_naming_holder(dir.get(), cd.path_);
    if (!still_linked(root.get(), id, dir.get())) continue;
    if (!has_state_file(dir.get(), cd.path_)) throw_missing(id);
    cd.dirfd_ = std::move(dir);
    return cd;
  }
  throw_missing(id);
}

ContainerState StateStore::peek(std::string_view id_view, StateFields fields) const {
  validate_container_id(id_view);
  std::string id(id_view);
  std::string what = root_ + "/" + id + "/" + kStateFile;
  std::string text;
  try {
    auto [base, dir] = dir_lookup(id);
    text = read_state_text(base, dir + "/" + kStateFile, what);
  } catch (const Error& e) {
    if (e.code() == ENOENT || e.code() == ENOTDIR) throw_missing(id);
    throw;
  }
  ContainerState s = from_state_file_json(text, what, fields);
  if (s.id != id) throw_corrupt_state(what, "it belongs to container " + quote(s.id));
  return s;
}

std::pair<int, std::string> StateStore::dir_lookup(std::string_view id) const {
  if (root_fd_) return {root_fd_.get(), std::string(id)};
  return {AT_FDCWD, root_ + "/" + std::string(id)};
}

seccomp::CacheDir StateStore::seccomp_cache() const {
  UniqueFd root(::open(root_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root && errno == ENOENT) {
    // On a fresh host: the root as a create makes it, a moment early, so the
    // first program is kept too.
    try {
      make_root(root_);
    } catch (const Error&) {
      return {};
    }
    root.reset(::open(root_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  }
  return {std::move(root), kSeccompCacheName};
}

std::vector<std::string> StateStore::list_ids() {
  int fd = ::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return {};
    throw_errno("open " + root_);
  }
  UniqueFd root(fd);
  std::vector<std::string> ids;
  for (auto& [name, type] : directory_entries(root.get(), root_)) {
    if (container_id_problem(name)) continue;  // temp directories and foreign files
    if (type == DT_DIR) {            // no stat per container when the filesystem gives the type
      ids.push_back(std::move(name));
      continue;
    }
    if (type != DT_UNKNOWN) continue;
    struct stat st {};
    if (::fstatat(root.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
      if (errno == ENOENT) continue;  // deleted while we listed
      throw_errno("stat " + root_ + "/" + name);
    }
    if (S_ISDIR(st.st_mode)) ids.push_back(std::move(name));
  }
  std::sort(ids.begin(), ids.end());
  root_fd_ = std::move(root);
  return ids;
}

}  // namespace hull
