// cli/cli11.hpp gives CLI11's std::isspace/isalpha/tolower(c, std::locale())
// calls ASCII tests instead of the classic C++ locale. They must answer as
// that locale does for every byte, or option names and values would trim,
// split or compare differently.
#include <gtest/gtest.h>

#include <locale>
#include <string>

#include "cli/cli11.hpp"

namespace {

TEST(Cli11Ctype, EveryByteTrimsSplitsAndLowersAsTheClassicLocale) {
  const std::locale& classic = std::locale::classic();
  for (int i = 0; i < 256; ++i) {
    const char c = static_cast<char>(i);
    const std::string one(1, c);
    const bool space = std::use_facet<std::ctype<char>>(classic).is(std::ctype_base::space, c);
    EXPECT_EQ(CLI::detail::trim_copy(one).empty(), space) << "byte " << i;
    EXPECT_EQ(CLI::detail::split_up("a" + one + "b").size(), space ? 2u : 1u) << "byte " << i;
    EXPECT_EQ(CLI::detail::isalpha(one), std::use_facet<std::ctype<char>>(classic).is(std::ctype_base::alpha, c))
        << "byte " << i;
    EXPECT_EQ(CLI::detail::to_lower(one), std::string(1, std::use_facet<std::ctype<char>>(classic).tolower(c)))
        << "byte " << i;
  }
}

}  // namespace
