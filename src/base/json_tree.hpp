#pragma once
// A read-only JSON document for config.json and process.json.
//
// Why not nlohmann::json (which hull still uses to write some JSON and to
// word what is wrong with a document): every create, run and exec parses the
// container's config, and nlohmann's DOM (a heap node per value, a string per
// member name, a push_back per character) took two thirds of parse_config:
// 20 us of 31 for a 2 KB config, 98 of 149 with the seccomp profile every
// client sends (14.5 KB). This document is a few flat arrays: values in one
// vector, each container's children next to each other, strings as views into
// the text unless they hold escapes.
//
// It accepts exactly what nlohmann::json::parse accepts (RFC 8259, a leading
// UTF-8 BOM skipped, numbers too large for a double refused, a NUL byte after
// the value taken for the end of the text) and reads values
// as nlohmann does: integers without fraction or exponent that fit are
// Unsigned (>= 0) or Negative (int64, "-0" included), every other number is a
// Float; of duplicate member names the last counts. Anything it refuses, it
// says nothing about: the caller asks nlohmann for the message.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hull::json_tree {

enum class Kind : uint8_t { Null, Bool, Unsigned, Negative, Float, String, Array, Object };

struct Value {
  Kind kind = Kind::Null;
  bool boolean = false;   // Bool
  uint32_t first = 0;     // Array, Object: where the children start in the document
  uint32_t count = 0;     // Array, Object: how many children
  uint64_t bits = 0;      // Unsigned: the value; Negative: the int64's two's complement
  std::string_view text;  // String: the decoded text
  std::string_view source;  // the value's own JSON text, for messages

  int64_t negative() const { return static_cast<int64_t>(bits); }
};

class Document {
 public:
  Document() = default;
  // Values view the text and each other: the document stays where it is.
  Document(const Document&) = delete;
  Document& operator=(const Document&) = delete;

  // Parses `text`, which must outlive the document. False when nlohmann
  // would refuse it, or when arrays and objects nest deeper than max_depth.
  bool parse(std::string_view text, size_t max_depth);

  const Value& root() const { return root_; }
  // Element i of an array, member i of an object (in file order, duplicates kept).
  const Value& child(const Value& container, size_t i) const { return values_[container.first + i]; }
  std::string_view key(const Value& object, size_t i) const { return keys_[object.first + i]; }
  // The member named `key` (the last one of that name), or nullptr.
  const Value* find(const Value& object, std::string_view key) const;
  // The array or object that holds `value` (one of this document's), and
  // `value`'s index in it; nullptr for the root. It searches the document:
  // for messages, which name where a value is only when it is wrong.
  const Value* parent(const Value& value, size_t* index) const;
  // The member indices in the order nlohmann::json iterates an object:
  // sorted by name, bytewise, one per name (the last).
  std::vector<uint32_t> member_order(const Value& object) const;

 private:
  friend class Parser;
  std::vector<Value> values_;
  std::vector<std::string_view> keys_;  // beside values_; empty for array elements
  std::string decoded_;                 // strings that held escapes
  Value root_;
};

}  // namespace hull::json_tree
