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

}  // namespace
}  // namespace hull
