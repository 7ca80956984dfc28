#pragma once
// Config members that grow when hull rewrites the config: what the size
// checks of the saved config (create, update) are tested with.
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

namespace hull::itest {

// 50,000 zeros 200 arrays deep: 100 KB compact, 20 MB indented.
inline nlohmann::json deeply_nested_zeros() {
  nlohmann::json nested = nlohmann::json::array();
  for (int i = 0; i < 50000; ++i) nested.push_back(0);
  for (int depth = 0; depth < 200; ++depth) {
    nlohmann::json outer = nlohmann::json::array();
    outer.push_back(std::move(nested));
    nested = std::move(outer);
  }
  return nested;
}

// `config` written compact with an unknown member of 1,400,000 floats of 3
// bytes, "1e9", which a rewrite writes out as "1000000000.0": 5.6 MB read,
// 18 MB rewritten even compact.
inline std::string with_floats_that_grow(const nlohmann::json& config) {
  std::string text = config.dump();
  std::string floats = "\"org.example.floats\":[1e9";
  for (int i = 1; i < 1400000; ++i) floats += ",1e9";
  text.insert(1, floats + "],");
  return text;
}

}  // namespace hull::itest
