// A config nested 100,000 levels deep crashed hull (SIGSEGV: nlohmann's
// recursive build/walk overflows the stack). The depth pre-scan refuses it
// with an error naming the file and where the limit was crossed.
#include <gtest/gtest.h>

#include <string>

#include "base/error.hpp"
#include "base/json_depth.hpp"
#include "spec/spec.hpp"
#include "support/error_of.hpp"

namespace {

using hull::test::error_of;

std::string nested(char open, char close, size_t depth) { return std::string(depth, open) + std::string(depth, close); }

TEST(JsonDepth, DeepConfigIsAnErrorNotACrash) {
  const std::string head = R"({"ociVersion": "1.0.0", "root": {"path": "r"}, "annotations": {"a": )";
  for (std::string deep : {nested('[', ']', 100000), std::string()}) {
    if (deep.empty()) {  // objects, the other recursive kind
      for (int i = 0; i < 100000; ++i) deep += R"({"x":)";
      deep += "1" + std::string(100000, '}');
    }
    std::string msg = error_of([&] { hull::spec::parse_config(head + deep + "}}", "bundle/config.json"); });
    EXPECT_NE(msg.find("bundle/config.json: .annotations.a"), std::string::npos) << msg.substr(0, 300);
    EXPECT_NE(msg.find("...: JSON nested deeper than 256 levels (line 1, column "), std::string::npos)
        << msg.substr(0, 300);
  }
  std::string process =
      error_of([&] { hull::spec::parse_process_json(R"({"args": )" + nested('[', ']', 5000) + "}", "p.json"); });
  EXPECT_NE(process.find("p.json: .args[0][0][0][0][0]...: JSON nested deeper than 256 levels"), std::string::npos)
      << process.substr(0, 300);
}

TEST(JsonDepth, LimitCountsOnlyStructureOutsideStrings) {
  EXPECT_NO_THROW(hull::check_json_depth(nested('[', ']', 256), "f"));
  EXPECT_THROW(hull::check_json_depth(nested('[', ']', 257), "f"), hull::Error);
  // Brackets in strings, escaped quotes included, are not nesting.
  std::string in_string = "[\"" + std::string(1000, '[') + "\\\"" + std::string(1000, '{') + "\"]";
  EXPECT_NO_THROW(hull::check_json_depth(in_string, "f"));
  // Closing brackets bring the depth back down.
  std::string siblings;
  for (int i = 0; i < 100; ++i) siblings += nested('{', '}', 200);
  EXPECT_NO_THROW(hull::check_json_depth("[" + siblings + "]", "f"));
  std::string msg = error_of([] { hull::check_json_depth("{\n \"a\": " + nested('[', ']', 300) + "}", "state.json"); });
  EXPECT_NE(msg.find("state.json: .a[0][0][0][0][0]...: JSON nested deeper than 256 levels (line 2, column 262)"),
            std::string::npos)
      << msg;
  // The path names keys as config errors do, and counts array elements.
  msg = error_of([] { hull::check_json_depth(R"({"x": 1, "k.y": [0, {"z\"": [[[]]]}]})", "f", 4); });
  EXPECT_NE(msg.find(R"(f: ["k.y"][1]["z\""][0]: JSON nested deeper than 4 levels)"), std::string::npos) << msg;
}

}  // namespace
