// The JSON writer: the bytes nlohmann's dump() writes for the same values.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "base/json_write.hpp"

namespace hull {
namespace {

// Every string the writer may meet in a path, an id or an annotation: the
// escaped ASCII controls, the quote and backslash, DEL, and multi-byte UTF-8
// of each length.
std::vector<std::string> sample_strings() {
  std::vector<std::string> out = {"",
                                  "plain/path-1.2_3",
                                  "quote\" back\\slash /slash",
                                  "\x7f del",
                                  "\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
                                  "\xef\xbf\xbf\xf4\x8f\xbf\xbf"};
  std::string controls;
  for (int c = 0; c < 0x20; ++c) controls += static_cast<char>(c);
  out.push_back(controls);
  out.push_back(std::string("nul\0inside", 10));
  return out;
}

// The same document, once through each: an object holding every kind of
// member the state file and the cgroup record use.
template <typename Json>
void expect_same_bytes(int indent) {
  const std::vector<std::string> strings = sample_strings();
  const std::map<std::string, std::string> empty_map, map = {{"b", strings[2]}, {"a\n", strings[4]}};
  const std::vector<std::string> empty_list;
  Json j;
  JsonWriter w(indent);
  w.begin_object();
  for (size_t i = 0; i < strings.size(); ++i) {
    j["s" + std::to_string(i)] = strings[i];
    w.key("s" + std::to_string(i)).string(strings[i]);
  }
  j["pid"] = int64_t{-42};
  w.key("pid").number(int64_t{-42});
  j["min"] = INT64_MIN;
  w.key("min").number(int64_t{INT64_MIN});
  j["max"] = UINT64_MAX;
  w.key("max").number(UINT64_MAX);
  j["zero"] = uint64_t{0};
  w.key("zero").number(uint64_t{0});
  j["map"] = map;
  w.key("map").string_map(map);
  j["emptyMap"] = empty_map;
  w.key("emptyMap").string_map(empty_map);
  j["list"] = strings;
  w.key("list").strings(strings);
  j["emptyList"] = empty_list;
  w.key("emptyList").strings(empty_list);
  j["nested"]["inner"]["list"] = std::vector<std::string>{"x"};
  j["nested"]["inner"]["none"] = Json::object();
  j["nested"]["rows"] = Json::array({Json::object(), Json::array(), Json::object({{"k", "v"}}), Json::array({"e"})});
  w.key("nested").begin_object().key("inner").begin_object().key("list").strings({"x"});
  w.key("none").begin_object().end_object().end_object();
  w.key("rows").begin_array().begin_object().end_object().begin_array().end_array();
  w.begin_object().key("k").string("v").end_object().strings({"e"}).end_array().end_object();
  w.end_object();
  EXPECT_EQ(w.take(), j.dump(indent));
}

TEST(JsonWriter, WritesWhatNlohmannDumpWrites) {
  for (int indent : {-1, 0, 2, 4}) {
    SCOPED_TRACE(indent);
    expect_same_bytes<nlohmann::ordered_json>(indent);
  }
}

TEST(JsonWriter, EmptyTopLevelContainers) {
  EXPECT_EQ(JsonWriter(2).begin_object().end_object().take(), "{}");
  EXPECT_EQ(JsonWriter().begin_array().end_array().take(), "[]");
  EXPECT_EQ(JsonWriter(2).strings({"a", "b"}).take(), nlohmann::json(std::vector<std::string>{"a", "b"}).dump(2));
}

TEST(JsonWriter, RefusesStringsThatAreNotUtf8AsDumpDoes) {
  const std::string bad[] = {"\xff",
                             "a\xc3",
                             "\xc0\xaf" /* overlong */,
                             "\xed\xa0\x80" /* surrogate */,
                             "\xf4\x90\x80\x80" /* past U+10FFFF */,
                             "ok\x80"};
  for (const std::string& s : bad) {
    SCOPED_TRACE(::testing::PrintToString(s));
    EXPECT_THROW(nlohmann::json(s).dump(), nlohmann::json::type_error);
    JsonWriter w;
    w.begin_object();
    try {
      w.key("k").string(s);
      ADD_FAILURE() << "accepted";
    } catch (const JsonWriteError& e) {
      EXPECT_NE(std::string(e.what()).find("invalid UTF-8 byte at index"), std::string::npos) << e.what();
    }
  }
  // In a key too.
  EXPECT_THROW(JsonWriter().begin_object().key("\xfe"), JsonWriteError);
}

}  // namespace
}  // namespace hull
