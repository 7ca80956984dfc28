#include "rootfs/readonly_later.hpp"

#include <sys/stat.h>

#include <algorithm>

#include "base/error.hpp"
#include "base/fd_limit.hpp"
#include "base/procfs.hpp"
#include "rootfs/mount_api.hpp"
#include "rootfs/mount_options.hpp"
#include "rootfs/safe_path.hpp"

namespace hull::rootfs {

// Hundreds of read-only tmpfs and a few binds above them (a copy of each)
// went past systemd's soft fd limit of 1024 (EMFILE in the pure-v2 VM's
// benchmark, hundred-and-tenth round).
void ReadOnlyLater::about_to_hold(size_t more) const { raise_fd_limit_holding(entries_.size() + more); }

void ReadOnlyLater::push(UniqueFd mount, std::optional<std::string> path, std::optional<dev_t> dev) {
  about_to_hold(1);
  Entry e{std::move(mount), std::nullopt, std::nullopt, std::nullopt};
  if (path) e.path = std::move(path);
  // Kept only where every entry before it is read (the read ones are a
  // prefix); else it is read with them, at the next lookup.
  if (dev && devices_read_ == entries_.size()) {
    e.dev = dev;
    ++devices_[*dev];
    ++devices_read_;
  }
  entries_.push_back(std::move(e));
}

std::optional<dev_t> ReadOnlyLater::queued_device_of(int fd) {
  for (; devices_read_ < entries_.size(); ++devices_read_) {
    Entry& e = entries_[devices_read_];
    struct stat st {};
    if (::fstat(e.mount.get(), &st) < 0) throw_errno("stat a mount to make read-only later");
    e.dev = st.st_dev;
    ++devices_[st.st_dev];
  }
  struct stat on {};
  if (devices_.empty() || ::fstat(fd, &on) < 0 || !devices_.contains(on.st_dev)) return std::nullopt;
  return on.st_dev;
}

std::vector<std::optional<std::string>> ReadOnlyLater::paths_in(const std::string& rootfs_path) {
  std::vector<std::optional<std::string>> out;
  out.reserve(entries_.size());
  for (Entry& e : entries_) {
    if (!e.path) e.path = path_below(rootfs_path, procfs::read_link("self/fd/" + std::to_string(e.mount.get())));
    out.push_back(*e.path);
  }
  return out;
}

void ReadOnlyLater::forget(int mount, const std::string& what) {
  if (entries_.empty()) return;
  const uint64_t id = mount_id_of(mount, what);
  // Each entry's id read once: a remount of each of thousands of read-only
  // tmpfs read them all again each time (N^2/2 statx; review "scale",
  // hundred-and-tenth round).
  for (Entry& e : entries_)
    if (!e.mount_id) e.mount_id = mount_id_of(e.mount.get(), what);
  std::erase_if(entries_, [&](const Entry& e) {
    if (*e.mount_id != id) return false;
    if (e.dev && --devices_[*e.dev] == 0) devices_.erase(*e.dev);
    return true;
  });
  devices_read_ = static_cast<size_t>(
      std::count_if(entries_.begin(), entries_.end(), [](const Entry& e) { return e.dev.has_value(); }));
}

void ReadOnlyLater::make_read_only(const std::string& what) const {
  for (const Entry& e : entries_) set_mount_attrs(e.mount.get(), MountAttrs::read_only(), false, what);
}

}  // namespace hull::rootfs
