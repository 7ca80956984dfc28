#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/unique_fd.hpp"

namespace hull::rootfs {

// The tmpfs mounts a config asks read-only, left writable until the rootfs
// is set up (a later mount's destination or the process's cwd may still
// have to be made in them), and the copies of them that recursive binds
// made (MountContext::readonly_later). What each bind asks of it is a
// lookup: a config of hundreds of binds and read-only tmpfs took seconds
// when each bind stat'ed and read the path of every entry (Hundred-and-sixth
// round).
class ReadOnlyLater {
 public:
  // Queues the mount (a tmpfs's root, or a copy's) that fd names, its path
  // in the rootfs where the caller knows it, and its device where the
  // caller has it (queued_device_of's answer): a copy is on its original's.
  void push(UniqueFd mount, std::optional<std::string> path = std::nullopt, std::optional<dev_t> dev = std::nullopt);
  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }
  // Before `more` fds of mounts to queue are opened (a bind's copies): the
  // fd limit is raised where the queue and they would hold many
  // (base/fd_limit.hpp).
  void about_to_hold(size_t more) const;
  // The device of fd when it is on the file system of a queued mount: each
  // tmpfs is a superblock, a device, of its own, whatever path led to fd.
  std::optional<dev_t> queued_device_of(int fd);
  // Where each queued mount is in the rootfs at rootfs_path (read once for
  // each, when first asked); nullopt for one outside it.
  std::vector<std::optional<std::string>> paths_in(const std::string& rootfs_path);
  // Drops the entries of mount `mount` (the root of one): a remount's flags
  // replace the mount's own, and the read-only is the remount's to give.
  void forget(int mount, const std::string& what);
  // Makes each queued mount read-only.
  void make_read_only(const std::string& what) const;

 private:
  // Each read when first needed: the default config queues the v1 cgroup
  // tmpfs and asks nothing of it.
  struct Entry {
    UniqueFd mount;
    std::optional<dev_t> dev;
    std::optional<std::optional<std::string>> path;  // outer: not read yet
    std::optional<uint64_t> mount_id;                // read at the first forget()
  };
  std::vector<Entry> entries_;
  std::unordered_map<dev_t, size_t> devices_;  // how many entries with a device read are on each
  size_t devices_read_ = 0;  // entries_ whose device is read: a prefix (pushes append, forget keeps order)
};

}  // namespace hull::rootfs
