#pragma once
// Does json_tree read a text as nlohmann::json::parse reads it? The config
// parser relies on it: it asks nlohmann only for the message when the tree
// refuses a text, and for the wording of a value it shows. Shared by the unit
// test (fixed cases and mutated configs) and the json_tree fuzz target.
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "base/json_depth.hpp"
#include "base/json_tree.hpp"

namespace hull::testing {

namespace json_tree_detail {

inline std::string compare(const json_tree::Document& doc, const json_tree::Value& v, const nlohmann::json& j,
                           const std::string& path) {
  using json_tree::Kind;
  using T = nlohmann::json::value_t;
  auto differs = [&](const std::string& what) { return path + ": " + what + " (nlohmann: " + j.dump() + ")"; };
  if (nlohmann::json::parse(v.source) != j) return differs("its source text reads differently");
  switch (v.kind) {
    case Kind::Null: return j.type() == T::null ? "" : differs("null");
    case Kind::Bool:
      return j.type() == T::boolean && j.get<bool>() == v.boolean ? "" : differs("boolean");
    case Kind::Unsigned:
      return j.type() == T::number_unsigned && j.get<uint64_t>() == v.bits ? "" : differs("unsigned");
    case Kind::Negative:
      return j.type() == T::number_integer && j.get<int64_t>() == v.negative() ? "" : differs("integer");
    case Kind::Float: {
      double d = std::strtod(std::string(v.source).c_str(), nullptr);
      return j.type() == T::number_float && j.get<double>() == d ? "" : differs("float");
    }
    case Kind::String:
      return j.type() == T::string && j.get_ref<const std::string&>() == v.text ? "" : differs("string");
    case Kind::Array: {
      if (j.type() != T::array || j.size() != v.count) return differs("array");
      for (size_t i = 0; i < v.count; ++i) {
        std::string d = compare(doc, doc.child(v, i), j[i], path + "[" + std::to_string(i) + "]");
        if (!d.empty()) return d;
      }
      return "";
    }
    case Kind::Object: {
      if (j.type() != T::object) return differs("object");
      auto order = doc.member_order(v);
      if (order.size() != j.size()) return differs("member count " + std::to_string(order.size()));
      auto it = j.begin();
      for (uint32_t i : order) {
        std::string_view key = doc.key(v, i);
        if (it.key() != key) return differs("member order at \"" + std::string(key) + "\"");
        if (doc.find(v, key) != &doc.child(v, i)) return differs("find of \"" + std::string(key) + "\"");
        std::string d = compare(doc, doc.child(v, i), it.value(), path + "." + std::string(key));
        if (!d.empty()) return d;
        ++it;
      }
      return "";
    }
  }
  return differs("unknown kind");
}

}  // namespace json_tree_detail

// "" when both refuse `text`, or both read the same values of the same types;
// otherwise what differs. Texts nested deeper than kMaxJsonDepth must be
// refused by the tree; nlohmann is not asked (its recursion is the reason
// for the limit).
inline std::string json_tree_disagreement(std::string_view text) {
  json_tree::Document doc;
  bool tree_ok = doc.parse(text, kMaxJsonDepth);
  try {
    // nlohmann reads nothing past a NUL byte (the end of its input, or an
    // error inside a string): nor does the depth that matters.
    check_json_depth(text.substr(0, text.find('\0')), "text");
  } catch (const Error&) {
    return tree_ok ? "the tree read a text nested deeper than the limit" : "";
  }
  nlohmann::json j;
  bool nlohmann_ok = true;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception&) {
    nlohmann_ok = false;
  }
  if (tree_ok != nlohmann_ok)
    return std::string(tree_ok ? "the tree read" : "the tree refused") + " a text nlohmann " +
           (nlohmann_ok ? "reads" : "refuses");
  return tree_ok ? json_tree_detail::compare(doc, doc.root(), j, "") : "";
}

}  // namespace hull::testing
