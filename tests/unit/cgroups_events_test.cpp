// cgroups::event_value_at(): a cgroup without cgroup.events (v1, or removed)
// answers nullopt; one whose file cannot be read is an error, not a
// cgroup that is thawed and empty.
#include <fcntl.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <string>

#include "base/error.hpp"
#include "base/unique_fd.hpp"
#include "cgroups/events.hpp"
#include "support/temp_dir.hpp"

namespace hull::cgroups {
namespace {

TEST(CgroupEvents, ReadFromTheDirectorysDescriptor) {
  test::TempDir tmp("cgroup-events");
  std::ofstream(tmp / "cgroup.events") << "populated 1\nfrozen 0\n";
  UniqueFd dir(::open(tmp.path().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  ASSERT_TRUE(dir);
  EXPECT_EQ(event_value_at(dir.get(), tmp.path(), "populated"), "1");
  EXPECT_EQ(event_value_at(dir.get(), tmp.path(), "frozen"), "0");
  EXPECT_EQ(event_value_at(dir.get(), tmp.path(), "missing"), "");
}

TEST(CgroupEvents, OnlyAMissingFileIsNoEvents) {
  test::TempDir tmp("cgroup-events");
  UniqueFd dir(::open(tmp.path().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  ASSERT_TRUE(dir);
  EXPECT_EQ(event_value_at(dir.get(), tmp.path(), "populated"), std::nullopt);
  EXPECT_FALSE(frozen_or_freezing_at(dir.get(), tmp.path()));

  // ELOOP stands for any failure to open it (EMFILE, EACCES).
  std::filesystem::create_symlink("cgroup.events", tmp / "cgroup.events");
  try {
    event_value_at(dir.get(), tmp.path(), "frozen");
    ADD_FAILURE() << "an unreadable cgroup.events read as no events";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ELOOP);
    EXPECT_NE(e.message().find("open " + tmp.path() + "/cgroup.events"), std::string::npos) << e.message();
  }
}

}  // namespace
}  // namespace hull::cgroups
