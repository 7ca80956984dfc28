// base/text.hpp: the word and line readers behind the parsers of
// /proc/self/uid_map, mountinfo, /proc/self/cgroup and cgroup files, and the
// list joiner of messages.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "base/text.hpp"

namespace hull {
namespace {

std::vector<std::string> words(std::string_view text) {
  std::vector<std::string> out;
  for (std::string_view w = next_word(text); !w.empty(); w = next_word(text)) out.emplace_back(w);
  return out;
}

std::vector<std::string> lines(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) out.emplace_back(next_line(text));
  return out;
}

TEST(Text, WordsAreRunsBetweenSpacesTabsAndNewlines) {
  EXPECT_EQ(words("         0          0 4294967295\n"), (std::vector<std::string>{"0", "0", "4294967295"}));
  EXPECT_EQ(words("a\tb\n\nc "), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(words("").empty());
  EXPECT_TRUE(words(" \n\t").empty());
}

TEST(Text, NextWordConsumesWhatItReturns) {
  std::string_view text = "one two";
  EXPECT_EQ(next_word(text), "one");
  EXPECT_EQ(text, " two");
  EXPECT_EQ(next_word(text), "two");
  EXPECT_TRUE(text.empty());
  EXPECT_EQ(next_word(text), "");
}

TEST(Text, LinesKeepEmptyOnesAndALastLineWithoutNewline) {
  EXPECT_EQ(lines("a\n\nb"), (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(lines("0::/x\n"), (std::vector<std::string>{"0::/x"}));
  EXPECT_TRUE(lines("").empty());
}

TEST(Text, ListFieldsSkipEmptyOnes) {
  EXPECT_EQ(list_fields("cpu,cpuacct"), (std::vector<std::string_view>{"cpu", "cpuacct"}));
  EXPECT_EQ(list_fields(",rw,,nosuid,"), (std::vector<std::string_view>{"rw", "nosuid"}));
  EXPECT_EQ(list_fields("name=systemd"), (std::vector<std::string_view>{"name=systemd"}));
  EXPECT_TRUE(list_fields("").empty());
}

TEST(Text, JoinedFieldsPutTheSeparatorOnlyBetweenThem) {
  EXPECT_EQ(joined_fields({"rw", "nosuid"}, ","), "rw,nosuid");
  EXPECT_EQ(joined_fields({"pid 7"}, ", "), "pid 7");
  EXPECT_EQ(joined_fields({}, ", "), "");
  EXPECT_EQ(joined_fields({"", "x"}, ";"), ";x");  // an empty field keeps its place
}

TEST(Text, WholeNumbersOnly) {
  EXPECT_EQ(whole_number<int>("36"), 36);
  EXPECT_EQ(whole_number<unsigned long long>("4294967295"), 4294967295ULL);
  for (std::string_view bad : {"", "+1", "1x", " 1", "99999999999"}) EXPECT_FALSE(whole_number<int>(bad)) << bad;
}

}  // namespace
}  // namespace hull
