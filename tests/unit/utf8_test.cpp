// Cell widths of `list`'s table: code points, as Go's text/tabwriter counts.
#include "base/utf8.hpp"

#include <gtest/gtest.h>

TEST(Utf8Width, CountsCodePointsAndEachMalformedByteAsOne) {
  EXPECT_EQ(hull::utf8_width(""), 0u);
  EXPECT_EQ(hull::utf8_width("/run/b"), 6u);
  EXPECT_EQ(hull::utf8_width("hull-\xc3\xa9-\xc3\xbc"), 8u);        // "hull-é-ü"
  EXPECT_EQ(hull::utf8_width("\xe2\x82\xac\xf0\x9f\x90\xb3"), 2u);  // "€" and a 4-byte emoji
  EXPECT_EQ(hull::utf8_width("a\xff\xc3"), 3u);                     // a stray byte, a truncated sequence
}
