// hull::Error ends with the errno text as runc words it: clients match it
// case-sensitively (docs/clients.md).
#include <gtest/gtest.h>

#include <cerrno>

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

}  // namespace
