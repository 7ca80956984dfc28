// The state.json reader: accepts exactly JSON, keeps flat values, types the rest.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "base/json_flat.hpp"

namespace hull::json_flat {
namespace {

Result parse_flat(std::string_view text) {
  Members m;
  return parse_object(text, m);
}

TEST(JsonFlat, KeepsStringsNumbersAndStringObjects) {
  Members m;
  ASSERT_EQ(parse_object(R"({"s":"a\"b\\c\/\n\u00e9\ud83d\ude00","n":18446744073709551615,"o":{"k":"v","k":"w"},)"
                         R"("big":18446744073709551616,"neg":-1,"f":1.5,"e":1e3,"a":[1,{"x":[]}],"t":true,"z":null,)"
                         R"("mixed":{"a":"1","b":2},"s":"last"})",
                         m),
            Result::Ok);
  EXPECT_EQ(find(m, "s")->text, "last");  // the last duplicate wins
  EXPECT_EQ(m[0].second.text, "a\"b\\c/\n\xc3\xa9\xf0\x9f\x98\x80");
  EXPECT_EQ(find(m, "n")->kind, Kind::Unsigned);
  EXPECT_EQ(find(m, "n")->number, UINT64_MAX);
  EXPECT_TRUE(find(m, "o")->strings_only);
  ASSERT_EQ(find(m, "o")->members.size(), 2u);
  for (const char* k : {"big", "neg", "f", "e"}) EXPECT_EQ(find(m, k)->kind, Kind::OtherNumber) << k;
  EXPECT_EQ(find(m, "a")->kind, Kind::Array);
  EXPECT_EQ(find(m, "t")->kind, Kind::Bool);
  EXPECT_EQ(find(m, "z")->kind, Kind::Null);
  EXPECT_EQ(find(m, "mixed")->kind, Kind::Object);
  EXPECT_FALSE(find(m, "mixed")->strings_only);
  EXPECT_EQ(find(m, "missing"), nullptr);
}

TEST(JsonFlat, KeepsArraysOfStrings) {
  Members m;
  ASSERT_EQ(parse_object(R"({"made":["/a","/b\u0041"],"none":[],"mixed":["/a",1,"/c"],"nested":[["x"]]})", m),
            Result::Ok);
  EXPECT_TRUE(find(m, "made")->strings_only);
  EXPECT_EQ(find(m, "made")->items, (std::vector<std::string>{"/a", "/bA"}));
  EXPECT_TRUE(find(m, "none")->strings_only);
  EXPECT_TRUE(find(m, "none")->items.empty());
  for (const char* k : {"mixed", "nested"}) {
    EXPECT_EQ(find(m, k)->kind, Kind::Array) << k;
    EXPECT_FALSE(find(m, k)->strings_only) << k;
    EXPECT_TRUE(find(m, k)->items.empty()) << k;
  }
  EXPECT_EQ(parse_flat(R"({"a":["x",]})"), Result::Invalid);
  EXPECT_EQ(parse_flat(R"({"a":["x" "y"]})"), Result::Invalid);
}

TEST(JsonFlat, AgreesWithNlohmannOnValidity) {
  const char* cases[] = {
      "",
      " ",
      "{}",
      "\xEF\xBB\xBF{}",
      "{} x",
      "{",
      "{\"a\"}",
      "{\"a\":}",
      "{\"a\":1,}",
      "{,}",
      "[1,2]",
      "1",
      "\"s\"",
      "null",
      "{\"a\":01}",
      "{\"a\":-}",
      "{\"a\":1.}",
      "{\"a\":1e}",
      "{\"a\":.5}",
      "{\"a\":+1}",
      "{\"a\":tru}",
      "{\"a\":\"\x01\"}",
      "{\"a\":\"\\x\"}",
      "{\"a\":\"\\ud800\"}",
      "{\"a\":\"\\udc00\"}",
      "{\"a\":\"\\ud800\\u0041\"}",
      "{\"a\":\"\xff\"}",
      "{\"a\":\"\xc0\xaf\"}",
      "{\"a\":\"\xed\xa0\x80\"}",
      "{\"a\":\"\xf4\x90\x80\x80\"}",
      "{\"a\":\"\xe2\x82\"}",
      "{\"a\":\"\xe2\x82\xac\"}",
      "{\"a\":[1,[2,{\"b\":null}]]}",
      "{\"a\":[1 2]}",
      "{\"a\":{\"b\":\"c\",}}",
      "{\"a\":\"\\u00\"}",
      "{'a':1}",
      "{\"a\":1}{}",
      "{\"a\":-0}",
      "{\"a\":1E+2}",
  };
  for (const char* c : cases) {
    SCOPED_TRACE(c);
    auto j = nlohmann::json::parse(c, nullptr, false);
    Result expected = j.is_discarded() ? Result::Invalid : j.is_object() ? Result::Ok : Result::NotObject;
    EXPECT_EQ(parse_flat(c), expected);
  }
}

TEST(JsonFlat, SkippedMembersAreValidatedAndDropped) {
  Members m;
  constexpr std::string_view skip[] = {"c", "o"};
  ASSERT_EQ(parse_object(R"({"a":"1","c":"x\"y\u00e9","o":{"k":[1,{"z":"\n"}]},"b":2})", m, skip), Result::Ok);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(find(m, "a")->text, "1");
  EXPECT_EQ(find(m, "b")->number, 2u);
  EXPECT_EQ(find(m, "c"), nullptr);
  for (const char* bad : {R"({"c":"\x"})", "{\"c\":\"\x01\"}", "{\"c\":\"\xff\"}", R"({"c":"\ud800"})",
                          R"({"c":[1,}})", R"({"c":"open})"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(parse_object(bad, m, skip), Result::Invalid);
  }
}

// Plain runs are stepped over a word at a time: a special byte at any offset
// of a word must still be seen, decoded or refused as nlohmann does.
TEST(JsonFlat, SeesSpecialBytesAtEveryOffsetOfAWord) {
  const std::string specials[] = {"\\\"", "\\\\", "\\n", "\\u0041", "\x01", "\x1f", "\x7f", "\xc3\xa9", "\xff", "\""};
  for (const std::string& special : specials) {
    for (size_t before = 0; before <= 17; ++before) {
      std::string value = std::string(before, 'a') + special + std::string(9, 'b');
      std::string text = "{\"k\":\"" + value + "\"}";
      SCOPED_TRACE(text);
      auto j = nlohmann::json::parse(text, nullptr, false);
      for (bool skipped : {false, true}) {
        Members m;
        constexpr std::string_view skip[] = {"k"};
        Result r = parse_object(text, m, skipped ? skip : std::span<const std::string_view>());
        EXPECT_EQ(r, j.is_discarded() ? Result::Invalid : Result::Ok);
        if (r == Result::Ok && !skipped) {
          EXPECT_EQ(find(m, "k")->text, j["k"].get<std::string>());
        }
      }
    }
  }
}

TEST(JsonFlat, RefusesPathologicalNesting) {
  std::string deep = "{\"a\":" + std::string(1000, '[') + std::string(1000, ']') + "}";
  EXPECT_EQ(parse_flat(deep), Result::Invalid);
}

}  // namespace
}  // namespace hull::json_flat
