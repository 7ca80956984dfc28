#include "rootfs/mount_setattr_fallback.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "base/error.hpp"
#include "base/mountinfo.hpp"
#include "base/unique_fd.hpp"
#include "rootfs/mount_api.hpp"
#include "rootfs/mount_options.hpp"
#include "rootfs/safe_path.hpp"

namespace hull::rootfs {

namespace {

struct Change {
  uint64_t set = 0, clear = 0;    // MOUNT_ATTR_* bits
  unsigned long propagation = 0;  // or MS_SHARED etc. (| MS_REC)
};

// Detached trees with changes waiting, by mount id and the fd that holds
// the tree (an id is given anew only once its mount is gone, and a tree is
// dropped before it is attached only on the way out of a failed create).
struct WaitingTree {
  uint64_t mount_id = 0;
  int fd = -1;
  std::vector<Change> changes;
};
std::vector<WaitingTree>& waiting_trees() {
  static std::vector<WaitingTree> trees;
  return trees;
}
// Every init asks apply_deferred_changes; on a kernel with mount_setattr
// none ever waits, and reaching the local static above would cost the init
// its guard and exit handler: two page faults (eighty-seventh round).
bool a_tree_waits = false;

// Our namespace's mounts are in our mountinfo; a detached one is not.
bool is_detached(uint64_t id) {
  const std::vector<MountInfo> mounts = read_mountinfo();
  return std::none_of(mounts.begin(), mounts.end(),
                      [id](const MountInfo& m) { return static_cast<uint64_t>(m.id) == id; });
}

// The mount's own flags as MOUNT_ATTR_* bits (statvfs reports a read-only
// superblock as read-only too, which a bind of it is anyway).
uint64_t current_attrs(int fd, const std::string& what) {
  struct statvfs s {};
  if (::fstatvfs(fd, &s) < 0) throw_errno(what + ": statvfs the mount");
  constexpr unsigned long kNoSymfollow = 0x2000;  // ST_NOSYMFOLLOW (Linux 5.10), not in glibc 2.36's headers
  constexpr std::pair<unsigned long, uint64_t> kFlags[] = {
      {ST_RDONLY, MOUNT_ATTR_RDONLY}, {ST_NOSUID, MOUNT_ATTR_NOSUID},         {ST_NODEV, MOUNT_ATTR_NODEV},
      {ST_NOEXEC, MOUNT_ATTR_NOEXEC}, {ST_NODIRATIME, MOUNT_ATTR_NODIRATIME}, {kNoSymfollow, MOUNT_ATTR_NOSYMFOLLOW},
  };
  uint64_t attrs = 0;
  for (auto [st, attr] : kFlags)
    if (s.f_flag & st) attrs |= attr;
  if (s.f_flag & ST_NOATIME)
    attrs |= MOUNT_ATTR_NOATIME;
  else if (!(s.f_flag & ST_RELATIME))
    attrs |= MOUNT_ATTR_STRICTATIME;
  return attrs;
}

// A bind remount replaces every per-mount flag, so it is given the mount's
// flags with the change made, as mount_setattr would leave them (in a user
// namespace a flag the mount is locked with must be passed again, too).
void remount_with(int fd, const char* target, uint64_t set, uint64_t clear, const std::string& what) {
  const uint64_t want = (current_attrs(fd, what) & ~clear) | set;
  const unsigned long flags = MS_REMOUNT | MS_BIND | mount_flags_of_attrs(want);
  if (::mount(nullptr, target, nullptr, flags, nullptr) < 0)
    throw_errno(what + ": remount (flags " + mount_flags_to_string(flags) + "), as there is no mount_setattr");
}

void make_change(int fd, const Change& c, const std::string& what) {
  const std::string target = fd_path(fd);
  if (c.propagation == 0) return remount_with(fd, target.c_str(), c.set, c.clear, what);
  if (::mount(nullptr, target.c_str(), nullptr, c.propagation, nullptr) < 0)
    throw_errno(what + ": set propagation " + propagation_to_string(c.propagation) + ", as there is no mount_setattr");
}

void make_or_defer(int fd, const Change& c, const std::string& what) {
  const uint64_t id = mount_id_of(fd, what);
  if (!is_detached(id)) return make_change(fd, c, what);
  auto& trees = waiting_trees();
  auto it =
      std::find_if(trees.begin(), trees.end(), [&](const WaitingTree& t) { return t.mount_id == id && t.fd == fd; });
  if (it == trees.end()) {
    std::erase_if(trees, [id](const WaitingTree& t) { return t.mount_id == id; });
    it = trees.insert(trees.end(), {id, fd, {}});
    a_tree_waits = true;
  }
  it->changes.push_back(c);
}

}  // namespace

void set_attrs_without_setattr(int fd, uint64_t set, uint64_t clear, const std::string& what) {
  make_or_defer(fd, {set, clear, 0}, what);
}

void set_propagation_without_setattr(int fd, unsigned long propagation, const std::string& what) {
  make_or_defer(fd, {0, 0, propagation}, what);
}

void apply_deferred_changes(int fd, const std::string& what) {
  if (!a_tree_waits) return;  // every kernel with mount_setattr
  auto& trees = waiting_trees();
  const uint64_t id = mount_id_of(fd, what);
  auto it = std::find_if(trees.begin(), trees.end(), [&](const WaitingTree& t) { return t.mount_id == id; });
  if (it == trees.end()) return;
  const std::vector<Change> changes = std::move(it->changes);
  trees.erase(it);
  for (const Change& c : changes) make_change(fd, c, what);
}

void remount_read_only_at(const char* path, const std::string& what) {
  UniqueFd at(::open(path, O_PATH | O_CLOEXEC));
  if (!at) throw_errno(what + ": open " + quote(path));
  remount_with(at.get(), path, MOUNT_ATTR_RDONLY, 0, what);
}

}  // namespace hull::rootfs
