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

}  // namespace
}  // namespace hull::process
