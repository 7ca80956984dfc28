// hull::Error ends with the errno text as runc words it: clients match it
// case-sensitively (docs/clients.md).
#include <gtest/gtest.h>

#include <sys/utsname.h>

#include <cerrno>
#include <string>

#include "base/errno_text.hpp"
#include "base/error.hpp"
#include "base/shown_text.hpp"

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

// ENOSYS says what to do: a kernel too old for hull (or for what was asked:
// 5.10 has no mount_setattr) or a seccomp filter around hull; the kernel is named.
TEST(ErrorText, AMissingSystemCallNamesTheKernelAndTheVersionHullNeeds) {
  utsname u{};
  ASSERT_EQ(::uname(&u), 0);
  const std::string what = hull::Error("make the old root a slave", ENOSYS).what();
  EXPECT_EQ(what, std::string("make the old root a slave: function not implemented (Linux ") + u.release +
                      " or a seccomp filter lacks this system call; hull needs Linux 5.10 or newer, 5.12 for "
                      "id-mapped mounts and recursive mount attributes)");
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
  // Bidirectional overrides reorder what is shown; malformed UTF-8 (a lone
  // 0x9b is CSI on an 8-bit terminal) is shown byte by byte.
  EXPECT_EQ(hull::quote("a\xe2\x80\xae"
                        "b\xe2\x81\xa6"
                        "c"),
            "\"a\\xe2\\x80\\xaeb\\xe2\\x81\\xa6c\"");
  EXPECT_EQ(hull::quote("end\xc2"), "\"end\\xc2\"");
  EXPECT_EQ(hull::quote("x\x9b"
                        "2J"),
            "\"x\\x9b2J\"");
}

// A value longer than any path is cut short, with its length said.
TEST(Quote, CutsAHugeValueShort) {
  const std::string huge(100000, 'A');
  EXPECT_EQ(hull::quote(huge), "\"" + std::string(4096, 'A') + "...\" (100000 bytes)");
  EXPECT_EQ(hull::quote(std::string(4096, 'B')), "\"" + std::string(4096, 'B') + "\"");
}

// A message line or a table's cell stays one line and keeps its quotes;
// what a terminal acts on in it is escaped as in quote().
TEST(ShownText, OneLineWithControlsEscaped) {
  EXPECT_EQ(hull::shown_text("hull: \"x\" failed"), "hull: \"x\" failed");
  EXPECT_EQ(hull::shown_text("a\x1b]0;title\x07"
                             "b\rc"),
            "a\\x1b]0;title\\x07b\\rc");
  EXPECT_EQ(hull::shown_text(hull::quote("\x1b")), "\"\\x1b\"");                   // quote()'s escapes pass as they are
  EXPECT_EQ(hull::shown_text("fd 3 -> /x\nfake  row"), "fd 3 -> /x\\nfake  row");  // no forged line or row
}

}  // namespace
