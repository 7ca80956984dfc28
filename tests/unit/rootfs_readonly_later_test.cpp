// rootfs::ReadOnlyLater's device lookup: each queued mount's device is read
// (fstat) when first asked, unless its pusher gave it and every entry before
// it is read already; a device given out of that order is not trusted, so
// the lookup reads it. Any fd stands for a mount here: only its device is
// looked at.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "base/unique_fd.hpp"
#include "rootfs/readonly_later.hpp"

namespace hull::rootfs {
namespace {

UniqueFd open_path(const char* path) { return UniqueFd(::open(path, O_PATH | O_CLOEXEC)); }

dev_t device_of(const char* path) {
  struct stat st {};
  EXPECT_EQ(::stat(path, &st), 0) << path;
  return st.st_dev;
}

TEST(ReadOnlyLater, AGivenDeviceIsKeptOnlyAfterEveryEntryBeforeItIsRead) {
  // /proc, /dev and /sys are file systems of their own on every host these tests run on.
  const dev_t proc = device_of("/proc/self");
  const dev_t dev = device_of("/dev/null");
  const dev_t sys = device_of("/sys/kernel");
  if (proc == dev || dev == sys || proc == sys) GTEST_SKIP() << "/proc, /dev and /sys share a device here";

  ReadOnlyLater queue;
  EXPECT_EQ(queue.queued_device_of(open_path("/proc/self").get()), std::nullopt);
  queue.push(open_path("/proc/self"));  // device not given: read at the next lookup
  // Given out of order, and wrong: the lookup must read /dev's own, not take it.
  queue.push(open_path("/dev/null"), std::nullopt, sys);
  EXPECT_EQ(queue.queued_device_of(open_path("/proc/self").get()), proc);
  EXPECT_EQ(queue.queued_device_of(open_path("/dev/null").get()), dev);
  EXPECT_EQ(queue.queued_device_of(open_path("/sys/kernel").get()), std::nullopt);

  // Given in order (every entry before it read): taken as given, as the
  // caller read it from the same mount.
  ReadOnlyLater given;
  given.push(open_path("/dev/null"), std::nullopt, dev);
  EXPECT_EQ(given.queued_device_of(open_path("/dev/null").get()), dev);
  EXPECT_EQ(given.queued_device_of(open_path("/proc/self").get()), std::nullopt);
}

}  // namespace
}  // namespace hull::rootfs
