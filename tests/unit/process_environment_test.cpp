// process.env as the container's process gets it: one entry per name.
#include <gtest/gtest.h>

#include "process/environment.hpp"

namespace hull::process {
namespace {

TEST(ProcessEnvironment, ARepeatedNameKeepsItsFirstPlaceAndTakesItsLastValue) {
  EXPECT_EQ(unique_names({"PATH=/nonexist", "A=1", "PATH=/bin", "B=", "A=2", "AB=3"}),
            (std::vector<std::string>{"PATH=/bin", "A=2", "B=", "AB=3"}));
  EXPECT_EQ(unique_names({}), std::vector<std::string>{});
  EXPECT_EQ(unique_names({"X=a=b", "X=c"}), std::vector<std::string>{"X=c"});
}

// Each name is looked up once: 100,000 entries, each name twice, took
// tens of seconds when each entry was compared with all kept before it.
TEST(ProcessEnvironment, ManyEntriesAreMadeUniqueInOnePass) {
  std::vector<std::string> env;
  for (int round = 0; round < 2; ++round)
    for (int i = 0; i < 50000; ++i) env.push_back("E" + std::to_string(i) + "=" + std::to_string(round));
  const std::vector<std::string> out = unique_names(env);
  ASSERT_EQ(out.size(), 50000u);
  EXPECT_EQ(out.front(), "E0=1");
  EXPECT_EQ(out.back(), "E49999=1");
}

}  // namespace
}  // namespace hull::process
