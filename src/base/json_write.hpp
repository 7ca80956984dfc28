#pragma once
// JSON text written as nlohmann's dump() writes it, byte for byte, without
// building its DOM: the writer beside json_flat's reader. Every command that
// changes a container writes state.json (three times per `run`) and the
// cgroup record inside it, and building nlohmann's DOM for them was most of
// the instructions of those writes (callgrind, issue #16).
//
// Same bytes as dump(): members in the order written, "key": value with
// `indent` spaces per level (or compact, ':' and ',' alone, for indent < 0),
// empty objects and arrays as {} and [], strings with '"', '\\' and the
// controls below 0x20 escaped (\b \t \n \f \r, else \u00xx), everything else
// as given. A string that is not well-formed UTF-8 is refused (as dump()'s
// strict mode refuses it): JsonWriteError, and the document is left unfinished.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.hpp"

namespace hull {

class JsonWriteError : public Error {
 public:
  using Error::Error;
};

class JsonWriter {
 public:
  explicit JsonWriter(int indent = -1) : indent_(indent) {
    // A state.json and its cgroup record in one allocation each.
    out_.reserve(1024);
    levels_.reserve(4);
  }

  JsonWriter& begin_object() { return open('{'); }
  JsonWriter& end_object() { return close('}'); }
  JsonWriter& begin_array() { return open('['); }
  JsonWriter& end_array() { return close(']'); }
  // An object member's name; its value is written next.
  JsonWriter& key(std::string_view name);

  JsonWriter& string(std::string_view s);
  JsonWriter& number(uint64_t n);
  JsonWriter& number(int64_t n);
  JsonWriter& boolean(bool b);
  JsonWriter& strings(const std::vector<std::string>& items);
  JsonWriter& string_map(const std::map<std::string, std::string>& members);

  // The text written so far (the whole document once every container is
  // closed).
  std::string take() { return std::move(out_); }

 private:
  JsonWriter& open(char c);
  JsonWriter& close(char c);
  // Before a value: the separator and indentation an array element needs
  // (an object member's were written by key()).
  void before_value();
  void newline_and_indent(size_t level);
  void quoted(std::string_view s);

  struct Level {
    bool empty = true;
  };
  int indent_;
  bool after_key_ = false;
  std::vector<Level> levels_;
  std::string out_;
};

}  // namespace hull
