// GVariant's text form as org.systemd.property.* annotations write values.
#include <gtest/gtest.h>

#include "base/error.hpp"
#include "cgroups/gvariant_text.hpp"
#include "support/error_of.hpp"

namespace hull::cgroups {
namespace {

using dbus::PropertyValue;

TEST(GVariantText, TypedAndUntypedValues) {
  EXPECT_EQ(parse_gvariant_text("uint64 5000000"), PropertyValue(uint64_t{5000000}));
  EXPECT_EQ(parse_gvariant_text("@t 18446744073709551615"), PropertyValue(uint64_t{18446744073709551615u}));
  EXPECT_EQ(parse_gvariant_text("int64 -3"), PropertyValue(int64_t{-3}));
  EXPECT_EQ(parse_gvariant_text("uint32 0x10"), PropertyValue(uint32_t{16}));
  EXPECT_EQ(parse_gvariant_text("int16 -7"), PropertyValue(int16_t{-7}));
  EXPECT_EQ(parse_gvariant_text("uint16 7"), PropertyValue(uint16_t{7}));
  EXPECT_EQ(parse_gvariant_text("byte 255"), PropertyValue(uint8_t{255}));
  EXPECT_EQ(parse_gvariant_text(" 15 "), PropertyValue(int32_t{15}));  // untyped: int32, as in GLib
  EXPECT_EQ(parse_gvariant_text("2.5"), PropertyValue(2.5));
  EXPECT_EQ(parse_gvariant_text("double 1"), PropertyValue(1.0));
  EXPECT_EQ(parse_gvariant_text("true"), PropertyValue(true));
  EXPECT_EQ(parse_gvariant_text("@b false"), PropertyValue(false));
  EXPECT_EQ(parse_gvariant_text("'inactive-or-failed'"), PropertyValue(std::string("inactive-or-failed")));
  EXPECT_EQ(parse_gvariant_text(R"("it's \"x\"\n")"), PropertyValue(std::string("it's \"x\"\n")));
  EXPECT_EQ(parse_gvariant_text("string 'a'"), PropertyValue(std::string("a")));
  EXPECT_EQ(parse_gvariant_text("['crio.service', \"b.target\"]"),
            PropertyValue(std::vector<std::string>{"crio.service", "b.target"}));
  EXPECT_EQ(parse_gvariant_text("@as []"), PropertyValue(std::vector<std::string>{}));
}

TEST(GVariantText, WhatItCannotReadIsAnError) {
  for (const char* bad : {"", "notgvariant", "'open", "[1, 2]", "['a' 'b']", "['a'", "int32 2147483648",
                          "byte -1", "uint64 -1", "5 6", "@ay []", "@s 5", "truex", "0x"})
    EXPECT_NE(test::error_of([&] { parse_gvariant_text(bad); }), test::kNoError) << bad;
}

}  // namespace
}  // namespace hull::cgroups
