#pragma once
// A small strict JSON reader for flat files like state.json: one top-level
// object whose member values are kept when they are strings, unsigned
// integers, objects of strings or arrays of strings, and otherwise only
// validated and typed.
//
// Why not nlohmann::json (base/json_write writes state.json) or
// json_tree (config.json's reader): `list` reads every container's
// state.json, and building nlohmann's DOM was 78% of list's instructions
// (callgrind, 1000 containers: ~48k instructions per 400-byte file). This
// reader builds nothing it does not return. It reads the tokens json_tree
// reads (base/json_lexer.hpp, RFC 8259 as nlohmann reads it); for duplicate
// keys the last one wins, as nlohmann keeps it. Unlike json_tree and
// nlohmann it refuses anything after the value, a NUL byte included, and
// types a number past a double's range as OtherNumber (hull writes
// state.json itself: neither occurs in one it wrote).
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hull::json_flat {

enum class Kind { String, Unsigned, OtherNumber, Object, Array, Bool, Null };

struct Value {
  Kind kind = Kind::Null;
  std::string text;     // Kind::String
  uint64_t number = 0;  // Kind::Unsigned (no sign, fraction or exponent; fits in 64 bits); Kind::Bool: 1 for true
  // Kind::Object or Kind::Array: whether every member (element) is a
  // string, and then the members (elements) in order.
  bool strings_only = false;
  std::vector<std::pair<std::string, std::string>> members;
  std::vector<std::string> items;
};

using Members = std::vector<std::pair<std::string, Value>>;

enum class Result { Ok, Invalid, NotObject };

// Parses `text`. On Ok, `out` holds the top-level members in file order,
// but for those named in `skip`: their values are validated and dropped
// without being decoded (list has no use for state.json's cgroup paths).
// NotObject: valid JSON whose top level is not an object. Invalid: not JSON
// (also for nesting deeper than 512 levels).
Result parse_object(std::string_view text, Members& out, std::span<const std::string_view> skip = {});

// The value of the last member named `key`, or nullptr.
const Value* find(const Members& members, std::string_view key);
Value* find(Members& members, std::string_view key);

}  // namespace hull::json_flat
