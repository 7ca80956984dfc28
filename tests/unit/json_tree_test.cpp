// The config reader's JSON: the same values and the same refusals as
// nlohmann::json::parse, which words the messages.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "base/json_tree.hpp"
#include "support/json_tree_vs_nlohmann.hpp"

namespace hull::json_tree {
namespace {

using hull::testing::json_tree_disagreement;

TEST(JsonTree, ReadsValuesAsNlohmannDoes) {
  Document doc;
  std::string text =
      R"({"s":"a\"b\\c\/\n\u00e9\ud83d\ude00","plain":"x y","u":18446744073709551615,"big":18446744073709551616,)"
      R"("neg":-9223372036854775808,"under":-9223372036854775809,"zero":-0,"f":1.5,"e":1E3,"t":true,"n":null,)"
      R"("a":[1,{"x":[]},[]],"o":{"k":"v","k":"w"},"s":"last"})";
  ASSERT_TRUE(doc.parse(text, 256));
  const Value& root = doc.root();
  ASSERT_EQ(root.kind, Kind::Object);
  EXPECT_EQ(root.count, 14u);  // duplicates kept in file order
  EXPECT_EQ(doc.find(root, "s")->text, "last");
  EXPECT_EQ(doc.child(root, 0).text, "a\"b\\c/\n\xc3\xa9\xf0\x9f\x98\x80");
  EXPECT_EQ(doc.child(root, 0).source, R"("a\"b\\c\/\n\u00e9\ud83d\ude00")");
  // A string without escapes is a view into the text itself.
  EXPECT_EQ(doc.find(root, "plain")->text.data(), text.data() + text.find("x y"));
  EXPECT_EQ(doc.find(root, "u")->kind, Kind::Unsigned);
  EXPECT_EQ(doc.find(root, "u")->bits, UINT64_MAX);
  EXPECT_EQ(doc.find(root, "big")->kind, Kind::Float);
  EXPECT_EQ(doc.find(root, "neg")->kind, Kind::Negative);
  EXPECT_EQ(doc.find(root, "neg")->negative(), INT64_MIN);
  EXPECT_EQ(doc.find(root, "under")->kind, Kind::Float);
  EXPECT_EQ(doc.find(root, "zero")->kind, Kind::Negative);
  EXPECT_EQ(doc.find(root, "zero")->negative(), 0);
  EXPECT_EQ(doc.find(root, "f")->kind, Kind::Float);
  EXPECT_EQ(doc.find(root, "e")->kind, Kind::Float);
  EXPECT_TRUE(doc.find(root, "t")->boolean);
  EXPECT_EQ(doc.find(root, "n")->kind, Kind::Null);
  const Value& a = *doc.find(root, "a");
  ASSERT_EQ(a.count, 3u);
  EXPECT_EQ(doc.child(a, 0).bits, 1u);
  EXPECT_EQ(doc.child(doc.child(a, 1), 0).kind, Kind::Array);
  EXPECT_EQ(doc.child(a, 2).count, 0u);
  EXPECT_EQ(doc.find(root, "missing"), nullptr);
  EXPECT_EQ(json_tree_disagreement(text), "");
}

// Found by the json_tree fuzz target: the decoded copies of escaped strings
// shared a buffer that moved when it grew past its first 15 bytes, and the
// first string's view read freed memory.
TEST(JsonTree, EscapedStringsStayReadableAsMoreAreDecoded) {
  Document doc;
  std::string text = R"({"ociVersion": "1.0\u0000.0", "b": [{"t": "\u001b[2Jnet\nwork"}], "c": "\"x\" \\ \"y\"")"
                     R"(, "d": "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"})";
  ASSERT_TRUE(doc.parse(text, 256));
  EXPECT_EQ(doc.find(doc.root(), "ociVersion")->text, std::string_view("1.0\0.0", 6));
  EXPECT_EQ(doc.find(doc.root(), "c")->text, "\"x\" \\ \"y\"");
  EXPECT_EQ(json_tree_disagreement(text), "");
}

TEST(JsonTree, IteratesMembersInNlohmannsOrderOncePerName) {
  Document doc;
  ASSERT_TRUE(doc.parse(R"({"b":1,"a":2,"c":3,"a":4,"B":5})", 256));
  std::vector<std::string> seen;
  for (uint32_t i : doc.member_order(doc.root()))
    seen.push_back(std::string(doc.key(doc.root(), i)) + "=" + std::to_string(doc.child(doc.root(), i).bits));
  EXPECT_EQ(seen, (std::vector<std::string>{"B=5", "a=4", "b=1", "c=3"}));
}

TEST(JsonTree, AcceptsAndRefusesWhatNlohmannDoes) {
  const std::string cases[] = {
      "", " ", "\xEF\xBB\xBF{}", "\xEF\xBB\xBF", "\xEF\xBB{}", " \xEF\xBB\xBF{}", "01", "-", "-0", "-01", "1.",
      ".5", "+1", "1e", "1e+", "1E5", "1e-5", "0.0e0", "18446744073709551615", "18446744073709551616",
      "-9223372036854775808", "-9223372036854775809", "1e400", "-1e400", "1e-400",
      std::string(400, '9'), "[1,]", "{,}", "{\"a\":1,}", "[01]", "[-]", "\"\\u0000\"", "\"\\ud800\"",
      "\"\\udc00\"", "\"\\ud800\\udc00\"", "\"\\ud800x\"", "\"\\ud800\\u0041\"", "\"\\u12\"", "\"\\uzzzz\"",
      "\"\xC0\x80\"", "\"\xED\xA0\x80\"", "\"\xF4\x90\x80\x80\"", "\"\xF0\x9F\x98\x80\"", "\"\x7F\"",
      "\"\x1F\"", "\"\t\"", "\"\xFF\"", "\"\xE2\x82\"", "tru", "true false", "nul", "null", "[1 2]",
      "{\"a\" 1}", "{1:2}", "{\"a\":}", "/* c */ 1", "1 // c", "\"\\x\"", "\"\\/\"", std::string("1\0", 2), std::string("{}\0]x", 5),
      std::string("[1,\0", 4), std::string("\0", 1),
      std::string("\"a\0b\"", 5), "[]]", "{}}", "[", "{", "\"", "\"\\", "[\"a\",{\"b\":[null,true,false]}]",
      "\f1", "\v1", "1\r\n", "{\"\":0}", "{\"a\":1}{}", "[1e5,-1.25E-3,0.5]", "-1.0", "1.0e+309"};
  for (const std::string& text : cases) EXPECT_EQ(json_tree_disagreement(text), "") << "text: " << text;
}

TEST(JsonTree, RefusesNestingDeeperThanItsLimit) {
  Document doc;
  std::string deep = std::string(256, '[') + std::string(256, ']');
  EXPECT_TRUE(doc.parse(deep, 256));
  EXPECT_EQ(json_tree_disagreement(deep), "");
  std::string deeper = "[" + deep + "]";
  EXPECT_FALSE(doc.parse(deeper, 256));
  EXPECT_EQ(json_tree_disagreement(deeper), "");
  std::string objects;
  for (int i = 0; i < 257; ++i) objects += "{\"a\":";
  objects += "1" + std::string(257, '}');
  EXPECT_FALSE(doc.parse(objects, 256));
  // Past a NUL byte nothing is read (found by the json_tree fuzz target).
  std::string after_nul = std::string("0\0", 2) + deeper;
  EXPECT_TRUE(doc.parse(after_nul, 256));
  EXPECT_EQ(json_tree_disagreement(after_nul), "");
}

// Every config the tests hold, and thousands of small corruptions of them
// (bytes dropped, replaced, inserted, spans repeated, the text cut short):
// the tree and nlohmann agree on each.
TEST(JsonTree, AgreesWithNlohmannOnMutatedConfigs) {
  std::vector<std::string> texts;
  for (const auto& dir : {"good", "bad", "bad-create"}) {
    for (const auto& entry : std::filesystem::directory_iterator(std::string(HULL_TEST_DATA) + "/config/" + dir)) {
      std::ifstream in(entry.path());
      std::stringstream s;
      s << in.rdbuf();
      texts.push_back(s.str());
    }
  }
  ASSERT_GT(texts.size(), 100u);
  const std::string special = "{}[],:\"\\ \n0123456789-+.eEtfnu\x80\xBF\xC3\xE2\xF0\xFF";
  std::mt19937 random(16);
  size_t compared = 0;
  for (const std::string& original : texts) {
    ASSERT_EQ(json_tree_disagreement(original), "") << original;
    for (int round = 0; round < 60; ++round) {
      std::string text = original;
      int edits = 1 + static_cast<int>(random() % 3);
      for (int e = 0; e < edits && !text.empty(); ++e) {
        size_t at = random() % text.size();
        char byte = special[random() % special.size()];
        switch (random() % 5) {
          case 0: text.erase(at, 1); break;
          case 1: text[at] = byte; break;
          case 2: text.insert(text.begin() + static_cast<std::ptrdiff_t>(at), byte); break;
          case 3: text.insert(at, text.substr(at, random() % 16)); break;
          default: text.resize(at); break;
        }
      }
      ASSERT_EQ(json_tree_disagreement(text), "") << "text: " << text;
      ++compared;
    }
  }
  EXPECT_GT(compared, 6000u);
}

}  // namespace
}  // namespace hull::json_tree
