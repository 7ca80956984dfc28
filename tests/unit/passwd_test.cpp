// User names for `list` and `state` ("owner"), read from /etc/passwd text.
#include <gtest/gtest.h>

#include "base/passwd.hpp"

namespace hull {
namespace {

TEST(Passwd, FindsTheFirstEntryWithTheUid) {
  const std::string text =
      "root:x:0:0:root:/root:/bin/bash\n"
      "daemon:x:1:1::/usr/sbin:/usr/sbin/nologin\n"
      "alias:x:1:1::/:/bin/sh\n"
      "last:x:1000:1000::/home/last:/bin/sh";  // no final newline
  EXPECT_EQ(user_name_in(text, 0), "root");
  EXPECT_EQ(user_name_in(text, 1), "daemon");
  EXPECT_EQ(user_name_in(text, 1000), "last");
  EXPECT_EQ(user_name_in(text, 2), std::nullopt);
}

TEST(Passwd, SkipsMalformedLines) {
  const std::string text =
      "\n"
      "# comment\n"
      ":x:5:5::/:/bin/sh\n"      // no name
      "short:x\n"                // no uid field
      "neg:x:-5:5::/:/bin/sh\n"  // not a number
      "big:x:99999999999:5::/:/bin/sh\n"
      "nouid:x::5::/:/bin/sh\n"
      "ok:x:5:5::/:/bin/sh\n";
  EXPECT_EQ(user_name_in(text, 5), "ok");
}

TEST(Passwd, EntryGivesTheNameAndTheHomeOfTheFirstMatch) {
  const std::string text =
      "root:x:0:0:root:/root:/bin/bash\n"
      "u:x:1000:1000:U:/home/u:/bin/sh\n"
      "again:x:1000:1000::/elsewhere:/bin/sh\n"
      "noshell:x:7:7::/home/noshell\n"  // six fields
      "nohome:x:8:8\n";                 // stops before the home
  auto u = passwd_entry_in(text, 1000);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->name, "u");
  EXPECT_EQ(u->home, "/home/u");
  EXPECT_EQ(passwd_entry_in(text, 7)->home, "/home/noshell");
  EXPECT_EQ(passwd_entry_in(text, 8)->home, "");
  EXPECT_FALSE(passwd_entry_in(text, 9));
}

}  // namespace
}  // namespace hull
