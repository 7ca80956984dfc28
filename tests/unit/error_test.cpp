// hull::Error ends with the errno text as runc words it: clients match it
// case-sensitively (docs/clients.md).
#include <gtest/gtest.h>

#include <cerrno>
#include <string>

#include "base/errno_text.hpp"
#include "base/error.hpp"

namespace {

TEST(ErrorText, ErrnoTextIsGosLowercase) {
  EXPECT_EQ(hull::errno_text(ENOENT), "no such file or directory");
  EXPECT_EQ(hull::errno_text(EACCES), "permission denied");
  EXPECT_EQ(hull::errno_text(ESRCH), "no such process");
  EXPECT_EQ(hull::errno_text(ENOTDIR), "not a directory");
  EXPECT_EQ(hull::errno_text(EPERM), "operation not permitted");
}

TEST(ErrorText, WhatEndsWithIt) {
  hull::Error e("exec \"/nonexistent\": no such file in the container", ENOENT);
  e.add_context("create container \"web\"");
  EXPECT_STREQ(e.what(),
               "create container \"web\": exec \"/nonexistent\": no such file in the container: no such file or "
               "directory");
  EXPECT_STREQ(hull::Error("found it but it is not executable", EACCES).what(),
               "found it but it is not executable: permission denied");
}

// Values from configs, clients and the file system are shown, never acted
// on: no C0 or C1 control reaches the terminal or splits the log line.
TEST(Quote, EscapesWhatATerminalWouldActOn) {
  EXPECT_EQ(hull::quote("web"), "\"web\"");
  EXPECT_EQ(hull::quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(hull::quote("a\nb\tc\rd"), "\"a\\nb\\tc\\rd\"");
  EXPECT_EQ(hull::quote("\x1b[31mred"), "\"\\x1b[31mred\"");
  EXPECT_EQ(hull::quote(std::string("nul\0del\x7f", 8)), "\"nul\\x00del\\x7f\"");
  // U+009B (CSI) as UTF-8; other multi-byte characters pass as they are.
  EXPECT_EQ(hull::quote("\xc2\x9b"
                        "2J"),
            "\"\\xc2\\x9b2J\"");
  EXPECT_EQ(hull::quote("caf\xc3\xa9 \xc2\xa0"), "\"caf\xc3\xa9 \xc2\xa0\"");
  EXPECT_EQ(hull::quote("end\xc2"), "\"end\xc2\"");
}

}  // namespace
