// HOME for the container's process when the config leaves it out (runc's
// setupUser, crun's set_home_env).
#include <gtest/gtest.h>

#include "process/home_env.hpp"

namespace hull::process {
namespace {

TEST(HomeEnv, UnsetOrEmptyHomeIsLacking) {
  EXPECT_TRUE(lacks_home({}));
  EXPECT_TRUE(lacks_home({"PATH=/bin", "HOMEDIR=/x"}));
  EXPECT_TRUE(lacks_home({"HOME="}));
  EXPECT_FALSE(lacks_home({"HOME=/srv"}));
  // The last assignment decides, as for PATH.
  EXPECT_TRUE(lacks_home({"HOME=/srv", "HOME="}));
  EXPECT_FALSE(lacks_home({"HOME=", "HOME=/srv"}));
}

TEST(HomeEnv, HomeComesFromTheUsersEntryOrIsTheRoot) {
  const std::string text = "root:x:0:0:root:/root:/bin/sh\nu:x:1000:1000::/home/u:/bin/sh\n";
  EXPECT_EQ(home_in_passwd(text, 0), "/root");
  EXPECT_EQ(home_in_passwd(text, 1000), "/home/u");
  EXPECT_EQ(home_in_passwd(text, 1001), "/");
  EXPECT_EQ(home_in_passwd("", 0), "/");
}

TEST(HomeEnv, WithHomeReplacesEveryHomeEntry) {
  EXPECT_EQ(with_home({"PATH=/bin", "HOME=", "TERM=xterm", "HOME="}, "/root"),
            (std::vector<std::string>{"PATH=/bin", "TERM=xterm", "HOME=/root"}));
  EXPECT_EQ(with_home({}, "/"), (std::vector<std::string>{"HOME=/"}));
}

}  // namespace
}  // namespace hull::process
