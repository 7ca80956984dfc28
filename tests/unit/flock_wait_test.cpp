// flock_holder reads /proc/locks: the pid holding a flock on a file, and
// nothing for a file no one has locked (or one only another file's lock
// names). lock_exclusive_naming_holder takes a free lock at once.
#include "base/flock_wait.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "base/unique_fd.hpp"

namespace hull {
namespace {

UniqueFd temp_file(std::string& path) {
  path = (std::getenv("TMPDIR") ? std::getenv("TMPDIR") : std::string("/tmp")) + "/hull-flock-XXXXXX";
  return UniqueFd(::mkstemp(path.data()));
}

TEST(FlockHolder, NamesThePidHoldingTheLockOfThatFileOnly) {
  std::string a_path, b_path;
  UniqueFd a = temp_file(a_path), b = temp_file(b_path);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(flock_holder(a.get()), 0);
  ASSERT_EQ(::flock(b.get(), LOCK_EX), 0);
  EXPECT_EQ(flock_holder(a.get()), 0) << "another file's lock was taken for this one's";
  lock_exclusive_naming_holder(a.get(), a_path);
  EXPECT_EQ(flock_holder(a.get()), ::getpid());
  ::unlink(a_path.c_str());
  ::unlink(b_path.c_str());
}

}  // namespace
}  // namespace hull
